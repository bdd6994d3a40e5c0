"""Events the concerns app publishes (after commit; see core.events)."""

from core.events import Event

case_opened = Event(
    "concerns.case_opened",
    "A case was opened (by a person or by an automatic rule).",
    args=("council_id", "case_id"),
)
case_moved = Event(
    "concerns.case_moved",
    "A case moved on its ladder (made at once, or approved by a decision).",
    args=("council_id", "case_id", "from_stage", "to_stage"),
)
safeguarding_opened = Event(
    "concerns.safeguarding_opened",
    "A safeguarding track (Serious Concerns, Whole Service Concern) opened beside a case.",
    args=("council_id", "track_id"),
)
alert_raised = Event(
    "concerns.alert_raised",
    "An automatic rule raised an alert (once per cause): a case opened or brought up, or an "
    "item queued for the officers.",
    args=("council_id", "alert_id"),
)
