"""Monitoring's lists as CSV or Excel, with the same filters as their pages (issue 13): the
risk matrix, the intelligence log and the reviews due."""

import csv
import io

from django.http import HttpResponse

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


COLUMNS = [
    "Location",
    "CQC location ID",
    "Provider",
    "Local authority",
    "CQC overall",
    "RAG",
    "Computed RAG",
    "Score",
    "Override until",
    "Override reason",
    "Factors",
]


def _rows(ratings):
    for r in ratings:
        loc = r.location
        yield [
            loc.name,
            loc.cqc_location_id or "",
            loc.provider.name,
            loc.local_authority,
            loc.overall_rating or "Not rated",
            r.get_rag_display(),
            r.get_computed_rag_display(),
            float(r.score),
            r.override.expires_on.isoformat() if r.override else "",
            r.override.reason if r.override else "",
            "; ".join(f"{f['factor']}: {f['detail']} ({f['points']})" for f in r.factors),
        ]


def _safe(value):
    """Cells that a spreadsheet would run as formulas are written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def risk_csv(ratings, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in _rows(ratings):
        writer.writerow([_safe(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def risk_xlsx(ratings, filename: str) -> HttpResponse:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Risk matrix")
    sheet.append(COLUMNS)
    for row in _rows(ratings):
        sheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
