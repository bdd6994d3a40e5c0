"""The risk matrix (004 11.1; 003 1.2, 1.10): every location the council commissions or that
lies in its area gets a score from weighted factors in the council's pack, and a RAG; the
factors are kept with their points so the page can say why. Inputs are loaded in bulk, so a
council's whole matrix is a handful of queries whatever its size."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from councils.models import Council
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
from monitoring.selectors import MEASURES, market_position, service_key
from providers.models import KEY_QUESTIONS, Location, Rating

OPEN = (Outcome.OPEN, Outcome.UNDER_ENQUIRY)


def locations_in_scope(council: Council):
    """Locations the council commissions, or in its area (004 11.1: "all the Providers that
    West Berkshire Council commission from and all those known ... based within the county")."""
    areas = council.active_policy.content["council"]["local_authorities"]
    commissioned = Commissioning.objects.filter(council=council).values("location_id")
    return Location.objects.filter(Q(local_authority__in=areas) | Q(pk__in=commissioned))


def rag_for(score: Decimal, pack: dict) -> str:
    if score >= Decimal(str(pack["red_at"])):
        return Rag.RED
    if score >= Decimal(str(pack["amber_at"])):
        return Rag.AMBER
    return Rag.GREEN


def _points(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@transaction.atomic
def risk_recompute(*, council: Council, location_ids=None, provider_id: int | None = None) -> int:
    """Recompute the matrix (all of it, or some locations); returns how many changed. The
    council row is locked, so recomputes of one council never overlap."""
    Council.objects.select_for_update().filter(pk=council.pk).first()
    policy = council.active_policy
    pack = policy.content["risk"]
    weights = pack["weights"]
    severity_weight = {
        s["key"]: Decimal(str(s["weight"])) for s in policy.content["intelligence"]["severities"]
    }
    scope_qs = locations_in_scope(council)
    if location_ids is not None:
        scope_qs = scope_qs.filter(pk__in=list(location_ids))
    if provider_id is not None:
        scope_qs = scope_qs.filter(provider_id=provider_id)
    locations = list(scope_qs.only("id", "name", "provider_id", "overall_rating"))
    if not locations:
        return 0
    scope_ids = scope_qs.values("pk")

    latest: dict[int, dict] = {}
    for row in (
        Rating.objects.filter(location__in=scope_ids)
        .order_by("location_id", "-report_date", "-id")
        .values("location_id", *[f for f, _ in KEY_QUESTIONS])
    ):
        latest.setdefault(row["location_id"], row)

    since = timezone.localdate() - dt.timedelta(days=pack["window_days"])
    about = Q()
    if location_ids is not None or provider_id is not None:
        # Only these locations' items and their providers' whole-provider items, so that a
        # recompute after one item costs the same however much the council has logged.
        about = Q(location_id__in=[loc.pk for loc in locations]) | Q(
            location__isnull=True, provider_id__in={loc.provider_id for loc in locations}
        )
    counted = (
        Intelligence.objects.filter(about, council=council, received_on__gte=since).exclude(
            outcome=Outcome.NOT_LIABLE
        )  # 004 11.1: "removed from the risk matrix"
    )
    by_location: dict[int, list] = defaultdict(list)
    by_provider: dict[int, list] = defaultdict(list)
    for row in counted.values("location_id", "provider_id", "source", "severity").annotate(
        n=Count("id")
    ):
        target = (
            by_location[row["location_id"]]
            if row["location_id"]
            else by_provider[row["provider_id"]]
        )
        target.append(row)
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
    commissioning_of = {c.location_id: c for c in commissionings}

    today = timezone.localdate()
    overrides = {}
    for o in RiskOverride.objects.filter(
        council=council, location__in=scope_ids, ended_at__isnull=True, expires_on__gte=today
    ).order_by("created_at", "id"):
        overrides[o.location_id] = o  # the newest wins

    # 004 16.2: "failed to meet the majority of the requirements of an Improvement plan on
    # more than 3 reviews".
    limit = policy.content["improvement_plans"]["failed_reviews_more_than"]
    failing = dict(
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
    overdue = dict(
        Review.objects.filter(
            council=council,
            location__in=scope_ids,
            pk=Subquery(latest_review),
            next_due_on__lt=timezone.localdate(),
        ).values_list("location_id", "next_due_on")
    )
    existing = {
        r.location_id: r for r in RiskRating.objects.filter(council=council, location__in=scope_ids)
    }
    now = timezone.now()
    new, changed, history = [], [], []
    for loc in locations:
        factors = _factors(
            loc,
            weights,
            severity_weight,
            latest.get(loc.pk),
            by_location.get(loc.pk, []) + by_provider.get(loc.provider_id, []),
            enquiries.get(loc.pk, 0) + provider_enquiries.get(loc.provider_id, 0),
            commissioning_of.get(loc.pk),
            council,
            totals,
            providers,
        )
        if loc.pk in overdue:
            factors.append(
                {
                    "factor": "Review overdue",
                    "detail": f"next review was due {overdue[loc.pk]:%d %b %Y}",
                    "points": str(_points(weights["overdue_review"])),
                }
            )
        if loc.pk in failing:
            factors.append(
                {
                    "factor": "Failing improvement plan",
                    "detail": f"most actions not met at {failing[loc.pk]} reviews "
                    f"(more than {limit})",
                    "points": str(_points(weights["failing_improvement_plan"])),
                }
            )
        score = sum((Decimal(f["points"]) for f in factors), Decimal(0))
        computed = rag_for(score, pack)
        override = overrides.get(loc.pk)
        rag = override.rag if override else computed
        current = existing.get(loc.pk)
        # History keeps each change of score or RAG in force, not every recomputation.
        moved = current is None or (current.score, current.rag) != (score, rag)
        if current is None:
            new.append(
                RiskRating(
                    council=council,
                    location=loc,
                    score=score,
                    computed_rag=computed,
                    rag=rag,
                    factors=factors,
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
        ) != (score, computed, rag, factors, override.pk if override else None, policy.pk):
            current.score, current.computed_rag, current.rag = score, computed, rag
            current.factors, current.override, current.computed_at = factors, override, now
            current.policy_version = policy
            changed.append(current)
        else:
            continue
        if not moved:
            continue
        history.append(
            RiskHistory(
                council=council,
                location=loc,
                score=score,
                computed_rag=computed,
                rag=rag,
                note=f"Overridden to {rag}: {override.reason}"[:300] if override else "Recomputed",
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
        RiskRating.objects.filter(council=council).exclude(location__in=scope_ids).delete()
    RiskHistory.objects.bulk_create(history, batch_size=1000)
    return len(new) + len(changed)


def _factors(
    loc,
    weights,
    severity_weight,
    latest,
    intelligence,
    open_enquiries,
    commissioning,
    council,
    totals,
    providers,
) -> list[dict]:
    out = []

    def add(factor: str, detail: str, points) -> None:
        points = _points(points)
        if points:
            out.append({"factor": factor, "detail": detail, "points": str(points)})

    overall = loc.overall_rating if loc.overall_rating in weights["cqc_overall"] else "none"
    add(
        "CQC overall rating", loc.overall_rating or "Not yet rated", weights["cqc_overall"][overall]
    )
    for field, label in KEY_QUESTIONS:
        value = (latest or {}).get(field, "")
        if value in weights["key_question"]:
            add(f"CQC {label}", value, weights["key_question"][value])
    grouped: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    for row in intelligence:
        source_weight = Decimal(str(weights["intelligence_source"].get(row["source"], 0)))
        grouped[row["source"]][0] += row["n"]
        grouped[row["source"]][1] += (
            source_weight * severity_weight.get(row["severity"], Decimal(1)) * row["n"]
        )
    for source, (n, points) in sorted(grouped.items()):
        add(
            f"Intelligence: {Source(source).label}",
            f"{n} item{'s' if n != 1 else ''} in the window",
            points,
        )
    if open_enquiries:
        add(
            "Open safeguarding enquiries",
            str(open_enquiries),
            Decimal(str(weights["open_safeguarding_enquiry"])) * open_enquiries,
        )
    if commissioning is not None and commissioning.annual_spend:
        spend = Decimal(commissioning.annual_spend)
        add(
            "Annual spend",
            f"£{spend:,.0f} a year",
            min(
                spend / 100000 * Decimal(str(weights["annual_spend_per_100k"])),
                Decimal(str(weights["annual_spend_max"])),
            ),
        )
    if commissioning is not None:
        position = market_position(
            council=council, commissioning=commissioning, totals=totals, providers=providers
        )
        if position.high_impact:
            add("High impact", position.high_impact_reasons[0], weights["high_impact"])
        if position.market_risk:
            add("Market risk", position.market_risk_reasons[0], weights["market_risk"])
    return out
