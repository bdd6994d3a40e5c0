"""The restrictions list as CSV or Excel, with the page's filters (issue 13), in the
council's words."""

from __future__ import annotations

from core.exports import Column


def restriction_columns(pack) -> list[Column]:
    def level(r) -> str:
        found = pack.level(r.level)
        return found.label if found else r.level

    return [
        Column("Reference", lambda r: r.reference),
        Column("Location", lambda r: r.location.name if r.location_id else "All services"),
        Column("Provider", lambda r: r.provider.name),
        Column("Level", level),
        Column("Status", lambda r: r.get_status_display()),
        Column("In place since", lambda r: r.level_since),
        Column("Review by", lambda r: r.review_on),
        Column("Shown to other councils", lambda r: "Yes" if r.shared else "No"),
        Column("Reasons", lambda r: r.reasons),
    ]
