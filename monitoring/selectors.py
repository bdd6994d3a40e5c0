"""Reads for monitoring. Each takes the council explicitly."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Subquery, Sum

from councils.models import Council
from councils.policy import Policy
from monitoring.models import Commissioning, ContractType, Intelligence
from providers.models import Location

MEASURES = {
    "beds": ("beds", "beds"),
    "home_care_hours": ("home_care_hours", "home care hours a week"),
    "people": ("people", "people funded"),
    "spend": ("annual_spend", "annual spend"),
}


@dataclass
class MarketPosition:
    """High impact (001 3.1) and market risk (003 1.8), each with the reasons that make it."""

    high_impact: bool = False
    high_impact_reasons: list[str] = field(default_factory=list)
    market_risk: bool = False
    market_risk_reasons: list[str] = field(default_factory=list)


def service_key(name: str) -> str:
    """Specialist services are compared by name, whatever the case and spacing."""
    return " ".join((name or "").split()).lower()


def _add_service(into: dict, name: str, row: dict) -> None:
    figures = into.setdefault(service_key(name), {key: Decimal(0) for key in MEASURES})
    for key in MEASURES:
        figures[key] += Decimal(row[key] or 0)


def council_totals(*, council: Council) -> dict:
    """The council's sums, and under "specialist" each specialist service's sums (001 3.1:
    "10% or more of a specialist service"). Two queries."""
    qs = Commissioning.objects.filter(council=council)
    sums = qs.aggregate(**{key: Sum(column) for key, (column, _) in MEASURES.items()})
    out: dict = {key: Decimal(value or 0) for key, value in sums.items()}
    rows = (
        qs.exclude(specialist_service="")
        .values("specialist_service")
        .annotate(**{key: Sum(column) for key, (column, _) in MEASURES.items()})
    )
    out["specialist"] = {}
    for row in rows:
        _add_service(out["specialist"], row["specialist_service"], row)
    return out


def provider_totals(*, council: Council, provider_ids=None) -> dict[int, dict]:
    """Each provider's sums over the council's commissioning of its locations, and how many
    locations: 001 3.1 judges providers, not single services. One query."""
    qs = Commissioning.objects.filter(council=council)
    if provider_ids is not None:
        qs = qs.filter(location__provider_id__in=provider_ids)
    rows = qs.values("location__provider_id").annotate(
        locations=Count("id"), **{key: Sum(column) for key, (column, _) in MEASURES.items()}
    )
    out = {
        row["location__provider_id"]: {
            "locations": row["locations"],
            **{key: Decimal(row[key] or 0) for key in MEASURES},
            "specialist": {},
        }
        for row in rows
    }
    services = (
        qs.exclude(specialist_service="")
        .values("location__provider_id", "specialist_service")
        .annotate(**{key: Sum(column) for key, (column, _) in MEASURES.items()})
    )
    for row in services:
        _add_service(
            out[row["location__provider_id"]]["specialist"], row["specialist_service"], row
        )
    return out


def _amount(key: str, value: Decimal) -> str:
    if key == "spend":
        return f"£{value:,.0f}"
    return f"{value.normalize():,f}" if value % 1 else f"{int(value):,}"  # 12.5, or 1,200


def market_position(
    *,
    council: Council,
    commissioning: Commissioning,
    totals: dict | None = None,
    providers: dict | None = None,
) -> MarketPosition:
    """`totals` (council_totals) and `providers` (provider_totals) may be given by a list
    that computes them once for every row."""
    pack = Policy(council.active_policy.content).content["commissioning"]
    totals = totals if totals is not None else council_totals(council=council)
    provider_id = commissioning.location.provider_id
    if providers is None or provider_id not in providers:
        providers = provider_totals(council=council, provider_ids=[provider_id])
    mine = providers.get(provider_id) or {"locations": 1}
    together = (
        f", the provider's {mine['locations']} locations together" if mine["locations"] > 1 else ""
    )
    out = MarketPosition()
    hi = pack["high_impact"]
    share = Decimal(str(hi["share_percent"]))
    for key in hi["measures"]:
        column, label = MEASURES[key]
        value = mine.get(key, Decimal(getattr(commissioning, column) or 0))
        total = totals.get(key) or Decimal(0)
        if value and total and value * 100 >= share * total:
            percent = (value * 100 / total).quantize(Decimal("1"))
            out.high_impact_reasons.append(
                f"{percent}% of the council's {label} ({_amount(key, value)} of "
                f"{_amount(key, total)}{together}); the threshold is {share.normalize():f}% "
                f"({hi['seed']})"
            )
    if hi["specialist_service"] and commissioning.specialist_service:
        out.high_impact_reasons.extend(
            _specialist_share(commissioning.specialist_service, hi, share, totals, mine)
        )
    out.high_impact = bool(out.high_impact_reasons)
    mr = pack["market_risk"]
    if mr["block_contract"] and commissioning.contract_type == ContractType.BLOCK:
        out.market_risk_reasons.append(f"Block contract ({mr['seed']})")
    if mr["specialist_service"] and commissioning.specialist_service:
        out.market_risk_reasons.append(
            f"Specialist service: {commissioning.specialist_service} ({mr['seed']})"
        )
    if commissioning.people >= mr["people_at_least"]:
        out.market_risk_reasons.append(
            f"{commissioning.people} people in one setting ({mr['people_at_least']} or more; "
            f"{mr['seed']})"
        )
    out.market_risk = bool(out.market_risk_reasons)
    return out


def _specialist_share(name: str, hi: dict, share: Decimal, totals: dict, mine: dict) -> list:
    """001 3.1: "providing 10% or more of a specialist service": the provider's share of what
    the council commissions of that service, by each measure the pack names."""
    key = service_key(name)
    whole = totals.get("specialist", {}).get(key)
    part = mine.get("specialist", {}).get(key)
    if not whole or not part or not any(whole[m] for m in hi["measures"]):
        return [f"Specialist service: {name}, with no figures to judge its share ({hi['seed']})"]
    shares = [(part[m] * 100 / whole[m], m) for m in hi["measures"] if part[m] and whole[m]]
    if not shares or max(shares)[0] < share:
        return []
    percent, measure = max(shares)  # the largest share says it best: one reason
    return [
        f"{percent.quantize(Decimal('1'))}% of the council's {MEASURES[measure][1]} in the "
        f"specialist service {name} ({_amount(measure, part[measure])} of "
        f"{_amount(measure, whole[measure])}); the threshold is {share.normalize():f}% "
        f"({hi['seed']})"
    ]


def commissioning_of(*, council: Council, location_id: int) -> Commissioning | None:
    return (
        Commissioning.objects.filter(council=council, location_id=location_id)
        .select_related("contact_officer")
        .first()
    )


@dataclass(frozen=True)
class IntelligenceFilters:
    source: str = ""
    outcome: str = ""
    allocated_to: int | None = None
    location: int | None = None
    provider: int | None = None
    q: str = ""


def intelligence_list(*, council: Council, filters: IntelligenceFilters) -> QuerySet:
    qs = Intelligence.objects.filter(council=council).select_related(
        "location", "provider", "allocated_to"
    )
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    if filters.allocated_to:
        qs = qs.filter(allocated_to_id=filters.allocated_to)
    if filters.location:
        # The location's own items, and those about its whole provider (a subquery: a join
        # to the provider's locations would repeat each item once per location).
        provider = Location.objects.filter(pk=filters.location).values("provider_id")[:1]
        qs = qs.filter(
            Q(location_id=filters.location)
            | Q(location__isnull=True, provider_id=Subquery(provider))
        )
    if filters.provider:
        qs = qs.filter(provider_id=filters.provider)
    if filters.q:
        qs = qs.filter(
            Q(reference__iexact=filters.q.strip())
            | Q(location__name__icontains=filters.q)
            | Q(provider__name__icontains=filters.q)
        )
    return qs.order_by("-received_on", "-id")


def intelligence_detail(*, council: Council, pk: int) -> Intelligence:
    return (
        Intelligence.objects.filter(council=council)
        .select_related("location", "provider", "allocated_to")
        .prefetch_related("corrections", "attachments")
        .get(pk=pk)
    )


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
    from monitoring.models import RiskRating

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
    from monitoring.models import Rag, RiskRating

    counts = dict(
        RiskRating.objects.filter(council=council).values_list("rag").annotate(n=Count("id"))
    )
    return {rag: counts.get(rag, 0) for rag in Rag.values}


def risk_of(*, council: Council, location_id: int):
    from monitoring.models import RiskHistory, RiskRating

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
class OfficerDashboard:
    my_locations: list
    my_rag_counts: dict
    my_open_items: list
    my_open_count: int
    new_items_count: int
    my_reviews: "ReviewsDue | None" = None
    my_actions_due: list = field(default_factory=list)


def officer_dashboard(*, council: Council, user, days: int = 7) -> OfficerDashboard:
    """An officer's start page: the locations they are the contact for, by RAG, and the
    intelligence waiting for them. A fixed number of queries."""
    import datetime as dt

    from django.utils import timezone

    from monitoring.models import Outcome, PlanAction, Rag, RiskRating

    mine = Commissioning.objects.filter(council=council, contact_officer=user).values("location_id")
    ratings = RiskRating.objects.filter(council=council, location__in=mine)
    counts = dict(ratings.values_list("rag").annotate(n=Count("id")))
    open_items = Intelligence.objects.filter(
        council=council, allocated_to=user, outcome__in=[Outcome.OPEN, Outcome.UNDER_ENQUIRY]
    )
    since = timezone.localdate() - dt.timedelta(days=days - 1)  # today and the six days before
    return OfficerDashboard(
        my_locations=list(
            ratings.select_related("location__provider").order_by("-score", "location__name")[:10]
        ),
        my_rag_counts={rag: counts.get(rag, 0) for rag in Rag.values},
        my_open_items=list(
            open_items.select_related("location", "provider").order_by("received_on", "id")[:10]
        ),
        my_open_count=open_items.count(),
        new_items_count=Intelligence.objects.filter(
            council=council, received_on__gte=since
        ).count(),
        my_reviews=reviews_due(council=council, officer=user, within_days=30),
        my_actions_due=list(
            PlanAction.objects.filter(
                council=council,
                council_monitor=user,
                plan__status="active",
                due_on__lte=timezone.localdate() + dt.timedelta(days=14),
            )
            .exclude(status="met")
            .select_related("plan__location")
            .order_by("due_on", "id")[:10]
        ),
    )


@dataclass
class ReviewsDue:
    planned: list
    next_due: list  # (location, next_due_on, reason), latest completed review per location
    reports_overdue: list
    # 003 1.13: "Contract visits will be suspended during this process and reinstated after
    # the process ends": reviews of a kind the case's stage suspends, with `suspended_by` set.
    suspended: list = field(default_factory=list)


def suspensions(*, council: Council) -> tuple[dict, dict]:
    """({location_id: (kinds, why)}, {provider_id: (kinds, why)}) for open cases whose stage
    suspends some kinds of review (one query)."""
    from concerns.ladder import Ladder
    from concerns.models import Case, Stage

    ladder = Ladder.of(council) if "escalation" in council.active_policy.content else None
    by_location: dict = {}
    by_provider: dict = {}
    if ladder is None or not any(st.suspends_reviews for st in ladder.stages):
        return by_location, by_provider
    rows = (
        Case.objects.filter(council=council)
        .exclude(stage=Stage.CLOSED)
        .values_list("reference", "stage", "location_id", "provider_id")
    )
    for reference, stage, location_id, provider_id in rows:
        kinds = ladder.suspended_reviews(stage)
        if kinds:
            why = f"{reference} is at “{ladder.stage_label(stage)}”"
            if location_id:
                by_location[location_id] = (kinds, why)
            else:
                by_provider[provider_id] = (kinds, why)
    return by_location, by_provider


def _split_suspended(reviews: list, by_location: dict, by_provider: dict) -> tuple[list, list]:
    active, suspended = [], []
    for review in reviews:
        found = by_location.get(review.location_id) or by_provider.get(review.location.provider_id)
        if found and review.kind in found[0]:
            review.suspended_by = found[1]
            suspended.append(review)
        else:
            active.append(review)
    return active, suspended


def reviews_due(*, council: Council, officer=None, within_days: int = 60) -> ReviewsDue:
    """Reviews planned, reviews falling due (or overdue) within the horizon, and reports not
    sent in time (004 9.1), optionally for one officer. A fixed number of queries."""
    import datetime as dt

    from django.db.models import OuterRef
    from django.utils import timezone

    from monitoring.models import Review, ReviewStatus

    today = timezone.localdate()
    reviews = Review.objects.filter(council=council).select_related("location__provider")
    if officer is not None:
        reviews = reviews.filter(
            Q(officers=officer)
            | Q(
                location__in=Commissioning.objects.filter(
                    council=council, contact_officer=officer
                ).values("location_id")
            )
        ).distinct()
    planned = reviews.filter(status=ReviewStatus.PLANNED).order_by("planned_for", "id")
    latest = (
        Review.objects.filter(
            council=council, location=OuterRef("location"), status=ReviewStatus.COMPLETED
        )
        .order_by("-visited_on", "-id")
        .values("pk")[:1]
    )
    next_due = reviews.filter(
        status=ReviewStatus.COMPLETED,
        pk=Subquery(latest),
        next_due_on__lte=today + dt.timedelta(days=within_days),
    ).order_by("next_due_on", "id")
    overdue_reports = reviews.filter(
        status=ReviewStatus.COMPLETED, report_sent_on__isnull=True, report_due_on__lt=today
    ).order_by("report_due_on", "id")
    by_location, by_provider = suspensions(council=council)
    planned_now, planned_off = _split_suspended(list(planned[:100]), by_location, by_provider)
    due_now, due_off = _split_suspended(list(next_due[:100]), by_location, by_provider)
    return ReviewsDue(planned_now, due_now, list(overdue_reports[:100]), planned_off + due_off)


def location_reviews(*, council: Council, location_id: int) -> list:
    from monitoring.models import Review

    return list(
        Review.objects.filter(council=council, location_id=location_id)
        .prefetch_related("officers")
        .order_by("-visited_on", "-planned_for", "-id")[:10]
    )


def location_plans(*, council: Council, location_id: int) -> list:
    from monitoring.models import ImprovementPlan

    return list(
        ImprovementPlan.objects.filter(council=council, location_id=location_id)
        .annotate(action_count=Count("actions"))
        .order_by("-started_on", "-id")[:10]
    )


TIMELINE_KINDS = {
    "rating": "Ratings",
    "intelligence": "Intelligence",
    "review": "Reviews and visits",
    "plan": "Plans",
    "risk": "Risk rating",
    "case": "Cases and decisions",
}


@dataclass(frozen=True)
class TimelineEntry:
    on: "object"
    kind: str
    title: str
    detail: str = ""
    url: str = ""


def timeline(*, council: Council, location: Location, kinds=None, limit: int = 200) -> list:
    """Everything about one location, newest first (a query per kind). Later issues add
    cases, restrictions and letters."""
    from django.urls import reverse
    from django.utils import timezone

    from monitoring.models import ImprovementPlan, Review, RiskHistory
    from providers.models import Rating

    kinds = set(kinds or TIMELINE_KINDS)
    out: list[TimelineEntry] = []
    if "rating" in kinds:
        for r in Rating.objects.filter(location=location).order_by("-report_date")[:limit]:
            out.append(
                TimelineEntry(
                    r.report_date,
                    "rating",
                    f"{r.regulator} rating: {r.overall}",
                    ", ".join(f"{label} {v}" for label, v in r.key_questions if v),
                )
            )
    if "intelligence" in kinds:
        items = intelligence_list(
            council=council, filters=IntelligenceFilters(location=location.pk)
        )[:limit]
        for i in items:
            out.append(
                TimelineEntry(
                    i.received_on,
                    "intelligence",
                    f"{i.reference}: {i.get_source_display()}",
                    f"{i.severity}, {i.get_outcome_display().lower()}"
                    + ("" if i.counts_toward_risk else " (not counted)"),
                    reverse("intelligence-detail", args=[i.pk]),
                )
            )
    if "review" in kinds:
        for r in Review.objects.filter(council=council, location=location)[:limit]:
            on = r.visited_on or r.planned_for
            out.append(
                TimelineEntry(
                    on,
                    "review",
                    f"Review ({r.kind.replace('_', ' ')}): {r.get_status_display().lower()}",
                    r.findings[:200],
                    reverse("review-detail", args=[r.pk]),
                )
            )
    if "plan" in kinds:
        for p in ImprovementPlan.objects.filter(council=council, location=location)[:limit]:
            out.append(
                TimelineEntry(
                    p.started_on,
                    "plan",
                    f"{p.get_kind_display()}: {p.title}",
                    p.get_status_display(),
                    reverse("plan-detail", args=[p.pk]),
                )
            )
    if "risk" in kinds:
        for h in RiskHistory.objects.filter(council=council, location=location)[:limit]:
            out.append(
                TimelineEntry(
                    timezone.localdate(h.at),
                    "risk",
                    f"Risk rating {h.get_rag_display()}",
                    f"score {h.score.normalize():f}. {h.note}",
                )
            )
    if "case" in kinds:
        from concerns.selectors import case_timeline_entries

        for a in case_timeline_entries(council=council, location=location)[:limit]:
            is_case = a.object_type == "concerns.case"
            out.append(
                TimelineEntry(
                    timezone.localdate(a.at),
                    "case",
                    a.summary,
                    f"{a.actor_label}: {a.reason[:200]}" if a.reason else a.actor_label,
                    reverse(
                        "case-detail" if is_case else "recommendation-detail", args=[a.object_id]
                    ),
                )
            )
    out.sort(key=lambda e: e.on, reverse=True)
    return out[:limit]
