"""Where decisions show themselves on shared pages (registered in `DecisionsConfig.ready`)."""

from core import extensions
from core.audit import audit_object_type
from core.extensions import NavEntry, Waiting
from decisions.selectors import inbox


def _inbox_count(*, council, user) -> int:
    return inbox(council=council, user=user).count()


def register() -> None:
    extensions.waiting.register(
        Waiting(
            "decisions.inbox",
            ("decision or check waiting for you", "decisions and checks waiting for you"),
            "inbox",
            "decisions.view_inbox",
            _inbox_count,
            nav="decisions",
            order=10,
        )
    )
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
