"""The council's own work over a period (004 11: KPIs from the Risk Matrix; intelligence
themes and trends by source and provider; visits done and outstanding), read from the rows
the other apps keep. Reads only; each figure in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from concerns.models import Case, Stage
from concerns.pack import Ladder
from core.models import Timer, TimerStatus
from decisions.models import Recommendation
from decisions.models import Status as RecStatus
from monitoring.models import Intelligence, Rag, Review, ReviewStatus, Source
from monitoring.pack import intelligence_rules, review_rules
from providers.models import Provider
from reporting.charts import Series, bar_chart, line_chart, table_series
from reporting.figures import Figure
from reporting.market import month_key, month_words, months_between
from restrictions.models import Restriction

REVIEW_COLUMNS = ["Month", "Done", "Due", "Overdue"]
RESTRICTION_COLUMNS = ["Month", "In force", "Put in place", "Lifted"]
DECISION_COLUMNS = ["Month", "Approved", "Not approved", "Median days to decide"]
TIMER_COLUMNS = ["Month", "Met in time", "Met late", "Missed"]
RAG_COLOURS = {Rag.RED: "#d4351c", Rag.AMBER: "#f47738", Rag.GREEN: "#00703c"}


def _month(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return month_key(value)


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _per_month(qs, field: str) -> Counter:
    """How many rows fall in each month of `field` ("YYYY-MM" keys), in one query."""
    return Counter(
        {
            _month(m): n
            for m, n in qs.annotate(m=TruncMonth(field))
            .values_list("m")
            .annotate(n=Count("id"))
            .order_by()
        }
    )


def rag_over_time(council, first: dt.date, last: dt.date, months: list[str]) -> Figure:
    """Locations Red, Amber and Green at each month's end (the risk matrix's history), the
    months read in the council's time zone as the period's bounds are."""
    tzname = timezone.get_current_timezone_name()

    def month(expr: str) -> tuple[str, list]:
        day, params = connection.ops.datetime_cast_date_sql(expr, (), tzname)
        if connection.vendor == "postgresql":
            return f"to_char({day}, 'YYYY-MM')", list(params)
        return f"strftime('%%Y-%%m', {day})", list(params)

    m_start, start_params = month("at")
    m_next, next_params = month("LEAD(at) OVER (PARTITION BY location_id ORDER BY at, id)")
    sql = f"""
        WITH h AS (
            SELECT {m_start} AS m_start, {m_next} AS m_next, rag
            FROM monitoring_riskhistory WHERE council_id = %s AND at < %s
        )
        SELECT m_start, m_next, rag, COUNT(*) FROM h GROUP BY m_start, m_next, rag
    """
    _, end = _bounds(first, last)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*start_params, *next_params, council.pk, end])
        spans = cursor.fetchall()
    index = {m: i for i, m in enumerate(months)}
    diff = {r: [0] * (len(months) + 1) for r in Rag.values}
    for m_start, m_next, rag, n in spans:
        if rag not in diff or (m_next is not None and m_next <= months[0]) or m_start > months[-1]:
            continue
        a = index.get(m_start, 0) if m_start >= months[0] else 0
        b = len(months) if m_next is None or m_next > months[-1] else index[m_next]
        if a < b:
            diff[rag][a] += n
            diff[rag][b] -= n
    counts = {r: [] for r in Rag.values}
    for rag, d in diff.items():
        total = 0
        for i in range(len(months)):
            total += d[i]
            counts[rag].append(total)
    rows = [
        [month_words(m), counts[Rag.RED][i], counts[Rag.AMBER][i], counts[Rag.GREEN][i]]
        for i, m in enumerate(months)
    ]
    chart = line_chart(
        title="Locations by RAG rating at each month's end",
        description="Red, amber and green locations on the council's risk matrix by month; "
        "the numbers are in the table beside the chart.",
        series=[
            Series(
                Rag(r).label,
                [(month_words(m), counts[r][i]) for i, m in enumerate(months)],
                RAG_COLOURS[r],
            )
            for r in (Rag.RED, Rag.AMBER, Rag.GREEN)
        ],
    )
    return Figure(
        "rag",
        "Risk ratings over time",
        "Locations on the risk matrix by RAG rating at each month's end.",
        ["Month", "Red", "Amber", "Green"],
        rows,
        chart,
        seed="004 11.1",
    )


@dataclass
class IntelligenceCounts:
    """The period's intelligence counted for its four figures."""

    by_month: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    severities: Counter = field(default_factory=Counter)
    themes: Counter = field(default_factory=Counter)  # items raising each theme
    providers: dict[int, tuple[str, int]] = field(default_factory=dict)  # id: (name, items)

    def add_themes(self, themes, n: int) -> None:
        """An item counts once for each theme it raises, as `themes @> '["x"]'` would."""
        if isinstance(themes, str):
            themes = json.loads(themes)
        if isinstance(themes, list):
            for t in {t for t in themes if isinstance(t, str)}:
                self.themes[t] += n


# The period's items grouped three ways in one pass (PostgreSQL's GROUPING SETS): by month,
# source and severity; by provider, with its name; and by the list of themes (a council's
# items raise few distinct lists, which Python unnests).
INTELLIGENCE_SQL = """
    SELECT g.by_month, g.m, g.source, g.severity, g.by_provider, g.provider_id, p.name,
           g.themes, g.n
    FROM (
        SELECT GROUPING(i.m) = 0 AS by_month, GROUPING(i.provider_id) = 0 AS by_provider,
               to_char(i.m, 'YYYY-MM') AS m, i.source, i.severity, i.provider_id, i.themes,
               COUNT(*) AS n
        FROM (
            SELECT date_trunc('month', received_on::timestamp) AS m, source, severity,
                   provider_id, themes
            FROM monitoring_intelligence
            WHERE council_id = %s AND received_on >= %s AND received_on <= %s
        ) i
        GROUP BY GROUPING SETS ((i.m, i.source, i.severity), (i.provider_id), (i.themes))
    ) g
    LEFT JOIN providers_provider p ON p.id = g.provider_id AND g.by_provider
"""


def intelligence_counts(council, first: dt.date, last: dt.date) -> IntelligenceCounts:
    """The period's items by month and source, by severity, by theme and by provider: one
    query on PostgreSQL; on SQLite (`make run`) a few, grouped the same ways."""
    out = IntelligenceCounts()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(INTELLIGENCE_SQL, [council.pk, first, last])
            rows = cursor.fetchall()
        for by_month, m, source, level, by_provider, pid, name, themes, n in rows:
            if by_month:
                out.by_month[m][source] += n
                out.severities[level] += n
            elif by_provider:
                out.providers[pid] = (name or "", n)
            else:
                out.add_themes(themes, n)
        return out
    items = Intelligence.objects.filter(
        council=council, received_on__gte=first, received_on__lte=last
    ).order_by()
    for day, source, level, n in items.values_list("received_on", "source", "severity").annotate(
        n=Count("id")
    ):
        out.by_month[_month(day)][source] += n
        out.severities[level] += n
    for themes, n in items.values_list("themes").annotate(n=Count("id")):
        out.add_themes(themes, n)
    counted = dict(items.values_list("provider_id").annotate(n=Count("id")))
    names = dict(Provider.objects.filter(pk__in=counted).values_list("pk", "name"))
    out.providers = {pid: (names.get(pid, ""), n) for pid, n in counted.items()}
    return out


def intelligence_figures(
    council, first: dt.date, last: dt.date, months: list[str], *, name_providers: bool = True
) -> list[Figure]:
    """Intelligence received by source over time, by theme, by severity and by provider
    (004 11.2: "intelligence themes and trends ... by source and provider")."""
    rules = intelligence_rules(council)
    counts = intelligence_counts(council, first, last)
    by_month, severities = counts.by_month, counts.severities
    sources = [s for s in Source.values if any(by_month[m][s] for m in months)]
    trend_rows = [
        [month_words(m), *[by_month[m][s] for s in sources], sum(by_month[m].values())]
        for m in months
    ]
    trend = Figure(
        "intelligence_sources",
        "Intelligence received, by source",
        "Items of intelligence received each month, by where they came from.",
        ["Month", *[Source(s).label for s in sources], "Total"],
        trend_rows,
        line_chart(
            title="Intelligence received each month, by source",
            description="One line per source; the numbers are in the table beside the chart.",
            series=[
                Series(Source(s).label, [(month_words(m), by_month[m][s]) for m in months])
                for s in sources
            ],
        )
        if sources
        else "",
        seed="004 11.2",
    )
    themes = list(rules.themes)
    theme_rows = sorted(
        ([rules.theme_label(t), counts.themes.get(t, 0)] for t in themes),
        key=lambda r: (-r[1], r[0]),
    )
    theme = Figure(
        "intelligence_themes",
        "Intelligence by theme",
        "Items received in the period that raise each theme (an item may raise several).",
        ["Theme", "Items"],
        theme_rows,
        bar_chart(
            title="Intelligence by theme",
            description="Items raising each theme in the period; the numbers are in the table.",
            bars=[(r[0], r[1]) for r in theme_rows if r[1]],
        )
        if any(r[1] for r in theme_rows)
        else "",
        seed="004 11.2",
    )
    severity_rows = [
        [rules.severity_label(level), n]
        for level, n in sorted(severities.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    severity = Figure(
        "intelligence_severity",
        "Intelligence by severity",
        "Items received in the period by the severity the officer gave them.",
        ["Severity", "Items"],
        severity_rows,
        seed="004 11.2",
    )
    top = sorted(((name, n) for name, n in counts.providers.values()), key=lambda r: (-r[1], r[0]))
    provider_rows = [
        [name if name_providers else f"Provider {chr(65 + i)}", n]
        for i, (name, n) in enumerate(top[:10])
    ]
    providers = Figure(
        "intelligence_providers",
        "Providers with the most intelligence",
        "The ten providers with the most items received in the period"
        + ("" if name_providers else ", not named (003 1.15)")
        + ".",
        ["Provider", "Items"],
        provider_rows,
        seed="004 11.2",
    )
    return [trend, theme, severity, providers]


def reviews_figure(council, first: dt.date, last: dt.date, months: list[str]) -> Figure:
    """Visits and reviews done, due and overdue (004 11.3: "outstanding visits"), in one
    query: the reviews done or planned in the period, grouped by what they count for."""
    today = timezone.localdate()
    done_in = Q(status=ReviewStatus.COMPLETED, visited_on__gte=first, visited_on__lte=last)
    due_in = Q(planned_for__gte=first, planned_for__lte=last)
    done, due, overdue = Counter(), Counter(), Counter()
    for status, is_done, is_due, late, visited, planned, n in (
        Review.objects.filter(council=council)
        .filter(done_in | due_in)
        .annotate(
            is_done=ExpressionWrapper(done_in, output_field=BooleanField()),
            is_due=ExpressionWrapper(due_in, output_field=BooleanField()),
            late=ExpressionWrapper(Q(planned_for__lt=today), output_field=BooleanField()),
            v=TruncMonth("visited_on"),
            p=TruncMonth("planned_for"),
        )
        .values_list("status", "is_done", "is_due", "late", "v", "p")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if is_done:
            done[_month(visited)] += n
        if is_due and status != ReviewStatus.CANCELLED:
            due[_month(planned)] += n
        if is_due and status == ReviewStatus.PLANNED and late:
            overdue[_month(planned)] += n
    rows = [[month_words(m), done[m], due[m], overdue[m]] for m in months]
    kinds = review_rules(council).labels
    return Figure(
        "reviews",
        "Reviews and visits done, due and overdue",
        "Each month: reviews completed, reviews planned for it, and those planned for it "
        f"that are still not done ({', '.join(kinds.values()) or 'every type'}).",
        REVIEW_COLUMNS,
        rows,
        line_chart(
            title="Reviews and visits by month",
            description="Done, due and overdue each month; the numbers are in the table.",
            series=table_series(REVIEW_COLUMNS, rows, (1, 2, 3)),
        ),
        seed="004 11.3",
    )


def cases_figure(council) -> Figure:
    """Open cases by stage, with how long they have been in it."""
    ladder = Ladder.of(council)
    now = timezone.now()
    days: dict[str, list[int]] = defaultdict(list)
    for stage, since in (
        Case.objects.filter(council=council)
        .exclude(stage=Stage.CLOSED)
        .values_list("stage", "stage_since")
    ):
        days[stage].append((now - since).days)
    rows = []
    for s in ladder.stages:
        if s.key == Stage.CLOSED:
            continue
        found = days.get(s.key, [])
        rows.append(
            [s.label, len(found), round(median(found)) if found else None, max(found, default=None)]
        )
    return Figure(
        "cases",
        "Open cases by stage",
        "Cases open now at each stage of the council's ladder, with the median and longest "
        "time in the stage, in days.",
        ["Stage", "Open cases", "Median days in the stage", "Longest, in days"],
        rows,
        bar_chart(
            title="Open cases by stage",
            description="Open cases at each stage; the numbers are in the table.",
            bars=[(r[0], r[1]) for r in rows],
        ),
    )


def restrictions_figure(council, first: dt.date, last: dt.date, months: list[str]) -> Figure:
    """Restrictions in force at each month's end, and those lifted in the month. One put in
    place has `level_since` (a refused or withdrawn one never has); it counts from the day it
    was put in place (`decided_on`), not from its last change of level (`level_since`). One
    query: those put in place or lifted by the period's end, grouped by both months."""
    started = Q(put_on__lte=last)
    ended = Q(ended_on__isnull=False, ended_on__lte=last)
    starts, ends = Counter(), Counter()
    for is_start, is_end, put_month, end_month, n in (
        Restriction.objects.filter(council=council, level_since__isnull=False)
        .annotate(put_on=Coalesce("decided_on", "level_since"))
        .filter(started | ended)
        .annotate(
            is_start=ExpressionWrapper(started, output_field=BooleanField()),
            is_end=ExpressionWrapper(ended, output_field=BooleanField()),
            s=TruncMonth("put_on"),
            e=TruncMonth("ended_on"),
        )
        .values_list("is_start", "is_end", "s", "e")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if is_start:
            starts[_month(put_month)] += n
        if is_end:
            ends[_month(end_month)] += n
    before = sum(n for m, n in starts.items() if m < months[0]) - sum(
        n for m, n in ends.items() if m < months[0]
    )
    rows, in_force = [], before
    for m in months:
        in_force += starts[m] - ends[m]
        rows.append([month_words(m), in_force, starts[m], ends[m]])
    return Figure(
        "restrictions",
        "Restrictions in force and lifted",
        "Restrictions on placements in force at each month's end, put in place and lifted "
        "in the month.",
        RESTRICTION_COLUMNS,
        rows,
        line_chart(
            title="Restrictions in force at each month's end",
            description="In force, put in place and lifted by month; numbers in the table.",
            series=table_series(RESTRICTION_COLUMNS, rows, (1, 3)),
        ),
    )


def decisions_figure(council, first: dt.date, last: dt.date, months: list[str]) -> Figure:
    """Decisions taken each month and the days from the recommendation to the decision, both
    by the day the decision was taken (`decided_on`, which the decider gives and may be days
    before it was recorded, `decided_at`); a row with no such day counts by the day it was
    recorded, in the council's time."""
    start, end = _bounds(first, last)
    taken: dict[str, list[float]] = defaultdict(list)
    outcomes: dict[str, Counter] = defaultdict(Counter)
    for proposed, recorded, day, status in (
        Recommendation.objects.filter(council=council)
        .filter(
            Q(decided_on__gte=first, decided_on__lte=last)
            | Q(decided_on__isnull=True, decided_at__gte=start, decided_at__lt=end)
        )
        .values_list("proposed_at", "decided_at", "decided_on", "status")
    ):
        day = day or timezone.localdate(recorded)
        m = month_key(day)
        taken[m].append(float((day - timezone.localdate(proposed)).days))
        outcomes[m][status] += 1
    rows = [
        [
            month_words(m),
            outcomes[m][RecStatus.APPROVED],
            outcomes[m][RecStatus.REJECTED],
            round(median(taken[m]), 1) if taken[m] else None,
        ]
        for m in months
    ]
    return Figure(
        "decisions",
        "Decisions and the time they took",
        "Recommendations decided each month, approved or not, and the median days from the "
        "day of the recommendation to the day the decision was taken.",
        DECISION_COLUMNS,
        rows,
        line_chart(
            title="Decisions each month",
            description="Approved and not approved by month; numbers in the table.",
            series=table_series(DECISION_COLUMNS, rows, (1, 2)),
        ),
    )


def timers_figure(council, first: dt.date, last: dt.date, months: list[str]) -> Figure:
    """Time limits that fell due each month: met in time, met late, or missed."""
    start, end = _bounds(first, last)
    met = Q(status=TimerStatus.MET)
    counted = {
        _month(m): (on_time, late, missed)
        for m, on_time, late, missed in Timer.objects.filter(
            council=council, due_at__gte=start, due_at__lt=end
        )
        .annotate(m=TruncMonth("due_at"))
        .values_list("m")
        .annotate(
            on_time=Count("id", filter=met & Q(ended_at__lte=F("due_at"))),
            late=Count("id", filter=met & Q(ended_at__gt=F("due_at"))),
            missed=Count("id", filter=Q(status=TimerStatus.FIRED)),
        )
        .values_list("m", "on_time", "late", "missed")
    }
    rows = [[month_words(m), *counted.get(m, (0, 0, 0))] for m in months]
    return Figure(
        "time_limits",
        "Time limits met and missed",
        "Time limits that fell due each month: met in time, met late, and passed without "
        "being met.",
        TIMER_COLUMNS,
        rows,
        line_chart(
            title="Time limits by the month they fell due",
            description="Met in time, met late and missed; numbers in the table.",
            series=table_series(TIMER_COLUMNS, rows, (1, 2, 3)),
        ),
    )


def work_report(
    *, council, first: dt.date, last: dt.date, name_providers: bool = True
) -> list[Figure]:
    months = months_between(first, last)
    return [
        rag_over_time(council, first, last, months),
        *intelligence_figures(council, first, last, months, name_providers=name_providers),
        reviews_figure(council, first, last, months),
        cases_figure(council),
        restrictions_figure(council, first, last, months),
        decisions_figure(council, first, last, months),
        timers_figure(council, first, last, months),
    ]
