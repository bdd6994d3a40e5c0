"""The monitoring API, role by role and scope by scope: 401 without credentials, 403 for a role
or token scope that may not, 404 for what does not exist (also another council's), 400
naming the bad field, and the happy paths for commissioning (with market position and its
reasons: 001 3.1, 003 1.8) and the intelligence log (never deleted, only corrected)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from councils.models import Role
from monitoring.models import Commissioning, Intelligence, IntelligenceCorrection, Outcome
from monitoring.services import commissioning_save, intelligence_correct, intelligence_record
from tests.factories import LocationFactory, ProviderFactory

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role.values)
QUALITY = {Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER, Role.COUNCIL_ADMIN}
COMMISSIONING = "/api/v1/commissioning/"
INTELLIGENCE = "/api/v1/intelligence/"


def today() -> dt.date:
    return timezone.localdate()


def field_errors(response) -> dict:
    """Serializer errors come as the body; a service's as body["errors"]."""
    body = response.json()
    return body.get("errors", body)


def commission(council, location=None, **values):
    fields = {
        "contract_type": "spot",
        "in_area": True,
        "annual_spend": 0,
        "beds": 0,
        "home_care_hours": 0,
        "people": 0,
        "specialist_service": "",
    }
    fields.update(values)
    return commissioning_save(
        council=council, location=location or LocationFactory(), actor=None, **fields
    )


def log(council, **values):
    fields = {
        "source": "complaint",
        "received_on": today() - dt.timedelta(days=2),
        "severity": "medium",
        "narrative": "Call bells not answered at night.",
        "themes": ["staffing"],
    }
    fields.update(values)
    if "location" not in fields and "provider" not in fields:
        fields["location"] = LocationFactory()
    return intelligence_record(council=council, actor=None, **fields)


def item_payload(where, **changes) -> dict:
    return {
        "location": where.pk,
        "source": "complaint",
        "received_on": today().isoformat(),
        "severity": "medium",
        "themes": ["staffing"],
        "narrative": "Call bells not answered at night.",
        **changes,
    }


def commissioning_payload(where, **changes) -> dict:
    return {
        "location": where.pk,
        "contract_type": "block",
        "in_area": True,
        "annual_spend": "250000.00",
        "beds": 20,
        "home_care_hours": "0",
        "people": 20,
        "specialist_service": "",
        **changes,
    }


# --- who may ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", COMMISSIONING),
        ("post", COMMISSIONING),
        ("get", f"{COMMISSIONING}1/"),
        ("patch", f"{COMMISSIONING}1/"),
        ("get", INTELLIGENCE),
        ("post", INTELLIGENCE),
        ("get", f"{INTELLIGENCE}1/"),
        ("post", f"{INTELLIGENCE}1/correct/"),
        ("post", f"{INTELLIGENCE}1/outcome/"),
    ],
)
def test_401_without_credentials(method, url, api):
    response = getattr(api, method)(url, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(
    ("url", "allowed"), [(COMMISSIONING, set(ALL_ROLES)), (INTELLIGENCE, QUALITY | {Role.AUDITOR})]
)
def test_reading_per_role(url, allowed, role, council_a, member, api_as):
    record = commission(council_a, beds=3)
    item = log(council_a)
    client = api_as(member(council_a, role))
    one = f"{url}{record.pk if url == COMMISSIONING else item.pk}/"
    expected = 200 if role in allowed else 403
    assert client.get(url).status_code == expected
    assert client.get(one).status_code == expected


@pytest.mark.parametrize("role", ALL_ROLES)
def test_writing_commissioning_per_role(role, council_a, member, api_as):
    """monitoring.change_commissioning: the quality roles."""
    location = LocationFactory()
    client = api_as(member(council_a, role))
    created = client.post(COMMISSIONING, commissioning_payload(location), format="json")
    existing = commission(council_a, beds=1)
    patched = client.patch(f"{COMMISSIONING}{existing.pk}/", {"beds": 2}, format="json")
    if role in QUALITY:
        assert created.status_code == 201, created.content
        assert patched.status_code == 200, patched.content
        assert Commissioning.objects.count() == 2
    else:
        assert (created.status_code, patched.status_code) == (403, 403)
        assert Commissioning.objects.count() == 1
        existing.refresh_from_db()
        assert existing.beds == 1


@pytest.mark.parametrize("role", ALL_ROLES)
def test_writing_intelligence_per_role(role, council_a, member, api_as):
    """monitoring.record_intelligence (log, correct, record the outcome): the quality roles;
    the auditor reads only."""
    item = log(council_a)
    client = api_as(member(council_a, role))
    created = client.post(INTELLIGENCE, item_payload(LocationFactory()), format="json")
    corrected = client.post(
        f"{INTELLIGENCE}{item.pk}/correct/", {"reason": "r", "severity": "high"}, format="json"
    )
    outcome = client.post(
        f"{INTELLIGENCE}{item.pk}/outcome/", {"outcome": "upheld", "reason": "r"}, format="json"
    )
    codes = (created.status_code, corrected.status_code, outcome.status_code)
    if role in QUALITY:
        assert codes == (201, 200, 200)
        assert Intelligence.objects.count() == 2
    else:
        assert codes == (403, 403, 403)
        item.refresh_from_db()
        assert (item.severity, item.outcome) == ("medium", Outcome.OPEN)
        assert Intelligence.objects.count() == 1


@pytest.mark.parametrize(
    ("scope", "read_commissioning", "write_commissioning", "read_items", "write_items"),
    [
        ("commissioning:read", 200, 403, 403, 403),
        ("commissioning:write", 200, 201, 403, 403),
        ("intelligence:read", 403, 403, 200, 403),
        ("intelligence:write", 403, 403, 200, 201),
        ("register:read", 403, 403, 403, 403),
    ],
)
def test_token_scopes(
    scope, read_commissioning, write_commissioning, read_items, write_items, council_a, api_token
):
    item = log(council_a)
    client = api_token(council_a, [scope])
    assert client.get(COMMISSIONING).status_code == read_commissioning
    response = client.post(COMMISSIONING, commissioning_payload(LocationFactory()), format="json")
    assert response.status_code == write_commissioning
    assert client.get(INTELLIGENCE).status_code == read_items
    response = client.post(INTELLIGENCE, item_payload(LocationFactory()), format="json")
    assert response.status_code == write_items
    correct = client.post(
        f"{INTELLIGENCE}{item.pk}/correct/", {"reason": "r", "severity": "high"}, format="json"
    )
    outcome = client.post(
        f"{INTELLIGENCE}{item.pk}/outcome/", {"outcome": "upheld", "reason": "r"}, format="json"
    )
    # Judging an item is for the council's people: no token scope may correct it or record its
    # outcome (a posting system could otherwise take its own alert off the risk matrix).
    assert (correct.status_code, outcome.status_code) == (403, 403)


def test_nothing_is_deleted_or_overwritten(council_a, officer_a, api_as):
    """Items are corrected, never edited in place or deleted; commissioning is not deleted."""
    item = log(council_a)
    record = commission(council_a)
    client = api_as(officer_a)
    assert client.delete(f"{INTELLIGENCE}{item.pk}/").status_code == 405
    assert client.patch(f"{INTELLIGENCE}{item.pk}/", {"severity": "low"}).status_code == 405
    assert client.put(f"{INTELLIGENCE}{item.pk}/", {"severity": "low"}).status_code == 405
    assert client.delete(f"{COMMISSIONING}{record.pk}/").status_code == 405
    assert Intelligence.objects.filter(pk=item.pk, severity="medium").exists()


# --- 404 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", f"{COMMISSIONING}999999/", None),
        ("patch", f"{COMMISSIONING}999999/", {"beds": 1}),
        ("get", f"{INTELLIGENCE}999999/", None),
        ("post", f"{INTELLIGENCE}999999/correct/", {"reason": "r", "severity": "high"}),
        ("post", f"{INTELLIGENCE}999999/outcome/", {"outcome": "upheld", "reason": "r"}),
    ],
)
def test_404_for_an_unknown_id(method, url, data, council_a, officer_a, api_as):
    response = getattr(api_as(officer_a), method)(url, data, format="json")
    assert response.status_code == 404


def test_another_councils_records_are_not_there(council_a, council_b, api_token, officer_a, api_as):
    """A token of council A: council B's items and commissioning are 404 and in no list, and
    it cannot correct or close them."""
    theirs = log(council_b)
    their_record = commission(council_b, beds=9)
    mine = log(council_a)
    client = api_token(council_a, ["intelligence:write", "commissioning:write"])
    assert [r["id"] for r in client.get(INTELLIGENCE).json()["results"]] == [mine.pk]
    assert client.get(COMMISSIONING).json()["results"] == []
    assert client.get(f"{INTELLIGENCE}{theirs.pk}/").status_code == 404
    person = api_as(officer_a)  # one who may correct and close items, but only A's
    assert (
        person.post(
            f"{INTELLIGENCE}{theirs.pk}/correct/",
            {"reason": "r", "severity": "high"},
            format="json",
        ).status_code
        == 404
    )
    assert (
        person.post(
            f"{INTELLIGENCE}{theirs.pk}/outcome/",
            {"outcome": "provider_not_liable", "reason": "r"},
            format="json",
        ).status_code
        == 404
    )
    assert client.get(f"{COMMISSIONING}{their_record.pk}/").status_code == 404
    assert (
        client.patch(f"{COMMISSIONING}{their_record.pk}/", {"beds": 1}, format="json").status_code
        == 404
    )
    theirs.refresh_from_db()
    their_record.refresh_from_db()
    assert (theirs.severity, theirs.outcome, their_record.beds) == ("medium", "open", 9)
    assert not IntelligenceCorrection.objects.exists()


# --- commissioning ----------------------------------------------------------------------


def test_commissioning_happy_path(council_a, officer_a, api_as):
    """POST records (or, for a location already commissioned, changes) the council's
    commissioning; the response carries its market position with the reasons."""
    location = LocationFactory()
    other = commission(council_a, beds=80, people=80, annual_spend=750000)
    client = api_as(officer_a)
    created = client.post(
        COMMISSIONING,
        commissioning_payload(location, specialist_service="Acquired brain injury"),
        format="json",
    )
    assert created.status_code == 201, created.content
    body = client.get(f"{COMMISSIONING}{created.json()['id']}/").json()
    assert body["location"] == location.pk and body["contract_type"] == "block"
    position = body["market_position"]
    assert position["high_impact"] is True and position["market_risk"] is True
    assert position["high_impact_reasons"] == [
        "20% of the council's beds (20 of 100); the threshold is 10% (001 3.1)",
        "20% of the council's people funded (20 of 100); the threshold is 10% (001 3.1)",
        "25% of the council's annual spend (£250,000 of £1,000,000); the threshold is 10% "
        "(001 3.1)",
        "100% of the council's annual spend in the specialist service Acquired brain injury "
        "(£250,000 of £250,000); the threshold is 10% (001 3.1)",
    ]
    assert position["market_risk_reasons"] == [
        "Block contract (000 3.i)",
        "Specialist service: Acquired brain injury (000 3.i)",
    ]
    again = client.post(COMMISSIONING, commissioning_payload(location, beds=25), format="json")
    assert again.status_code == 201
    assert again.json()["id"] == created.json()["id"]
    assert Commissioning.objects.filter(council=council_a, location=location).count() == 1
    listed = client.get(COMMISSIONING, {"location": location.pk}).json()["results"]
    assert [(r["id"], r["beds"]) for r in listed] == [(created.json()["id"], 25)]
    assert len(client.get(COMMISSIONING).json()["results"]) == 2
    assert other.pk in {r["id"] for r in client.get(COMMISSIONING).json()["results"]}


def test_commissioning_patch_changes_only_what_is_sent(council_a, officer_a, api_as):
    record = commission(council_a, contract_type="block", beds=12, people=45, contact_officer=None)
    client = api_as(officer_a)
    response = client.patch(
        f"{COMMISSIONING}{record.pk}/",
        {"contract_type": "spot", "contact_officer": officer_a.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    record.refresh_from_db()
    assert (record.contract_type, record.beds, record.people, record.contact_officer) == (
        "spot",
        12,
        45,
        officer_a,
    )
    reasons = client.get(f"{COMMISSIONING}{record.pk}/").json()["market_position"]
    assert reasons["market_risk_reasons"] == ["45 people in one setting (40 or more; 000 3.i)"]
    assert Commissioning.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contract_type": "lease"}, "contract_type"),
        ({"beds": -1}, "beds"),
        ({"people": -2}, "people"),
        ({"annual_spend": "-0.01"}, "annual_spend"),
        ({"home_care_hours": "-1"}, "home_care_hours"),
        ({"location": 999999}, "location"),
        ({"in_area": None}, "in_area"),
        ({"contact_officer": "other council"}, "contact_officer"),
    ],
)
def test_commissioning_400_names_the_field(changes, field, council_a, officer_a, officer_b, api_as):
    if changes.get("contact_officer") == "other council":
        changes = {"contact_officer": officer_b.pk}
    response = api_as(officer_a).post(
        COMMISSIONING, commissioning_payload(LocationFactory(), **changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    assert not Commissioning.objects.exists()


def test_commissioning_patch_400_names_the_field(council_a, officer_a, officer_b, api_as):
    record = commission(council_a, beds=5)
    client = api_as(officer_a)
    url = f"{COMMISSIONING}{record.pk}/"
    response = client.patch(url, {"contact_officer": officer_b.pk}, format="json")
    assert response.status_code == 400
    assert field_errors(response) == {
        "contact_officer": ["The contact officer must work for this council."]
    }
    response = client.patch(url, {"annual_spend": "-5"}, format="json")
    assert response.status_code == 400 and "annual_spend" in field_errors(response)
    record.refresh_from_db()
    assert (record.contact_officer, record.annual_spend) == (None, 0)


def test_the_post_response_uses_the_totals_after_the_save(council_a, officer_a, api_as):
    client = api_as(officer_a)
    created = client.post(
        COMMISSIONING, commissioning_payload(LocationFactory(), contract_type="spot"), format="json"
    )
    assert created.status_code == 201
    fresh = client.get(f"{COMMISSIONING}{created.json()['id']}/").json()
    assert fresh["market_position"]["high_impact"] is True
    assert created.json()["market_position"] == fresh["market_position"]


def test_the_patch_response_uses_the_totals_after_the_save(council_a, officer_a, api_as):
    commission(council_a, beds=80)
    record = commission(council_a, beds=20)
    client = api_as(officer_a)
    patched = client.patch(f"{COMMISSIONING}{record.pk}/", {"beds": 9}, format="json")
    assert patched.status_code == 200
    fresh = client.get(f"{COMMISSIONING}{record.pk}/").json()
    assert fresh["market_position"]["high_impact_reasons"] == [
        "10% of the council's beds (9 of 89); the threshold is 10% (001 3.1)"
    ]
    assert patched.json()["market_position"] == fresh["market_position"]


# --- intelligence -----------------------------------------------------------------------


def test_logging_an_item(council_a, officer_a, api_as):
    location = LocationFactory()
    client = api_as(officer_a)
    response = client.post(
        INTELLIGENCE, item_payload(location, allocated_to=officer_a.pk), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == f"INT-{today().year}-00001"
    assert body["provider"] == location.provider_id and body["location"] == location.pk
    assert body["outcome"] == "open" and body["counts_toward_risk"] is True
    assert body["created_by_label"] == officer_a.get_full_name()
    assert body["corrections"] == []
    whole = client.post(
        INTELLIGENCE,
        {**item_payload(location), "location": None, "provider": location.provider_id},
        format="json",
    )
    assert whole.status_code == 201
    assert whole.json()["location"] is None
    assert whole.json()["reference"] == f"INT-{today().year}-00002"


def test_a_system_posting_the_same_alert_twice_gets_one_item(council_a, api_token):
    """A safeguarding system with an intelligence:write token: the same `external_ref`
    posted twice returns the same item."""
    client = api_token(council_a, ["intelligence:write"])
    payload = item_payload(
        LocationFactory(),
        source="safeguarding_alert",
        themes=["safeguarding"],
        severity="high",
        external_ref="SAFE-2025-0042",
    )
    first = client.post(INTELLIGENCE, payload, format="json")
    second = client.post(INTELLIGENCE, payload, format="json")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Intelligence.objects.count() == 1
    item = Intelligence.objects.get()
    assert item.external_ref == "SAFE-2025-0042"
    assert item.created_by_label == "API token “Test system”"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"received_on": "tomorrow"}, "received_on"),
        ({"received_on": "2025-02-30"}, "received_on"),
        ({"themes": ["staffing", "gardening"]}, "themes"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"source": "rumour"}, "source"),
        ({"narrative": ""}, "narrative"),
        ({"narrative": "   "}, "narrative"),
        ({"location": None}, "location"),
        ({"location": 999999}, "location"),
        ({"provider": "another"}, "provider"),
        ({"allocated_to": "other council"}, "allocated_to"),
    ],
)
def test_logging_400_names_the_field(changes, field, council_a, officer_a, officer_b, api_as):
    if changes.get("received_on") == "tomorrow":
        changes = {"received_on": (today() + dt.timedelta(days=1)).isoformat()}
    if changes.get("provider") == "another":
        changes = {"provider": ProviderFactory().pk}
    if changes.get("allocated_to") == "other council":
        changes = {"allocated_to": officer_b.pk}
    response = api_as(officer_a).post(
        INTELLIGENCE, item_payload(LocationFactory(), **changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    assert not Intelligence.objects.exists()


def test_service_errors_are_named_under_errors(council_a, officer_a, api_as):
    client = api_as(officer_a)
    future = client.post(
        INTELLIGENCE,
        item_payload(LocationFactory(), received_on=(today() + dt.timedelta(days=3)).isoformat()),
        format="json",
    )
    assert future.json()["errors"] == {
        "received_on": ["The date received must be today or in the past."]
    }
    theme = client.post(INTELLIGENCE, item_payload(LocationFactory(), themes=["x"]), format="json")
    assert theme.json()["errors"] == {"themes": ["Not a theme in this council's list: x"]}


def test_listing_filters(council_a, officer_a, api_as):
    oak = LocationFactory()
    by_oak = log(council_a, location=oak, source="whistleblowing", allocated_to=officer_a)
    about_provider = log(council_a, provider=oak.provider)
    elsewhere = log(council_a)
    client = api_as(officer_a)

    def ids(**params):
        return {r["id"] for r in client.get(INTELLIGENCE, params).json()["results"]}

    assert ids() == {by_oak.pk, about_provider.pk, elsewhere.pk}
    assert ids(location=oak.pk) == {by_oak.pk, about_provider.pk}
    assert ids(provider=oak.provider_id) == {by_oak.pk, about_provider.pk}
    assert ids(source="whistleblowing") == {by_oak.pk}
    assert ids(allocated_to=officer_a.pk) == {by_oak.pk}
    assert ids(outcome="upheld") == set()


def test_correcting_an_item(council_a, officer_a, api_as):
    location = LocationFactory(name="Oak Lodge")
    sister = LocationFactory(name="Elm House", provider=location.provider)
    item = log(council_a, location=location)
    client = api_as(officer_a)
    url = f"{INTELLIGENCE}{item.pk}/correct/"
    response = client.post(
        url,
        {
            "reason": "The caller named the wrong home",
            "location": sister.pk,
            "severity": "high",
            "narrative": item.narrative,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["location"], body["severity"]) == (sister.pk, "high")
    assert sorted((c["field"], c["old_value"], c["new_value"]) for c in body["corrections"]) == [
        ("location", "Oak Lodge", "Elm House"),
        ("severity", "medium", "high"),
    ]
    assert {c["reason"] for c in body["corrections"]} == {"The caller named the wrong home"}
    assert {c["by_label"] for c in body["corrections"]} == {officer_a.get_full_name()}
    assert body["id"] == item.pk and Intelligence.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"severity": "high"}, "reason"),
        ({"severity": "high", "reason": ""}, "reason"),
        ({"severity": "high", "reason": "   "}, "reason"),
        ({"reason": "r", "received_on": "tomorrow"}, "received_on"),
        ({"reason": "r", "themes": ["gardening"]}, "themes"),
        ({"reason": "r", "severity": "apocalyptic"}, "severity"),
        ({"reason": "r", "source": "rumour"}, "source"),
        ({"reason": "r", "location": "another provider's"}, "location"),
        ({"reason": "r", "allocated_to": "other council"}, "allocated_to"),
    ],
)
def test_correcting_400_names_the_field(data, field, council_a, officer_a, officer_b, api_as):
    item = log(council_a)
    data = dict(data)
    if data.get("received_on") == "tomorrow":
        data["received_on"] = (today() + dt.timedelta(days=1)).isoformat()
    if data.get("location") == "another provider's":
        data["location"] = LocationFactory().pk
    if data.get("allocated_to") == "other council":
        data["allocated_to"] = officer_b.pk
    response = api_as(officer_a).post(f"{INTELLIGENCE}{item.pk}/correct/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    assert not IntelligenceCorrection.objects.exists()
    item.refresh_from_db()
    assert item.severity == "medium"


def test_recording_the_outcome(council_a, officer_a, api_as):
    """004 11.1: "it is found the Provider was in no way liable then it will be removed from
    the risk matrix": the item stays, counts_toward_risk becomes false."""
    item = log(council_a, source="cq1")
    client = api_as(officer_a)
    response = client.post(
        f"{INTELLIGENCE}{item.pk}/outcome/",
        {"outcome": "provider_not_liable", "reason": "Outcome of the enquiry received"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["outcome"], body["outcome_on"]) == ("provider_not_liable", today().isoformat())
    assert body["counts_toward_risk"] is False
    assert [(c["field"], c["new_value"], c["by_label"]) for c in body["corrections"]] == [
        ("outcome", "Provider not liable", officer_a.get_full_name())
    ]
    listed = client.get(INTELLIGENCE).json()["results"]
    assert [(r["id"], r["counts_toward_risk"]) for r in listed] == [(item.pk, False)]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "guilty", "reason": "r"}, "outcome"),
        ({"outcome": "upheld"}, "reason"),
        ({"outcome": "upheld", "reason": "r", "outcome_on": "before"}, "outcome_on"),
        ({"outcome": "upheld", "reason": "r", "outcome_on": "tomorrow"}, "outcome_on"),
        ({"outcome": "upheld", "reason": "r", "outcome_on": "01/01/2025"}, "outcome_on"),
    ],
)
def test_outcome_400_names_the_field(data, field, council_a, officer_a, api_as):
    item = log(council_a)  # received two days ago
    data = dict(data)
    if data.get("outcome_on") == "before":
        data["outcome_on"] = (item.received_on - dt.timedelta(days=1)).isoformat()
    if data.get("outcome_on") == "tomorrow":
        data["outcome_on"] = (today() + dt.timedelta(days=1)).isoformat()
    response = api_as(officer_a).post(f"{INTELLIGENCE}{item.pk}/outcome/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    item.refresh_from_db()
    assert item.outcome == Outcome.OPEN


# --- lists at any size --------------------------------------------------------------------


def _queries(client, url):
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [COMMISSIONING, INTELLIGENCE])
def test_lists_run_a_constant_number_of_queries(url, council_a, officer_a, api_as):
    client = api_as(officer_a)

    def make(n):
        for _ in range(n):
            commission(council_a, beds=3, contact_officer=officer_a)
            item = log(council_a, allocated_to=officer_a)
            intelligence_correct(item=item, actor=officer_a, reason="r", severity="high")

    make(2)
    few = _queries(client, url)
    make(20)
    assert _queries(client, url) == few
