"""Events the decisions app publishes (after commit; see core.events)."""

from core.events import Event

recommendation_made = Event(
    "decisions.recommendation_made",
    "A recommendation entered its chain and waits for its first step.",
    args=("council_id", "recommendation_id"),
)
step_taken = Event(
    "decisions.step_taken",
    "A check in the chain was taken and the recommendation waits for the next step.",
    args=("council_id", "recommendation_id"),
)
decision_taken = Event(
    "decisions.decision_taken",
    "A recommendation was decided (approved, not approved) or withdrawn; its subject's app "
    "has already acted on it in the same transaction.",
    args=("council_id", "recommendation_id", "outcome"),
)
