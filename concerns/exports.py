"""Escalation's lists as CSV or Excel, with the same filters as their pages (issue 13): the
cases and the rules' alerts, in the council's words."""

from __future__ import annotations

from concerns.pack import Ladder
from core.exports import Column


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def case_columns(council) -> list[Column]:
    ladder = Ladder.of(council)

    def stage(c) -> str:
        found = ladder.stage(c.stage)
        return found.label if found else c.get_stage_display()

    return [
        Column("Case", lambda c: c.reference),
        Column("Location", lambda c: c.location.name if c.location_id else "All services"),
        Column("Postcode", lambda c: c.location.postcode if c.location_id else ""),
        Column("Provider", lambda c: c.provider.name),
        Column("Stage", stage),
        Column("In the stage since", lambda c: c.stage_since.date()),
        Column("Lead officer", lambda c: _person(c.lead_officer)),
        Column("Opened", lambda c: c.opened_at.date()),
    ]


def alert_columns(council) -> list[Column]:
    return [
        Column("Raised", lambda a: a.created_at.date()),
        Column("Alert", lambda a: a.label),
        Column("Location", lambda a: a.location.name if a.location_id else ""),
        Column("Provider", lambda a: a.provider.name),
        Column("Detail", lambda a: a.detail),
        Column("Suggested", lambda a: a.suggestion),
        Column("Case", lambda a: a.case.reference if a.case_id else ""),
        Column("Status", lambda a: a.get_status_display()),
        Column("Handled by", lambda a: a.handled_by_label),
        Column("Note", lambda a: a.handled_note),
    ]
