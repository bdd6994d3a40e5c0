"""The effects this app carries out when a move is made (the pack's `effects`): a deadline (a
timer on the case, owned by its lead officer), a letter request for the notices to write, and
reviews planned in monitoring (003 ToR 1: "an automatic review in six months")."""

from __future__ import annotations

from concerns.effects import EFFECTS, EffectHandler, MoveDone, effect_handler
from concerns.models import LetterRequest
from core.letters import letter_requested
from core.timers import timer_start
from core.workdays import due_date
from monitoring.selectors import commissioned_locations
from monitoring.services import review_plan

DEADLINE = "concerns.deadline"


def apply_effects(done: MoveDone) -> list[str]:
    """Each effect of the move, by its registered handler; what each did, for the audit."""
    return [EFFECTS[effect.kind].apply(effect, done) for effect in done.move.effects]


def _limit_check(effect: dict, content: dict, problem) -> None:
    if effect.get("time_limit") not in content.get("time_limits", {}):
        problem("time_limit", "name one of this council's time_limits")


def _deadline(effect, done: MoveDone) -> str:
    limit = done.policy.time_limit(effect.time_limit)
    due = due_date(done.on, amount=limit.amount, unit=limit.unit, calendar=done.policy.calendar)
    timer_start(
        council=done.case.council,
        kind=DEADLINE,
        subject=done.case,
        due_on=due,
        label=effect.label or limit.label,
        seed=effect.seed or limit.seed,
        cause=f"move:{done.record.pk}:{limit.key}",
        owner=done.case.lead_officer,
        starts_on=done.on,
        payload={
            "time_limit": limit.key,
            "stage": done.move.to,
            "ends_with_stage": effect.ends_with_stage,
            "move": done.record.pk,
        },
    )
    return f"deadline {limit.key} {due.isoformat()}"


def _letter_check(effect: dict, content: dict, problem) -> None:
    if not effect.get("letter"):
        problem("letter", "name the letter")


def _letter(effect, done: MoveDone) -> str:
    request = LetterRequest.objects.create(
        council=done.case.council,
        case=done.case,
        move=done.record,
        letter=effect.letter,
        label=effect.label or effect.letter.replace("_", " ").capitalize(),
        seed=effect.seed,
    )
    letter_requested.publish(
        council_id=done.case.council_id, source="concerns.letter", request_id=request.pk
    )
    return f"letter {effect.letter}"


def _review_check(effect: dict, content: dict, problem) -> None:
    _limit_check(effect, content, problem)
    types = {t["key"] for t in content.get("reviews", {}).get("types", [])}
    if effect.get("review_type") not in types:
        problem("review_type", "name one of this council's review types")


def _review(effect, done: MoveDone) -> str:
    limit = done.policy.time_limit(effect.time_limit)
    when = due_date(done.on, amount=limit.amount, unit=limit.unit, calendar=done.policy.calendar)
    case = done.case
    locations = (
        [case.location]
        if case.location_id
        else commissioned_locations(council=case.council, provider_id=case.provider_id)
    )
    for location in locations:
        review_plan(  # automatic (003 ToR 1), so the system's, whoever made the move
            council=case.council,
            location=location,
            actor=None,
            kind=effect.review_type,
            planned_for=when,
        )
    return f"review {effect.review_type} {when.isoformat()}"


effect_handler(EffectHandler(kind="deadline", apply=_deadline, check=_limit_check))
effect_handler(EffectHandler(kind="letter", apply=_letter, check=_letter_check))
effect_handler(EffectHandler(kind="review", apply=_review, check=_review_check))
