"""The quality of the care market (002 7: "% Good or Outstanding" against England, month by
month; the latest results in the region; 003 1.4: CQC outcomes on a map), read from the
register's ratings history. Reads only.

A location counts in a month when, at the month's end, it is registered and its latest CQC
rating is one of the four judgements; it is Good or Outstanding when that rating is. One query
walks the ratings history with a window function: each rating holds from its month until the
month of the location's next rating or its deregistration, whichever comes first."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
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
LATEST_ROWS = 20  # the latest results in the region: at most this many rows


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


def _changes(scopes: list[Scope], last: dt.date) -> dict[str, dict[str, list[int]]]:
    """For each scope: {month: [change in locations rated, change in those Good or
    Outstanding]} over the ratings history, in one query for every scope. Each rating holds
    from its month until the month of the location's next rating or its deregistration,
    whichever comes first; it adds one in its first month and takes one away in the month it
    ends (one that ends in the month it starts, or before, counts nowhere). The next rating is
    looked for among all of a location's CQC ratings, then only the four judgements are kept:
    a location whose latest rating is "Insufficient evidence to rate" is not counted as rated.
    The database adds the changes up by month (GROUPING SETS on PostgreSQL), so what Python
    reads is a few rows a month whatever the number of locations."""
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
    narrow, narrow_args = "", []
    if all(s.local_authorities or s.regions for s in scopes):  # no England: read less
        where_a, pa = area.where("l") if area else ("", [])
        where_r, pr = region.where("l") if region else ("", [])
        clauses = " OR ".join(w[5:] for w in (where_a, where_r) if w)
        narrow = (
            " AND r.location_id IN (SELECT l.id FROM providers_location l"
            f" WHERE l.owner_council_id IS NULL AND ({clauses}))"
        )
        narrow_args = [*pa, *pr]
    not_good = [v for v in JUDGED if v not in GOOD]

    def marks(values) -> str:
        return ", ".join(["%s"] * len(values))

    # The window runs over the ratings alone (narrow rows: j is 2 for Good or Outstanding, 1
    # for the other judgements, 0 for none), and only then meets the locations.
    head = f"""
        WITH w AS (
            SELECT r.location_id, r.report_date AS d,
                   CASE WHEN r.overall IN ({marks(GOOD)}) THEN 2
                        WHEN r.overall IN ({marks(not_good)}) THEN 1 ELSE 0 END AS j,
                   LEAD(r.report_date) OVER (
                       PARTITION BY r.location_id ORDER BY r.report_date, r.id
                   ) AS d_next
            FROM providers_rating r
            WHERE r.regulator = %s AND r.report_date <= %s{narrow}
        )"""
    located = f"""
            w.j - 1 AS good, {in_area} AS in_area, {in_region} AS in_region
            FROM w JOIN providers_location l ON l.id = w.location_id
            WHERE w.j > 0 AND l.owner_council_id IS NULL"""
    args = [*GOOD, *not_good, Regulator.CQC, last, *narrow_args, *params]
    if connection.vendor == "postgresql":
        sql = f"""{head}, spans AS (
            SELECT date_trunc('month', w.d::timestamp) AS m_start,
                   date_trunc('month', LEAST(w.d_next, l.deregistration_date)::timestamp)
                       AS m_end,{located}
        )
        SELECT GROUPING(m_start) = 0, to_char(m_start, 'YYYY-MM'), to_char(m_end, 'YYYY-MM'),
               good, in_area, in_region, COUNT(*)
        FROM spans WHERE m_end IS NULL OR m_end > m_start
        GROUP BY GROUPING SETS ((m_start, good, in_area, in_region),
                                (m_end, good, in_area, in_region))
        """
    else:  # SQLite has no GROUPING SETS: the spans grouped, each read as its two changes
        sql = f"""{head}, spans AS (
            SELECT strftime('%%Y-%%m', w.d) AS m_start,
                   strftime('%%Y-%%m', CASE
                       WHEN l.deregistration_date IS NULL OR w.d_next < l.deregistration_date
                       THEN COALESCE(w.d_next, l.deregistration_date)
                       ELSE l.deregistration_date END) AS m_end,{located}
        )
        SELECT m_start, m_end, good, in_area, in_region, COUNT(*)
        FROM spans WHERE m_end IS NULL OR m_end > m_start
        GROUP BY m_start, m_end, good, in_area, in_region
        """
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    if connection.vendor != "postgresql":
        rows = [
            (starting, m_start, m_end, good, a, r, n)
            for m_start, m_end, good, a, r, n in rows
            for starting in (True, False)
        ]
    out: dict[str, dict[str, list[int]]] = {s.key: defaultdict(lambda: [0, 0]) for s in scopes}
    for starting, m_start, m_end, good, a, r, n in rows:
        month = m_start if starting else m_end
        if month is None:  # still holding: no end
            continue
        change = int(n) if starting else -int(n)
        for s in scopes:
            if s.local_authorities and not a or s.regions and not r:
                continue
            counts = out[s.key][month]
            counts[0] += change
            if good:
                counts[1] += change
    return out


@dataclass
class MonthShare:
    month: str
    rated: int
    good: int

    @property
    def share(self) -> float | None:
        return round(100 * self.good / self.rated, 1) if self.rated else None


def _series(changes: dict[str, list[int]], months: list[str]) -> list[MonthShare]:
    """Monthly counts from the changes by month: those before the period give its start."""
    rated = sum(c[0] for m, c in changes.items() if m < months[0])
    good = sum(c[1] for m, c in changes.items() if m < months[0])
    out = []
    for m in months:
        change = changes.get(m)
        if change:
            rated += change[0]
            good += change[1]
        out.append(MonthShare(m, rated, good))
    return out


def monthly_shares(scopes: list[Scope], first: dt.date, last: dt.date) -> dict[str, list]:
    """For each scope and each month from `first` to `last`: locations rated at its end,
    and how many Good or Outstanding; one query for all the scopes."""
    months = months_between(first, last)
    return {key: _series(changes, months) for key, changes in _changes(scopes, last).items()}


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


def latest_in(
    scope: Scope,
    limit: int = LATEST_ROWS,
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> list:
    """The latest inspection results in the scope (002 7): those published from `first` to
    `last` when given (a report's period), newest first, at most `limit` of them."""
    within = {}
    if first is not None:
        within["report_date__gte"] = first
    if last is not None:
        within["report_date__lte"] = last
    return list(
        Rating.objects.filter(
            regulator=Regulator.CQC,
            overall__in=JUDGED,
            location__owner_council=None,
            **within,
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
    report.latest = latest_in(regional, first=first, last=last)
    report.map_points, report.map_counts = map_of(scopes[0])
    return report
