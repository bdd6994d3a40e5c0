"""Opening a case through the API, the moves open from its stage, the safeguarding track."""

import datetime as dt

import pytest

from concerns.models import Alert, Case, CaseMove, SafeguardingMeeting, Stage
from concerns.services import case_move, safeguarding_open
from core.models import AuditEntry
from tests.concerns.api.helpers import (
    CASES,
    SOMERSET_BOARD,
    TRACKS,
    at_formal,
    field_errors,
    open_case,
    propose_rectification,
    today,
)
from tests.factories import LocationFactory, ProviderFactory

pytestmark = pytest.mark.django_db


# --- opening a case --------------------------------------------------------------------------


def test_opening_a_case(sm, api_as):
    location = LocationFactory(name="Meadow View")
    response = api_as(sm.officer).post(
        CASES, {"location": location.pk, "summary": "  Medicines errors  "}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == f"CASE-{today().year}-0001"
    assert (body["location"], body["provider"]) == (location.pk, location.provider_id)
    assert body["subject"] == "Meadow View"
    assert (body["stage"], body["stage_label"]) == ("informal", "Informal stage")
    assert body["summary"] == "Medicines errors"
    assert body["lead_officer"] == sm.officer.pk
    assert body["opened_by_label"] == sm.officer.get_full_name()
    case = Case.objects.get()
    entry = AuditEntry.objects.get(action="case.opened")
    assert (entry.object_id, entry.actor, entry.reason) == (
        str(case.pk),
        sm.officer,
        "Medicines errors",
    )
    assert entry.policy_version == sm.council.active_policy
    detail = api_as(sm.officer).get(f"{CASES}{case.pk}/").json()
    assert detail["moves"] == detail["timers"] == detail["letters"] == []


def test_opening_a_case_for_a_whole_provider(sm, api_as):
    """004 18.4: a case for all of a provider's services; its locations have it as their
    open case, so another for one of them is a conflict."""
    provider = ProviderFactory(name="Acorn Care Ltd")
    location = LocationFactory(provider=provider)
    client = api_as(sm.officer)
    response = client.post(
        CASES, {"provider": provider.pk, "summary": "Group-wide concerns"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["location"] is None
    assert response.json()["subject"] == "Acorn Care Ltd (all services)"
    again = client.post(CASES, {"location": location.pk, "summary": "x"}, format="json")
    assert again.status_code == 409
    assert response.json()["reference"] in again.json()["detail"]
    assert Case.objects.count() == 1


def test_one_open_case_per_location(sm, api_as):
    location = LocationFactory()
    client = api_as(sm.officer)
    first = client.post(CASES, {"location": location.pk, "summary": "One"}, format="json")
    second = client.post(CASES, {"location": location.pk, "summary": "Two"}, format="json")
    assert (first.status_code, second.status_code) == (201, 409)
    assert second.json()["code"] == "conflict"
    assert "a location has one open case at a time" in second.json()["detail"]
    case = Case.objects.get()
    case_move(case=case, actor=sm.officer, move="close_informal", reason="Resolved")
    third = client.post(CASES, {"location": location.pk, "summary": "Three"}, format="json")
    assert third.status_code == 201
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "summary"),
        ({"summary": "Concerns"}, "location"),
        ({"summary": "", "location": "L"}, "summary"),
        ({"summary": "   ", "location": "L"}, "summary"),
        ({"summary": "Concerns", "location": 999999}, "location"),
        ({"summary": "Concerns", "provider": 999999}, "provider"),
        ({"summary": "Concerns", "location": "L", "lead_officer": "other council"}, "lead_officer"),
    ],
)
def test_opening_400_names_the_field(payload, field, sm, wb, api_as):
    payload = dict(payload)
    if payload.get("location") == "L":
        payload["location"] = LocationFactory().pk
    if payload.get("lead_officer") == "other council":
        payload["lead_officer"] = wb.officer.pk
    response = api_as(sm.officer).post(CASES, payload, format="json")
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not Case.objects.exists()


# --- the moves open from a case's stage ------------------------------------------------------


def test_moves_lists_the_packs_moves_from_the_stage_with_blockers(sm, api_as):
    case = open_case(sm.council)
    mine = api_as(sm.officer).get(f"{CASES}{case.pk}/moves/")
    assert mine.status_code == 200
    assert [(o["key"], o["to"], o["open"], o["blockers"]) for o in mine.json()] == [
        ("invoke_quality_improvement", "formal", True, []),
        ("close_informal", "closed", True, []),
    ]
    assert mine.json()[0]["seed"] == "003 2.4"
    theirs = api_as(sm.board).get(f"{CASES}{case.pk}/moves/").json()
    assert [o["open"] for o in theirs] == [False, False]
    assert all(
        o["blockers"][0].startswith("Only ") and "may make this move" in o["blockers"][0]
        for o in theirs
    )


def test_moves_show_what_needs_a_decision_and_what_waits(sm, api_as):
    case = at_formal(sm)
    options = api_as(sm.officer).get(f"{CASES}{case.pk}/moves/").json()
    by_key = {o["key"]: o for o in options}
    assert set(by_key) == {
        "issue_rectification_notice",
        "issue_final_warning",
        "end_quality_improvement",
        "formal_to_informal",
    }
    rectify = by_key["issue_rectification_notice"]
    assert rectify["needs_decision"] == f"Decided by the {SOMERSET_BOARD}"
    # Issue 13: the Board's decision is taken at its meeting, never asked for before it.
    assert rectify["evidence"] == ["meeting_notes"]
    assert by_key["end_quality_improvement"]["needs_decision"] == ""
    assert all(o["open"] for o in options)
    rec = propose_rectification(sm, case)
    waiting = api_as(sm.officer).get(f"{CASES}{case.pk}/moves/").json()
    assert not any(o["open"] for o in waiting)
    assert all(
        f"{rec.reference} (Issue a Rectification Notice) waits for a decision." in o["blockers"]
        for o in waiting
    )


def test_a_closed_case_has_no_moves(sm, api_as):
    case = open_case(sm.council)
    case_move(case=case, actor=sm.officer, move="close_informal", reason="Resolved")
    assert api_as(sm.officer).get(f"{CASES}{case.pk}/moves/").json() == []


# --- the safeguarding track ------------------------------------------------------------------


def test_the_safeguarding_track(bromley, member, api_as):
    """000 2.ii: CSIG and safeguarding beside the case's stage, with its meetings."""
    case = open_case(bromley.council)
    client = api_as(bromley.officer)
    opened = client.post(
        f"{CASES}{case.pk}/safeguarding/", {"reason": "Allegations of neglect"}, format="json"
    )
    assert opened.status_code == 201, opened.content
    track = opened.json()
    assert (track["case"], track["label"], track["reason"]) == (
        case.reference,
        "CSIG and safeguarding",
        "Allegations of neglect",
    )
    again = client.post(f"{CASES}{case.pk}/safeguarding/", {"reason": "More"}, format="json")
    assert again.status_code == 409
    blank = client.post(f"{CASES}{case.pk}/safeguarding/", {"reason": ""}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]

    meetings = f"{TRACKS}{track['id']}/meetings/"
    meeting = {
        "held_on": today().isoformat(),
        "attendees": "Police, CQC, ICB",
        "notes": "Enquiry continues",
        "next_meeting_on": (today() + dt.timedelta(days=14)).isoformat(),
    }
    recorded = client.post(meetings, meeting, format="json")
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["recorded_by_label"] == bromley.officer.get_full_name()
    placement = api_as(bromley.placement).post(meetings, meeting, format="json")
    assert placement.status_code == 403  # may move in principle, not in this pack's track
    shown = client.get(f"{TRACKS}{track['id']}/").json()
    assert [m["attendees"] for m in shown["meetings"]] == ["Police, CQC, ICB"]
    assert [t["id"] for t in client.get(TRACKS).json()["results"]] == [track["id"]]

    closed = client.post(
        f"{TRACKS}{track['id']}/close/", {"reason": "Enquiry concluded"}, format="json"
    )
    assert closed.status_code == 200
    assert closed.json()["closed_at"] is not None
    assert closed.json()["closed_reason"] == "Enquiry concluded"
    late = client.post(meetings, meeting, format="json")
    assert late.status_code == 409
    assert SafeguardingMeeting.objects.count() == 1
    reopened = client.post(
        f"{CASES}{case.pk}/safeguarding/", {"reason": "New allegations"}, format="json"
    )
    assert reopened.status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"held_on": "tomorrow"}, "held_on"),
        ({"held_on": "2026-02-30"}, "held_on"),
        ({"attendees": ""}, "attendees"),
        ({"notes": "   "}, "notes"),
        ({"next_meeting_on": "same day"}, "next_meeting_on"),
    ],
)
def test_a_meeting_400_names_the_field(changes, field, bromley, api_as):
    track = safeguarding_open(
        case=open_case(bromley.council), actor=bromley.officer, reason="Allegations"
    )
    meeting = {"held_on": today().isoformat(), "attendees": "Police", "notes": "Agreed"}
    meeting.update(changes)
    if meeting["held_on"] == "tomorrow":
        meeting["held_on"] = (today() + dt.timedelta(days=1)).isoformat()
    if meeting.get("next_meeting_on") == "same day":
        meeting["next_meeting_on"] = meeting["held_on"]
    response = api_as(bromley.officer).post(f"{TRACKS}{track.pk}/meetings/", meeting, format="json")
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not SafeguardingMeeting.objects.exists()


def test_a_whole_service_concern_is_a_default_in_somerset(
    sm, api_as, django_capture_on_commit_callbacks
):
    """003 Key principles 2: opening a Whole Service Concern raises the trigger, which brings
    the case up to the formal stage by the pack's own move."""
    case = open_case(sm.council)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(sm.officer).post(
            f"{CASES}{case.pk}/safeguarding/", {"reason": "Organisational abuse"}, format="json"
        )
    assert response.status_code == 201
    assert response.json()["label"] == "Whole Service Concern"
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    alert = Alert.objects.get(trigger="whole_service_concern")
    assert (alert.case_id, alert.status) == (case.pk, "acted")
    assert CaseMove.objects.get(case=case).actor_label == "System"
