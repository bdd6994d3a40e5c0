"""URLs, evidence, payloads and case builders shared by the escalation API tests."""

import datetime as dt

from django.utils import timezone

from concerns.models import Case
from concerns.services import case_move, case_open
from decisions.models import Recommendation
from tests.factories import LocationFactory

CASES = "/api/v1/cases/"
RECS = "/api/v1/recommendations/"
EXCEPTIONS = "/api/v1/recommendations/exceptions/"
ALERTS = "/api/v1/alerts/"
TRACKS = "/api/v1/safeguarding-tracks/"

SOMERSET_BOARD = "Care Provider Commissioning and Quality Board"
HEAD_OF_COMMISSIONING = "Head of Commissioning"
DASS = "Director of Adult Social Services (DASS)"
RECTIFICATION_EVIDENCE = [
    {"kind": "meeting_notes", "note": "QIM 3 notes"},
    {"kind": "board_decision", "note": "Board of 1 May"},
]


def today() -> dt.date:
    return timezone.localdate()


def field_errors(response) -> dict:
    """Serializer errors come as the body; a service's as body["errors"]."""
    body = response.json()
    return body.get("errors", body)


def open_case(council, location=None, **kwargs) -> Case:
    return case_open(
        council=council,
        actor=None,
        summary="Concerns about care",
        location=location or LocationFactory(),
        **kwargs,
    )


def termination(**changes) -> dict:
    """West Berkshire: recommend terminating commissioning (004 17.1-17.2), with the legal
    advice it needs; it goes through the chain in 004 18 (SRM, SM, Head of Commissioning)."""
    return {
        "move": "terminate_commissioning",
        "reason": "Continuing risk of significant harm",
        "evidence": [{"kind": "legal_advice", "note": "Legal Services advice of 5 January"}],
        **changes,
    }


def propose_termination(people, case=None) -> Recommendation:
    payload = termination()
    payload.pop("move")
    return case_move(
        case=case or open_case(people.council),
        actor=people.officer,
        move="terminate_commissioning",
        **payload,
    )


def referral(**changes) -> dict:
    """Bromley: refer the decision on new placements to the DASS (000 3.ii), with the
    Contract Compliance team's guidance and the answers its two required questions need."""
    return {
        "move": "refer_to_dass",
        "reason": "Rated Inadequate",
        "evidence": [{"kind": "compliance_guidance", "note": "Guidance of 5 January"}],
        "details": {
            "reason": "Inspection rating below Good published",
            "recommendation": "Suspend new placements",
        },
        **changes,
    }


def board_approval(rec, **changes) -> dict:
    """A Board's approval at a quorate meeting of its own with `rec` on the agenda (issue 12:
    the quorum comes from the meeting's attendance, never from a tick)."""
    from decisions.models import Recommendation
    from tests.boards.helpers import decided_at_meeting

    if isinstance(rec, dict):
        rec = Recommendation.objects.get(pk=rec["id"])
    return {
        "outcome": "approved",
        "reasons": "Agreed by the quorate Board",
        "meeting": decided_at_meeting(rec, on=today() - dt.timedelta(days=1)),
        **changes,
    }


def at_formal(sm) -> Case:
    case = open_case(sm.council)
    case_move(case=case, actor=sm.officer, move="invoke_quality_improvement", reason="RI")
    case.refresh_from_db()
    return case


def propose_rectification(sm, case):
    """003 2.5: the officer refers the provider to the Board for a Rectification Notice."""
    return case_move(
        case=case,
        actor=sm.officer,
        move="issue_rectification_notice",
        reason="Not improving",
        evidence=RECTIFICATION_EVIDENCE,
    )
