"""Reads for improvement and action plans."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet

from councils.models import Council
from monitoring.models import ActionStatus, ImprovementPlan, PlanStatus
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


@dataclass(frozen=True)
class PlanFilters:
    status: str = ""  # "" (any), or a PlanStatus
    kind: str = ""  # "" (any), or a PlanKind
    q: str = ""  # the location's or provider's name
    overdue: bool = False  # only plans with an action past its date


def plan_rows(*, council: Council, filters: PlanFilters, today: dt.date) -> QuerySet:
    """The council's improvement and action plans as a list (issue 13): each with its
    actions counted (open, overdue, met), the next open action's date and the last review,
    in one query whatever the number of plans."""
    rows = (
        ImprovementPlan.objects.filter(council=council)
        .select_related("location__provider")
        .annotate(
            actions_total=Count("actions", distinct=True),
            actions_open=Count(
                "actions", filter=~Q(actions__status=ActionStatus.MET), distinct=True
            ),
            actions_overdue=Count(
                "actions",
                filter=~Q(actions__status=ActionStatus.MET) & Q(actions__due_on__lt=today),
                distinct=True,
            ),
            next_due_on=Min("actions__due_on", filter=~Q(actions__status=ActionStatus.MET)),
            last_reviewed_on=Max("reviews__reviewed_on"),
        )
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.q:
        rows = rows.filter(
            Q(location__name__icontains=filters.q)
            | Q(location__provider__name__icontains=filters.q)
        )
    if filters.overdue:
        rows = rows.filter(actions_overdue__gt=0)
    return rows.order_by("status", "-actions_overdue", "next_due_on", "-started_on", "-id")
