"""The intelligence API: logging, correcting (never deleting) and outcomes; 400s."""

import datetime as dt

import pytest

from monitoring.models import Intelligence, IntelligenceCorrection, Outcome
from tests.factories import LocationFactory, ProviderFactory
from tests.monitoring.api.helpers import INTELLIGENCE, field_errors, item_payload, log, today

pytestmark = pytest.mark.django_db


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
