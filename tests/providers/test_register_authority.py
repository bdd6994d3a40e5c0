"""Who may change the national register (issue 11, finding 1): only its authoritative sources.
A council's spreadsheet changes only that council's records; the ratings it brings are its own
assessments; the services it adds outside CQC's register are seen only by it."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from councils.models import Role
from monitoring.models import Intelligence
from monitoring.services import rating_changes_to_intelligence
from providers.models import (
    ImportRun,
    ImportStatus,
    LocalRecord,
    Location,
    Provider,
    Rating,
    RatingChange,
)
from providers.services import import_start, mapping_save
from tests.factories import LocationFactory, RatingFactory, UserFactory
from tests.monitoring.helpers import commission
from tests.providers.importing.helpers import csv_bytes, location_record, provider_record

pytestmark = pytest.mark.django_db

COLUMNS = {
    "cqc_location_id": "CQC ID",
    "name": "Name",
    "provider_name": "Provider",
    "postcode": "Postcode",
    "overall_rating": "Rating",
    "rating_date": "Rated on",
    "contract_reference": "Contract",
    "contact_name": "Contact",
    "contact_email": "Email",
}
HEADER = list(COLUMNS.values())


@pytest.fixture
def our_mapping(council_a):
    return mapping_save(council=council_a, name="Our list", columns=COLUMNS)


@pytest.fixture
def shared_location():
    """A location on the national register, rated Good by CQC."""
    location = LocationFactory(name="Oak Lodge", overall_rating="Good")
    RatingFactory(location=location, overall="Good", report_date=dt.date(2024, 3, 14))
    return location


@pytest.fixture
def keeper(db):
    """The national register's keeper: a role that is no council's."""
    user = UserFactory(username="register-keeper")
    user.keeps_register = True
    user.save()
    return user


def _sheet(*rows) -> SimpleUploadedFile:
    return SimpleUploadedFile("our-list.csv", csv_bytes([HEADER, *rows]), "text/csv")


def _import(client, mapping, *rows, capture):
    with capture(execute=True):
        response = client.post(
            "/api/v1/imports/", {"file": _sheet(*rows), "mapping": mapping.pk}, format="multipart"
        )
    assert response.status_code == 202, response.content
    return ImportRun.objects.get(pk=response.json()["id"])


def test_a_councils_spreadsheet_never_changes_the_shared_register(
    council_a,
    council_b,
    api_token,
    our_mapping,
    shared_location,
    django_capture_on_commit_callbacks,
):
    """Finding 1: Bromley's sheet renames a shared location and "rates" it Inadequate. The
    register keeps CQC's name and rating, no rating change is made, West Berkshire (which
    commissions it) hears nothing; Bromley keeps its own name and assessment."""
    commission(council_b, shared_location, beds=3)
    before = (shared_location.name, shared_location.overall_rating, Rating.objects.count())
    client = api_token(council_a, ["imports:write", "imports:read"])
    run = _import(
        client,
        our_mapping,
        [
            shared_location.cqc_location_id,
            "Renamed House",
            "Someone Else Ltd",
            "",
            "Inadequate",
            "2026-11-01",
            "LBB-001",
            "Jo Bloggs",
            "jo@provider.example",
        ],
        capture=django_capture_on_commit_callbacks,
    )

    assert run.status == ImportStatus.DONE, run.message
    shared_location.refresh_from_db()
    after = (shared_location.name, shared_location.overall_rating, Rating.objects.count())
    assert after == before
    assert not RatingChange.objects.exists()
    assert rating_changes_to_intelligence() == 0
    assert not Intelligence.objects.filter(council=council_b).exists()
    record = LocalRecord.objects.get(council=council_a, location=shared_location)
    assert record.local_name == "Renamed House"
    assert (record.assessed_rating, record.assessed_on) == ("Inadequate", dt.date(2026, 11, 1))
    assert (record.contract_reference, record.contact_email) == ("LBB-001", "jo@provider.example")
    assert not LocalRecord.objects.filter(council=council_b).exists()
    assert run.local_records == 1 and run.rating_changes == 0


def test_a_council_may_not_bring_in_cqc_files(council_a, officer_a, api_token, api_as):
    """A made-up "CQC" file from a council: 403, before anything is read, on the API and in
    the service."""
    for client in (api_token(council_a, ["imports:write"]), api_as(officer_a)):
        for kind in ("cqc_json", "cqc_csv"):
            upload = SimpleUploadedFile(
                "ratings.csv", b"Location ID,Location Latest Overall Rating\n"
            )
            response = client.post(
                "/api/v1/imports/", {"format": kind, "file": upload}, format="multipart"
            )
            assert response.status_code == 403, response.content
    from core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        import_start(
            council=council_a, actor=officer_a, format="cqc_json", filename="a.json", content=b"[]"
        )
    with pytest.raises(NotAllowed):  # a council's officer is not the register's keeper
        import_start(
            council=None, actor=officer_a, format="cqc_json", filename="a.json", content=b"[]"
        )
    assert not ImportRun.objects.exists()


def test_the_keeper_brings_in_cqcs_files(
    keeper, api_as, api, council_a, officer_a, api_token, django_capture_on_commit_callbacks
):
    """The national register's API: 401 anonymous, 403 a council's officer or token, 202 the
    keeper, whose file changes the register."""
    import json

    body = json.dumps([provider_record(), location_record(name="Birch House")]).encode()

    def upload():
        return {"format": "cqc_json", "file": SimpleUploadedFile("cqc.json", body)}

    assert api.post("/api/v1/register/imports/", upload(), format="multipart").status_code == 401
    assert (
        api_as(officer_a).post("/api/v1/register/imports/", upload(), format="multipart")
    ).status_code == 403
    token = api_token(council_a, ["imports:write", "imports:read"])
    assert token.post("/api/v1/register/imports/", upload(), format="multipart").status_code == 403
    assert api_as(officer_a).get("/api/v1/register/sync/").status_code == 403
    client = api_as(keeper)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/register/imports/", upload(), format="multipart")
    assert response.status_code == 202, response.content
    run = ImportRun.objects.get(pk=response.json()["id"])
    assert run.council_id is None and run.status == ImportStatus.DONE
    assert Location.objects.get(cqc_location_id="1-113737059").name == "Birch House"
    listed = client.get("/api/v1/register/imports/").json()["results"]
    assert [r["id"] for r in listed] == [run.pk]
    assert client.get(f"/api/v1/register/imports/{run.pk}/problems/").status_code == 200
    sync = client.get("/api/v1/register/sync/")
    assert sync.status_code == 200 and sync.json()["enabled"] is False
    assert client.post("/api/v1/register/sync/").status_code == 409  # not configured
    # A council's imports are not the register's, nor the register's a council's.
    assert token.get(f"/api/v1/imports/{run.pk}/").status_code == 404


def test_the_keepers_pages(keeper, signed_in, officer_a, client):
    page = signed_in(keeper).get("/register/")
    assert page.status_code == 200
    assert b"The national register" in page.content
    assert signed_in(keeper).get("/").url == "/register/"  # the keeper's start page
    client.logout()
    assert signed_in(officer_a).get("/register/").status_code == 403


def test_a_councils_own_services_are_its_own(
    council_a,
    council_b,
    officer_a,
    officer_b,
    api_token,
    api_as,
    our_mapping,
    signed_in,
    client,
    django_capture_on_commit_callbacks,
):
    """A 16+ semi-independent service (000 1.ii) on Bromley's list, outside CQC's register:
    Bromley's own location and provider, its rating Bromley's assessment; West Berkshire
    cannot find, open or use it."""
    run = _import(
        api_token(council_a, ["imports:write"]),
        our_mapping,
        [
            "",
            "Cray Valley Lodgings",
            "Cray Valley Housing CIC",
            "BR5 3RS",
            "Good",
            "2026-06-12",
            "LBB-CS-101",
            "Ade",
            "",
        ],
        capture=django_capture_on_commit_callbacks,
    )
    assert run.status == ImportStatus.DONE, run.message
    location = Location.objects.get(name="Cray Valley Lodgings")
    assert location.owner_council == council_a and location.regulator == "none"
    assert location.overall_rating == "" and not location.ratings.exists()
    assert Provider.objects.get(name="Cray Valley Housing CIC").owner_council == council_a
    record = LocalRecord.objects.get(council=council_a, location=location)
    assert record.assessed_rating == "Good" and record.contract_reference == "LBB-CS-101"

    ours = api_as(officer_a)
    assert ours.get(f"/api/v1/locations/{location.pk}/").json()["own_service"] is True
    assert [r["id"] for r in ours.get("/api/v1/locations/?q=Cray").json()["results"]] == [
        location.pk
    ]
    theirs = api_as(officer_b)
    assert theirs.get(f"/api/v1/locations/{location.pk}/").status_code == 404
    assert theirs.get("/api/v1/locations/?q=Cray").json()["results"] == []
    assert theirs.get(f"/api/v1/providers/{location.provider_id}/").status_code == 404
    assert theirs.get(f"/api/v1/placements/{location.pk}/").status_code == 404
    made = theirs.post(
        "/api/v1/commissioning/",
        {"location": location.pk, "contract_type": "spot", "in_area": True},
        format="json",
    )
    assert made.status_code == 400 and "location" in made.json()["errors"]
    page = signed_in(officer_a).get(f"/locations/{location.pk}/")
    assert page.status_code == 200 and b"Outside CQC" in page.content
    client.logout()
    assert signed_in(officer_b).get(f"/locations/{location.pk}/").status_code == 404


def test_a_row_naming_a_location_not_on_the_register_waits_for_cqc(
    council_a, api_token, our_mapping, django_capture_on_commit_callbacks
):
    run = _import(
        api_token(council_a, ["imports:write"]),
        our_mapping,
        ["1-123456789", "New Home", "Ltd", "", "", "", "", "", ""],
        capture=django_capture_on_commit_callbacks,
    )
    assert run.problem_count == 1 and not Location.objects.exists()
    assert "not on the national register yet" in run.problems.get().reason


def test_the_council_import_page_offers_only_the_councils_spreadsheet(council_a, member, signed_in):
    page = signed_in(member(council_a, Role.OFFICER)).get("/imports/")
    assert page.status_code == 200
    assert b'name="format"' not in page.content
    assert b"changes only" in page.content or b"your council's own records" in page.content


# --- found in review: every other way to another council's own services -----------------------


def _own(council, *, provider=None, local_authority="Bromley"):
    from tests.factories import ProviderFactory

    provider = provider or ProviderFactory(owner_council=council, cqc_provider_id=None)
    return LocationFactory(
        owner_council=council,
        provider=provider,
        cqc_location_id=None,
        regulator="none",
        local_authority=local_authority,
    )


def test_another_councils_own_service_is_never_in_a_councils_risk_scope(council_a, council_b):
    """Its local authority column may name the other council's area: still not theirs."""
    from councils.policy import policy_of
    from monitoring.selectors.risk import locations_in_scope

    area = policy_of(council_b).local_authorities[0]
    theirs = _own(council_a, local_authority=area)
    national = LocationFactory(local_authority=area)
    seen = set(locations_in_scope(council_b).values_list("pk", flat=True))
    assert national.pk in seen and theirs.pk not in seen


def test_a_whole_provider_restriction_feeds_no_one_else_another_councils_own_service(
    load_pack, member
):
    """West Berkshire restricts a national provider everywhere and shares it; Bromley's own
    service of that provider goes into Bromley's feed only."""
    from restrictions.models import FeedEntry
    from tests.factories import ProviderFactory
    from tests.restrictions.conftest import put_in_place, team_of

    wb = team_of(load_pack("west-berkshire"), member)
    bromley = load_pack("bromley")
    somerset = load_pack("somerset")
    provider = ProviderFactory()
    LocationFactory(provider=provider)
    own = _own(bromley, provider=provider)
    put_in_place(wb, provider=provider)
    readers = set(FeedEntry.objects.filter(location=own).values_list("council__code", flat=True))
    assert readers <= {"bromley"}
    assert not FeedEntry.objects.filter(location=own, council=somerset).exists()


def test_another_councils_own_provider_cannot_be_named(council_a, council_b, member, api_as):
    from tests.factories import ProviderFactory

    theirs = ProviderFactory(owner_council=council_a, cqc_provider_id=None)
    client = api_as(member(council_b, Role.OFFICER))
    answer = client.post(
        "/api/v1/intelligence/",
        {
            "source": "complaint",
            "received_on": "2026-11-01",
            "severity": "low",
            "narrative": "About their provider",
            "provider": theirs.pk,
        },
        format="json",
    )
    assert answer.status_code == 400 and "provider" in answer.json()["errors"]


def test_a_council_names_its_own_service_where_a_serializer_has_no_request(
    council_a, member, api_as
):
    """A view that makes its serializer without the request still sees the council's own
    services (through the request's scope)."""
    own = _own(council_a)
    client = api_as(member(council_a, Role.OFFICER))
    answer = client.post(
        "/api/v1/restrictions/",
        {"level": "suspended", "location": own.pk, "reasons": "x"},
        format="json",
    )
    assert "location" not in answer.json().get("errors", {}), answer.content


def test_a_nul_in_the_path_is_refused(council_a, member, signed_in):
    assert (
        signed_in(member(council_a, Role.OFFICER)).get("/locations/cqc/a%00b/").status_code == 400
    )
