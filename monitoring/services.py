"""Writes for monitoring: commissioning relationships and the intelligence log."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.audit import actor_of, audit_record
from core.errors import Conflict, ValidationFailed
from councils.models import Council, Membership
from councils.policy import Policy
from monitoring.models import (
    ActionStatus,
    Commissioning,
    ContractType,
    ImprovementPlan,
    Intelligence,
    IntelligenceAttachment,
    IntelligenceCorrection,
    Outcome,
    PlanAction,
    PlanKind,
    PlanReview,
    PlanStatus,
    Rag,
    Review,
    ReviewStatus,
    RiskOverride,
    RiskRating,
    Source,
)
from monitoring.risk import risk_recompute
from providers.models import Location, Provider, RatingChange, RatingValue

COMMISSIONING_FIELDS = (
    "contract_type",
    "in_area",
    "annual_spend",
    "beds",
    "home_care_hours",
    "people",
    "specialist_service",
    "contact_officer",
)
CORRECTABLE = (
    "source",
    "received_on",
    "themes",
    "severity",
    "narrative",
    "location",
    "allocated_to",
)


def _label(actor) -> str:
    return actor_of(actor)[1]


def _is_member(council: Council, user) -> bool:
    return Membership.objects.filter(council=council, user=user, is_active=True).exists()


@transaction.atomic
def commissioning_save(*, council: Council, location: Location, actor, **values) -> Commissioning:
    """Create or change the council's commissioning of a location."""
    unknown = set(values) - set(COMMISSIONING_FIELDS)
    if unknown:
        raise ValidationFailed("Unknown fields.", errors={k: ["is not a field"] for k in unknown})
    errors: dict[str, list[str]] = {}
    if values.get("contract_type") not in ContractType.values:
        errors["contract_type"] = ["Choose the kind of contract."]
    for key in ("annual_spend", "beds", "home_care_hours", "people"):
        if values.get(key) is not None and Decimal(str(values[key])) < 0:
            errors[key] = ["Must be 0 or more."]
    officer = values.get("contact_officer")
    if officer is not None and not _is_member(council, officer):
        errors["contact_officer"] = ["The contact officer must work for this council."]
    if errors:
        raise ValidationFailed("The commissioning could not be saved.", errors=errors)
    record, created = Commissioning.objects.update_or_create(
        council=council, location=location, defaults=values
    )
    # A provider's share of the council's commissioning moves every location's position.
    risk_recompute_later(council=council)
    audit_record(
        council=council,
        actor=actor,
        action="commissioning.saved",
        summary=f"Commissioning of {location} {'recorded' if created else 'changed'}",
        obj=record,
        data={k: str(v) if v is not None else None for k, v in values.items()},
    )
    return record


def _check_item(council: Council, values: dict, errors: dict) -> None:
    pack = Policy(council.active_policy.content).content["intelligence"]
    themes = {t["key"] for t in pack["themes"]}
    severities = {s["key"] for s in pack["severities"]}
    if "source" in values and values["source"] not in Source.values:
        errors["source"] = ["Choose where the intelligence came from."]
    if "received_on" in values:
        received = values["received_on"]
        if not isinstance(received, dt.date):
            errors["received_on"] = ["Enter the date it was received."]
        elif received > timezone.localdate():
            errors["received_on"] = ["The date received must be today or in the past."]
    if "themes" in values:
        bad = [t for t in values["themes"] or [] if t not in themes]
        if bad:
            errors["themes"] = [f"Not a theme in this council's list: {', '.join(bad)}"]
    if "severity" in values and values["severity"] not in severities:
        errors["severity"] = ["Choose a severity from this council's list."]
    if "narrative" in values and not (values["narrative"] or "").strip():
        errors["narrative"] = ["Describe what was reported."]
    officer = values.get("allocated_to")
    if officer is not None and not _is_member(council, officer):
        errors["allocated_to"] = ["Allocate it to someone who works for this council."]


def _next_reference(council: Council, year: int) -> str:
    # The council row is locked so that two items never get the same number.
    Council.objects.select_for_update().filter(pk=council.pk).first()
    prefix = f"INT-{year}-"
    last = (
        Intelligence.objects.filter(council=council, reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


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
        reference=_next_reference(council, received_on.year),
        provider=provider or location.provider,
        location=location,
        external_ref=external_ref,
        rating_change=rating_change,
        created_by_label=_label(actor),
        **values,
    )
    risk_recompute_later(council=council, location=location, provider=item.provider)
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
                by_label=_label(actor),
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
        by_label=_label(actor),
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


def attachment_rules(council: Council) -> tuple[set[str], int]:
    section = Policy(council.active_policy.content).content["intelligence"].get("attachments", {})
    types = set(section.get("types", ["pdf", "docx", "txt", "png", "jpg"]))
    return types, int(float(section.get("max_megabytes", 10)) * 1024 * 1024)


@transaction.atomic
def attachment_add(
    *, item: Intelligence, actor, filename: str, content: bytes
) -> IntelligenceAttachment:
    types, max_bytes = attachment_rules(item.council)
    suffix = Path(filename).suffix.lower().lstrip(".")
    errors = {}
    if suffix not in types:
        errors["file"] = [f"The file must be one of: {', '.join(sorted(types))}."]
    elif not content:
        errors["file"] = ["The file is empty."]
    elif len(content) > max_bytes:
        errors["file"] = [f"The file must be no larger than {max_bytes / (1024 * 1024):g} MB."]
    if errors:
        raise ValidationFailed("The attachment could not be added.", errors=errors)
    name = Path(filename).name[:200]
    attachment = IntelligenceAttachment(
        council=item.council,
        item=item,
        original_name=name,
        size=len(content),
        uploaded_by_label=_label(actor),
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


RATED = (
    RatingValue.OUTSTANDING,
    RatingValue.GOOD,
    RatingValue.REQUIRES_IMPROVEMENT,
    RatingValue.INADEQUATE,
)
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
            areas = council.active_policy.content["council"].get("local_authorities", [])
            interested = (council.pk, change.location_id) in commissioned or (
                change.location.local_authority in areas
            )
            if not interested or (council.pk, change.pk) in done:
                continue
            with scope(council=council):
                _record_rating_change(council, change)
                _escalation_triggers(council, "rating", change.current_id)
            made += 1
    return made


def _escalation_triggers(council: Council, kind: str, object_id: int) -> None:
    """Escalation triggers watch ratings, assessments and plans (concerns.triggers)."""
    if "escalation" not in council.active_policy.content:
        return
    from concerns.services import triggers_check_later

    triggers_check_later(council=council, kind=kind, object_id=object_id)


def _record_rating_change(council: Council, change: RatingChange) -> None:
    pack = Policy(council.active_policy.content).content["intelligence"]
    severities = [s["key"] for s in pack["severities"]]
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
    intelligence_record(
        council=council,
        actor=None,
        source=Source.CQC,
        received_on=min(current.report_date, timezone.localdate()),
        severity=severity,
        narrative=narrative,
        location=change.location,
        rating_change=change,
    )


def risk_recompute_later(
    *, council: Council, location: Location | None = None, provider: Provider | None = None
) -> None:
    """After the transaction commits, recompute the matrix where an input changed."""
    from monitoring.tasks import risk_recompute_task

    location_ids = [location.pk] if location is not None else None
    provider_id = provider.pk if provider is not None and location is None else None
    transaction.on_commit(lambda: risk_recompute_task.delay(council.pk, location_ids, provider_id))


@transaction.atomic
def risk_override_set(
    *, council: Council, location: Location, actor, rag: str, reason: str, expires_on: dt.date
) -> RiskOverride:
    """An officer sets the RAG, with a reason and an expiry (003 1.9: evaluators may
    "influence a RAG rating"); the computed score stays visible beside it."""
    errors: dict[str, list[str]] = {}
    if rag not in Rag.values:
        errors["rag"] = ["Choose red, amber or green."]
    if not (reason or "").strip():
        errors["reason"] = ["Give the reason for overriding the rating."]
    today = timezone.localdate()
    if not isinstance(expires_on, dt.date):
        errors["expires_on"] = ["Enter the date the override ends."]
    elif expires_on <= today:
        errors["expires_on"] = ["The override must end after today."]
    elif expires_on > today + dt.timedelta(days=366):
        errors["expires_on"] = ["An override can last a year at most: review it then."]
    if not RiskRating.objects.filter(council=council, location=location).exists():
        errors["location"] = ["The location is not on this council's risk matrix."]
    if errors:
        raise ValidationFailed("The override could not be saved.", errors=errors)
    RiskOverride.objects.filter(council=council, location=location, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    override = RiskOverride.objects.create(
        council=council,
        location=location,
        rag=rag,
        reason=reason.strip(),
        expires_on=expires_on,
        by_label=_label(actor),
    )
    risk_recompute(council=council, location_ids=[location.pk])
    audit_record(
        council=council,
        actor=actor,
        action="risk.override",
        summary=f"{location}: RAG set to {override.get_rag_display()} until {expires_on:%d %B %Y}",
        reason=reason,
        obj=override,
    )
    return override


@transaction.atomic
def risk_override_end(*, council: Council, location: Location, actor, reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationFailed("", errors={"reason": ["Say why the override ends."]})
    ended = RiskOverride.objects.filter(
        council=council, location=location, ended_at__isnull=True
    ).update(ended_at=timezone.now())
    if ended:
        risk_recompute(council=council, location_ids=[location.pk])
        audit_record(
            council=council,
            actor=actor,
            action="risk.override_ended",
            summary=f"{location}: RAG override ended",
            reason=reason,
        )


def _review_pack(council: Council) -> dict:
    return council.active_policy.content["reviews"]


def _review_type(council: Council, kind: str) -> dict | None:
    return next((t for t in _review_pack(council)["types"] if t["key"] == kind), None)


def _check_officers(council: Council, officers, errors: dict) -> None:
    for officer in officers or []:
        if not _is_member(council, officer):
            errors["officers"] = ["Each officer must work for this council."]


@transaction.atomic
def review_plan(
    *,
    council: Council,
    location: Location,
    actor,
    kind: str,
    planned_for: dt.date,
    officers=(),
    announced: bool = True,
) -> Review:
    """Plan a review or visit. A self-certification is sent rather than visited: its return
    falls due in the pack's time (004 8.1: "within 14 working days")."""
    errors: dict[str, list[str]] = {}
    kind_def = _review_type(council, kind)
    if kind_def is None:
        errors["kind"] = ["Choose a kind of review from this council's list."]
    elif not announced and not kind_def.get("may_be_unannounced"):
        # 002 5.3.3: "Reactive visits are the only visits undertaken on an unannounced basis."
        errors["announced"] = [f"A {kind_def['label'].lower()} is always announced."]
    if not isinstance(planned_for, dt.date):
        errors["planned_for"] = ["Enter the date planned."]
    _check_officers(council, officers, errors)
    if errors:
        raise ValidationFailed("The review could not be planned.", errors=errors)
    review = Review.objects.create(
        council=council,
        location=location,
        kind=kind,
        planned_for=planned_for,
        announced=announced,
        created_by_label=_label(actor),
    )
    review.officers.set(officers)
    within = _review_pack(council).get("self_certification_within")
    if kind_def.get("self_certification") and within:
        from core.workdays import due_date

        review.self_certification_due_on = due_date(
            planned_for,
            amount=within["amount"],
            unit=within["unit"],
            calendar=Policy(council.active_policy.content).calendar,
        )
        review.save(update_fields=["self_certification_due_on"])
    audit_record(
        council=council,
        actor=actor,
        action="review.planned",
        summary=f"{kind_def['label']} of {location} planned for {planned_for:%d %b %Y}",
        obj=review,
    )
    return review


def next_review(*, council: Council, location: Location, after: dt.date) -> tuple[dt.date, str]:
    """When the next review falls due, and why (003 1.13: "Where there is a Good or above CQC
    rating with positive feedback ... within a 24-month period"; market risk yearly; concerns
    sooner)."""
    from core.workdays import add_months
    from monitoring.selectors import market_position

    freq = _review_pack(council)["frequency_months"]
    rating = RiskRating.objects.filter(council=council, location=location).first()
    commissioning = Commissioning.objects.filter(council=council, location=location).first()
    market_risk = bool(
        commissioning and market_position(council=council, commissioning=commissioning).market_risk
    )
    good = location.overall_rating in (RatingValue.GOOD, RatingValue.OUTSTANDING)
    positive = rating is None or rating.rag == Rag.GREEN
    if market_risk:
        months, why = freq["market_risk"], "a market risk provider"
    elif good and positive:
        months, why = freq["good"], "rated Good or better with no concerns"
    else:
        months, why = freq["concerns"], "below Good or with concerns"
    return add_months(after, months), f"{months} months: {why} ({freq['seed']})"


@transaction.atomic
def review_record(
    *,
    review: Review,
    actor,
    visited_on: dt.date,
    officers=(),
    announced: bool = True,
    findings: str = "",
    evidence_seen: str = "",
    people_spoken_to: str = "",
    rating: str = "",
) -> Review:
    """Record what the review found. The report falls due (004 9.1: "typed and sent within 10
    days") and so does the next review."""
    errors: dict[str, list[str]] = {}
    if review.status != ReviewStatus.PLANNED:
        raise Conflict(
            f"This review is {review.get_status_display().lower()}: it cannot be recorded again."
        )
    if not isinstance(visited_on, dt.date):
        errors["visited_on"] = ["Enter the date of the review."]
    elif visited_on > timezone.localdate():
        errors["visited_on"] = ["The date of the review must be today or in the past."]
    kind_def = _review_type(review.council, review.kind) or {}
    if not announced and not kind_def.get("may_be_unannounced"):
        errors["announced"] = [f"A {kind_def.get('label', 'review').lower()} is always announced."]
    if not (findings or "").strip():
        errors["findings"] = ["Record what the review found."]
    rating = (rating or "").strip()
    if rating and not kind_def.get("rated"):
        errors["rating"] = [f"A {kind_def.get('label', 'review').lower()} is not rated."]
    elif rating and rating not in RATED:
        errors["rating"] = ["Choose Outstanding, Good, Requires improvement or Inadequate."]
    elif kind_def.get("rated") and not rating:
        errors["rating"] = [f"Give the {kind_def['label']} rating."]
    _check_officers(review.council, officers, errors)
    if errors:
        raise ValidationFailed("The review could not be recorded.", errors=errors)
    council = review.council
    review.status, review.visited_on, review.announced = (
        ReviewStatus.COMPLETED,
        visited_on,
        announced,
    )
    review.findings, review.evidence_seen = findings.strip(), evidence_seen.strip()
    review.people_spoken_to = people_spoken_to.strip()
    review.rating = rating
    within = _review_pack(council).get("report_within")
    if within:
        from core.workdays import due_date

        review.report_due_on = due_date(
            visited_on,
            amount=within["amount"],
            unit=within["unit"],
            calendar=Policy(council.active_policy.content).calendar,
        )
    review.next_due_on, review.next_due_reason = next_review(
        council=council, location=review.location, after=visited_on
    )
    review.save()
    risk_recompute_later(council=council, location=review.location)  # "review overdue" ends
    if rating:
        _escalation_triggers(council, "assessment", review.pk)  # 001 App. 2: PAMMS
    if officers:
        review.officers.set(officers)
    audit_record(
        council=council,
        actor=actor,
        action="review.recorded",
        summary=f"{kind_def.get('label', review.kind)} of {review.location} recorded",
        obj=review,
    )
    return review


@transaction.atomic
def review_report_sent(*, review: Review, actor, sent_on: dt.date) -> Review:
    if review.status != ReviewStatus.COMPLETED:
        raise Conflict("Record the review before sending its report.")
    if sent_on > timezone.localdate() or sent_on < review.visited_on:
        raise ValidationFailed(
            "", errors={"sent_on": ["The report is sent after the review and not in the future."]}
        )
    review.report_sent_on = sent_on
    review.save(update_fields=["report_sent_on", "updated_at"])
    audit_record(
        council=review.council,
        actor=actor,
        action="review.report_sent",
        summary=f"Report of the review of {review.location} sent",
        obj=review,
    )
    return review


def _check_action(
    plan_start: dt.date, council: Council, action: dict, prefix: str, errors: dict
) -> None:
    if not (action.get("what") or "").strip():
        errors[f"{prefix}what"] = ["Say what must change."]
    if not (action.get("provider_lead") or "").strip():
        errors[f"{prefix}provider_lead"] = ["Say who at the provider makes the change."]
    monitor = action.get("council_monitor")
    if monitor is None or not _is_member(council, monitor):
        errors[f"{prefix}council_monitor"] = ["Choose who in the council monitors it."]
    due = action.get("due_on")
    if not isinstance(due, dt.date):
        errors[f"{prefix}due_on"] = ["Enter the date it is due."]
    elif due < plan_start:
        errors[f"{prefix}due_on"] = ["An action cannot be due before its plan started."]


@transaction.atomic
def plan_create(
    *,
    council: Council,
    location: Location,
    actor,
    title: str,
    started_on: dt.date,
    kind: str = PlanKind.IMPROVEMENT,
    actions: list[dict] = (),
) -> ImprovementPlan:
    errors: dict[str, list[str]] = {}
    if kind not in PlanKind.values:
        errors["kind"] = ["Choose the kind of plan."]
    if not (title or "").strip():
        errors["title"] = ["Give the plan a title."]
    if not isinstance(started_on, dt.date):
        errors["started_on"] = ["Enter the date the plan started."]
    elif started_on > timezone.localdate():
        errors["started_on"] = ["The plan's start must be today or in the past."]
    else:
        for i, action in enumerate(actions):
            _check_action(started_on, council, action, f"actions[{i}].", errors)
    if errors:
        raise ValidationFailed("The plan could not be saved.", errors=errors)
    plan = ImprovementPlan.objects.create(
        council=council,
        location=location,
        kind=kind,
        title=title.strip(),
        started_on=started_on,
        created_by_label=_label(actor),
    )
    PlanAction.objects.bulk_create([PlanAction(council=council, plan=plan, **a) for a in actions])
    audit_record(
        council=council,
        actor=actor,
        action="plan.created",
        summary=f"{plan.get_kind_display()} “{plan.title}” for {location} started",
        obj=plan,
    )
    return plan


@transaction.atomic
def plan_action_add(*, plan: ImprovementPlan, actor, **action) -> PlanAction:
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict("The plan is completed: start a new plan for new actions.")
    errors: dict[str, list[str]] = {}
    _check_action(plan.started_on, plan.council, action, "", errors)
    if errors:
        raise ValidationFailed("The action could not be added.", errors=errors)
    created = PlanAction.objects.create(council=plan.council, plan=plan, **action)
    audit_record(
        council=plan.council,
        actor=actor,
        action="plan.action_added",
        summary=f"Action added to “{plan.title}”",
        obj=plan,
    )
    return created


@transaction.atomic
def plan_review_record(
    *,
    plan: ImprovementPlan,
    actor,
    reviewed_on: dt.date,
    results: dict[int, bool],
    notes: str = "",
) -> PlanReview:
    """A plan review records met or not met for each open action. 004 16.2: a provider that
    "has failed to meet the majority of the requirements of an Improvement plan on more than
    3 reviews" is flagged (and its risk rating rises)."""
    plan = ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
    open_actions = {a.pk: a for a in plan.actions.exclude(status=ActionStatus.MET)}
    errors: dict[str, list[str]] = {}
    if plan.status != PlanStatus.ACTIVE:
        raise Conflict("The plan is completed: it is no longer reviewed.")
    if not isinstance(reviewed_on, dt.date) or reviewed_on > timezone.localdate():
        errors["reviewed_on"] = ["The review date must be today or in the past."]
    elif reviewed_on < plan.started_on:
        errors["reviewed_on"] = ["The review cannot come before the plan started."]
    missing = set(open_actions) - set(results)
    unknown = set(results) - set(open_actions)
    if not open_actions:
        errors["results"] = ["Every action is met: there is nothing to review."]
    elif missing:
        errors["results"] = ["Say for each open action whether it was met."]
    elif unknown:
        errors["results"] = ["Only this plan's open actions can be reviewed."]
    if errors:
        raise ValidationFailed("The plan review could not be saved.", errors=errors)
    met = sum(1 for v in results.values() if v)
    review = PlanReview.objects.create(
        council=plan.council,
        plan=plan,
        reviewed_on=reviewed_on,
        met=met,
        not_met=len(results) - met,
        results={str(k): bool(v) for k, v in results.items()},
        notes=notes.strip(),
        by_label=_label(actor),
    )
    for pk, was_met in results.items():
        open_actions[pk].status = ActionStatus.MET if was_met else ActionStatus.NOT_MET
    PlanAction.objects.bulk_update(list(open_actions.values()), ["status"])
    if review.majority_not_met:
        plan.failed_reviews += 1
    if not plan.actions.exclude(status=ActionStatus.MET).exists():
        plan.status = PlanStatus.COMPLETED
    plan.save(update_fields=["failed_reviews", "status"])
    risk_recompute_later(council=plan.council, location=plan.location)
    if plan_is_failing(plan):
        _escalation_triggers(plan.council, "plan", plan.pk)
    audit_record(
        council=plan.council,
        actor=actor,
        action="plan.reviewed",
        summary=f"“{plan.title}” reviewed: {met} met, {review.not_met} not met",
        obj=plan,
    )
    return review


def plan_is_failing(plan: ImprovementPlan) -> bool:
    limit = plan.council.active_policy.content["improvement_plans"]["failed_reviews_more_than"]
    return plan.failed_reviews > limit
