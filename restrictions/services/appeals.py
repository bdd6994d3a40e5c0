"""Appeals (004 19.2): "If the Provider wishes to appeal the decision the request must be made
within 5 working days in writing with reasons and any evidence, they wish to be considered. The
Service Director of Adult Social Care will review the decision within 21 days of the appeal and
communicate the outcome in writing to the Provider, Head of Commissioning and CQT." The window
counts from the decision letter; the decision goes through the chain to the post the pack
names; its outcome is told as the pack says."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actors import actor_label, person_of, require
from core.audit import audit_record
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.references import next_reference
from core.timers import timer_start, timers_meet
from councils.permissions import roles_in
from decisions.chain import Approval
from decisions.evidence import evidence_keep
from decisions.models import Recommendation
from decisions.models import Status as RecStatus
from decisions.questions import MAX_TEXT, check_evidence
from decisions.services import recommendation_propose
from restrictions.models import (
    Appeal,
    AppealStatus,
    EventKind,
    Level,
    Notice,
    NoticeStatus,
    Restriction,
    RestrictionEvent,
    Status,
)
from restrictions.pack import Appeals, Restrictions
from restrictions.services.common import event_record, restriction_lock
from restrictions.services.decided import apply_level
from restrictions.services.effects import APPEAL_DECISION, APPEAL_WINDOW, notices_request


def appeal_approval(appeals: Appeals) -> Approval:
    return Approval(decided_by=appeals.decided_by, seed=appeals.seed, quote=appeals.quote)


def decision_letter(r: Restriction) -> Notice | None:
    """The latest decision letter to the provider recorded as sent: the appeal window runs
    from it."""
    return (
        Notice.objects.filter(restriction=r, audience="provider", status=NoticeStatus.SENT)
        .exclude(when="appeal_decided")
        .order_by("-sent_on", "-id")
        .first()
    )


def appeal_last_day(*, pack: Restrictions, letter_on: dt.date) -> dt.date:
    return pack.policy.due(pack.appeals.window, letter_on)


@transaction.atomic
def appeal_lodge(
    *,
    restriction: Restriction,
    actor,
    received_on: dt.date,
    grounds: str,
    evidence: list | None = None,
) -> Appeal:
    """Record the provider's appeal as received, in writing with its reasons (the grounds)
    and evidence, and put it to the decider the pack names. Refused when late, naming the
    last day (004 19.2: within 5 working days of the decision letter)."""
    r = restriction_lock(restriction)
    pack = Restrictions.of(r.council)
    if pack.appeals is None:
        raise Conflict("The council's policy has no appeal against a restriction.")
    require(actor, "restrictions.record_appeal", r.council, "You may not record appeals here.")
    if person_of(actor) is None or not roles_in(actor, r.council) & pack.appeals.by:
        raise NotAllowed(f"Only {pack.policy.roles_text(pack.appeals.by)} record appeals.")
    if r.status != Status.ACTIVE:
        raise Conflict(
            f"{r.reference} is {r.get_status_display().lower()}: there is nothing to appeal."
        )
    letter = decision_letter(r)
    if letter is None:
        raise Conflict(
            f"The decision letter on {r.reference} is not recorded as sent: the time to appeal "
            "counts from it."
        )
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if not isinstance(received_on, dt.date):
        errors["received_on"] = ["Enter the date the appeal was received."]
    elif received_on > today:
        errors["received_on"] = ["The date received cannot be in the future."]
    elif received_on < letter.sent_on:
        errors["received_on"] = [
            f"The appeal cannot come before the decision letter ({letter.sent_on:%-d %B %Y})."
        ]
    else:
        last = appeal_last_day(pack=pack, letter_on=letter.sent_on)
        if received_on > last:
            window = pack.policy.time_limit(pack.appeals.window)
            errors["received_on"] = [
                f"The appeal is late: it was due by {last:%A %-d %B %Y}, {window.in_words} after "
                f"the decision letter of {letter.sent_on:%-d %B %Y} ({window.seed})."
            ]
    grounds = (grounds or "").strip() if isinstance(grounds, str) or grounds is None else None
    if not grounds:
        errors["grounds"] = ["Give the provider's reasons for the appeal."]
    elif len(grounds) > MAX_TEXT:
        errors["grounds"] = [f"Keep it to {MAX_TEXT:,} characters."]
    clean_evidence = check_evidence(pack.evidence_kinds, (), evidence, errors)
    if errors:
        raise ValidationFailed("The appeal could not be recorded.", errors=errors)
    clean_evidence = evidence_keep(council=r.council, actor=actor, evidence=clean_evidence)
    limit = pack.policy.time_limit(pack.appeals.decide_within)
    appeal = Appeal(
        council=r.council,
        reference=next_reference(council=r.council, model=Appeal, prefix="APL"),
        restriction=r,
        letter_on=letter.sent_on,
        received_on=received_on,
        grounds=grounds,
        evidence=clean_evidence,
        due_on=pack.policy.due(pack.appeals.decide_within, received_on),
        recorded_by_label=actor_label(actor),
    )
    try:
        with transaction.atomic():
            appeal.save()
    except IntegrityError as exc:
        raise Conflict(f"An appeal against {r.reference} already waits for a decision.") from exc
    level_label = pack.level(r.level).label
    appeal.recommendation = recommendation_propose(
        council=r.council,
        actor=actor,
        kind="appeal",
        key="appeal",
        label=f"Appeal against the {level_label} on {r.subject_label}",
        subject=appeal,
        approval=appeal_approval(pack.appeals),
        provider=r.provider,
        location=r.location,
        reason=grounds,
        evidence=clean_evidence,
        details={},
        subject_state=r.level,
        proposal={"restriction": r.pk},
        exclusive=True,
    )
    appeal.save(update_fields=["recommendation"])
    timers_meet(
        council=r.council,
        subject=r,
        kinds=[APPEAL_WINDOW],
        outcome=f"appeal {appeal.reference} received {received_on:%-d %B %Y}",
    )
    timer_start(
        council=r.council,
        kind=APPEAL_DECISION,
        subject=appeal,
        due_on=appeal.due_on,
        starts_on=received_on,
        label=f"Decide the appeal ({limit.in_words} of receiving it)",
        seed=limit.seed,
    )
    event_record(
        r, EventKind.APPEALED, on=received_on, actor=actor, reason=grounds, frm=r.level, to=r.level
    )
    audit_record(
        council=r.council,
        actor=actor,
        action="appeal.lodged",
        summary=f"{appeal.reference}: appeal against {r.reference}, received {received_on}",
        obj=appeal,
        reason=grounds,
    )
    return appeal


def _before_the_decision(r: Restriction, appeal: Appeal) -> str:
    """What an upheld appeal goes back to: the level before the decision appealed (the last
    change of level before the letter), or no restriction when it put the restriction in
    place."""
    last = (
        RestrictionEvent.objects.filter(
            restriction=r,
            kind__in=[EventKind.IMPOSED, EventKind.CHANGED],
            on__lte=appeal.letter_on,
        )
        .order_by("-on", "-id")
        .first()
    )
    if last is None or last.kind == EventKind.IMPOSED or not last.from_level:
        return Level.NONE
    return last.from_level


def appeal_decided(*, rec: Recommendation, outcome: str, actor, on: dt.date) -> None:
    """Upheld (approved), the decision is overturned and the restriction lifted from the day
    of the appeal decision; dismissed, it stands. Either way the outcome is told (004 19.2)."""
    appeal = Appeal.objects.select_for_update().get(pk=int(rec.subject_id))
    r = restriction_lock(appeal.restriction_id)
    pack = Restrictions.of(r.council)
    if outcome == RecStatus.WITHDRAWN:
        appeal.status = AppealStatus.WITHDRAWN
    elif outcome == RecStatus.APPROVED:
        appeal.status = AppealStatus.UPHELD
    else:
        appeal.status = AppealStatus.DISMISSED
    appeal.outcome = rec.decision_reasons
    appeal.decided_on = on
    appeal.save()
    timers_meet(
        council=r.council,
        subject=appeal,
        kinds=[APPEAL_DECISION],
        outcome=f"{appeal.get_status_display()} on {on:%-d %B %Y}",
    )
    if appeal.status == AppealStatus.WITHDRAWN:
        return
    event = event_record(
        r,
        EventKind.APPEAL_DECIDED,
        on=on,
        actor=actor,
        reason=f"{appeal.reference}: {appeal.get_status_display()}. {rec.decision_reasons}",
        frm=r.level,
        to=r.level,
        rec=rec,
    )
    notices_request(
        restriction=r, pack=pack, when="appeal_decided", on=on, event=event, appeal=appeal
    )
    if appeal.status == AppealStatus.UPHELD and r.status == Status.ACTIVE:
        apply_level(
            r,
            pack=pack,
            level=_before_the_decision(r, appeal),
            on=on,
            actor=actor,
            rec=rec,
            reason=f"Appeal {appeal.reference} upheld: {rec.decision_reasons}",
        )
    audit_record(
        council=r.council,
        actor=actor,
        action=f"appeal.{appeal.status}",
        summary=f"{appeal.reference}: {appeal.get_status_display()}",
        obj=appeal,
        reason=rec.decision_reasons,
    )
