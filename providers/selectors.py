"""Reads of the national register. Search runs a constant number of queries whatever the
number of rows: one count and one page, with provider joined."""

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django_scopes import scopes_disabled

from providers.importing.records import postcode_key
from providers.models import (
    RATING_ORDER,
    ImportRun,
    LocalRecord,
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


CQC_ID = re.compile(r"^1-\d{3,}$")
POSTCODE_START = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?(\s*\d[A-Z]{0,2})?$", re.IGNORECASE)


def _cqc_id_filter(ident: str) -> Q:
    """A location ID or its provider's; the subquery keeps both lookups on unique indexes
    (an OR across the join would scan every location)."""
    provider = Provider.objects.filter(cqc_provider_id=ident).values("pk")[:1]
    return Q(cqc_location_id=ident) | Q(provider_id=Subquery(provider))


def _q_filter(q: str) -> Q:
    """One box for name, postcode or CQC ID: an ID matches exactly; something shaped like
    the start of a postcode matches postcodes as well as names; anything else, names."""
    q = q.strip()
    if CQC_ID.match(q):
        return _cqc_id_filter(q)
    if POSTCODE_START.match(q):
        return Q(postcode_key__startswith=postcode_key(q)) | Q(name__icontains=q)
    return Q(name__icontains=q)


def visible_to(council) -> Q:
    """The register every council sees, and this council's own services outside it."""
    if council is None:
        return Q(owner_council=None)
    return Q(owner_council=None) | Q(owner_council=council)


def locations_for(council) -> QuerySet[Location]:
    return Location.objects.filter(visible_to(council))


def location_search(*, council, filters: LocationFilters) -> QuerySet[Location]:
    qs = locations_for(council).select_related("provider")
    if filters.q:
        qs = qs.filter(_q_filter(filters.q))
    if filters.postcode:
        qs = qs.filter(postcode_key__startswith=postcode_key(filters.postcode))
    if filters.cqc_id:
        qs = qs.filter(_cqc_id_filter(filters.cqc_id.strip()))
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
    if filters.q:
        # The same order, through an expression: PostgreSQL then finds the matches with the
        # trigram index and sorts them, instead of walking the whole name index testing each.
        return qs.order_by(Concat("name", Value("")), "id")
    return qs.order_by("name", "id")


def _ours(council) -> Q:
    """The council's own services: those on its own list (LocalRecord) and those it added
    outside CQC's register."""
    return Q(pk__in=LocalRecord.objects.filter(council=council).values("location_id")) | Q(
        owner_council=council
    )


def ours_first(*, council, filters: LocationFilters, limit: int = 20) -> list[Location]:
    """The council's own services among the matches, shown first in search (issue 13)."""
    if council is None:
        return []
    return list(location_search(council=council, filters=filters).filter(_ours(council))[:limit])


def ours_among(*, council, ids) -> set[int]:
    """Which of these locations are the council's own (one query)."""
    if council is None or not ids:
        return set()
    return set(
        Location.objects.filter(pk__in=list(ids))
        .filter(_ours(council))
        .values_list("pk", flat=True)
    )


def local_authorities() -> list[str]:
    """Distinct local authorities on the register; cached, as the list changes only on import."""
    key = "register:local-authorities"
    values = cache.get(key)
    if values is None:
        values = list(
            Location.objects.filter(owner_council=None)
            .exclude(local_authority="")
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


def location_detail(*, council, pk: int) -> Location:
    """A location and, on `local_record`, the council's own record of it (or None)."""
    location = (
        locations_for(council)
        .select_related("provider")
        .prefetch_related(
            "service_types",
            Prefetch("ratings", queryset=Rating.objects.order_by("-report_date", "-id")),
        )
        .get(pk=pk)
    )
    location.local_record = local_record(council=council, location=location)
    return location


def local_record(*, council, location) -> LocalRecord | None:
    if council is None:
        return None
    with scopes_disabled():
        return LocalRecord.objects.filter(council=council, location=location).first()


def provider_search(*, council, q: str = "", cqc_id: str = "") -> QuerySet[Provider]:
    qs = Provider.objects.filter(visible_to(council))
    if q:
        qs = qs.filter(name__icontains=q.strip())
    if cqc_id:
        qs = qs.filter(cqc_provider_id=cqc_id.strip())
    return qs.order_by("name", "id")


def provider_detail(*, council, pk: int) -> Provider:
    return (
        Provider.objects.filter(visible_to(council))
        .prefetch_related(Prefetch("locations", queryset=locations_for(council).order_by("name")))
        .get(pk=pk)
    )


def import_runs(*, council) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(council=council).select_related("created_by", "mapping")


def national_import_runs() -> QuerySet[ImportRun]:
    """The national register's imports and syncs (no council's): for its keepers."""
    with scopes_disabled():
        return ImportRun.objects.filter(council=None).select_related("created_by")


def national_import_run(*, pk: int) -> ImportRun:
    with scopes_disabled():
        return national_import_runs().get(pk=pk)
