"""Reads for the risk matrix: the locations in scope, the matrix as pages and the API list it,
and everything a recompute needs, read in bulk (a handful of queries whatever the number of
locations) so that `monitoring.risk` can score them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from councils.models import Council
from councils.policy import policy_of
from monitoring.models import (
    Commissioning,
    ImprovementPlan,
    Intelligence,
    Outcome,
    Rag,
    Review,
    ReviewStatus,
    RiskHistory,
    RiskOverride,
    RiskRating,
    Source,
)
from monitoring.pack import plan_rules, risk_rules
from monitoring.selectors.commissioning import MEASURES, service_key
from providers.models import KEY_QUESTIONS, Rating
from providers.selectors import locations_for

OPEN = (Outcome.OPEN, Outcome.UNDER_ENQUIRY)


def locations_in_scope(council: Council) -> QuerySet:
    """Locations the council commissions, or in its area (004 11.1: "all the Providers that
    West Berkshire Council commission from and all those known ... based within the county")."""
    areas = policy_of(council).local_authorities
    commissioned = Commissioning.objects.filter(council=council).values("location_id")
    # Never another council's own services (outside CQC's register), whatever area they name.
    return locations_for(council).filter(Q(local_authority__in=areas) | Q(pk__in=commissioned))


RISK_SORTS = {
    "score": ("-score", "location__name"),
    "name": ("location__name", "location_id"),
    "rating": ("location__overall_rating", "-score"),
    "provider": ("location__provider__name", "location__name"),
}


@dataclass(frozen=True)
class RiskFilters:
    rag: str = ""
    q: str = ""
    overridden: bool = False
    sort: str = "score"


def risk_matrix(*, council: Council, filters: RiskFilters) -> QuerySet:
    qs = RiskRating.objects.filter(council=council).select_related("location__provider", "override")
    if filters.rag:
        qs = qs.filter(rag=filters.rag)
    if filters.q:
        qs = qs.filter(
            Q(location__name__icontains=filters.q)
            | Q(location__provider__name__icontains=filters.q)
        )
    if filters.overridden:
        qs = qs.filter(override__isnull=False)
    return qs.order_by(*RISK_SORTS.get(filters.sort, RISK_SORTS["score"]))


def risk_counts(*, council: Council) -> dict[str, int]:
    counts = dict(
        RiskRating.objects.filter(council=council).values_list("rag").annotate(n=Count("id"))
    )
    return {rag: counts.get(rag, 0) for rag in Rag.values}


def risk_of(*, council: Council, location_id: int):
    rating = (
        RiskRating.objects.filter(council=council, location_id=location_id)
        .select_related("override", "policy_version")
        .first()
    )
    history = list(
        RiskHistory.objects.filter(council=council, location_id=location_id).order_by("-at", "-id")[
            :10
        ]
    )
    return rating, history


@dataclass
class RiskInputs:
    """Everything the matrix is computed from, for the locations being recomputed."""

    locations: list
    latest_ratings: dict[int, dict] = field(default_factory=dict)
    intelligence: dict[int, list] = field(default_factory=dict)  # by location
    provider_intelligence: dict[int, list] = field(default_factory=dict)  # by provider
    enquiries: dict[int, int] = field(default_factory=dict)
    provider_enquiries: dict[int, int] = field(default_factory=dict)
    commissioning: dict[int, Commissioning] = field(default_factory=dict)
    totals: dict = field(default_factory=dict)
    providers: dict[int, dict] = field(default_factory=dict)
    overrides: dict[int, RiskOverride] = field(default_factory=dict)
    failing_plans: dict[int, int] = field(default_factory=dict)
    overdue_reviews: dict[int, dt.date] = field(default_factory=dict)
    existing: dict[int, RiskRating] = field(default_factory=dict)
    scope_ids: QuerySet | None = None


def risk_inputs(
    *, council: Council, location_ids=None, provider_id: int | None = None
) -> RiskInputs:
    """The inputs of the matrix for all of it, some locations, or one provider's: one query
    per kind of input, so a recompute after one item costs the same however much the council
    has logged."""
    scope_qs = locations_in_scope(council)
    if location_ids is not None:
        scope_qs = scope_qs.filter(pk__in=list(location_ids))
    if provider_id is not None:
        scope_qs = scope_qs.filter(provider_id=provider_id)
    locations = list(scope_qs.only("id", "name", "provider_id", "overall_rating"))
    inputs = RiskInputs(locations=locations)
    if not locations:
        return inputs
    scope_ids = inputs.scope_ids = scope_qs.values("pk")

    for row in (
        Rating.objects.filter(location__in=scope_ids)
        .order_by("location_id", "-report_date", "-id")
        .values("location_id", *[f for f, _ in KEY_QUESTIONS])
    ):
        inputs.latest_ratings.setdefault(row["location_id"], row)

    since = timezone.localdate() - dt.timedelta(days=risk_rules(council).window_days)
    about = Q()
    if location_ids is not None or provider_id is not None:
        about = Q(location_id__in=[loc.pk for loc in locations]) | Q(
            location__isnull=True, provider_id__in={loc.provider_id for loc in locations}
        )
    counted = Intelligence.objects.filter(about, council=council, received_on__gte=since).exclude(
        outcome=Outcome.NOT_LIABLE  # 004 11.1: "removed from the risk matrix"
    )
    by_location: dict[int, list] = defaultdict(list)
    by_provider: dict[int, list] = defaultdict(list)
    for row in counted.values("location_id", "provider_id", "source", "severity").annotate(
        n=Count("id")
    ):
        if row["location_id"]:
            by_location[row["location_id"]].append(row)
        else:
            by_provider[row["provider_id"]].append(row)
    inputs.intelligence, inputs.provider_intelligence = by_location, by_provider
    enquiries: dict[int, int] = defaultdict(int)
    provider_enquiries: dict[int, int] = defaultdict(int)
    for row in (
        Intelligence.objects.filter(
            about, council=council, source=Source.SAFEGUARDING_ENQUIRY, outcome__in=OPEN
        )
        .values("location_id", "provider_id")
        .annotate(n=Count("id"))
    ):
        if row["location_id"]:
            enquiries[row["location_id"]] += row["n"]
        else:
            provider_enquiries[row["provider_id"]] += row["n"]
    inputs.enquiries, inputs.provider_enquiries = enquiries, provider_enquiries

    commissionings = list(Commissioning.objects.filter(council=council).select_related("location"))
    totals: dict = {key: Decimal(0) for key in MEASURES}
    totals["specialist"] = {}
    providers: dict[int, dict] = {}
    for c in commissionings:
        mine = providers.setdefault(
            c.location.provider_id,
            {"locations": 0, **{k: Decimal(0) for k in MEASURES}, "specialist": {}},
        )
        mine["locations"] += 1
        service = service_key(c.specialist_service)
        for key, (column, _) in MEASURES.items():
            value = Decimal(getattr(c, column) or 0)
            totals[key] += value
            mine[key] += value
            if service:
                for into in (totals["specialist"], mine["specialist"]):
                    figures = into.setdefault(service, {k: Decimal(0) for k in MEASURES})
                    figures[key] += value
    inputs.commissioning = {c.location_id: c for c in commissionings}
    inputs.totals, inputs.providers = totals, providers

    today = timezone.localdate()
    for o in RiskOverride.objects.filter(
        council=council, location__in=scope_ids, ended_at__isnull=True, expires_on__gte=today
    ).order_by("created_at", "id"):
        inputs.overrides[o.location_id] = o  # the newest wins

    # 004 16.2: "failed to meet the majority of the requirements of an Improvement plan on
    # more than 3 reviews".
    limit = plan_rules(council).failed_reviews_more_than
    inputs.failing_plans = dict(
        ImprovementPlan.objects.filter(
            council=council, location__in=scope_ids, failed_reviews__gt=limit
        ).values_list("location_id", "failed_reviews")
    )
    # A review is overdue when the latest completed one said the next was due before today.
    latest_review = (
        Review.objects.filter(
            council=council, location=OuterRef("location"), status=ReviewStatus.COMPLETED
        )
        .order_by("-visited_on", "-id")
        .values("pk")[:1]
    )
    inputs.overdue_reviews = dict(
        Review.objects.filter(
            council=council,
            location__in=scope_ids,
            pk=Subquery(latest_review),
            next_due_on__lt=today,
        ).values_list("location_id", "next_due_on")
    )
    inputs.existing = {
        r.location_id: r for r in RiskRating.objects.filter(council=council, location__in=scope_ids)
    }
    return inputs
