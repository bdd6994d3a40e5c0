"""Reads of the national register. Search runs a constant number of queries whatever the
number of rows: one count and one page, with provider joined."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet

from providers.importing.records import postcode_key
from providers.models import (
    RATING_ORDER,
    ImportRun,
    Location,
    Provider,
    Rating,
    RatingValue,
    ServiceType,
)


@dataclass(frozen=True)
class LocationFilters:
    q: str = ""
    postcode: str = ""
    cqc_id: str = ""
    local_authority: str = ""
    service_type: str = ""
    rating: str = ""
    care_home: bool | None = None

    @property
    def active(self) -> bool:
        return any(
            [
                self.q,
                self.postcode,
                self.cqc_id,
                self.local_authority,
                self.service_type,
                self.rating,
                self.care_home is not None,
            ]
        )


RATING_FILTER_CHOICES = [(v, v) for v in RATING_ORDER] + [
    ("below_good", "Below Good (Requires improvement or Inadequate)"),
    ("none", "Not yet rated"),
]


def location_search(*, filters: LocationFilters) -> QuerySet[Location]:
    qs = Location.objects.select_related("provider")
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip())
    if filters.postcode:
        qs = qs.filter(postcode_key__startswith=postcode_key(filters.postcode))
    if filters.cqc_id:
        ident = filters.cqc_id.strip()
        qs = qs.filter(cqc_location_id=ident) | qs.filter(provider__cqc_provider_id=ident)
    if filters.local_authority:
        qs = qs.filter(local_authority=filters.local_authority)
    if filters.service_type:
        qs = qs.filter(
            pk__in=Location.service_types.through.objects.filter(
                servicetype__name=filters.service_type
            ).values("location_id")
        )
    if filters.rating == "below_good":
        qs = qs.filter(
            overall_rating__in=[RatingValue.REQUIRES_IMPROVEMENT, RatingValue.INADEQUATE]
        )
    elif filters.rating == "none":
        qs = qs.filter(overall_rating="")
    elif filters.rating:
        qs = qs.filter(overall_rating=filters.rating)
    if filters.care_home is not None:
        qs = qs.filter(care_home=filters.care_home)
    return qs.order_by("name", "id")


def local_authorities() -> list[str]:
    """Distinct local authorities on the register; cached, as the list changes only on import."""
    key = "register:local-authorities"
    values = cache.get(key)
    if values is None:
        values = list(
            Location.objects.exclude(local_authority="")
            .order_by("local_authority")
            .values_list("local_authority", flat=True)
            .distinct()
        )
        cache.set(key, values, 300)
    return values


def service_types() -> list[str]:
    key = "register:service-types"
    values = cache.get(key)
    if values is None:
        values = list(ServiceType.objects.values_list("name", flat=True))
        cache.set(key, values, 300)
    return values


def register_caches_clear() -> None:
    cache.delete_many(["register:local-authorities", "register:service-types"])


def location_detail(*, pk: int) -> Location:
    return (
        Location.objects.select_related("provider")
        .prefetch_related(
            "service_types",
            Prefetch("ratings", queryset=Rating.objects.order_by("-report_date", "-id")),
        )
        .get(pk=pk)
    )


def provider_search(*, q: str = "", cqc_id: str = "") -> QuerySet[Provider]:
    qs = Provider.objects.all()
    if q:
        qs = qs.filter(name__icontains=q.strip())
    if cqc_id:
        qs = qs.filter(cqc_provider_id=cqc_id.strip())
    return qs.order_by("name", "id")


def provider_detail(*, pk: int) -> Provider:
    return Provider.objects.prefetch_related(
        Prefetch("locations", queryset=Location.objects.order_by("name"))
    ).get(pk=pk)


def import_runs(*, council) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(council=council).select_related("created_by", "mapping")
