"""Reads for improvement and action plans."""

from django.db.models import Count, QuerySet

from councils.models import Council
from monitoring.models import ImprovementPlan, PlanStatus
from monitoring.pack import plan_rules


def location_plans(*, council: Council, location_id: int) -> list:
    return list(
        ImprovementPlan.objects.filter(council=council, location_id=location_id)
        .annotate(action_count=Count("actions"))
        .order_by("-started_on", "-id")[:10]
    )


def failing_plans(*, council: Council) -> QuerySet:
    """Active plans failing the pack's rule (004 16.2: most actions not met at more than 3
    reviews)."""
    return ImprovementPlan.objects.filter(
        council=council,
        status=PlanStatus.ACTIVE,
        failed_reviews__gt=plan_rules(council).failed_reviews_more_than,
    ).select_related("location__provider", "council__active_policy")


def plan_list(*, council: Council) -> QuerySet:
    """The council's improvement and action plans, newest first, with actions and reviews."""
    return (
        ImprovementPlan.objects.filter(council=council)
        .select_related("council__active_policy")
        .prefetch_related("actions", "reviews")
        .order_by("-id")
    )


def plan_detail(*, council: Council, pk: int) -> ImprovementPlan:
    return (
        ImprovementPlan.objects.filter(council=council)
        .select_related("location__provider", "council__active_policy")
        .get(pk=pk)
    )
