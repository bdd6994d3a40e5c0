"""The letters a case's moves ask for (the pack's `letter` effects: 003 Quality Improvement
Notice, Rectification Notice, Final Warning Notice, Letter of Termination; 001 Provider of
Concern notification; 004 21.2 default warning letter and Default Notice): a `LetterSource`
for the notices app, which writes and issues them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from concerns.models import LetterRequest
from concerns.models import LetterStatus as RequestStatus
from concerns.pack import Ladder
from core.letters import LetterFacts, LetterSource, letter_source
from core.models import Timer
from core.workdays import in_words

NAME = "concerns.letter"


def _answer(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return in_words(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return "" if value is None else str(value)


def _answers(ladder: Ladder, move) -> dict[str, str]:
    """Every question the move's form asks (empty when not answered), as words."""
    found = ladder.move(move.move_key)
    keys = [f.key for f in found.fields] if found else []
    given = move.details or {}
    return {key: _answer(given.get(key)) for key in {*keys, *given}}


def _pending(*, council) -> list[int]:
    return list(
        LetterRequest.objects.filter(council=council, status=RequestStatus.REQUESTED).values_list(
            "pk", flat=True
        )
    )


def _facts(*, council, request_id: int) -> LetterFacts | None:
    request = (
        LetterRequest.objects.filter(council=council, pk=request_id)
        .select_related("case__provider", "case__location", "move", "recommendation")
        .first()
    )
    if request is None or request.case is None:
        return None
    case, move, rec = request.case, request.move, request.recommendation
    ladder = Ladder.of(council)
    facts: dict = {
        "case": {
            "reference": case.reference,
            "opened_on": in_words(case.opened_at),
            "stage": ladder.stage_label(case.stage),
        },
        "move": {},
        "decision": {},
        "deadlines": [],
    }
    if move is not None:
        facts["move"] = {
            "label": move.label,
            "from_stage": ladder.stage_label(move.from_stage),
            "to_stage": ladder.stage_label(move.to_stage),
            "on": in_words(move.at),
            "reason": move.reason,
            # The answers the move's form asked for (000 Appendix 2; 001 the trigger chosen).
            "answers": _answers(ladder, move),
        }
        rec = rec or move.recommendation
        deadlines = Timer.objects.filter(
            council=council,
            subject_type="concerns.case",
            subject_id=str(case.pk),
            cause__startswith=f"move:{move.pk}:",
        ).order_by("due_on")
        facts["deadlines"] = [{"label": t.label, "due_on": in_words(t.due_on)} for t in deadlines]
    if rec is not None and rec.decided_on:
        facts["decision"] = {
            "by": rec.decided_by_label,
            "on": in_words(rec.decided_on),
            "reasons": rec.decision_reasons,
            "reference": rec.reference,
        }
    return LetterFacts(
        letter=request.letter,
        label=request.label,
        seed=request.seed,
        subject=("concerns.case", str(case.pk)),
        facts=facts,
        provider_id=case.provider_id,
        location_id=case.location_id,
        case_id=case.pk,
        case_reference=case.reference,
        please_ask_for_id=case.lead_officer_id,
        requested_on=timezone.localdate(request.requested_at),
    )


def _issued(*, council, request_id: int, reference: str, on: dt.date, how: str) -> None:
    LetterRequest.objects.filter(council=council, pk=request_id).update(status=RequestStatus.ISSUED)


SOURCE = letter_source(LetterSource(name=NAME, pending=_pending, facts=_facts, issued=_issued))
