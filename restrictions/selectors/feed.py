"""The changes feed and the placement-check log, read by cursor or newest first in one query."""

from __future__ import annotations

from django.db.models import QuerySet

from councils.models import Council
from restrictions.models import FeedEntry, PlacementCheck

FEED_PAGE = 500


def feed(*, council: Council, since: int = 0, limit: int = FEED_PAGE) -> list[FeedEntry]:
    """Entries after the cursor `since`, oldest first: a page of them in one query."""
    return list(
        FeedEntry.objects.filter(council=council, id__gt=since)
        .select_related("location", "by_council")
        .only(
            "id",
            "at",
            "level",
            "label",
            "since",
            "restriction_id",
            "location_id",
            "location__cqc_location_id",
            "location__name",
            "by_council_id",
            "by_council__code",
            "by_council__name",
            "by_council__short_name",
        )
        .order_by("id")[:limit]
    )


def checks(*, council: Council) -> QuerySet:
    return PlacementCheck.objects.filter(council=council).order_by("-at", "-id")
