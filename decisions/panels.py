"""Where decisions show themselves on shared pages (registered in `DecisionsConfig.ready`)."""

from core import extensions
from core.audit import audit_object_type
from core.extensions import NavEntry


def register() -> None:
    # Someone who sees no cases (a Placement Officer) still has their requests and decisions.
    extensions.navigation.register(
        NavEntry(
            "decisions",
            "Decisions",
            "inbox",
            "decisions.view_inbox",
            41,
            sections=("/decisions/",),
        )
    )
    extensions.section_nav.register(
        NavEntry(
            "cases.inbox", "Waiting for me", "inbox", "decisions.view_inbox", 20, group="cases"
        )
    )
    audit_object_type("decisions.recommendation", "recommendation-detail")
    # Entries written before recommendations moved here keep their type (the log is append-only).
    audit_object_type("concerns.recommendation", "recommendation-detail")
