"""Writes for the risk matrix: recomputing it (queued after any change of its inputs) and an
officer's override of a location's RAG, with reason and expiry (003 1.9)."""

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core.actors import actor_label, require
from core.audit import audit_record
from core.errors import ValidationFailed
from core.references import tenant_lock
from core.tasks import CouncilTask
from councils.models import Council
from monitoring.models import Rag, RiskHistory, RiskOverride, RiskRating
from monitoring.pack import intelligence_rules, plan_rules, risk_rules
from monitoring.risk import score_location
from monitoring.selectors.risk import risk_inputs
from providers.models import Location, Provider


@transaction.atomic
def risk_recompute(*, council: Council, location_ids=None, provider_id: int | None = None) -> int:
    """Recompute the matrix (all of it, or some locations, or a provider's); returns how many
    ratings changed. The council row is locked, so recomputes of one council never overlap;
    history keeps each change of score or RAG in force, not every recomputation."""
    tenant_lock(council)
    policy = council.active_policy
    inputs = risk_inputs(council=council, location_ids=location_ids, provider_id=provider_id)
    if not inputs.locations:
        return 0
    rules = risk_rules(council)
    severities = {k: s.weight for k, s in _severities(council).items()}
    limit = plan_rules(council).failed_reviews_more_than
    now = timezone.now()
    new, changed, history = [], [], []
    for loc in inputs.locations:
        result = score_location(
            loc, inputs, council=council, rules=rules, severities=severities, limit=limit
        )
        override = inputs.overrides.get(loc.pk)
        rag = override.rag if override else result.computed_rag
        current = inputs.existing.get(loc.pk)
        moved = current is None or (current.score, current.rag) != (result.score, rag)
        state = (
            result.score,
            result.computed_rag,
            rag,
            result.factors,
            override.pk if override else None,
            policy.pk,
        )
        if current is None:
            new.append(
                RiskRating(
                    council=council,
                    location=loc,
                    score=result.score,
                    computed_rag=result.computed_rag,
                    rag=rag,
                    factors=result.factors,
                    override=override,
                    computed_at=now,
                    policy_version=policy,
                )
            )
        elif (
            current.score,
            current.computed_rag,
            current.rag,
            current.factors,
            current.override_id,
            current.policy_version_id,
        ) != state:
            current.score, current.computed_rag, current.rag = (
                result.score,
                result.computed_rag,
                rag,
            )
            current.factors, current.override, current.computed_at = result.factors, override, now
            current.policy_version = policy
            changed.append(current)
        else:
            continue
        if moved:
            history.append(
                RiskHistory(
                    council=council,
                    location=loc,
                    score=result.score,
                    computed_rag=result.computed_rag,
                    rag=rag,
                    note=f"Overridden to {rag}: {override.reason}"[:300]
                    if override
                    else "Recomputed",
                )
            )
    RiskRating.objects.bulk_create(new, batch_size=1000)
    RiskRating.objects.bulk_update(
        changed,
        ["score", "computed_rag", "rag", "factors", "override", "computed_at", "policy_version"],
        batch_size=500,
    )
    if location_ids is None and provider_id is None:
        # Locations that left the council's scope leave its matrix (their history stays).
        RiskRating.objects.filter(council=council).exclude(location__in=inputs.scope_ids).delete()
    RiskHistory.objects.bulk_create(history, batch_size=1000)
    return len(new) + len(changed)


def _severities(council: Council):
    return intelligence_rules(council).severities


def risk_recompute_later(
    *, council: Council, location: Location | None = None, provider: Provider | None = None
) -> None:
    """After the transaction commits, recompute the matrix where an input changed."""
    location_ids = [location.pk] if location is not None else None
    provider_id = provider.pk if provider is not None and location is None else None
    risk_recompute_task.later(council.pk, location_ids, provider_id)


@shared_task(base=CouncilTask, name="monitoring.risk_recompute")
def risk_recompute_task(
    council, location_ids: list[int] | None = None, provider_id: int | None = None
) -> int:
    """Idempotent: recomputing twice changes nothing the second time."""
    return risk_recompute(council=council, location_ids=location_ids, provider_id=provider_id)


@transaction.atomic
def risk_override_set(
    *, council: Council, location: Location, actor, rag: str, reason: str, expires_on: dt.date
) -> RiskOverride:
    """An officer sets the RAG, with a reason and an expiry (003 1.9: evaluators may
    "influence a RAG rating"); the computed score stays visible beside it."""
    require(actor, "monitoring.change_monitoring", council)
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
        by_label=actor_label(actor),
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
    require(actor, "monitoring.change_monitoring", council)
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
