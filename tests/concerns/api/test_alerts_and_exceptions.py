"""Alerts through the API, and Bromley's exceptions (the DASS decides; family choice)."""

import datetime as dt

import pytest

from concerns.models import Alert, CaseMove
from concerns.triggers import check_rating
from core.models import AuditEntry
from councils.models import Role
from decisions.models import Recommendation
from tests.concerns.api.helpers import (
    ALERTS,
    DASS,
    EXCEPTIONS,
    RECS,
    field_errors,
    open_case,
    today,
)
from tests.factories import LocationFactory, RatingFactory

pytestmark = pytest.mark.django_db


# --- alerts ----------------------------------------------------------------------------------


def test_alerts_list_and_handle(bromley, member, api_as):
    """000 3.ii c: a rating below Good is queued for an officer, once per cause."""
    rating = RatingFactory(overall="Inadequate")
    check_rating(council=bromley.council, rating=rating)
    check_rating(council=bromley.council, rating=rating)
    other = RatingFactory(overall="Requires improvement")
    check_rating(council=bromley.council, rating=other)
    first = Alert.objects.get(cause=f"rating:{rating.pk}")
    second = Alert.objects.get(cause=f"rating:{other.pk}")
    client = api_as(bromley.officer)
    listed = client.get(ALERTS).json()["results"]
    assert [a["id"] for a in listed] == [second.pk, first.pk]
    assert listed[1]["suggestion"].startswith("Refer the decision on new placements")
    assert listed[1]["status"] == "new" and listed[1]["case"] is None

    auditor = api_as(member(bromley.council, Role.AUDITOR))
    assert auditor.get(ALERTS).status_code == 200
    assert auditor.post(f"{ALERTS}{first.pk}/handle/", {"note": "x"}).status_code == 403
    blank = client.post(f"{ALERTS}{first.pk}/handle/", {"note": "  "}, format="json")
    assert blank.status_code == 400 and "note" in blank.json()["errors"]

    acted = client.post(
        f"{ALERTS}{first.pk}/handle/", {"note": "Referred to the DASS"}, format="json"
    )
    assert acted.status_code == 200, acted.content
    assert acted.json()["status"] == "acted"
    assert acted.json()["handled_by_label"] == bromley.officer.get_full_name()
    dismissed = client.post(
        f"{ALERTS}{second.pk}/handle/", {"dismiss": True, "note": "Re-rated Good"}, format="json"
    )
    assert dismissed.json()["status"] == "dismissed"
    again = client.post(f"{ALERTS}{first.pk}/handle/", {"note": "Again"}, format="json")
    assert again.status_code == 409
    assert client.get(ALERTS).json()["results"] == []
    assert len(client.get(f"{ALERTS}?status=").json()["results"]) == 2
    assert [a["id"] for a in client.get(f"{ALERTS}?status=acted").json()["results"]] == [first.pk]
    assert set(AuditEntry.objects.filter(action__startswith="alert.").values_list("action")) == {
        ("alert.raised",),
        ("alert.acted",),
        ("alert.dismissed",),
    }


# --- exceptions (Bromley) --------------------------------------------------------------------


def critical_provider(where, **changes) -> dict:
    return {
        "exception": "critical_provider",
        "location": where.pk,
        "reason": "Critical to the borough's market",
        "details": {
            "remedial_action": "Appropriate action to address the concerns",
            "referral_decision": "Referrals may be made to the provider",
        },
        **changes,
    }


def test_an_exception_request_goes_to_the_dass(bromley, api_as):
    """000 6: referrals to a critical provider rated Requires Improvement, decided by the
    DASS; outside the ladder, so no case moves."""
    location = LocationFactory()
    response = api_as(bromley.officer).post(EXCEPTIONS, critical_provider(location), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["key"], body["status"]) == (
        "exception",
        "critical_provider",
        "pending",
    )
    assert (body["subject"]["reference"], body["location"], body["provider"]) == (
        "",
        location.pk,
        location.provider_id,
    )
    assert body["awaiting"] == f"Decision of the {DASS}"
    assert body["details"]["remedial_action"] == "Appropriate action to address the concerns"
    inbox = api_as(bromley.dass).get(f"{RECS}?awaiting=me").json()["results"]
    assert [r["id"] for r in inbox] == [body["id"]]
    decided = api_as(bromley.dass).post(
        f"{RECS}{body['id']}/act/", {"outcome": "approved", "reasons": "Agreed"}, format="json"
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    assert not CaseMove.objects.exists()


def test_an_exception_request_names_the_open_case(bromley, api_as):
    case = open_case(bromley.council)
    response = api_as(bromley.officer).post(
        EXCEPTIONS, critical_provider(case.location), format="json"
    )
    assert response.status_code == 201
    assert response.json()["subject"]["reference"] == case.reference


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"exception": "free_pass"}, "exception"),
        ({"reason": "  "}, "reason"),
        ({"details": {}}, "details.remedial_action"),
        (
            {"details": {"remedial_action": "Fine", "referral_decision": "x"}},
            "details.referral_decision",
        ),
        ({"location": 999999}, "location"),
        ({"evidence": [{"kind": "rumour", "note": "x"}]}, "evidence"),
    ],
)
def test_an_exception_request_400_names_the_field(changes, field, bromley, api_as):
    response = api_as(bromley.officer).post(
        EXCEPTIONS, critical_provider(LocationFactory(), **changes), format="json"
    )
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not Recommendation.objects.exists()


def test_an_exception_only_placement_staff_ask_for_is_403_for_an_officer(bromley, api_as):
    response = api_as(bromley.officer).post(
        EXCEPTIONS,
        {
            "exception": "family_choice",
            "location": LocationFactory().pk,
            "reason": "The family's choice",
            "details": {},
        },
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only Placement Officer (Placements Team) may ask for this."


def test_placement_staff_ask_for_a_family_choice_exception(bromley, api_as):
    """000 5.i: only the Placement Officer asks; they may not read cases, but may ask."""
    response = api_as(bromley.placement).post(
        EXCEPTIONS,
        {
            "exception": "family_choice",
            "location": LocationFactory().pk,
            "reason": "The family wishes to proceed",
            "details": {
                "advice_date": (today() - dt.timedelta(days=3)).isoformat(),
                "reasons_given": "Rated Inadequate in Safe",
                "family_request": True,
                "carefirst_reference": "CF123456",
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["key"], body["status"]) == ("exception", "family_choice", "pending")
    assert body["details"]["family_request"] is True
    assert body["awaiting"] == f"Decision of the {DASS}"
    inbox = api_as(bromley.dass).get(f"{RECS}?awaiting=me").json()["results"]
    assert [r["id"] for r in inbox] == [body["id"]]
    assert api_as(bromley.placement).get(RECS).status_code == 403


def test_family_choice_400_names_the_question(bromley, api_as):
    response = api_as(bromley.placement).post(
        EXCEPTIONS,
        {
            "exception": "family_choice",
            "location": LocationFactory().pk,
            "reason": "The family wishes to proceed",
            "details": {"family_request": "yes please"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert {
        "details.advice_date",
        "details.reasons_given",
        "details.family_request",
        "details.carefirst_reference",
    } <= set(response.json()["errors"])
    assert not Recommendation.objects.exists()
