"""Events the notices app publishes (after commit; see core.events)."""

from core.events import Event

letter_issued = Event(
    "notices.letter_issued",
    "A letter was issued (its PDF stored and, where it has an email address, sent).",
    args=("council_id", "letter_id"),
)
