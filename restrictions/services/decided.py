"""What a decision does to a restriction: put in place from the day of the decision (to the
services the decision maker chose, 004 18.4), not approved with the reasons and any stipulation
(004 18.2), changed or lifted (004 20.5), never inside a hold (003 2.5). Each change of level
leaves what `effects.level_changed` says, in the decision's transaction."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actors import actor_label
from core.audit import audit_record
from core.errors import Conflict
from decisions.models import Recommendation
from decisions.models import Status as RecStatus
from restrictions.models import (
    LEVEL_ORDER,
    EventKind,
    Level,
    Restriction,
    Status,
)
from restrictions.pack import Restrictions
from restrictions.services.common import (
    WHOLE_PROVIDER,
    event_record,
    no_other_open,
    restriction_lock,
    subject_label,
)
from restrictions.services.effects import (
    Change,
    level_changed,
)


def restriction_decided(*, rec: Recommendation, outcome: str, actor, on: dt.date) -> None:
    """The chain's end for a proposed restriction: approved, it is in place from the day
    of the decision (to the services the decision maker chose, 004 18.4); not approved, it
    stays on record with the reasons and any stipulation for when to reconsider (004 18.2);
    withdrawn, it is withdrawn."""
    r = restriction_lock(int(rec.subject_id))
    if r.status != Status.PROPOSED:
        raise Conflict(f"{r.reference} is {r.get_status_display().lower()}: nothing was decided.")
    pack = (
        Restrictions.of_version(rec.policy_version)
        if rec.policy_version_id
        else Restrictions.of(r.council)
    )
    reason = f"{rec.decision_reasons}" if outcome != RecStatus.WITHDRAWN else ""
    if outcome == RecStatus.APPROVED:
        if rec.decision_details.get("scope") == WHOLE_PROVIDER and r.location_id is not None:
            no_other_open(r.council, None, r.provider, pack)
            r.location = None
        r.decided_by_label = actor_label(actor)
        put_in_place(r, pack=pack, on=on, actor=actor, rec=rec, reason=reason)
        return
    if outcome == RecStatus.WITHDRAWN:
        r.withdraw()
        kind = EventKind.WITHDRAWN
        reason = "The recommendation was withdrawn."
    else:
        r.refuse()
        kind = EventKind.NOT_APPROVED
        if rec.stipulation:
            reason += f"\n\nReconsider: {rec.stipulation}"
    r.decided_on, r.ended_on = on, on
    r.decided_by_label = actor_label(actor)
    r.save()
    event_record(r, kind, on=on, actor=actor, reason=reason, frm=r.level, rec=rec)
    audit_record(
        council=r.council,
        actor=actor,
        action=f"restriction.{kind}",
        summary=f"{r.reference}: {subject_label(r, pack)} {EventKind(kind).label.lower()}",
        obj=r,
        reason=reason,
    )


def put_in_place(r: Restriction, *, pack: Restrictions, on: dt.date, actor, rec, reason: str):
    r.activate()
    r.decided_on = r.level_since = on
    if not r.decided_by_label:
        r.decided_by_label = actor_label(actor)
    if rec is not None:
        r.recommendation = rec
    try:
        with transaction.atomic():
            r.save()
    except IntegrityError as exc:
        raise Conflict(
            "Another restriction is already in place on these services: nothing was decided."
        ) from exc
    event = event_record(
        r, EventKind.IMPOSED, on=on, actor=actor, reason=reason, to=r.level, rec=rec
    )
    level_changed(
        Change(
            restriction=r,
            pack=pack,
            from_level="",
            to_level=r.level,
            on=on,
            event=event,
            actor=actor,
            recommendation=rec,
        )
    )
    audit_record(
        council=r.council,
        actor=actor,
        action="restriction.imposed",
        summary=f"{r.reference}: {subject_label(r, pack)} in place from {on:%d %B %Y}",
        obj=r,
        reason=reason,
        data={"level": r.level, "whole_provider": r.location_id is None},
    )


def change_decided(*, rec: Recommendation, outcome: str, actor, on: dt.date) -> None:
    """The chain's end for a change or lifting: approved, it takes effect from the day of
    the decision; refused, the restriction stays as it is (004 20.4: "the SM will advise the
    CQT of the decision with reasons and any stipulations")."""
    r = restriction_lock(int(rec.subject_id))
    pack = (
        Restrictions.of_version(rec.policy_version)
        if rec.policy_version_id
        else Restrictions.of(r.council)
    )
    if outcome != RecStatus.APPROVED:
        reason = rec.decision_reasons + (
            f"\n\nReconsider: {rec.stipulation}" if rec.stipulation else ""
        )
        event_record(
            r,
            EventKind.WITHDRAWN if outcome == RecStatus.WITHDRAWN else EventKind.NOT_APPROVED,
            on=on,
            actor=actor,
            reason=reason
            if outcome != RecStatus.WITHDRAWN
            else "The recommendation was withdrawn.",
            frm=r.level,
            to=rec.proposal.get("level", ""),
            rec=rec,
        )
        return
    if r.status != Status.ACTIVE or r.level != rec.subject_state:
        raise Conflict(
            f"{r.reference} has changed since this was recommended: it is now "
            f"“{pack.level(r.level).label}” ({r.get_status_display().lower()}). "
            "Nothing was decided."
        )
    check_hold(r, rec.proposal["level"], pack)
    review = rec.proposal.get("review_on")
    apply_level(
        r,
        pack=pack,
        level=rec.proposal["level"],
        on=on,
        actor=actor,
        rec=rec,
        reason=rec.decision_reasons,
        review_on=dt.date.fromisoformat(review) if review else None,
    )


def check_hold(r: Restriction, level: str, pack: Restrictions) -> None:
    """003 2.5: "a decision may be made to continue to suspend making new placements for a
    minimum period of at least six months, even after CQC compliance is achieved"."""
    hold = pack.hold
    if (
        r.hold_until
        and r.hold_until > timezone.localdate()
        and hold is not None
        and LEVEL_ORDER.index(level) < min(LEVEL_ORDER.index(held) for held in hold.levels)
    ):
        raise Conflict(
            f"{r.reference} stays “{pack.level(r.level).label}” until "
            f"{r.hold_until:%-d %B %Y} ({hold.months} months after compliance, {hold.seed}): "
            "it cannot be lifted or downgraded before then."
        )


def apply_level(r, *, pack, level, on, actor, rec, reason, review_on=None) -> None:
    from_level = r.level
    if level == Level.NONE:
        r.lift()
        r.ended_on = on
        kind = EventKind.LIFTED
    else:
        r.level, r.level_since = level, on
        kind = EventKind.CHANGED
        if review_on:
            r.review_on = review_on
    if rec is not None:
        r.decided_by_label = actor_label(actor)
    r.save()
    event = event_record(
        r, kind, on=on, actor=actor, reason=reason, frm=from_level, to=level, rec=rec
    )
    level_changed(
        Change(
            restriction=r,
            pack=pack,
            from_level=from_level,
            to_level=level,
            on=on,
            event=event,
            actor=actor,
            recommendation=rec,
        )
    )
    audit_record(
        council=r.council,
        actor=actor,
        action=f"restriction.{kind}",
        summary=(
            f"{r.reference}: {pack.level(from_level).label} lifted"
            if level == Level.NONE
            else f"{r.reference}: {pack.level(from_level).label} to {pack.level(level).label}"
        ),
        obj=r,
        reason=reason,
        data={"from": from_level, "to": level, "on": on.isoformat()},
    )
