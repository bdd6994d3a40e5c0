"""Reads of restrictions for pages and the API alike, each taking the council explicitly and
running a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from core.models import Timer
from core.timers import timers_of
from councils.models import Council
from decisions.selectors import recommendations_about, subject_q, with_subjects
from restrictions.models import (
    Appeal,
    Notice,
    Restriction,
    RestrictionEvent,
    Status,
)

LIST_FIELDS = (
    "id",
    "council_id",
    "reference",
    "provider_id",
    "provider__name",
    "location_id",
    "location__name",
    "location__postcode",
    "level",
    "status",
    "level_since",
    "review_on",
    "hold_until",
    "shared",
    "origin",
    "created_at",
    "ended_on",
    # What the API's list shows too (a field left out here costs a query a row).
    "decided_on",
    "decided_by_label",
    "exceptions",
    "case_id",
    "recommendation_id",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def restrictions(
    *, council: Council, status: str = "", level: str = "", q: str = "", location=None
) -> QuerySet:
    """The council's restrictions, newest first (`status` "open" for suggested, proposed or
    in place)."""
    qs = Restriction.objects.filter(council=council).select_related("provider", "location")
    if status == "open":
        qs = qs.filter(status__in=[Status.SUGGESTED, Status.PROPOSED, Status.ACTIVE])
    elif status in Status.values:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if q:
        q = q.strip()[:100]
        qs = qs.filter(
            Q(reference__iexact=q)
            | Q(location__name__icontains=q)
            | Q(provider__name__icontains=q)
            | Q(location__cqc_location_id=q)
        )
    if location is not None:
        qs = qs.filter(
            Q(location=location) | Q(location__isnull=True, provider_id=location.provider_id)
        )
    return qs.only(*LIST_FIELDS).order_by("-created_at", "-id")


@dataclass
class RestrictionDetail:
    restriction: Restriction
    events: list[RestrictionEvent]
    notices: list[Notice]
    appeals: list[Appeal]
    timers: list[Timer]
    recommendations: list


def restriction_detail(*, council: Council, pk: int) -> RestrictionDetail:
    """One restriction with its history, notices, appeals, timers and decisions (a fixed
    number of queries)."""
    r = (
        Restriction.objects.filter(council=council)
        .select_related("provider", "location", "case", "alert", "recommendation")
        .get(pk=pk)
    )
    appeals = list(
        Appeal.objects.filter(council=council, restriction=r).select_related("recommendation")
    )
    subjects = subject_q(r)
    for appeal in appeals:
        subjects |= subject_q(appeal)
    return RestrictionDetail(
        restriction=r,
        events=list(RestrictionEvent.objects.filter(restriction=r).order_by("at", "id")),
        notices=list(Notice.objects.filter(restriction=r).order_by("requested_at", "id")),
        appeals=appeals,
        timers=list(timers_of(council=council, subject=r))
        + [t for a in appeals for t in timers_of(council=council, subject=a)],
        recommendations=with_subjects(recommendations_about(council=council, subjects=subjects)),
    )


def notices_due(*, council: Council) -> QuerySet:
    """Notices still to send, oldest first (the officers' to-do)."""
    return (
        Notice.objects.filter(council=council, status="requested")
        .select_related("restriction__location", "restriction__provider")
        .order_by("due_on", "requested_at", "id")
    )


def appeals(*, council: Council, status: str = "") -> QuerySet:
    qs = Appeal.objects.filter(council=council).select_related(
        "restriction__location", "restriction__provider"
    )
    return qs.filter(status=status) if status else qs


def events_of_locations(*, council: Council, location, limit: int) -> list[RestrictionEvent]:
    """A location's restriction history for its timeline (its own and its provider's)."""
    return list(
        RestrictionEvent.objects.filter(council=council)
        .filter(
            Q(restriction__location=location)
            | Q(restriction__location__isnull=True, restriction__provider_id=location.provider_id)
        )
        .select_related("restriction")
        .order_by("-at", "-id")[:limit]
    )
