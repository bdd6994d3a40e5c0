"""Monitoring's lists as CSV or Excel, with the same filters as their pages (issue 13): the
risk matrix, the intelligence log, the reviews due and the improvement plans."""

from core.exports import Column
from monitoring.pack import intelligence_rules, review_rules


def intelligence_columns(council) -> list[Column]:
    rules = intelligence_rules(council)
    return [
        Column("Reference", lambda i: i.reference),
        Column("Received", lambda i: i.received_on),
        Column("Location", lambda i: i.location.name if i.location_id else ""),
        Column("Provider", lambda i: i.provider.name),
        Column("Source", lambda i: i.get_source_display()),
        Column("Themes", lambda i: "; ".join(rules.theme_label(t) for t in i.themes or [])),
        Column("Severity", lambda i: rules.severity_label(i.severity)),
        Column(
            "Allocated to",
            lambda i: (
                (i.allocated_to.get_full_name() or i.allocated_to.username)
                if i.allocated_to_id
                else ""
            ),
        ),
        Column("Outcome", lambda i: i.get_outcome_display()),
        Column("Outcome on", lambda i: i.outcome_on),
    ]


def review_rows(due) -> list[tuple]:
    """The reviews due as one list: (which list, review or location, date, note)."""
    rows = [("Planned", r.location, r.kind, r.planned_for, "") for r in due.planned]
    rows += [
        ("Falling due", r.location, r.kind, r.next_due_on, r.next_due_reason) for r in due.next_due
    ]
    rows += [
        ("Report overdue", r.location, r.kind, r.report_due_on, "") for r in due.reports_overdue
    ]
    rows += [
        (
            "Suspended",
            r.location,
            r.kind,
            r.planned_for or r.next_due_on,
            getattr(r, "suspended_by", ""),
        )
        for r in due.suspended
    ]
    return rows


def review_columns(council) -> list[Column]:
    kinds = review_rules(council).labels
    return [
        Column("List", lambda r: r[0]),
        Column("Location", lambda r: r[1].name),
        Column("Provider", lambda r: r[1].provider.name),
        Column("Review", lambda r: kinds.get(r[2], r[2])),
        Column("Date", lambda r: r[3]),
        Column("Note", lambda r: str(r[4] or "")),
    ]


def _factors(r) -> str:
    return "; ".join(f"{f['factor']}: {f['detail']} ({f['points']})" for f in r.factors)


RISK_COLUMNS = [
    Column("Location", lambda r: r.location.name),
    Column("CQC location ID", lambda r: r.location.cqc_location_id or ""),
    Column("Provider", lambda r: r.location.provider.name),
    Column("Local authority", lambda r: r.location.local_authority),
    Column("CQC overall", lambda r: r.location.overall_rating or "Not rated"),
    Column("RAG", lambda r: r.get_rag_display()),
    Column("Computed RAG", lambda r: r.get_computed_rag_display()),
    Column("Score", lambda r: float(r.score)),
    Column("Override until", lambda r: r.override.expires_on if r.override else ""),
    Column("Override reason", lambda r: r.override.reason if r.override else ""),
    Column("Factors", _factors),
]


def plan_columns() -> list[Column]:
    return [
        Column("Plan", lambda p: p.title),
        Column("Kind", lambda p: p.get_kind_display()),
        Column("Location", lambda p: p.location.name),
        Column("Provider", lambda p: p.location.provider.name),
        Column("Agreed on", lambda p: p.started_on),
        Column("Status", lambda p: p.get_status_display()),
        Column("Actions", lambda p: p.actions_total),
        Column("Open", lambda p: p.actions_open),
        Column("Overdue", lambda p: p.actions_overdue),
        Column("Next action due", lambda p: p.next_due_on),
        Column("Last reviewed", lambda p: p.last_reviewed_on),
        Column("Reviews that found most actions not met", lambda p: p.failed_reviews),
    ]
