"""Reads for a person's start page and for what a decision needs to know of a location."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from councils.models import Council
from monitoring.models import (
    Commissioning,
    ImprovementPlan,
    Intelligence,
    Outcome,
    PlanAction,
    Rag,
    RiskRating,
    Source,
)
from monitoring.selectors.reviews import ReviewsDue, reviews_due
from providers.models import Rating


@dataclass
class OfficerDashboard:
    my_locations: list
    my_rag_counts: dict
    my_open_items: list
    my_open_count: int
    new_items_count: int
    my_reviews: ReviewsDue | None = None
    my_actions_due: list = field(default_factory=list)


def officer_dashboard(*, council: Council, user, days: int = 7) -> OfficerDashboard:
    """An officer's start page: the locations they are the contact for, by RAG, and the
    intelligence waiting for them. A fixed number of queries."""
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


def location_facts(*, council: Council, location) -> dict[str, str]:
    """What the council knows of a location, in words, for a decision (000 Appendix 2: CQC
    report date and ratings, the council's RAG, safeguarding enquiries, the action plan)."""
    out: dict[str, str] = {}
    rating = Rating.objects.filter(location=location).order_by("-report_date", "-id").first()
    if rating is not None:
        out["cqc_report_date"] = rating.report_date.isoformat()
        kq = ", ".join(f"{label} {value}" for label, value in rating.key_questions if value)
        out["cqc_ratings"] = f"Overall {rating.overall}" + (f"; {kq}" if kq else "")
    risk = RiskRating.objects.filter(council=council, location=location).first()
    if risk is not None:
        out["rag"] = risk.get_rag_display()
    enquiries = Intelligence.objects.filter(
        council=council,
        location=location,
        source=Source.SAFEGUARDING_ENQUIRY,
        outcome__in=[Outcome.OPEN, Outcome.UNDER_ENQUIRY],
    ).count()
    out["safeguarding_status"] = (
        f"{enquiries} open safeguarding enquir{'y' if enquiries == 1 else 'ies'}"
        if enquiries
        else "No open safeguarding enquiries"
    )
    plan = (
        ImprovementPlan.objects.filter(council=council, location=location)
        .order_by("-started_on")
        .first()
    )
    if plan is not None:
        out["plan_status"] = f"“{plan.title}”: {plan.get_status_display().lower()}"
    return out
