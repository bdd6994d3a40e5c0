"""Reads for the intelligence log."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Subquery

from councils.models import Council
from monitoring.models import Intelligence
from providers.models import Location


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
