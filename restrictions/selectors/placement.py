"""The placement check: find services by name, postcode or CQC ID and show each one's status
in the council's words, with the contact to call first and what other councils share. A fixed
number of queries (the page of matches, then two for their statuses): the fastest page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from councils.models import Council
from providers.models import KEY_QUESTIONS, Location, Rating
from providers.selectors import LocationFilters, location_search
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
        location_search(filters=LocationFilters(q=q.strip()[:100])).only(*LOCATION_FIELDS)[
            : limit + 1
        ]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    found = statuses(council=council, locations=[(loc.pk, loc.provider_id) for loc in rows])
    return [Match(location=loc, status=found[loc.pk]) for loc in rows], more


def locations_by_ids(idents: list[str]) -> tuple[dict[str, Location], list[str]]:
    """Locations by CQC location ID or internal id: ({ident: location}, not found)."""
    numeric = {int(i) for i in idents if NUMERIC_ID.match(i)}
    cqc = {i for i in idents if CQC_ID.match(i)}
    found: dict[str, Location] = {}
    if numeric or cqc:
        for loc in (
            Location.objects.filter(Q(pk__in=numeric) | Q(cqc_location_id__in=cqc))
            .select_related("provider")
            .only(*LOCATION_FIELDS)
        ):
            if loc.pk in numeric:
                found[str(loc.pk)] = loc
            if loc.cqc_location_id in cqc:
                found[loc.cqc_location_id] = loc
    return found, [i for i in idents if i not in found]


def latest_ratings(location_ids) -> dict[int, Rating]:
    """Each location's latest CQC rating, with its key questions (one query)."""
    out: dict[int, Rating] = {}
    for rating in (
        Rating.objects.filter(location_id__in=list(location_ids))
        .only("location_id", "report_date", "overall", *(f for f, _ in KEY_QUESTIONS))
        .order_by("location_id", "-report_date", "-id")
    ):
        out.setdefault(rating.location_id, rating)
    return out
