"""The reports as figures: the quality of the market (002 7, 003 1.4), the council's own work
(004 11), and the statistics pack for a board (003 1.15). Pages, downloads, the API and the
board's PDF all read these."""

from __future__ import annotations

from providers.models import RatingValue
from reporting import market, work
from reporting.charts import Series, bar_chart, dot_map, line_chart
from reporting.figures import Figure
from reporting.pack import Reporting
from reporting.period import Period

RATING_COLOURS = {
    RatingValue.OUTSTANDING: "#00703c",
    RatingValue.GOOD: "#1d70b8",
    RatingValue.REQUIRES_IMPROVEMENT: "#f47738",
    RatingValue.INADEQUATE: "#d4351c",
}
RATING_ORDER = [*RATING_COLOURS, "No published rating", "Not yet rated"]


def market_figures(*, council, period: Period) -> list[Figure]:
    report = market.market_report(council=council, first=period.first, last=period.last)
    scopes = report.scopes
    months = [p.month for p in report.series[scopes[0].key]]
    rows = []
    for i, m in enumerate(months):
        row = [market.month_words(m)]
        for s in scopes:
            point = report.series[s.key][i]
            row += [point.share, point.rated]
        rows.append(row)
    share = Figure(
        "good_share",
        "Locations rated Good or Outstanding",
        "The share of locations whose latest CQC rating at each month's end was Good or "
        f"Outstanding: {', '.join(s.label for s in scopes)}.",
        ["Month", *[c for s in scopes for c in (f"{s.label} %", f"{s.label}: locations rated")]],
        rows,
        line_chart(
            title="Share of locations rated Good or Outstanding, by month",
            description=", ".join(
                f"{s.label}: {report.series[s.key][-1].share}% in {market.month_words(months[-1])}"
                for s in scopes
                if months and report.series[s.key][-1].share is not None
            )
            + ". The numbers for every month are in the table beside the chart.",
            series=[
                Series(s.label, [(r[0], r[1 + 2 * n]) for r in rows]) for n, s in enumerate(scopes)
            ],
            y_max=100,
        ),
        seed="002 7",
    )
    service_rows = [
        [
            r["service"],
            *[v for s in scopes for v in (r.get(f"{s.key}_share"), r.get(f"{s.key}_rated"))],
        ]
        for r in report.by_service
    ]
    area = scopes[0]
    by_service = Figure(
        "by_service",
        "Good or Outstanding, by type of service, now",
        "The share of registered locations rated Good or Outstanding now, by CQC's service type.",
        ["Service type", *[c for s in scopes for c in (f"{s.label} %", f"{s.label}: rated")]],
        service_rows,
        bar_chart(
            title=f"Good or Outstanding by type of service in {area.label}",
            description="The share for each type of service in the council's area; every "
            "figure is in the table.",
            bars=[(r[0][:60], r[1]) for r in service_rows if r[1] is not None],
        )
        if any(r[1] is not None for r in service_rows)
        else "",
        seed="002 7",
    )
    regional = next((s for s in scopes if s.key == "region"), scopes[0])
    latest = Figure(
        "latest",
        f"Latest inspection results in {regional.label}",
        "The most recent CQC ratings for locations in the region published in the period "
        f"(the latest {market.LATEST_ROWS} at most).",
        ["Published", "Location", "Provider", "Local authority", "Overall"],
        [
            [
                r.report_date,
                r.location.name,
                r.location.provider.name,
                r.location.local_authority,
                r.overall,
            ]
            for r in report.latest
        ],
        seed="002 7",
    )
    counts = report.map_counts
    ordered = [k for k in RATING_ORDER if k in counts] + sorted(set(counts) - set(RATING_ORDER))
    mapped = Figure(
        "map",
        f"CQC ratings across {area.label}",
        "Each registered location in the council's area with a known position, coloured by "
        "its current CQC rating.",
        ["Rating", "Locations"],
        [[k, counts[k]] for k in ordered],
        dot_map(
            title=f"Map of CQC ratings across {area.label}",
            description="; ".join(f"{k}: {counts[k]}" for k in ordered)
            + ". The colours are explained in the table beside the map.",
            points=report.map_points,
            colours=dict(RATING_COLOURS),
        )
        if report.map_points
        else "",
        seed="003 1.4",
    )
    return [share, by_service, latest, mapped]


def work_figures(*, council, period: Period, for_board: bool = False) -> list[Figure]:
    """The council's own work. For a board's pack, providers are not named where the pack
    says so (003 1.15)."""
    anonymous = for_board and Reporting.of(council).name_no_provider
    return work.work_report(
        council=council, first=period.first, last=period.last, name_providers=not anonymous
    )


REPORTS = {
    "market": ("The quality of the care market", market_figures),
    "work": ("The council's own work", work_figures),
}
