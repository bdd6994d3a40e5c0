"""The reports' pages. Thin: the period from the query, the figures from `reports`, a figure
downloaded as CSV or Excel, the board's statistics pack as a PDF."""

from __future__ import annotations

from operator import itemgetter

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from core import exports
from core.errors import ValidationFailed
from core.exports import Column
from core.pdf import pdf_render
from core.views import council_view
from reporting.pack import Reporting
from reporting.period import period_of
from reporting.reports import REPORTS, market_figures, work_figures

DEFAULT_MONTHS = {"market": 60, "work": 12, "board": 3}


def _period(request, key: str):
    try:
        return period_of(request.GET, default_months=DEFAULT_MONTHS[key]), {}
    except ValidationFailed as exc:
        return period_of({}, default_months=DEFAULT_MONTHS[key]), exc.errors


@council_view("reporting.view")
def report_index(request):
    return render(request, "reporting/index.html", {"reports": REPORTS})


def _download(request, figures, key: str):
    wanted = request.GET.get("figure", "")
    figure = next((f for f in figures if f.key == wanted), None)
    if figure is None:
        raise Http404
    return exports.export(
        figure.rows,
        columns=[Column(h, itemgetter(i)) for i, h in enumerate(figure.columns)],
        filename=f"{key}-{figure.key}-{request.council.code}-{timezone.localdate():%Y-%m-%d}",
        fmt=exports.wanted(request),
        sheet=figure.title[:31],
    )


@council_view("reporting.view")
def report_page(request, key: str):
    if key not in REPORTS:
        raise Http404
    title, build = REPORTS[key]
    period, errors = _period(request, key)
    figures = build(council=request.council, period=period)
    if exports.wanted(request):
        return _download(request, figures, key)
    return render(
        request,
        "reporting/report.html",
        {"key": key, "title": title, "period": period, "figures": figures, "errors": errors},
        status=400 if errors else 200,
    )


def _board_pack(request):
    period, errors = _period(request, "board")
    figures = [
        *market_figures(council=request.council, period=period)[:2],
        *work_figures(council=request.council, period=period, for_board=True),
    ]
    return period, errors, figures


@council_view("reporting.view")
def board_pack(request):
    """Statistics for a board, for a chosen period (003 1.15: trend reports that name no
    provider where the pack says so)."""
    period, errors, figures = _board_pack(request)
    return render(
        request,
        "reporting/board_pack.html",
        {
            "period": period,
            "figures": figures,
            "errors": errors,
            "reporting": Reporting.of(request.council),
        },
        status=400 if errors else 200,
    )


@council_view("reporting.view")
def board_pack_pdf(request):
    period, errors, figures = _board_pack(request)
    if errors:
        raise ValidationFailed("The period could not be read.", errors=errors)
    html = render_to_string(
        "reporting/board_pack_pdf.html",
        {
            "period": period,
            "figures": figures,
            "council": request.council,
            "reporting": Reporting.of(request.council),
            "today": timezone.localdate(),
        },
    )
    response = HttpResponse(pdf_render(html), content_type="application/pdf")
    name = f"statistics-{request.council.code}-{period.first:%Y-%m}-{period.last:%Y-%m}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
