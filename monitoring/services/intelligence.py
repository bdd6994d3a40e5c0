"""Writes for the intelligence log: items recorded, corrected (never deleted: each change kept
with its reason), their outcomes, attachments, and the regulator's rating changes arriving in
each interested council's log."""

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.actors import actor_label, require
from core.audit import audit_record
from core.errors import ValidationFailed
from core.files import upload_problem
from core.limits import date_problem, file_name
from core.references import next_reference
from councils.models import Council
from councils.policy import policy_of
from councils.selectors import is_member_of
from monitoring import events
from monitoring.models import (
    Commissioning,
    Intelligence,
    IntelligenceAttachment,
    IntelligenceCorrection,
    Outcome,
    Source,
)
from monitoring.pack import intelligence_rules
from monitoring.services.risk import risk_recompute_later
from providers.models import Location, Provider, RatingChange, RatingValue

CORRECTABLE = (
    "source",
    "received_on",
    "themes",
    "severity",
    "narrative",
    "location",
    "allocated_to",
)


MAX_NARRATIVE = 20_000


def _check_item(council: Council, values: dict, errors: dict) -> None:
    rules = intelligence_rules(council)
    themes, severities = rules.themes, rules.severities
    if "source" in values and values["source"] not in Source.values:
        errors["source"] = ["Choose where the intelligence came from."]
    if "received_on" in values:
        received = values["received_on"]
        if not isinstance(received, dt.date):
            errors["received_on"] = ["Enter the date it was received."]
        elif received > timezone.localdate():
            errors["received_on"] = ["The date received must be today or in the past."]
        elif problem := date_problem(received, latest=timezone.localdate()):
            errors["received_on"] = [problem]
    if "themes" in values:
        bad = [t for t in values["themes"] or [] if t not in themes]
        if bad:
            errors["themes"] = [f"Not a theme in this council's list: {', '.join(bad)}"]
    if "severity" in values and values["severity"] not in severities:
        errors["severity"] = ["Choose a severity from this council's list."]
    if "narrative" in values and not (values["narrative"] or "").strip():
        errors["narrative"] = ["Describe what was reported."]
    elif len(values.get("narrative") or "") > MAX_NARRATIVE:
        errors["narrative"] = [f"Keep it to {MAX_NARRATIVE:,} characters."]
    officer = values.get("allocated_to")
    if officer is not None and not is_member_of(council, officer):
        errors["allocated_to"] = ["Allocate it to someone who works for this council."]


@transaction.atomic
def intelligence_record(
    *,
    council: Council,
    actor,
    source: str,
    received_on: dt.date,
    severity: str,
    narrative: str,
    location: Location | None = None,
    provider: Provider | None = None,
    themes: list[str] | None = None,
    allocated_to=None,
    external_ref: str = "",
    rating_change: RatingChange | None = None,
) -> Intelligence:
    """Log intelligence about a location, or about a whole provider. A system posting the
    same `external_ref` again gets the item it already made."""
    require(actor, "monitoring.record_intelligence", council)
    if external_ref:
        # Lock first: two identical posts at once then return one item, never a clash.
        Council.objects.select_for_update().filter(pk=council.pk).first()
        existing = Intelligence.objects.filter(
            council=council, source=source, external_ref=external_ref
        ).first()
        if existing is not None:
            return existing
    values = {
        "source": source,
        "received_on": received_on,
        "severity": severity,
        "narrative": narrative,
        "themes": themes or [],
        "allocated_to": allocated_to,
    }
    errors: dict[str, list[str]] = {}
    _check_item(council, values, errors)
    if location is None and provider is None:
        errors["location"] = [
            "Choose the location, or the provider for intelligence about all its services."
        ]
    elif location is not None and provider is not None and location.provider_id != provider.pk:
        errors["provider"] = ["The location belongs to another provider."]
    if errors:
        raise ValidationFailed("The intelligence could not be recorded.", errors=errors)
    item = Intelligence.objects.create(
        council=council,
        reference=next_reference(
            council=council, model=Intelligence, prefix="INT", year=received_on.year, width=5
        ),
        provider=provider or location.provider,
        location=location,
        external_ref=external_ref,
        rating_change=rating_change,
        created_by_label=actor_label(actor),
        **values,
    )
    risk_recompute_later(council=council, location=location, provider=item.provider)
    events.intelligence_recorded.publish(council_id=council.pk, intelligence_id=item.pk)
    audit_record(
        council=council,
        actor=actor,
        action="intelligence.recorded",
        summary=f"{item.reference}: {item.get_source_display()} about "
        f"{location or item.provider} logged",
        obj=item,
    )
    return item


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


@transaction.atomic
def intelligence_correct(*, item: Intelligence, actor, reason: str, **changes) -> Intelligence:
    """Correct an item: nothing is overwritten silently; each change is kept with its
    reason (nothing is ever deleted). Only the fields that change are checked."""
    require(actor, "monitoring.correct_intelligence", item.council)
    changes = {k: v for k, v in changes.items() if k not in CORRECTABLE or getattr(item, k) != v}
    errors: dict[str, list[str]] = {}
    unknown = set(changes) - set(CORRECTABLE)
    for key in unknown:
        errors[key] = ["cannot be corrected"]
    if not (reason or "").strip():
        errors["reason"] = ["Say why the item is being corrected."]
    _check_item(item.council, changes, errors)
    location = changes.get("location")
    if "location" in changes and location is not None and location.provider_id != item.provider_id:
        errors["location"] = ["Choose a location of the same provider."]
    received = changes.get("received_on")
    if isinstance(received, dt.date) and item.outcome_on and received > item.outcome_on:
        errors.setdefault("received_on", []).append(
            "The date received cannot be after the outcome's date."
        )
    source = changes.get("source", item.source)
    if (
        item.external_ref
        and source != item.source
        and Intelligence.objects.filter(
            council=item.council, source=source, external_ref=item.external_ref
        ).exists()
    ):
        errors.setdefault("source", []).append(
            "Another item from that source already has this item's external reference."
        )
    if errors:
        raise ValidationFailed("The correction could not be saved.", errors=errors)
    item = Intelligence.objects.select_for_update().get(pk=item.pk)
    corrections = []
    for key, new in changes.items():
        old = getattr(item, key)
        if old == new:
            continue
        setattr(item, key, new)
        corrections.append(
            IntelligenceCorrection(
                council=item.council,
                item=item,
                field=key,
                old_value=_shown(old),
                new_value=_shown(new),
                reason=reason.strip(),
                by_label=actor_label(actor),
            )
        )
    if not corrections:
        raise ValidationFailed(
            "Nothing to correct.",
            errors={"reason": ["Nothing was changed: change a value before saving a correction."]},
        )
    item.save()
    IntelligenceCorrection.objects.bulk_create(corrections)
    # The old and the new location may both move (a provider-wide item moves them all).
    risk_recompute_later(council=item.council, provider=item.provider)
    audit_record(
        council=item.council,
        actor=actor,
        action="intelligence.corrected",
        summary=f"{item.reference} corrected: {', '.join(c.field for c in corrections)}",
        reason=reason,
        obj=item,
    )
    return item


@transaction.atomic
def intelligence_set_outcome(
    *, item: Intelligence, actor, outcome: str, reason: str, outcome_on: dt.date | None = None
) -> Intelligence:
    """Record the outcome of an enquiry. "Provider not liable" takes the item off the risk
    figures (004 11.1) but keeps it."""
    require(actor, "monitoring.correct_intelligence", item.council)
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = ["Choose an outcome."]
    if not (reason or "").strip():
        errors["reason"] = ["Give the reason for the outcome."]
    outcome_on = outcome_on or timezone.localdate()
    if outcome_on > timezone.localdate():
        errors["outcome_on"] = ["The outcome date must be today or in the past."]
    elif outcome_on < item.received_on:
        errors["outcome_on"] = ["The outcome cannot come before the item was received."]
    if errors:
        raise ValidationFailed("The outcome could not be saved.", errors=errors)
    item = Intelligence.objects.select_for_update().get(pk=item.pk)
    if item.outcome == outcome:
        return item
    IntelligenceCorrection.objects.create(
        council=item.council,
        item=item,
        field="outcome",
        old_value=item.get_outcome_display(),
        new_value=Outcome(outcome).label,
        reason=reason.strip(),
        by_label=actor_label(actor),
    )
    item.outcome, item.outcome_on = outcome, outcome_on
    item.save(update_fields=["outcome", "outcome_on", "updated_at"])
    risk_recompute_later(council=item.council, location=item.location, provider=item.provider)
    audit_record(
        council=item.council,
        actor=actor,
        action="intelligence.outcome",
        summary=f"{item.reference}: {item.get_outcome_display()}",
        reason=reason,
        obj=item,
    )
    return item


def attachment_rules(council: Council) -> tuple[frozenset[str], int]:
    rules = intelligence_rules(council)
    return rules.attachment_types, rules.attachment_max_bytes


@transaction.atomic
def attachment_add(
    *, item: Intelligence, actor, filename: str, content: bytes
) -> IntelligenceAttachment:
    require(actor, "monitoring.correct_intelligence", item.council)
    types, max_bytes = attachment_rules(item.council)
    problem = upload_problem(filename, len(content), types=types, max_bytes=max_bytes)
    if problem:
        raise ValidationFailed("The attachment could not be added.", errors={"file": [problem]})
    name = file_name(filename, 200)
    attachment = IntelligenceAttachment(
        council=item.council,
        item=item,
        original_name=name,
        size=len(content),
        uploaded_by_label=actor_label(actor),
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    audit_record(
        council=item.council,
        actor=actor,
        action="intelligence.attachment",
        summary=f"{item.reference}: {name} attached",
        obj=item,
    )
    return attachment


CQC_SEVERITY = {
    RatingValue.INADEQUATE: "high",
    RatingValue.REQUIRES_IMPROVEMENT: "medium",
}


def rating_changes_to_intelligence(*, since: dt.datetime | None = None) -> int:
    """Regulator rating changes arrive in the intelligence log of every council that
    commissions the location or has it in its area, once each (safe to run again)."""
    since = since or timezone.now() - dt.timedelta(days=30)
    made = 0
    with scopes_disabled():
        changes = list(
            RatingChange.objects.filter(detected_at__gte=since)
            .select_related("location__provider", "current")
            .order_by("id")
        )
        if not changes:
            return 0
        councils = {
            c.pk: c
            for c in Council.objects.filter(
                is_active=True, active_policy__isnull=False
            ).select_related("active_policy")
        }
        commissioned = set(
            Commissioning.objects.filter(location__in=[c.location_id for c in changes]).values_list(
                "council_id", "location_id"
            )
        )
        done = set(
            Intelligence.objects.filter(rating_change__in=changes).values_list(
                "council_id", "rating_change_id"
            )
        )
    for change in changes:
        for council in councils.values():
            areas = policy_of(council).local_authorities
            interested = (council.pk, change.location_id) in commissioned or (
                change.location.local_authority in areas
            )
            if not interested or (council.pk, change.pk) in done:
                continue
            with scope(council=council):
                item = _record_rating_change(council, change)
            events.rating_change_logged.publish(
                council_id=council.pk, rating_id=change.current_id, intelligence_id=item.pk
            )
            made += 1
    return made


def _record_rating_change(council: Council, change: RatingChange) -> Intelligence:
    severities = list(intelligence_rules(council).severities)
    wanted = CQC_SEVERITY.get(change.current_overall, severities[0])
    severity = wanted if wanted in severities else severities[0]
    current = change.current
    kq = ", ".join(f"{label} {value}" for label, value in current.key_questions if value)
    narrative = (
        f"CQC rating changed from {change.previous_overall or 'no rating'} to "
        f"{change.current_overall} (report published {current.report_date:%d %B %Y}"
        f"{', ' + current.report_link_id if current.report_link_id else ''})."
        + (f" Key questions: {kq}." if kq else "")
    )
    return intelligence_record(
        council=council,
        actor=None,
        source=Source.CQC,
        received_on=min(current.report_date, timezone.localdate()),
        severity=severity,
        narrative=narrative,
        location=change.location,
        rating_change=change,
    )
