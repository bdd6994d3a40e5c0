"""Evidence, counts of what was written, and moves shared by the escalation rule tests."""

import datetime as dt

from django.utils import timezone

from concerns.models import CaseMove, LetterRequest
from concerns.services import case_move, case_open
from core.models import AuditEntry
from decisions.models import DecisionStep, Recommendation
from decisions.services import recommendation_act
from tests.factories import LocationFactory


def today() -> dt.date:
    return timezone.localdate()


def ev(kind: str, note: str = "", url: str = "") -> dict:
    return {"kind": kind, "note": note or f"The {kind.replace('_', ' ')}", "url": url}


BOARD_EVIDENCE = [ev("meeting_notes", "QIM notes"), ev("board_decision", "Board minutes")]


def written(council) -> dict[str, int]:
    """What the services write, counted, to show that a refused call wrote nothing."""
    return {
        "moves": CaseMove.objects.filter(council=council).count(),
        "recommendations": Recommendation.objects.filter(council=council).count(),
        "steps": DecisionStep.objects.filter(council=council).count(),
        "letters": LetterRequest.objects.filter(council=council).count(),
        "audit": AuditEntry.objects.filter(council=council).count(),
    }


def _to_formal(s):
    case_move(case=s.case, actor=s.officer, move="invoke_quality_improvement", reason="RI")
    s.case.refresh_from_db()
    return s.case


def _propose_rectification(s, actor=None):
    return case_move(
        case=s.case,
        actor=actor or s.officer,
        move="issue_rectification_notice",
        reason="Not improving after the QIM",
        evidence=BOARD_EVIDENCE,
    )


def _termination(wb, location=None):
    """West Berkshire: the CQO recommends terminating commissioning (004 17.1-17.2), into the
    chain of 004 18 (SRM, SM, Head of Commissioning)."""
    location = location or LocationFactory(local_authority="West Berkshire")
    case = case_open(council=wb.council, actor=wb.cqo, summary="Concerns", location=location)
    return case_move(
        case=case,
        actor=wb.cqo,
        move="terminate_commissioning",
        reason="Criteria met: continuing risk of significant harm",
        evidence=[ev("legal_advice")],
    )


def _act(rec, actor, outcome, reasons="In writing", **kw):
    return recommendation_act(
        recommendation=rec, actor=actor, outcome=outcome, reasons=reasons, **kw
    )
