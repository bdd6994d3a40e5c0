"""Telling people of a decision (004 19.1-19.5): each request is recorded as sent, with the day
and how. The provider's letter meets the time limit to tell it and opens its time to appeal."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.actors import actor_label, require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.letters import letter_request_met
from core.timers import timer_start, timers_meet
from restrictions.models import Notice, NoticeStatus
from restrictions.pack import Restrictions
from restrictions.services.effects import APPEAL_WINDOW, TELL_PROVIDER


@transaction.atomic
def notice_record_sent(*, notice: Notice, actor, sent_on: dt.date, how: str) -> Notice:
    """Record that a notice was sent (the letters issue will send them itself)."""
    notice = (
        Notice.objects.select_for_update(of=("self",))
        .select_related("restriction__council", "event")
        .get(pk=notice.pk)
    )
    r = notice.restriction
    require(actor, "restrictions.record_notice", r.council, "You may not record notices here.")
    if notice.status == NoticeStatus.SENT:
        raise Conflict(f"“{notice.label}” was recorded as sent on {notice.sent_on:%-d %B %Y}.")
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    # The day of the decision it tells, which may be dated before it was recorded (004 19.1:
    # "within five working days" of the decision, not of its recording).
    decided = timezone.localdate(notice.requested_at)
    if notice.event is not None:
        decided = min(decided, notice.event.on)
    if not isinstance(sent_on, dt.date):
        errors["sent_on"] = ["Enter the date it was sent."]
    elif sent_on > today:
        errors["sent_on"] = ["The date sent cannot be in the future."]
    elif sent_on < decided:
        errors["sent_on"] = ["It cannot have been sent before the decision."]
    how = (how or "").strip() if isinstance(how, str) or how is None else ""
    if not how:
        errors["how"] = ["Say how it was sent (for example: letter by email to the manager)."]
    elif len(how) > 300:
        errors["how"] = ["Keep it to 300 characters."]
    if errors:
        raise ValidationFailed("", errors=errors)
    notice_sent(notice=notice, sent_on=sent_on, how=how, by=actor_label(actor))
    if notice.letter:  # its letter, written or not, is no longer to be issued
        letter_request_met.publish(
            council_id=r.council_id, source="restrictions.notice", request_id=notice.pk
        )
    audit_record(
        council=r.council,
        actor=actor,
        action="restriction.notice_sent",
        summary=f"{r.reference}: {notice.label} sent {sent_on:%-d %B %Y}",
        obj=r,
        data={"audience": notice.audience, "how": how},
    )
    return notice


def notice_sent(*, notice: Notice, sent_on: dt.date, how: str, by: str) -> None:
    """Mark a notice sent (by a person's record, or by the letters app when its letter was
    issued and sent): the provider's letter meets the time limit to tell it and opens its time
    to appeal (004 19.1, 19.2). Inside the caller's transaction, the notice locked."""
    r = notice.restriction
    notice.status, notice.sent_on, notice.sent_how = NoticeStatus.SENT, sent_on, how
    notice.sent_by_label = by[:200]
    notice.save()
    if notice.audience == "provider" and notice.when != "appeal_decided":
        pack = Restrictions.of(r.council)
        timers_meet(
            council=r.council,
            subject=r,
            kinds=[TELL_PROVIDER],
            outcome=f"told in writing on {sent_on:%-d %B %Y}",
        )
        if pack.appeals is not None and notice.when in ("imposed", "changed"):
            window = pack.policy.time_limit(pack.appeals.window)
            timer_start(
                council=r.council,
                kind=APPEAL_WINDOW,
                subject=r,
                due_on=pack.policy.due(pack.appeals.window, sent_on),
                starts_on=sent_on,
                label=f"The provider may appeal ({window.in_words} from the letter)",
                seed=window.seed,
                cause=f"letter:{notice.pk}",
            )
