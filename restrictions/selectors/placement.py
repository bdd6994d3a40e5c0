"""The placement check: find services by name, postcode or CQC ID and show each one's status
in the council's words, with the contact to call first and what other councils share. A fixed
number of queries (the page of matches, then two for their statuses): the fastest page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from councils.models import Council
from providers.models import KEY_QUESTIONS, Location, Rating
from providers.selectors import LocationFilters, location_search, locations_for
from restrictions.selectors.status import PlacementStatus, statuses

CHECK_LIMIT = 25
NUMERIC_ID = re.compile(r"^\d{1,12}$")
CQC_ID = re.compile(r"^1-\d{3,15}$")

LOCATION_FIELDS = (
    "id",
    "name",
    "cqc_location_id",
    "postcode",
    "address_line1",
    "address_line2",
    "town",
    "county",
    "local_authority",
    "overall_rating",
    "rating_date",
    "provider_id",
    "provider__name",
    "provider__cqc_provider_id",
)


@dataclass
class Match:
    location: Location
    status: PlacementStatus


def placement_search(
    *, council: Council, q: str, limit: int = CHECK_LIMIT
) -> tuple[list[Match], bool]:
    """The first matches (and whether there are more), each with its status."""
    rows = list(
        location_search(council=council, filters=LocationFilters(q=q.strip()[:100])).only(
            *LOCATION_FIELDS
        )[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    found = statuses(council=council, locations=[(loc.pk, loc.provider_id) for loc in rows])
    return [Match(location=loc, status=found[loc.pk]) for loc in rows], more


@dataclass(frozen=True)
class LocationRow:
    """What the status API shows of a location (read as values: no model is built)."""

    pk: int
    provider_id: int
    cqc_location_id: str | None
    name: str
    postcode: str
    provider_name: str
    provider_cqc_id: str | None
    overall_rating: str
    rating_date: object


ROW_FIELDS = (
    "pk",
    "provider_id",
    "cqc_location_id",
    "name",
    "postcode",
    "provider__name",
    "provider__cqc_provider_id",
    "overall_rating",
    "rating_date",
)


def locations_by_ids(idents: list[str], *, council) -> tuple[dict[str, LocationRow], list[str]]:
    """Locations by CQC location ID or internal id, as the council sees the register:
    ({ident: location}, not found); one query."""
    numeric = {int(i) for i in idents if NUMERIC_ID.match(i)}
    cqc = {i for i in idents if CQC_ID.match(i)}
    found: dict[str, LocationRow] = {}
    if numeric or cqc:
        for values in (
            locations_for(council)
            .filter(Q(pk__in=numeric) | Q(cqc_location_id__in=cqc))
            .values_list(*ROW_FIELDS)
        ):
            row = LocationRow(*values)
            if row.pk in numeric:
                found[str(row.pk)] = row
            if row.cqc_location_id in cqc:
                found[row.cqc_location_id] = row
    return found, [i for i in idents if i not in found]


def latest_ratings(location_ids) -> dict[int, dict]:
    """Each location's latest CQC rating's key questions (one query)."""
    out: dict[int, dict] = {}
    fields = [f for f, _ in KEY_QUESTIONS]
    for values in (
        Rating.objects.filter(location_id__in=list(location_ids))
        .order_by("location_id", "-report_date", "-id")
        .values_list("location_id", *fields)
    ):
        out.setdefault(values[0], dict(zip(fields, values[1:], strict=True)))
    return out
