"""Issue 11, findings 5, 10 and 4: no input makes the server answer 500; bad input is refused
in the request's own format, the field named; texts, dates, file names and imports are bounded.
Each test failed on the code before."""

from __future__ import annotations

import json

import pytest

from councils.models import Role

pytestmark = pytest.mark.django_db


DEEP = "[" * 10_000 + "]" * 10_000


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/", "/api/v1/intelligence/", "/api/v1/placements/lookup/"]
)
def test_json_nested_10000_deep_is_400_not_500(url, council_a, member, api_as, api):
    client = api_as(member(council_a, Role.OFFICER))
    answer = client.post(url, DEEP, content_type="application/json")
    assert answer.status_code == 400, answer.content[:200]
    assert "nested" in answer.json()["detail"]
    # Before authentication too: no credentials is 401, never a parse of the body.
    assert api.post(url, DEEP, content_type="application/json").status_code == 401


def test_json_nested_a_little_deeper_than_any_request_needs_is_refused(council_a, member, api_as):
    nested: object = "x"
    for _ in range(40):
        nested = [nested]
    body = json.dumps({"ids": nested})
    client = api_as(member(council_a, Role.PLACEMENT))
    answer = client.post("/api/v1/placements/lookup/", body, content_type="application/json")
    assert answer.status_code == 400 and "nested" in answer.json()["detail"]


def test_an_oversized_json_body_is_answered_in_json(council_a, member, api_as, settings):
    settings.API_MAX_BODY_BYTES = 10_000
    client = api_as(member(council_a, Role.OFFICER))
    body = json.dumps({"narrative": "x" * 20_000})
    answer = client.post("/api/v1/intelligence/", body, content_type="application/json")
    assert answer.status_code == 413
    assert answer["Content-Type"].startswith("application/json")
    assert "too large" in answer.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/intelligence/?provider=354220953484611223552",
        "/api/v1/intelligence/?location=354220953484611223552",
        "/api/v1/letters/?case=354220953484611223552",
    ],
)
def test_a_huge_number_in_a_filter_is_400_naming_it(url, council_a, member, api_as):
    answer = api_as(member(council_a, Role.OFFICER)).get(url)
    assert answer.status_code == 400, answer.content[:200]
    body = answer.json()
    named = set(body.get("errors", body))
    assert named & {"provider", "location", "case"}


def test_a_huge_id_in_a_path_is_404_not_500(council_a, member, api_as, signed_in):
    officer = member(council_a, Role.OFFICER)
    huge = "354220953484611223552"
    assert api_as(officer).get(f"/api/v1/intelligence/{huge}/").status_code == 404
    assert signed_in(officer).get(f"/intelligence/{huge}/").status_code == 404


# --- finding 10: lengths, dates, file names --------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("narrative", "x" * 1_000_000),
        ("received_on", "0001-01-01"),
        ("received_on", "9999-12-31"),
    ],
)
def test_implausible_intelligence_is_refused_naming_the_field(
    field, value, council_a, member, api_as
):
    from monitoring.models import Intelligence
    from tests.factories import LocationFactory

    client = api_as(member(council_a, Role.OFFICER))
    body = {
        "source": "complaint",
        "received_on": "2026-11-01",
        "severity": "low",
        "narrative": "Reported by a relative",
        "location": LocationFactory().pk,
        field: value,
    }
    answer = client.post("/api/v1/intelligence/", body, format="json")
    assert answer.status_code in (400, 413), answer.content[:300]
    if answer.status_code == 400:
        payload = answer.json()
        assert field in set(payload.get("errors", payload))
    assert not Intelligence.objects.exists()


def test_a_long_attachment_name_keeps_its_extension():
    from core.limits import file_name

    name = file_name("a" * 300 + ".pdf", 200)
    assert len(name) == 200 and name.endswith(".pdf")
    assert file_name("../../etc/passwd.txt") == "passwd.txt"


# --- finding 4: imports bounded after decompression and in rows ------------------------------


def _xlsx(rows) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_that_unpacks_too_large_is_refused_unopened(settings):
    import io
    import zipfile

    from providers.importing.readers import FileRefused, table_rows

    settings.IMPORT_MAX_UNPACKED_BYTES = 1_000_000
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", " " * 5_000_000)  # 5 MB of blanks
    data = bomb.getvalue()
    assert len(data) < 50_000
    with pytest.raises(FileRefused, match="unpacks to"):
        table_rows(data, "blanks.xlsx")


def test_a_file_with_too_many_rows_is_refused(settings):
    from providers.importing.readers import FileRefused, table_rows

    settings.IMPORT_MAX_ROWS = 100
    with pytest.raises(FileRefused, match="more than 100 rows"):
        table_rows(
            _xlsx([["Name", "Postcode"]] + [[f"Home {i}", "BR1 1AA"] for i in range(150)]),
            "big.xlsx",
        )
    with pytest.raises(FileRefused, match="more than 100 rows"):
        table_rows(("Name,Postcode\n" + "Home,BR1 1AA\n" * 150).encode(), "big.csv")
    assert len(table_rows(("Name,Postcode\n" + "Home,BR1 1AA\n" * 50).encode(), "ok.csv")) == 51


def test_an_import_keeps_its_first_problems_and_counts_the_rest(
    council_a, member, settings, django_capture_on_commit_callbacks
):
    """A council's spreadsheet naming five CQC locations the register does not have: five
    problems counted, the first two kept."""
    from providers.models import ImportProblem, ImportRun, ImportStatus
    from providers.services import import_start, mapping_save

    settings.IMPORT_MAX_PROBLEMS_KEPT = 2
    mapping = mapping_save(
        council=council_a,
        name="Our list",
        columns={"cqc_location_id": "CQC ID", "name": "Home", "provider_name": "Operator"},
    )
    content = "CQC ID,Home,Operator\n" + "".join(
        f"1-99999999{i},Home {i},Somebody Ltd\n" for i in range(5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = import_start(
            council=council_a,
            actor=member(council_a, Role.OFFICER),
            format="spreadsheet",
            filename="ours.csv",
            content=content.encode(),
            mapping=mapping,
        )
    run = ImportRun.objects.get(pk=run.pk)
    assert run.status == ImportStatus.DONE, run.message
    assert run.problem_count == 5
    assert list(ImportProblem.objects.filter(run=run).values_list("row", flat=True)) == [2, 3]
    assert "5 rows with problems (the first 2 kept)." in run.message


def test_no_text_in_a_request_is_longer_than_the_limit(council_a, member, api_as):
    """Issue 11, 10: a 1,000,000-character text was stored; every field is bounded now, the
    field named, before any service sees it."""
    client = api_as(member(council_a, Role.OFFICER))
    answer = client.post("/api/v1/cases/", {"summary": "x" * 30_000, "location": 1}, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert "20,000 characters" in body.get("errors", body)["summary"][0]


def test_every_400_has_one_shape_with_the_fields_named(council_a, member, api_as):
    """Issue 11: a serializer's 400 and a service's 400 read the same: detail, code, and the
    messages by field under `errors`."""
    client = api_as(member(council_a, Role.OFFICER))
    bad = client.post(
        "/api/v1/intelligence/",
        {"received_on": "not a date", "severity": "low", "source": "complaint"},
        format="json",
    )
    body = bad.json()
    assert bad.status_code == 400 and body["code"] == "invalid"
    assert set(body) == {"detail", "code", "errors"}
    assert "received_on" in body["errors"] and "narrative" in body["errors"]
    assert all(isinstance(m, list) for m in body["errors"].values())


# --- Lengths everywhere (issue 11, what to build 3) --------------------------------------------


def _forms():
    import importlib
    import pkgutil

    from django import forms

    apps = ["core", "councils", "providers", "monitoring", "decisions", "concerns"]
    apps += ["restrictions", "notices"]
    for app in apps:
        for name in ("forms", "views", "twofactor"):
            try:
                module = importlib.import_module(f"{app}.{name}")
            except ModuleNotFoundError:
                continue
            for sub in pkgutil.iter_modules(getattr(module, "__path__", [])):
                importlib.import_module(f"{app}.{name}.{sub.name}")

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return [c for c in set(below(forms.BaseForm)) if c.__module__.split(".")[0] in apps]


def test_every_text_box_of_every_form_has_a_length_limit():
    from django import forms

    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _forms()
        for name, field in getattr(form, "base_fields", {}).items()
        if type(field) is forms.CharField and field.max_length is None
    ]
    assert unbounded == []


def test_every_text_field_of_the_models_people_write_has_a_length_limit():
    from django.apps import apps
    from django.db import models

    system_written = {
        ("core", "auditentry", "reason"),  # copies a reason already bounded
        ("councils", "policyversion", "source_text"),  # a policy pack, loaded by command
        ("providers", "importrun", "message"),
        ("providers", "registersync", "last_error"),
    }
    ours = {"core", "councils", "providers", "monitoring", "decisions", "concerns"}
    ours |= {"restrictions", "notices"}
    unbounded = [
        f"{m._meta.app_label}.{m.__name__}.{f.name}"
        for m in apps.get_models()
        if m._meta.app_label in ours
        for f in m._meta.get_fields()
        if isinstance(f, models.TextField)
        and f.max_length is None
        and (m._meta.app_label, m._meta.model_name, f.name) not in system_written
    ]
    assert unbounded == []


def test_every_text_a_caller_sends_has_its_length_in_the_schema(client):
    """Every string in every request body of the API carries maxLength, unless it is an
    enumeration, a date, a number written as text, or a file."""
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    bounded_formats = {"date", "date-time", "uri", "email", "binary", "uuid", "decimal"}
    seen, unbounded = set(), []

    def walk(name, node, where):
        for key, prop in node.get("properties", {}).items():
            if prop.get("readOnly"):
                continue
            for ref in [prop] + ([prop["items"]] if isinstance(prop.get("items"), dict) else []):
                if "$ref" in ref:
                    target = ref["$ref"].rsplit("/", 1)[1]
                    if target not in seen:
                        seen.add(target)
                        walk(target, components[target], f"{where}.{key}")
                elif (
                    ref.get("type") == "string"
                    and "enum" not in ref
                    and ref.get("format") not in bounded_formats
                    and "maxLength" not in ref
                ):
                    unbounded.append(f"{where}.{key}")

    for operations in schema["paths"].values():
        for operation in operations.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                ref = content.get("schema", {}).get("$ref")
                if ref and ref.rsplit("/", 1)[1] not in seen:
                    name = ref.rsplit("/", 1)[1]
                    seen.add(name)
                    walk(name, components[name], name)
    assert unbounded == []


def test_a_narrative_longer_than_the_limit_is_refused_on_the_page_too(council_a, member, signed_in):
    from tests.factories import LocationFactory

    officer = member(council_a, Role.OFFICER)
    location = LocationFactory()
    page = signed_in(officer).post(
        f"/locations/{location.pk}/intelligence/new/",
        {
            "source": "complaint",
            "received_on": "2026-11-01",
            "narrative": "x" * 20_001,
        },
    )
    assert page.status_code in (200, 400)
    assert "must be 20,000 characters or fewer" in page.content.decode()


@pytest.mark.parametrize("value", ["0001-01-01", "1998-12-31", "9999-12-31"])
def test_every_date_the_api_takes_is_plausible(value, council_a, member, api_as):
    """Not one service's rule but every date field's (a review's planned day here, through the
    model serializer; a risk override's expiry through a declared one)."""
    from tests.factories import LocationFactory

    client = api_as(member(council_a, Role.MANAGER))
    location = LocationFactory()
    planned = client.post(
        "/api/v1/reviews/",
        {"location": location.pk, "kind": "annual", "planned_for": value},
        format="json",
    )
    assert planned.status_code == 400 and "planned_for" in planned.json()["errors"]
    from core.api import PlausibleDateField
    from monitoring.api.reviews import ReviewSerializer

    assert isinstance(ReviewSerializer().fields["planned_for"], PlausibleDateField)


def test_every_date_a_page_takes_is_plausible(council_a, member, signed_in):
    from tests.factories import LocationFactory

    location = LocationFactory()
    page = signed_in(member(council_a, Role.OFFICER)).post(
        f"/locations/{location.pk}/intelligence/new/",
        {
            "source": "complaint",
            "received_on_0": "31",
            "received_on_1": "12",
            "received_on_2": "9999",
            "received_on": "9999-12-31",
            "narrative": "Reported by a relative",
            "severity": "low",
        },
    )
    assert "The date cannot be after" in page.content.decode()
