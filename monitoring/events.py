"""Events the monitoring app publishes (after commit; see core.events). Apps above subscribe
in their `ready()` (concerns: the automatic escalation rules)."""

from core.events import Event

rating_change_logged = Event(
    "monitoring.rating_change_logged",
    "A regulator's rating change reached this council's intelligence log.",
    args=("council_id", "rating_id", "intelligence_id"),
)
intelligence_recorded = Event(
    "monitoring.intelligence_recorded",
    "An intelligence item was logged (by a person, a system or a rating change).",
    args=("council_id", "intelligence_id"),
)
commissioning_saved = Event(
    "monitoring.commissioning_saved",
    "The council's commissioning of a location was recorded or changed.",
    args=("council_id", "location_id"),
)
review_recorded = Event(
    "monitoring.review_recorded",
    "A review or visit was recorded; `rating` is its rating when its type is rated (001: "
    "PAMMS), else empty.",
    args=("council_id", "review_id", "rating"),
)
plan_reviewed = Event(
    "monitoring.plan_reviewed",
    "An improvement plan was reviewed; `failing` says whether it now fails the pack's rule "
    "(004 16.2: most actions not met at more than 3 reviews).",
    args=("council_id", "plan_id", "failing"),
)
