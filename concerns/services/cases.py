"""Cases: opening one, and moving it on the council's ladder.

Every move follows one path: the service checks the pack and the person's roles (django-fsm
does not enforce `permission=`), locks the case, and either puts the move to its decision
chain (`decisions`) or transitions, saves inside `atomic()`, records the move, ends the old
stage's time limits, leaves its effects and writes the audit entry, then publishes
`concerns.case_moved` after commit."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from concerns import events
from concerns.effects import MoveDone
from concerns.models import Case, CaseMove, Stage
from concerns.pack import Ladder, Move
from concerns.permissions import MoveAttempt, move_blockers
from concerns.selectors import covering, pending_move
from concerns.services.effects import apply_effects
from core.actors import actor_label, person_of, require
from core.audit import audit_record
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.references import next_reference
from core.timers import timers_end
from councils.models import Council
from councils.permissions import roles_in
from councils.policy import policy_of
from decisions.evidence import evidence_keep
from decisions.models import Recommendation
from decisions.questions import check_evidence, check_fields
from decisions.services import recommendation_propose
from providers.models import Location, Provider

DEADLINE = "concerns.deadline"
MAX_TEXT = 10_000


@transaction.atomic
def case_open(
    *,
    council: Council,
    actor,
    summary: str,
    location: Location | None = None,
    provider: Provider | None = None,
    lead_officer=None,
) -> Case:
    """Open a case at the informal stage, for one location or a whole provider (004 18.4).
    One open case per council and location at a time."""
    ladder = Ladder.of(council)
    errors: dict[str, list[str]] = {}
    if (location is None) == (provider is None):
        errors["location"] = ["Choose a location, or the whole provider."]
    elif provider is not None and not ladder.whole_provider:
        errors["provider"] = ["This council opens cases for one location at a time."]
    if not (summary or "").strip():
        errors["summary"] = ["Say why the case is being opened."]
    elif len(summary) > MAX_TEXT:
        errors["summary"] = [f"Keep it to {MAX_TEXT:,} characters."]
    if lead_officer is not None and not roles_in(lead_officer, council):
        errors["lead_officer"] = ["The lead officer must work for this council."]
    if errors:
        raise ValidationFailed("The case could not be opened.", errors=errors)
    require(actor, "concerns.open_case", council, "You may not open a case for this council.")
    reference = next_reference(council=council, model=Case, prefix="CASE")  # locks the council
    provider = provider or location.provider
    open_cases = Case.objects.filter(council=council).exclude(stage=Stage.CLOSED)
    if location is not None:
        clash = open_cases.filter(covering(location)).first()
    else:
        clash = open_cases.filter(provider=provider).first()
    if clash is not None:
        raise Conflict(
            f"{clash.reference} is already open for {clash.subject_label}: "
            "a location has one open case at a time."
        )
    try:
        with transaction.atomic():
            case = Case.objects.create(
                council=council,
                reference=reference,
                provider=provider,
                location=location,
                stage=Stage.INFORMAL,
                stage_since=timezone.now(),
                summary=summary.strip(),
                lead_officer=lead_officer or person_of(actor),
                opened_by_label=actor_label(actor),
            )
    except IntegrityError as exc:
        raise Conflict("A case is already open for this location.") from exc
    audit_record(
        council=council,
        actor=actor,
        action="case.opened",
        summary=f"{case.reference} opened for {case.subject_label}",
        obj=case,
        reason=case.summary,
        data={"stage": case.stage},
    )
    events.case_opened.publish(council_id=council.pk, case_id=case.pk)
    return case


def case_lock(case: Case | int) -> Case:
    """The case (or the case with this id) read again and locked until the transaction ends."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("council__active_policy", "location", "provider", "lead_officer")
        .get(pk=case if isinstance(case, int) else case.pk)
    )


@transaction.atomic
def case_move(
    *,
    case: Case,
    actor,
    move: str,
    reason: str,
    evidence: list | None = None,
    details: dict | None = None,
    urgent: bool = False,
    expected_stage: str | None = None,
) -> CaseMove | Recommendation:
    """Make a move, or propose it when the pack says it needs a decision. Returns the move
    made, or the recommendation now waiting in the chain."""
    case = case_lock(case)
    ladder = Ladder.of(case.council)
    found = ladder.move(move)
    if found is None:
        raise ValidationFailed("", errors={"move": ["This is not one of the council's moves."]})
    if actor is not None and not found.automatic and not roles_in(actor, case) & found.by:
        # Not theirs to make, whatever the case's state: 403 before any 409.
        raise NotAllowed(f"Only {ladder.policy.roles_text(found.by)} may make this move.")
    if expected_stage and case.stage != expected_stage:
        raise Conflict(
            f"{case.reference} moved to “{ladder.stage_label(case.stage)}” meanwhile: "
            "look again before moving it."
        )
    if not case.is_open or case.stage not in found.sources or found.automatic:
        raise Conflict(move_blockers(case=case, move=found, user=actor, ladder=ladder)[0])
    pending = pending_move(case=case)
    if pending is not None:
        raise Conflict(
            f"{pending.reference} ({pending.label}) waits for a decision: it is decided or "
            "withdrawn before the case moves again."
        )
    require(
        actor,
        "concerns.make_this_move",
        MoveAttempt(case=case, move=found),
        f"Only {ladder.policy.roles_text(found.by)} may make this move.",
    )
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = ["Give the reason for this move."]
    elif len(reason) > MAX_TEXT:
        errors["reason"] = [f"Keep it to {MAX_TEXT:,} characters."]
    clean_evidence = check_evidence(ladder.evidence_kinds, found.evidence, evidence, errors)
    clean_details = check_fields(found.fields, details, errors)
    if errors:
        raise ValidationFailed("The move could not be made.", errors=errors)
    clean_evidence = evidence_keep(council=case.council, actor=actor, evidence=clean_evidence)
    if found.approval is not None:
        return recommendation_propose(
            council=case.council,
            actor=actor,
            kind="move",
            key=found.key,
            label=found.label,
            subject=case,
            approval=found.approval,
            provider=case.provider,
            location=case.location,
            reason=reason.strip(),
            evidence=clean_evidence,
            details=clean_details,
            urgent=urgent,
            subject_state=case.stage,
            proposal={"to": found.to},
            exclusive=True,
        )
    return apply_move(
        case=case,
        move=found,
        ladder=ladder,
        actor=actor,
        reason=reason.strip(),
        evidence=clean_evidence,
        details=clean_details,
    )


def apply_move(
    *,
    case: Case,
    move: Move,
    ladder: Ladder,
    actor,
    reason: str,
    evidence: list,
    details: dict,
    recommendation: Recommendation | None = None,
    on: dt.date | None = None,
) -> CaseMove:
    """Transition the locked case and leave the move's record and effects. Time limits the
    move starts count from `on` (the decision's day), today by default."""
    council = case.council
    from_stage = case.stage
    transition = getattr(case, f"to_{move.to}")
    if not can_proceed(transition):
        raise Conflict(f"{case.reference} cannot move from {from_stage} to {move.to}.")
    transition()
    now = timezone.now()
    case.stage_since = now
    case.closed_at = now if move.to == Stage.CLOSED else None
    try:
        case.save()
    except ConcurrentTransition as exc:
        raise Conflict(f"{case.reference} was moved by someone else: look again.") from exc
    policy = policy_of(council)
    record = CaseMove.objects.create(
        council=council,
        case=case,
        move_key=move.key,
        label=move.label,
        from_stage=from_stage,
        to_stage=move.to,
        actor=person_of(actor),
        actor_label=actor_label(actor),
        reason=reason,
        evidence=evidence,
        details=details,
        recommendation=recommendation,
        policy_version=council.active_policy,
    )
    # The old stage's time limits end with it (003: the Final Warning's 6 months).
    timers_end(
        council=council,
        subject=case,
        kinds=[DEADLINE],
        where=lambda t: (
            t.payload.get("ends_with_stage", True) and t.payload.get("stage") == from_stage
        ),
        outcome=f"Ended: the case left “{ladder.stage_label(from_stage)}”.",
    )
    effects = apply_effects(
        MoveDone(
            case=case,
            move=move,
            record=record,
            actor=actor,
            policy=policy,
            on=on or timezone.localdate(),
        )
    )
    audit_record(
        council=council,
        actor=actor,
        action="case.moved",
        summary=(
            f"{case.reference}: {ladder.stage_label(from_stage)} → {ladder.stage_label(move.to)}"
            f" ({move.label})"
        ),
        obj=case,
        reason=reason,
        data={
            "from": from_stage,
            "to": move.to,
            "move": move.key,
            "evidence": evidence,
            "effects": effects,
            "recommendation": recommendation.reference if recommendation else None,
        },
    )
    events.case_moved.publish(
        council_id=council.pk, case_id=case.pk, from_stage=from_stage, to_stage=move.to
    )
    return record
