"""The commissioning API: market position and its reasons (001 3.1, 003 1.8); 400s."""

import pytest

from monitoring.models import Commissioning
from tests.factories import LocationFactory
from tests.monitoring.api.helpers import (
    COMMISSIONING,
    commission,
    commissioning_payload,
    field_errors,
)

pytestmark = pytest.mark.django_db


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
