"""Events the restrictions app publishes (after commit; see core.events)."""

from core.events import Event

restriction_changed = Event(
    "restrictions.restriction_changed",
    "A restriction's level or status changed: proposed, put in place, changed, lifted, "
    "refused or withdrawn (`to_level` is its level now; `none` once lifted).",
    args=("council_id", "restriction_id", "from_level", "to_level"),
)
restriction_shared = Event(
    "restrictions.restriction_shared",
    "Another council's restriction is now shown to this council (`council_id`, the one that "
    "sees it), or its level changed.",
    args=("council_id", "restriction_id", "level"),
)
list_issued = Event(
    "restrictions.list_issued",
    "An issue of a list (the Managed Placements Memo, the Providers with Restrictions List) "
    "was made; it is circulated by email.",
    args=("council_id", "issue_id"),
)
