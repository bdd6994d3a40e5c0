"""Which domain events other council systems may subscribe to, and what each delivery carries.

The events are found by name in `core.events.EVENTS` (declared by the apps that publish them;
restrictions is a sibling this app may not import). A delivery carries ids and plain values
and the API address of what changed, never the record itself: the receiver reads it with its
own token, so it sees only what its scopes allow, and only its own council's."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HookType:
    key: str
    label: str
    event: str
    link: str  # the API address of what changed, from the event's arguments
    fields: tuple[str, ...]


TYPES = {
    t.key: t
    for t in (
        HookType(
            "restriction.changed",
            "A restriction on placements changed (proposed, put in place, changed, lifted)",
            "restrictions.restriction_changed",
            "/api/v1/restrictions/{restriction_id}/",
            ("restriction_id", "from_level", "to_level"),
        ),
        HookType(
            "case.moved",
            "A case moved on the ladder",
            "concerns.case_moved",
            "/api/v1/cases/{case_id}/",
            ("case_id", "from_stage", "to_stage"),
        ),
        HookType(
            "decision.taken",
            "A decision was taken",
            "decisions.decision_taken",
            "/api/v1/recommendations/{recommendation_id}/",
            ("recommendation_id", "outcome"),
        ),
        HookType(
            "rating.changed",
            "A regulator's rating changed for a service the council watches",
            "monitoring.rating_change_logged",
            "/api/v1/intelligence/{intelligence_id}/",
            ("rating_id", "intelligence_id"),
        ),
        HookType(
            "letter.issued",
            "A letter was issued",
            "notices.letter_issued",
            "/api/v1/letters/{letter_id}/",
            ("letter_id",),
        ),
    )
}
CHOICES = [(t.key, t.label) for t in TYPES.values()]
