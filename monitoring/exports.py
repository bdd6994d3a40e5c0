"""The risk matrix as CSV or XLSX, with the same filters as the page."""

import csv
import io

from django.http import HttpResponse

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
