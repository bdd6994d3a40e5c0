"""A restriction in place: its level changed or lifted through the chain (004 20.3-20.6),
reviewed (004 20.1) and held after compliance (003 2.5), and whom to call first kept current."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.actors import person_of, require
from core.audit import audit_record
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.timers import timer_start, timers_meet
from core.workdays import add_months
from councils.permissions import roles_in
from decisions.evidence import evidence_keep
from decisions.questions import check_evidence, check_fields
from decisions.services import recommendation_propose
from restrictions.models import (
    EventKind,
    Level,
    Restriction,
    Status,
)
from restrictions.pack import Restrictions
from restrictions.services.common import (
    MAX_REVIEW_DAYS,
    clean_contact,
    clean_review_on,
    clean_text,
    event_record,
    require_person_with,
    restriction_lock,
)
from restrictions.services.decided import (
    apply_level,
    check_hold,
)
from restrictions.services.effects import (
    HOLD,
    REVIEW,
    feed_refresh,
    restriction_review_timer,
)


@transaction.atomic
def restriction_change(
    *,
    restriction: Restriction,
    actor,
    level: str,
    reasons: str,
    evidence: list | None = None,
    details: dict | None = None,
    review_on: dt.date | None = None,
    urgent: bool = False,
) -> Restriction:
    """Ask to change a restriction's level, or to lift it (`level` none), in writing (004
    20.4: "with reasons and supporting documents"); decided as the pack says (004 20.5),
    never before a hold ends (003 2.5)."""
    r = restriction_lock(restriction)
    pack = Restrictions.of(r.council)
    key = "lift" if level == Level.NONE else "change"
    action = pack.action(key)
    require(actor, "restrictions.propose", r.council, "You may not ask for restrictions here.")
    require_person_with(actor, r.council, action, pack)
    if r.status != Status.ACTIVE:
        raise Conflict(f"{r.reference} is {r.get_status_display().lower()}: it cannot change.")
    errors: dict[str, list[str]] = {}
    if level not in pack.levels:
        errors["level"] = ["Choose one of the council's levels."]
    elif level == r.level:
        errors["level"] = [f"It is already “{pack.level(level).label}”."]
    reasons = clean_text(reasons, "reasons", errors, required="Give the reasons, in writing.")
    review_on = clean_review_on(review_on, errors)
    clean_evidence = check_evidence(pack.evidence_kinds, action.evidence, evidence, errors)
    answers = check_fields(action.fields, details, errors)
    if errors:
        raise ValidationFailed("The change could not be asked for.", errors=errors)
    check_hold(r, level, pack)
    clean_evidence = evidence_keep(council=r.council, actor=actor, evidence=clean_evidence)
    if action.approval is None:
        apply_level(
            r,
            pack=pack,
            level=level,
            on=timezone.localdate(),
            actor=actor,
            rec=None,
            reason=reasons,
            review_on=review_on,
        )
        return r
    label = (
        f"Lift the {pack.level(r.level).label} on {r.subject_label}"
        if level == Level.NONE
        else f"{pack.level(r.level).label} to {pack.level(level).label} for {r.subject_label}"
    )
    rec = recommendation_propose(
        council=r.council,
        actor=actor,
        kind="restriction_change",
        key=key,
        label=label,
        subject=r,
        approval=action.approval,
        provider=r.provider,
        location=r.location,
        reason=reasons,
        evidence=clean_evidence,
        details=answers,
        urgent=urgent,
        subject_state=r.level,
        proposal={"level": level, "review_on": review_on.isoformat() if review_on else None},
        exclusive=True,
    )
    event_record(
        r,
        EventKind.PROPOSED,
        on=timezone.localdate(),
        actor=actor,
        reason=reasons,
        frm=r.level,
        to=level,
        rec=rec,
    )
    audit_record(
        council=r.council,
        actor=actor,
        action="restriction.change_proposed",
        summary=f"{r.reference}: {label} proposed",
        obj=r,
        reason=reasons,
    )
    return r


@transaction.atomic
def restriction_review(
    *,
    restriction: Restriction,
    actor,
    note: str,
    next_review_on: dt.date | None,
    compliance_on: dt.date | None = None,
    hold: bool = False,
) -> Restriction:
    """A review of a restriction in place (004 20.1: "reviewed on a case-by-case basis by the
    CQT"; 14: "following action plan updates, visits and feedback"): what was found and the
    next review date. Where the pack says so, the restriction is held for a minimum time
    after compliance (003 2.5). Changing or lifting it is asked for separately."""
    r = restriction_lock(restriction)
    pack = Restrictions.of(r.council)
    require(actor, "restrictions.review", r.council, "You may not review restrictions here.")
    if (
        pack.review is not None
        and not roles_in(actor, r.council) & pack.review.by
        and person_of(actor)
    ):
        raise NotAllowed(f"Only {pack.policy.roles_text(pack.review.by)} review restrictions.")
    if r.status != Status.ACTIVE:
        raise Conflict(f"{r.reference} is {r.get_status_display().lower()}: it is not reviewed.")
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    note = clean_text(note, "note", errors, required="Say what the review found.")
    next_review_on = clean_review_on(next_review_on, errors, field="next_review_on")
    if next_review_on is None and "next_review_on" not in errors:
        errors["next_review_on"] = ["Set the next review date."]
    if hold:
        if pack.hold is None or r.level not in pack.hold.levels:
            errors["hold"] = [
                "The council's policy holds no restriction of this level after compliance."
            ]
        elif not isinstance(compliance_on, dt.date):
            errors["compliance_on"] = ["Give the date compliance was achieved."]
        elif compliance_on > today or compliance_on < today - dt.timedelta(days=MAX_REVIEW_DAYS):
            errors["compliance_on"] = ["Give a date in the last two years, not in the future."]
    if errors:
        raise ValidationFailed("The review could not be recorded.", errors=errors)
    r.review_on = next_review_on
    kind = EventKind.REVIEWED
    reason = note
    if hold:
        r.hold_until = add_months(compliance_on, pack.hold.months)
        kind = EventKind.HELD
        reason = (
            f"{note}\n\nCompliance achieved on {compliance_on:%-d %B %Y}; held until "
            f"{r.hold_until:%-d %B %Y} ({pack.hold.seed})."
        )
    r.save()
    feed_refresh(r)
    timers_meet(
        council=r.council, subject=r, kinds=[REVIEW], outcome=f"reviewed on {today:%-d %B %Y}"
    )
    restriction_review_timer(r)
    if hold:
        timer_start(
            council=r.council,
            kind=HOLD,
            subject=r,
            due_on=r.hold_until,
            label=f"Minimum {pack.hold.months} months after compliance ends",
            seed=pack.hold.seed,
            cause=f"hold:{r.hold_until.isoformat()}",
        )
    event_record(r, kind, on=today, actor=actor, reason=reason, frm=r.level, to=r.level)
    audit_record(
        council=r.council,
        actor=actor,
        action=f"restriction.{kind}",
        summary=f"{r.reference}: reviewed; next review {next_review_on:%-d %B %Y}",
        obj=r,
        reason=reason,
    )
    return r


@transaction.atomic
def restriction_contact_update(
    *, restriction: Restriction, actor, contact: dict, exceptions: str
) -> Restriction:
    """Who placement staff call first, and the exceptions considered: kept current by the
    quality team without a new decision (003 memo: the named manager)."""
    r = restriction_lock(restriction)
    require(actor, "restrictions.review", r.council, "You may not change restrictions here.")
    if r.status not in (Status.PROPOSED, Status.ACTIVE):
        raise Conflict(f"{r.reference} is {r.get_status_display().lower()}.")
    errors: dict[str, list[str]] = {}
    fields = clean_contact(contact, errors)
    exceptions = clean_text(exceptions, "exceptions", errors)
    if errors:
        raise ValidationFailed("", errors=errors)
    for name, value in fields.items():
        setattr(r, name, value)
    r.exceptions = exceptions
    r.save()
    if r.status == Status.ACTIVE:
        feed_refresh(r)
    audit_record(
        council=r.council,
        actor=actor,
        action="restriction.contact_updated",
        summary=f"{r.reference}: contact and exceptions updated",
        obj=r,
        data={**fields, "exceptions": exceptions},
    )
    return r
