"""Reads for reviews and visits: what is planned, due and overdue (004 9.1, 11.3; 003 1.13),
and what is suspended while a case's stage says so."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from councils.models import Council
from monitoring.models import Commissioning, Review, ReviewStatus


@dataclass
class ReviewsDue:
    planned: list
    next_due: list  # (location, next_due_on, reason), latest completed review per location
    reports_overdue: list
    # 003 1.13: "Contract visits will be suspended during this process and reinstated after
    # the process ends": reviews of a kind the case's stage suspends, with `suspended_by` set.
    suspended: list = field(default_factory=list)


# Who may suspend kinds of review, and where (003 1.13: contract visits stop while a case is
# in the formal quality process): each function gives ({location_id: (kinds, why)},
# {provider_id: (kinds, why)}) for a council in a fixed number of queries. The concerns app
# registers its cases' stages in its `ready()`.
SUSPENSIONS: list[Callable[[Council], tuple[dict, dict]]] = []


def review_suspension(source: Callable[[Council], tuple[dict, dict]]):
    if source not in SUSPENSIONS:
        SUSPENSIONS.append(source)
    return source


def suspensions(*, council: Council) -> tuple[dict, dict]:
    """Every registered source's suspensions, together."""
    by_location: dict = {}
    by_provider: dict = {}
    for source in SUSPENSIONS:
        locations, providers = source(council)
        by_location.update(locations)
        by_provider.update(providers)
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
    return list(
        Review.objects.filter(council=council, location_id=location_id)
        .prefetch_related("officers")
        .order_by("-visited_on", "-planned_for", "-id")[:10]
    )


def latest_rated_review(*, council: Council, location) -> Review | None:
    """The location's latest completed review with a rating (001: PAMMS)."""
    return (
        Review.objects.filter(council=council, location=location, status=ReviewStatus.COMPLETED)
        .exclude(rating="")
        .order_by("-visited_on", "-id")
        .first()
    )


def review_list(*, council: Council, location_id: int | None = None):
    """The council's reviews and visits, newest first (all, or one location's)."""
    qs = Review.objects.filter(council=council).prefetch_related("officers")
    if location_id is not None:
        qs = qs.filter(location_id=location_id)
    return qs.order_by("-id")


def review_detail(*, council: Council, pk: int) -> Review:
    return (
        Review.objects.filter(council=council)
        .select_related("location__provider")
        .prefetch_related("officers")
        .get(pk=pk)
    )
