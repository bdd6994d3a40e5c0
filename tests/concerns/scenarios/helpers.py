"""Checks of a move's record and audit entry, and dates, shared by the escalation scenarios."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from concerns.models import Case, CaseMove, LetterRequest
from core.models import AuditEntry
from decisions.models import Recommendation, StepOutcome
from decisions.services import recommendation_act

CQC_LINK = "https://www.cqc.org.uk/location/1-000000001"


def today() -> dt.date:
    return timezone.localdate()


def ev(kind: str, note: str = "", url: str = "") -> dict:
    return {"kind": kind, "note": note or f"The {kind.replace('_', ' ')}", "url": url}


def months_on(start: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's end (computed independently of core.workdays)."""
    return start + relativedelta(months=months)


def moved_entries(case: Case) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            council_id=case.council_id,
            action="case.moved",
            object_type="concerns.case",
            object_id=str(case.pk),
        ).order_by("at", "id")
    )


def last_move(case: Case) -> CaseMove:
    return CaseMove.objects.filter(case=case).order_by("at", "id").last()


def letters_of(record: CaseMove) -> list[str]:
    return sorted(LetterRequest.objects.filter(move=record).values_list("letter", flat=True))


def check_move(
    case: Case,
    record: CaseMove,
    *,
    frm: str,
    to: str,
    key: str,
    reason: str,
    evidence: tuple = (),
    actor=None,
    recommendation: Recommendation | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """The case is at `to`; the move's record and its audit entry say what happened."""
    case.refresh_from_db()
    assert case.stage == to
    assert isinstance(record, CaseMove)
    assert record.case_id == case.pk
    assert (record.from_stage, record.to_stage, record.move_key) == (frm, to, key)
    assert reason in record.reason
    assert [e["kind"] for e in record.evidence] == list(evidence)
    assert record.policy_version_id is not None
    assert record.policy_version_id == case.council.active_policy_id
    assert record.recommendation_id == (recommendation.pk if recommendation else None)
    if actor is not None:
        assert record.actor_id == actor.pk
    if details is not None:
        assert record.details == details
    entry = moved_entries(case)[-1]
    assert entry.data["from"] == frm
    assert entry.data["to"] == to
    assert entry.data["move"] == key
    assert entry.data["recommendation"] == (recommendation.reference if recommendation else None)
    assert entry.policy_version_id == case.council.active_policy_id
    assert entry.reason == record.reason
    return entry


def check_path(case: Case, path: list[tuple[str, str]]) -> None:
    """Every move recorded once, in order, with one audit entry each."""
    moves = list(CaseMove.objects.filter(case=case).order_by("at", "id"))
    assert [(m.from_stage, m.to_stage) for m in moves] == path
    assert [(e.data["from"], e.data["to"]) for e in moved_entries(case)] == path


def decide(rec: Recommendation, actor, outcome=StepOutcome.APPROVED, reasons="Agreed", **kw):
    return recommendation_act(
        recommendation=rec, actor=actor, outcome=outcome, reasons=reasons, **kw
    )
