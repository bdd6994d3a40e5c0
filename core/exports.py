"""Any list as CSV or Excel (issue 13): the same rows, with the same filters, as the page the
person is looking at. Cells a spreadsheet would run as formulas are written as text. The rows
are read in chunks and written as they come, so a long list costs no more memory than a page.

A list declares its columns once: `Column(header, value)` where `value(row)` gives the cell
in words (never a code), a number, or a date."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpResponse, StreamingHttpResponse

FORMATS = ("csv", "xlsx")
MAX_ROWS = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[object], object]


def safe(value):
    """Text that would start a formula (=, +, -, @, tab, return) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if value is None:
        return ""
    return value


def wanted(request) -> str:
    """The format asked for in the query (`?format=csv` or `xlsx`), or ""."""
    fmt = request.GET.get("format", "")
    return fmt if fmt in FORMATS else ""


def _cells(columns, row) -> list:
    return [safe(c.value(row)) for c in columns]


class _Echo:
    def write(self, value):
        return value


def export(rows: Iterable, *, columns: list[Column], filename: str, fmt: str, sheet: str = ""):
    """The list as a download: CSV streamed row by row, or an Excel workbook written in
    write-only mode. At most MAX_ROWS rows."""
    headers = [c.header for c in columns]
    rows = _limited(rows)
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff"  # Excel opens UTF-8 CSV correctly with the byte order mark
            yield writer.writerow(headers)
            for row in rows:
                yield writer.writerow(
                    [v.isoformat() if isinstance(v, dt.date) else v for v in _cells(columns, row)]
                )

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:
        import openpyxl  # only where a workbook is made

        book = openpyxl.Workbook(write_only=True)
        ws = book.create_sheet((sheet or filename)[:31])
        ws.append(headers)
        for row in rows:
            ws.append(_cells(columns, row))
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _limited(rows: Iterable):
    iterator = rows.iterator(chunk_size=2000) if hasattr(rows, "iterator") else iter(rows)
    for n, row in enumerate(iterator):
        if n >= MAX_ROWS:
            return
        yield row
