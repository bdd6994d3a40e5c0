"""The quality of the care market (002 7: "% Good or Outstanding" against England, month by
month; the latest results in the region; 003 1.4: CQC outcomes on a map), read from the
register's ratings history. Reads only.

A location counts in a month when, at the month's end, it is registered and its latest CQC
rating is one of the four judgements; it is Good or Outstanding when that rating is. One query
walks the ratings history with a window function: each rating holds from its month until the
month of the location's next rating or its deregistration, whichever comes first."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q

from councils.policy import policy_of
from providers.models import Location, Rating, RatingValue, Regulator

JUDGED = (
    RatingValue.OUTSTANDING,
    RatingValue.GOOD,
    RatingValue.REQUIRES_IMPROVEMENT,
    RatingValue.INADEQUATE,
)
GOOD = (RatingValue.OUTSTANDING, RatingValue.GOOD)
MAX_MONTHS = 120


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(first: dt.date, last: dt.date) -> list[str]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month) and len(out) < MAX_MONTHS:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_words(key: str) -> str:
    return dt.date(int(key[:4]), int(key[5:]), 1).strftime("%b %Y")


@dataclass(frozen=True)
class Scope:
    """Which locations: the council's area (its local authorities), its region, or England."""

    key: str
    label: str
    local_authorities: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def where(self, alias: str) -> tuple[str, list]:
        if self.local_authorities:
            marks = ", ".join(["%s"] * len(self.local_authorities))
            return f" AND {alias}.local_authority IN ({marks})", list(self.local_authorities)
        if self.regions:
            marks = ", ".join(["%s"] * len(self.regions))
            return f" AND {alias}.region IN ({marks})", list(self.regions)
        return "", []

    def q(self) -> Q:
        if self.local_authorities:
            return Q(local_authority__in=self.local_authorities)
        if self.regions:
            return Q(region__in=self.regions)
        return Q()


def scopes_of(council) -> list[Scope]:
    """The council's area, its region (where its area's locations lie), and England."""
    las = tuple(policy_of(council).local_authorities)
    regions = tuple(
        r
        for r, _ in Location.objects.filter(local_authority__in=las, owner_council=None)
        .exclude(region="")
        .values_list("region")
        .annotate(n=Count("id"))
        .order_by("-n", "region")[:1]
    )
    out = [Scope("area", council.short_name or council.name, local_authorities=las)]
    if regions:
        out.append(Scope("region", regions[0], regions=regions))
    out.append(Scope("england", "England"))
    return out


def _spans(scopes: list[Scope], last: dt.date) -> dict[str, list[tuple]]:
    """For each scope: (month from, month until or None, good, how many) over the ratings
    history, in one query for every scope. The next rating is looked for among all of a
    location's CQC ratings, then only the four judgements are kept: a location whose latest
    rating is "Insufficient evidence to rate" is not counted as rated."""
    area = next((s for s in scopes if s.local_authorities), None)
    region = next((s for s in scopes if s.regions), None)
    params: list = []

    def member(column: str, values) -> str:
        if not values:
            return "0"
        params.extend(values)
        return f"CASE WHEN l.{column} IN ({', '.join(['%s'] * len(values))}) THEN 1 ELSE 0 END"

    in_area = member("local_authority", area.local_authorities if area else ())
    in_region = member("region", region.regions if region else ())
    narrow = ""
    if all(s.local_authorities or s.regions for s in scopes):  # no England: read less
        where_a, pa = area.where("l") if area else ("", [])
        where_r, pr = region.where("l") if region else ("", [])
        clauses = [w[5:] for w in (where_a, where_r) if w]
        narrow = " AND (" + " OR ".join(clauses) + ")"
        extra = [*pa, *pr]
    else:
        extra = []
    judged = ", ".join(["%s"] * len(JUDGED))
    if connection.vendor == "postgresql":
        trunc = "date_trunc('month', {}::timestamp)"
        fmt = "to_char({}, 'YYYY-MM')"
    else:
        trunc = "strftime('%%Y-%%m', {})"
        fmt = "{}"
    sql = f"""
        WITH h AS (
            SELECT r.report_date AS d, r.overall,
                   LEAD(r.report_date) OVER (
                       PARTITION BY r.location_id ORDER BY r.report_date, r.id
                   ) AS d_next,
                   l.deregistration_date AS d_gone, {in_area} AS in_area, {in_region} AS in_region
            FROM providers_rating r JOIN providers_location l ON l.id = r.location_id
            WHERE r.regulator = %s AND r.report_date <= %s AND l.owner_council_id IS NULL{narrow}
        ), spans AS (
            SELECT {trunc.format("d")} AS m_start, {trunc.format("d_next")} AS m_next,
                   {trunc.format("d_gone")} AS m_gone,
                   CASE WHEN overall IN (%s, %s) THEN 1 ELSE 0 END AS good, in_area, in_region
            FROM h WHERE overall IN ({judged})
        )
        SELECT {fmt.format("m_start")}, {fmt.format("m_next")}, {fmt.format("m_gone")}, good,
               in_area, in_region, COUNT(*)
        FROM spans GROUP BY m_start, m_next, m_gone, good, in_area, in_region
    """
    args = [*params, Regulator.CQC, last, *extra, *GOOD, *JUDGED]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    out: dict[str, list[tuple]] = {s.key: [] for s in scopes}
    for m_start, m_next, m_gone, good, a, r, n in rows:
        ends = [m for m in (m_next, m_gone) if m]
        span = (m_start, min(ends) if ends else None, bool(good), int(n))
        for s in scopes:
            if s.local_authorities and not a or s.regions and not r:
                continue
            out[s.key].append(span)
    return out


@dataclass
class MonthShare:
    month: str
    rated: int
    good: int

    @property
    def share(self) -> float | None:
        return round(100 * self.good / self.rated, 1) if self.rated else None


def _series(spans, months: list[str]) -> list[MonthShare]:
    """Monthly counts from spans with a difference array: O(months) after the query."""
    index = {m: i for i, m in enumerate(months)}
    rated = [0] * (len(months) + 1)
    good = [0] * (len(months) + 1)
    for m_start, m_end, is_good, n in spans:
        if m_end is not None and m_end <= months[0]:
            continue
        if m_start > months[-1]:
            continue
        a = index.get(m_start, 0) if m_start >= months[0] else 0
        b = index.get(m_end, len(months)) if m_end is not None else len(months)
        if m_end is not None and m_end > months[-1]:
            b = len(months)
        if a >= b:
            continue
        rated[a] += n
        rated[b] -= n
        if is_good:
            good[a] += n
            good[b] -= n
    out, r, g = [], 0, 0
    for i, m in enumerate(months):
        r += rated[i]
        g += good[i]
        out.append(MonthShare(m, r, g))
    return out


def monthly_shares(scopes: list[Scope], first: dt.date, last: dt.date) -> dict[str, list]:
    """For each scope and each month from `first` to `last`: locations rated at its end,
    and how many Good or Outstanding; one query for all the scopes."""
    months = months_between(first, last)
    return {key: _series(spans, months) for key, spans in _spans(scopes, last).items()}


def monthly_share(scope: Scope, first: dt.date, last: dt.date) -> list[MonthShare]:
    return monthly_shares([scope], first, last)[scope.key]


@dataclass
class MarketReport:
    first: dt.date
    last: dt.date
    scopes: list[Scope]
    series: dict[str, list[MonthShare]] = field(default_factory=dict)
    by_service: list[dict] = field(default_factory=list)
    latest: list = field(default_factory=list)
    map_points: list = field(default_factory=list)
    map_counts: dict[str, int] = field(default_factory=dict)


def by_service_type(scopes: list[Scope]) -> list[dict]:
    """Now: the share Good or Outstanding by service type, in each scope (the register's
    current ratings), in one query. The link table holds a (location, type) pair once, so the
    counts need no DISTINCT."""
    aggregates = {}
    for scope in scopes:
        aggregates[f"{scope.key}_rated"] = Count("id", filter=scope.q())
        aggregates[f"{scope.key}_good"] = Count("id", filter=scope.q() & Q(overall_rating__in=GOOD))
    counted = (
        Location.objects.filter(owner_council=None, deregistration_date=None)
        .filter(overall_rating__in=JUDGED)
        .values("service_types__name")
        .annotate(**aggregates)
        .order_by("service_types__name")
    )
    out = []
    for row in counted:
        entry = {"service": row["service_types__name"] or "No service type recorded"}
        for scope in scopes:
            rated, good = row[f"{scope.key}_rated"], row[f"{scope.key}_good"]
            entry[scope.key] = (good, rated)
            entry[f"{scope.key}_share"] = round(100 * good / rated, 1) if rated else None
            entry[f"{scope.key}_rated"] = rated
        if any(entry[f"{s.key}_rated"] for s in scopes):
            out.append(entry)
    return sorted(out, key=lambda e: e["service"])


def latest_in(scope: Scope, limit: int = 20) -> list:
    """The latest inspection results in the scope (002 7)."""
    return list(
        Rating.objects.filter(
            regulator=Regulator.CQC,
            overall__in=JUDGED,
            location__owner_council=None,
        )
        .filter(**{f"location__{k}": v for k, v in _lookup(scope).items()})
        .select_related("location__provider")
        .order_by("-report_date", "-id")[:limit]
    )


def _lookup(scope: Scope) -> dict:
    if scope.local_authorities:
        return {"local_authority__in": scope.local_authorities}
    if scope.regions:
        return {"region__in": scope.regions}
    return {}


def map_of(scope: Scope) -> tuple[list[tuple[float, float, str]], dict[str, int]]:
    """The scope's registered locations with a position, by their current rating."""
    rows = list(
        Location.objects.filter(scope.q(), owner_council=None, deregistration_date=None)
        .exclude(latitude=None)
        .exclude(longitude=None)
        .values_list("longitude", "latitude", "overall_rating")[:5000]
    )
    counts = Counter(r or "Not yet rated" for _, _, r in rows)
    return [(lon, lat, r or "Not yet rated") for lon, lat, r in rows], dict(counts)


def market_report(*, council, first: dt.date, last: dt.date) -> MarketReport:
    scopes = scopes_of(council)
    report = MarketReport(first=first, last=last, scopes=scopes)
    report.series = monthly_shares(scopes, first, last)
    report.by_service = by_service_type(scopes)
    regional = next((s for s in scopes if s.key == "region"), scopes[0])
    report.latest = latest_in(regional)
    report.map_points, report.map_counts = map_of(scopes[0])
    return report
