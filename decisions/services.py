"""Writes for decisions: a recommendation proposed for a subject, each step of its chain taken
in writing, the decision, and a withdrawal. The subject's own app proposes (after checking what
its subject needs) and acts on the decision (its kind's `on_decided`, in the same
transaction)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from core.actors import actor_label, person_of
from core.audit import audit_record
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.references import next_reference
from councils.models import Council
from councils.policy import policy_of
from decisions import events
from decisions.chain import (
    Acting,
    Approval,
    Waiting,
    acting_context,
    decider_of,
    set_waiting,
    step_blockers,
    waiting_at,
)
from decisions.models import DecisionStep, Recommendation, Status, StepOutcome
from decisions.questions import check_fields
from decisions.registry import (
    KINDS,
    SubjectKind,
    approval_of,
    kind_of,
    policy_of_recommendation,
)
from providers.models import Location, Provider

MAX_REASONS = 10_000


def _text(value, field: str, message: str, errors: dict, *, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        errors[field] = ["Give it as text."]
        return ""
    if required and not text:
        errors[field] = [message]
    elif len(text) > MAX_REASONS:
        errors[field] = [f"Keep it to {MAX_REASONS:,} characters."]
    return text


@transaction.atomic
def recommendation_propose(
    *,
    council: Council,
    actor,
    kind: str,
    key: str,
    label: str,
    subject: models.Model,
    approval: Approval,
    provider: Provider,
    location: Location | None,
    reason: str,
    evidence: list,
    details: dict,
    urgent: bool = False,
    subject_state: str = "",
    proposal: dict | None = None,
    exclusive: bool = False,
) -> Recommendation:
    """Put a recommendation into its chain. The subject's app has checked the proposal
    itself (its stage, evidence, answers); here: it is a person's, they may propose this kind,
    and (`exclusive`) nothing else waits on the subject."""
    found: SubjectKind | None = KINDS.get(kind)
    if found is None:
        raise ValidationFailed("", errors={"kind": ["This is not something that can be decided."]})
    if person_of(actor) is None:
        raise NotAllowed("A recommendation is made by a person, in writing.")
    blockers = found.may_propose(actor, council, key)
    if blockers:
        raise NotAllowed(" ".join(blockers))
    policy = policy_of(council)
    subject_type, subject_id = subject._meta.label_lower, str(subject.pk)
    now = timezone.now()
    rec = Recommendation(
        council=council,
        reference=next_reference(council=council, model=Recommendation, prefix="REC"),
        kind=kind,
        key=key,
        label=label,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_state=subject_state,
        proposal=proposal or {},
        exclusive=f"{subject_type}:{subject_id}" if exclusive else "",
        provider=provider,
        location=location,
        someone_else=approval.someone_else,
        proposed_by=actor,
        proposed_by_label=actor_label(actor),
        waiting_since=now,
        reason=reason,
        evidence=evidence,
        details=details,
        urgent=urgent,
        policy_version=council.active_policy,
    )
    set_waiting(rec, waiting_at(approval, 0, policy))
    try:
        with transaction.atomic():
            rec.save()
    except IntegrityError as exc:
        raise Conflict("A recommendation on this already waits for a decision.") from exc
    audit_record(
        council=council,
        actor=actor,
        action="recommendation.made",
        summary=f"{rec.reference}: {label} recommended for {subject}",
        obj=rec,
        reason=reason,
        data={"kind": kind, "key": key, "evidence": evidence, "details": details},
    )
    events.recommendation_made.publish(council_id=council.pk, recommendation_id=rec.pk)
    return rec


def _decision_answers(questions, given, errors: dict) -> dict:
    """The decider's answers to the kind's decision questions (errors by
    `decision_details.<key>`)."""
    found: dict[str, list[str]] = {}
    answers = check_fields(questions, given, found)
    for key, messages in found.items():
        errors["decision_" + key if key.startswith("details") else key] = messages
    return answers


def _decision_day(rec, decided_on, errors: dict) -> dt.date:
    """The day the decision was taken: today unless given; never in the future, never before
    the recommendation was made."""
    today = timezone.localdate()
    day = decided_on or today
    if not isinstance(day, dt.date):
        errors["decided_on"] = ["Enter the date the decision was taken."]
        return today
    if day > today:
        errors["decided_on"] = ["The decision cannot be dated in the future."]
    elif day < timezone.localdate(rec.proposed_at):
        errors["decided_on"] = [
            f"The decision cannot come before the recommendation "
            f"({timezone.localdate(rec.proposed_at):%d %B %Y})."
        ]
    return day


@transaction.atomic
def recommendation_act(
    *,
    recommendation: Recommendation,
    actor,
    outcome: str,
    reasons: str,
    stipulation: str = "",
    urgent: bool = False,
    virtual: bool = False,
    meeting: int | None = None,
    decided_on: dt.date | None = None,
    expected_step: int | None = None,
    decision_details: dict | None = None,
) -> Recommendation:
    """One step in writing: a check in the chain (forwarded or declined, 004 18.1-18.2) or
    the decision (approved or not, 004 18.5), dated the day it was taken. What the decision
    means for its subject happens at once, in this transaction (the kind's `on_decided`)."""
    rec = (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("council__active_policy", "policy_version")
        .get(pk=recommendation.pk)
    )
    council = rec.council
    if rec.status != Status.PENDING:
        raise Conflict(f"{rec.reference} is {rec.get_status_display().lower()}: it cannot change.")
    if expected_step is not None and expected_step != rec.step:
        raise Conflict(
            f"{rec.reference} has moved on since you opened it: someone else took that step. "
            "Look again."
        )
    policy = policy_of_recommendation(rec)
    kind = kind_of(rec)
    approval = approval_of(rec, policy)
    if kind is None or approval is None:
        raise Conflict("The council's policy no longer has this: it cannot be decided.")
    if person_of(actor) is None:
        raise NotAllowed("A decision is taken by a person, in writing.")
    acting: Acting = acting_context(council=council, user=actor)
    blockers = step_blockers(rec=rec, acting=acting, policy=policy)
    if blockers:
        raise NotAllowed(" ".join(blockers))
    waiting = Waiting.of(rec)
    deciding = waiting.deciding
    allowed = (
        (StepOutcome.APPROVED, StepOutcome.REJECTED)
        if deciding
        else (StepOutcome.FORWARDED, StepOutcome.DECLINED)
    )
    errors: dict[str, list[str]] = {}
    if outcome not in allowed:
        errors["outcome"] = ["Choose " + " or ".join(f"“{o}”" for o in allowed) + "."]
    reasons = _text(reasons, "reasons", "Give the reasons, in writing.", errors)
    stipulation = _text(stipulation, "stipulation", "", errors, required=False)
    decider = decider_of(waiting) if deciding else None
    facts: dict = {}
    if decider is not None:
        facts = (
            decider.check(rec=rec, urgent=urgent, virtual=virtual, meeting=meeting, errors=errors)
            or {}
        )
    day = _decision_day(rec, decided_on, errors) if deciding else timezone.localdate()
    answers = {}
    if deciding and outcome == StepOutcome.APPROVED:
        answers = _decision_answers(kind.decision_questions(rec, policy), decision_details, errors)
    if errors:
        raise ValidationFailed("The decision could not be recorded.", errors=errors)
    how = (
        decider.acting_as(acting, waiting)
        if decider is not None
        else policy.role_label(waiting.role)
    )
    DecisionStep.objects.create(
        council=council,
        recommendation=rec,
        position=rec.step,
        label=waiting.label,
        actor=actor,
        actor_label=actor_label(actor),
        acting_as=how or "",
        taken_on=day,
        outcome=outcome,
        reasons=reasons,
        stipulation=stipulation,
        urgent=urgent,
        virtual=virtual,
        meeting_on=facts.get("meeting_on"),
        meeting_ref=facts.get("meeting_ref", ""),
        board_record=facts.get("board", {}),
    )
    now = timezone.now()
    rec.waiting_since = now
    if outcome == StepOutcome.FORWARDED:
        rec.step += 1
        set_waiting(rec, waiting_at(approval, rec.step, policy))
    else:
        rec.status = {
            StepOutcome.DECLINED: Status.REJECTED,
            StepOutcome.REJECTED: Status.REJECTED,
            StepOutcome.APPROVED: Status.APPROVED,
        }[outcome]
        rec.decided_at, rec.decided_on = now, day
        rec.decided_by, rec.decided_by_label = actor, actor_label(actor)
        rec.decision_reasons, rec.stipulation = reasons, stipulation
        rec.decision_details = answers
        set_waiting(rec, None)
    rec.save()
    audit_record(
        council=council,
        actor=actor,
        action=f"recommendation.{outcome}",
        summary=f"{rec.reference}: {waiting.label}: {StepOutcome(outcome).label.lower()}",
        obj=rec,
        reason=reasons,
        data={
            "stipulation": stipulation,
            "acting_as": how,
            "urgent": urgent,
            "virtual": virtual,
            "meeting": facts.get("meeting_ref", ""),
            "board": facts.get("board", {}),
            "decided_on": day.isoformat(),
        },
    )
    if rec.status != Status.PENDING:
        if kind.on_decided is not None:
            kind.on_decided(rec=rec, outcome=rec.status, actor=actor, on=day)
        events.decision_taken.publish(
            council_id=council.pk, recommendation_id=rec.pk, outcome=rec.status
        )
    else:
        events.step_taken.publish(council_id=council.pk, recommendation_id=rec.pk)
    return rec


@transaction.atomic
def recommendation_withdraw(*, recommendation: Recommendation, actor, reason: str) -> None:
    rec = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if rec.status != Status.PENDING:
        raise Conflict(f"{rec.reference} is {rec.get_status_display().lower()} already.")
    if person_of(actor) is None or actor.pk != rec.proposed_by_id:
        raise NotAllowed("Only the person who made a recommendation may withdraw it.")
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", "Say why it is withdrawn.", errors)
    if errors:
        raise ValidationFailed("", errors=errors)
    DecisionStep.objects.create(
        council=rec.council,
        recommendation=rec,
        position=rec.step,
        label="Withdrawn by the proposer",
        actor=actor,
        actor_label=actor_label(actor),
        taken_on=timezone.localdate(),
        outcome=StepOutcome.WITHDRAWN,
        reasons=reason,
    )
    rec.status, rec.waiting_since = Status.WITHDRAWN, timezone.now()
    set_waiting(rec, None)
    rec.save()
    audit_record(
        council=rec.council,
        actor=actor,
        action="recommendation.withdrawn",
        summary=f"{rec.reference} withdrawn",
        obj=rec,
        reason=reason,
    )
    kind = kind_of(rec)
    if kind is not None and kind.on_decided is not None:
        kind.on_decided(rec=rec, outcome=rec.status, actor=actor, on=timezone.localdate())
    events.decision_taken.publish(
        council_id=rec.council_id, recommendation_id=rec.pk, outcome=rec.status
    )
