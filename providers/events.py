"""Events the providers app publishes (after commit; see core.events)."""

from core.events import Event

ratings_changed = Event(
    "providers.ratings_changed",
    "An import changed regulator ratings on the national register (`changes` of them).",
    args=("import_run_id", "changes"),
)
