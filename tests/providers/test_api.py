"""The REST API, role by role: 401 without credentials, 403 for a role or token scope that
may not, 404 for what does not exist, 400 naming the bad field, and the happy path."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from councils.models import ApiToken, Role
from providers import synthetic
from providers.models import ImportRun, Location
from providers.services import mapping_save
from tests.factories import LocationFactory, RatingFactory

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role.values)
# Every role that works for the council: a partner's seat on a board sees its board only.
STAFF = set(ALL_ROLES) - {Role.EXTERNAL}
QUALITY = {Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER, Role.COUNCIL_ADMIN}


def _json_upload(n=3):
    providers, locations = synthetic.records(n, seed=7)
    return SimpleUploadedFile(
        "cqc.json", json.dumps(providers + locations).encode(), content_type="application/json"
    )


@pytest.fixture
def location():
    loc = LocationFactory(name="Meadow View", overall_rating="Good")
    RatingFactory(location=loc, overall="Good")
    return loc


ENDPOINTS = [
    # (url, roles allowed, token scope that allows it)
    ("/api/v1/locations/", STAFF, "register:read"),
    ("/api/v1/providers/", STAFF, "register:read"),
    ("/api/v1/council/", STAFF, "register:read"),
    ("/api/v1/policy-versions/", STAFF, "policy:read"),
    ("/api/v1/delegations/", STAFF, "people:read"),
    ("/api/v1/imports/", QUALITY | {Role.AUDITOR}, "imports:read"),
    ("/api/v1/column-mappings/", QUALITY | {Role.AUDITOR}, "imports:read"),
]


@pytest.mark.parametrize("url", [e[0] for e in ENDPOINTS])
def test_401_without_credentials(api, url):
    response = api.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_401_for_a_wrong_or_revoked_token(api, api_token, council_a):
    api.credentials(HTTP_AUTHORIZATION="Token deadbeef.not-a-key")
    assert api.get("/api/v1/locations/").status_code == 401
    client = api_token(council_a, ["register:read"])
    assert client.get("/api/v1/locations/").status_code == 200
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/v1/locations/").status_code == 401


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("url", "allowed", "_scope"), ENDPOINTS)
def test_reading_per_role(url, allowed, _scope, role, council_a, member, api_as, location):
    response = api_as(member(council_a, role)).get(url)
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize(("url", "_allowed", "scope"), ENDPOINTS)
def test_reading_per_token_scope(url, _allowed, scope, council_a, api_token, location):
    assert api_token(council_a, [scope]).get(url).status_code == 200
    other = "imports:read" if scope != "imports:read" else "policy:read"
    expected = 200 if url == "/api/v1/council/" else 403
    assert api_token(council_a, [other]).get(url).status_code == expected


def test_a_person_with_no_council_is_refused(api_as, location):
    from tests.factories import UserFactory

    assert api_as(UserFactory()).get("/api/v1/locations/").status_code == 403


def test_location_list_filters_and_detail(council_a, api_token, location):
    other = LocationFactory(
        name="Birch House", local_authority="Leeds", overall_rating="Inadequate"
    )
    client = api_token(council_a)
    names = lambda r: [row["name"] for row in r.json()["results"]]  # noqa: E731
    assert names(client.get("/api/v1/locations/", {"q": "meadow"})) == ["Meadow View"]
    assert names(client.get("/api/v1/locations/", {"rating": "below_good"})) == ["Birch House"]
    assert names(client.get("/api/v1/locations/", {"local_authority": "Leeds"})) == ["Birch House"]
    assert names(client.get("/api/v1/locations/", {"cqc_id": other.cqc_location_id})) == [
        "Birch House"
    ]
    detail = client.get(f"/api/v1/locations/{location.pk}/").json()
    assert detail["provider"]["name"] == location.provider.name
    assert [r["overall"] for r in detail["ratings"]] == ["Good"]


def test_location_404_and_400(council_a, api_token, location):
    client = api_token(council_a)
    assert client.get("/api/v1/locations/999999/").status_code == 404
    bad = client.get("/api/v1/locations/", {"rating": "Excellent"})
    assert bad.status_code == 400
    assert "rating" in bad.json()["errors"]
    bad = client.get("/api/v1/locations/", {"care_home": "maybe"})
    assert bad.status_code == 400 and "care_home" in bad.json()["errors"]


def test_provider_locations(council_a, api_token, location):
    body = api_token(council_a).get(f"/api/v1/providers/{location.provider_id}/locations/").json()
    assert [r["name"] for r in body["results"]] == ["Meadow View"]


def _sheet_upload():
    """A council's own list: two services outside CQC's register."""
    return SimpleUploadedFile(
        "our-list.csv",
        b"Home,Operator,Postcode\n"
        b"Rowan House,Kids First Ltd,BR1 3AA\n"
        b"Step Up flat,Step Up CIC,BR2 7ZZ\n",
        content_type="text/csv",
    )


@pytest.fixture
def our_mapping(council_a):
    return mapping_save(
        council=council_a,
        name="Our list",
        columns={"name": "Home", "provider_name": "Operator", "postcode": "Postcode"},
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_starting_an_import_per_role(
    role, council_a, member, api_as, our_mapping, django_capture_on_commit_callbacks
):
    """The quality roles start their council's spreadsheet import (the default format); no
    council role brings in CQC's files (403, issue 11)."""
    client = api_as(member(council_a, role))
    cqc = client.post(
        "/api/v1/imports/", {"format": "cqc_json", "file": _json_upload()}, format="multipart"
    )
    assert cqc.status_code == 403
    assert not ImportRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports/",
            {"file": _sheet_upload(), "mapping": our_mapping.pk},
            format="multipart",
        )
    if role in QUALITY:
        assert response.status_code == 202, response.content
        run = ImportRun.objects.get(pk=response.json()["id"])
        assert (run.council, run.format) == (council_a, "spreadsheet")
        assert run.status == "done" and run.locations_created == 2
        assert set(Location.objects.values_list("owner_council", flat=True)) == {council_a.pk}
    else:
        assert response.status_code == 403
        assert not ImportRun.objects.exists()


def test_starting_an_import_with_a_token(
    council_a, api_token, our_mapping, django_capture_on_commit_callbacks
):
    assert (
        api_token(council_a, ["imports:read"])
        .post(
            "/api/v1/imports/",
            {"file": _sheet_upload(), "mapping": our_mapping.pk},
            format="multipart",
        )
        .status_code
        == 403
    )
    client = api_token(council_a, ["imports:write"])
    # A council system's token never brings in CQC's files.
    cqc = client.post(
        "/api/v1/imports/", {"format": "cqc_json", "file": _json_upload()}, format="multipart"
    )
    assert cqc.status_code == 403
    assert not ImportRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports/",
            {"file": _sheet_upload(), "mapping": our_mapping.pk},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    run_id = response.json()["id"]
    body = client.get(f"/api/v1/imports/{run_id}/").json()
    assert body["status"] == "done" and body["percent"] == 100
    assert ImportRun.objects.get(pk=run_id).locations_created == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"mapping": "_mapping"}, "file"),
        ({"format": "nonsense", "file": "_json"}, "format"),
        ({"format": "spreadsheet", "file": "_json", "mapping": "_mapping"}, "file"),
        ({"format": "spreadsheet", "file": "_csv"}, "mapping"),
        ({"format": "spreadsheet", "file": "_csv", "mapping": 999999}, "mapping"),
    ],
)
def test_import_bad_input_names_the_field(data, field, council_a, officer_a, api_as, our_mapping):
    uploads = {
        "_json": _json_upload,
        "_csv": lambda: SimpleUploadedFile("list.csv", b"Name,Provider\nA,B\n"),
        "_mapping": lambda: our_mapping.pk,
    }
    data = {k: uploads[v]() if v in uploads else v for k, v in data.items()}
    response = api_as(officer_a).post("/api/v1/imports/", data, format="multipart")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body.get("errors", body)
    assert not ImportRun.objects.exists()


def test_column_mapping_create_per_role_and_bad_input(council_a, member, api_as):
    payload = {"name": "Our list", "columns": {"name": "Home", "provider_name": "Operator"}}
    assert (
        api_as(member(council_a, Role.OFFICER))
        .post("/api/v1/column-mappings/", payload, format="json")
        .status_code
        == 403
    )
    client = api_as(member(council_a, Role.MANAGER))
    created = client.post("/api/v1/column-mappings/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["columns"] == payload["columns"]
    bad = client.post(
        "/api/v1/column-mappings/", {"name": "Bad", "columns": {"colour": "X"}}, format="json"
    )
    assert bad.status_code == 400
    assert {"columns.colour", "columns.name", "columns.provider_name"} <= set(bad.json()["errors"])


def test_schema_lists_the_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = set(schema["paths"])
    for path in [
        "/api/v1/locations/",
        "/api/v1/locations/{id}/",
        "/api/v1/providers/",
        "/api/v1/imports/",
        "/api/v1/council/",
        "/api/v1/policy-versions/",
        "/api/v1/column-mappings/",
        "/api/v1/delegations/",
    ]:
        assert path in paths
    assert "councilToken" in schema["components"]["securitySchemes"]
    assert client.get("/api/docs/").status_code == 200
