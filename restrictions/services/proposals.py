"""Asking for a restriction: proposed in writing by a person (004 18.1), or suggested by a rule
and taken up or dismissed (004 16.2, 16.3), and withdrawn by the proposer."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from concerns.models import Alert, Case
from concerns.selectors import open_case_of
from core.actors import actor_label, require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.references import next_reference
from core.workdays import add_months
from councils.models import Council
from decisions.evidence import evidence_keep
from decisions.questions import MAX_TEXT, check_evidence, check_fields
from decisions.services import recommendation_propose, recommendation_withdraw
from providers.models import Location, Provider
from restrictions.models import (
    EventKind,
    Level,
    Restriction,
    Status,
)
from restrictions.pack import Restrictions
from restrictions.services.common import (
    clean_contact,
    clean_review_on,
    clean_text,
    event_record,
    no_other_open,
    require_person_with,
    restriction_lock,
    subject_label,
)
from restrictions.services.decided import (
    put_in_place,
)


@transaction.atomic
def restriction_propose(
    *,
    council: Council,
    actor,
    level: str,
    reasons: str,
    location: Location | None = None,
    provider: Provider | None = None,
    evidence: list | None = None,
    details: dict | None = None,
    exceptions: str = "",
    contact: dict | None = None,
    review_on: dt.date | None = None,
    case: Case | None = None,
    urgent: bool = False,
    suggestion: Restriction | None = None,
) -> Restriction:
    """Ask for a restriction in writing with reasons and evidence (004 18.1: "with reasons and
    supporting documents e.g. Improvement plan, link to the CQC report"). Where the pack
    names a decision it goes into the chain; otherwise those who may ask put it in place at
    once. `suggestion`: one a rule suggested, taken up (004 16.2, 16.3)."""
    pack = Restrictions.of(council)
    action = pack.action("impose")
    require(actor, "restrictions.propose", council, "You may not ask for restrictions here.")
    require_person_with(actor, council, action, pack)
    if suggestion is not None:
        suggestion = restriction_lock(suggestion)
        if suggestion.council_id != council.pk or suggestion.status != Status.SUGGESTED:
            raise Conflict(f"{suggestion.reference} is no longer a suggestion.")
        location, provider = suggestion.location, suggestion.provider
        case = case or suggestion.case
    errors: dict[str, list[str]] = {}
    if level not in pack.levels or level == Level.NONE:
        errors["level"] = [
            "Choose " + " or ".join(f"“{lv.label}”" for lv in pack.restrictive_levels) + "."
        ]
    if location is not None:
        provider = location.provider
    elif provider is None:
        errors["location"] = ["Choose the service, or all of the provider's services."]
    elif not pack.whole_provider:
        errors["location"] = ["This council restricts one service at a time: choose it."]
    reasons = clean_text(reasons, "reasons", errors, required="Give the reasons, in writing.")
    exceptions = clean_text(exceptions, "exceptions", errors)
    contact_fields = clean_contact(contact, errors)
    review_on = clean_review_on(review_on, errors)
    if (
        review_on is None
        and "review_on" not in errors
        and pack.review
        and pack.review.default_months
    ):
        review_on = add_months(timezone.localdate(), pack.review.default_months)
    clean_evidence = check_evidence(pack.evidence_kinds, action.evidence, evidence, errors)
    answers = check_fields(action.fields, details, errors)
    if case is None and location is not None:
        case = open_case_of(council=council, location=location)  # the case it belongs to
    if case is not None and (case.council_id != council.pk or not case.is_open):
        errors["case"] = ["Choose an open case of this council."]
    elif case is not None and provider is not None and case.provider_id != provider.pk:
        errors["case"] = ["The case is about another provider."]
    if errors:
        raise ValidationFailed("The restriction could not be proposed.", errors=errors)
    no_other_open(council, location, provider, pack)
    clean_evidence = evidence_keep(council=council, actor=actor, evidence=clean_evidence)
    if suggestion is None:
        r = Restriction(
            council=council,
            reference=next_reference(council=council, model=Restriction, prefix="RES"),
            provider=provider,
            location=location,
            status=Status.PROPOSED,
            created_by_label=actor_label(actor),
        )
    else:
        r = suggestion
        r.propose()
    r.level = level
    r.reasons, r.evidence, r.details, r.exceptions = reasons, clean_evidence, answers, exceptions
    r.review_on, r.case = review_on, case
    for name, value in contact_fields.items():
        setattr(r, name, value)
    r.policy_version = council.active_policy
    try:
        with transaction.atomic():
            r.save()
    except IntegrityError as exc:
        raise Conflict("A restriction on this service is already proposed or in place.") from exc
    today = timezone.localdate()
    event_record(r, EventKind.PROPOSED, on=today, actor=actor, reason=reasons, to=level)
    _suggestions_answered(r, actor=actor, on=today)
    audit_record(
        council=council,
        actor=actor,
        action="restriction.proposed",
        summary=f"{r.reference}: {subject_label(r, pack)} proposed",
        obj=r,
        reason=reasons,
        data={"level": level, "evidence": clean_evidence, "details": answers},
    )
    if action.approval is None:
        put_in_place(r, pack=pack, on=today, actor=actor, rec=None, reason=reasons)
        return r
    rec = recommendation_propose(
        council=council,
        actor=actor,
        kind="restriction",
        key=level,
        label=f"{pack.level(level).label} for {r.subject_label}",
        subject=r,
        approval=action.approval,
        provider=provider,
        location=location,
        reason=reasons,
        evidence=clean_evidence,
        details=answers,
        urgent=urgent,
        subject_state=Status.PROPOSED,
        proposal={"level": level},
        exclusive=True,
    )
    r.recommendation = rec
    r.save(update_fields=["recommendation", "updated_at"])
    return r


def _suggestions_answered(r: Restriction, *, actor, on) -> None:
    """Other suggestions on the same services are answered by this proposal: withdrawn,
    saying by which."""
    others = Restriction.objects.filter(
        council=r.council, status=Status.SUGGESTED, provider=r.provider
    ).exclude(pk=r.pk)
    others = others.filter(location=r.location) if r.location_id else others.filter(location=None)
    for other in others:
        other.withdraw()
        other.ended_on = on
        other.save()
        event_record(
            other, EventKind.WITHDRAWN, on=on, actor=actor, reason=f"Answered by {r.reference}."
        )


def restriction_suggest(
    *,
    council: Council,
    level: str,
    location: Location | None,
    provider: Provider,
    reason: str,
    origin: str,
    alert: Alert | None = None,
    case: Case | None = None,
) -> Restriction | None:
    """A rule suggests a restriction (004 16.2, 16.3; another council's embargo): it waits
    for an officer to take it up or dismiss it. Once per alert; none while one is open on
    the service."""
    pack = Restrictions.of(council)
    with transaction.atomic():
        open_q = Restriction.objects.filter(
            council=council,
            status__in=[Status.SUGGESTED, Status.PROPOSED, Status.ACTIVE],
            provider=provider,
        )
        open_q = (
            open_q.filter(location=location) if location else open_q.filter(location__isnull=True)
        )
        if open_q.exists() or (alert and Restriction.objects.filter(alert=alert).exists()):
            return None
        r = Restriction.objects.create(
            council=council,
            reference=next_reference(council=council, model=Restriction, prefix="RES"),
            provider=provider,
            location=location,
            level=level,
            status=Status.SUGGESTED,
            reasons=reason[:MAX_TEXT],
            alert=alert,
            case=case if case is not None and case.is_open else None,
            origin=origin[:200],
            created_by_label="System",
            policy_version=council.active_policy,
        )
        event_record(
            r, EventKind.SUGGESTED, on=timezone.localdate(), actor=None, reason=reason, to=level
        )
        audit_record(
            council=council,
            actor=None,
            action="restriction.suggested",
            summary=f"{r.reference}: {subject_label(r, pack)} suggested ({origin})",
            obj=r,
            reason=reason,
        )
    return r


def restriction_suggest_from_alert(*, council: Council, alert_id: int) -> Restriction | None:
    """004 16.2, 16.3: a rule the pack maps to a restriction suggests one."""
    alert = Alert.objects.select_related("provider", "location", "case").get(pk=alert_id)
    rule = Restrictions.of(council).proposal_for_trigger(alert.trigger)
    if rule is None:
        return None
    return restriction_suggest(
        council=council,
        level=rule.level,
        location=alert.location,
        provider=alert.provider,
        reason=f"{alert.label}: {alert.detail}",
        origin=f"{alert.label} ({rule.seed})",
        alert=alert,
        case=alert.case,
    )


@transaction.atomic
def restriction_dismiss(*, restriction: Restriction, actor, reason: str) -> Restriction:
    """An officer dismisses a rule's suggestion, saying why (it stays, withdrawn)."""
    r = restriction_lock(restriction)
    require(actor, "restrictions.propose", r.council, "You may not handle restrictions here.")
    if r.status != Status.SUGGESTED:
        raise Conflict(
            f"{r.reference} is {r.get_status_display().lower()}: it is not a suggestion."
        )
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, "reason", errors, required="Say why it is dismissed.")
    if errors:
        raise ValidationFailed("", errors=errors)
    r.withdraw()
    r.ended_on = timezone.localdate()
    r.save()
    event_record(r, EventKind.WITHDRAWN, on=r.ended_on, actor=actor, reason=reason)
    audit_record(
        council=r.council,
        actor=actor,
        action="restriction.dismissed",
        summary=f"{r.reference}: suggestion dismissed",
        obj=r,
        reason=reason,
    )
    return r


@transaction.atomic
def restriction_withdraw(*, restriction: Restriction, actor, reason: str) -> Restriction:
    """The proposer withdraws a proposal waiting in the chain (its recommendation too)."""
    r = restriction_lock(restriction)
    if r.status != Status.PROPOSED or r.recommendation_id is None:
        raise Conflict(f"{r.reference} is {r.get_status_display().lower()}: nothing to withdraw.")
    recommendation_withdraw(recommendation=r.recommendation, actor=actor, reason=reason)
    r.refresh_from_db()
    return r
