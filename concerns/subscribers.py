"""What concerns does when something it watches changes elsewhere (connected in
`ConcernsConfig.ready`): each queues the trigger check for its cause."""

from concerns.tasks import triggers_check


def rating_change_logged(*, council_id: int, rating_id: int, intelligence_id: int) -> None:
    triggers_check.enqueue(council_id, "rating", rating_id)


def review_recorded(*, council_id: int, review_id: int, rating: str) -> None:
    if rating:  # a rated assessment (001: PAMMS) may start the 12-week clock
        triggers_check.enqueue(council_id, "assessment", review_id)


def plan_reviewed(*, council_id: int, plan_id: int, failing: bool) -> None:
    if failing:  # 004 16.2: the rule is monitoring's; it says when a plan fails
        triggers_check.enqueue(council_id, "plan", plan_id)


def safeguarding_opened(*, council_id: int, track_id: int) -> None:
    triggers_check.enqueue(council_id, "safeguarding", track_id)
