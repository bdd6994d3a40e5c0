"""The council's own work (issue 13, item 8; 004 11.1-11.3): RAG counts over time,
intelligence by source, theme, severity and provider, reviews done, due and overdue, cases by
stage, restrictions in force and lifted, decisions and their time, time limits met and
missed. Each figure equals a count made here, by a plain loop, from the same rows; the board
pack names no provider where the pack says so (003 1.15)."""

import datetime as dt
import statistics
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from concerns.models import Case, Stage
from concerns.pack import Ladder
from core.models import Timer, TimerStatus
from core.timers import timer_start
from decisions.models import Recommendation
from decisions.models import Status as RecStatus
from monitoring.models import Intelligence, Rag, Review, ReviewStatus, RiskHistory, Source
from monitoring.pack import intelligence_rules
from reporting import work
from reporting.market import months_between
from reporting.period import Period
from reporting.reports import work_figures
from restrictions.models import Status
from tests.concerns.api.helpers import open_case
from tests.factories import LocationFactory, ProviderFactory
from tests.monitoring.helpers import log
from tests.reporting.helpers import (
    history,
    month_ends,
    recommendation,
    restriction,
    review,
    timer,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
FIRST, LAST = dt.date(2024, 1, 1), dt.date(2024, 6, 30)
MONTHS = months_between(FIRST, LAST)
WORDS = ["Jan 2024", "Feb 2024", "Mar 2024", "Apr 2024", "May 2024", "Jun 2024"]


def local(y, m, d, hh=12, mm=0) -> dt.datetime:
    """A moment in the council's time (Europe/London: BST from 31 March 2024)."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=LONDON)


def next_month_start(end: dt.date) -> dt.datetime:
    return dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON)


def local_month(moment: dt.datetime) -> str:
    return f"{moment.astimezone(LONDON):%Y-%m}"


@pytest.fixture
def wb(load_pack):
    """West Berkshire: the Risk Matrix and Provider Intelligence Database (004 11.1-11.2)."""
    return load_pack("west-berkshire")


@pytest.fixture
def bromley(load_pack):
    return load_pack("bromley")


# RAG over time (004 11.1) ---------------------------------------------------------------


def reference_rag(council, first, last) -> list[list]:
    """At each month's end in the council's time: each location's RAG by its latest row."""
    rows = list(RiskHistory.objects.filter(council=council))
    out = []
    for key, end in month_ends(first, last):
        cutoff = next_month_start(min(end, last))
        latest = {}
        for h in rows:
            if h.at < cutoff:
                held = latest.get(h.location_id)
                if held is None or (h.at, h.pk) > (held.at, held.pk):
                    latest[h.location_id] = h
        n = Counter(h.rag for h in latest.values())
        out.append([key, n[Rag.RED], n[Rag.AMBER], n[Rag.GREEN]])
    return out


def test_rag_counts_at_each_months_end_equal_the_history(wb, bromley):
    """004 11.1: "The Risk Matrix automatically calculates risk and RAG". Two changes in
    February (the last holds), a change at 00:30 on 1 May BST (still April in UTC: red at
    April's end), one after the period, and another council's row."""
    one, two, three, four = (LocationFactory() for _ in range(4))
    history(wb, one, Rag.GREEN, local(2023, 12, 10))
    history(wb, one, Rag.AMBER, local(2024, 2, 15))
    history(wb, one, Rag.RED, local(2024, 2, 20))
    history(wb, one, Rag.GREEN, local(2024, 5, 1, 0, 30))
    history(wb, two, Rag.AMBER, local(2024, 3, 31, 22, 30))
    history(wb, two, Rag.GREEN, local(2024, 7, 1, 0, 15))  # after June's end, in BST
    history(wb, three, Rag.AMBER, local(2024, 4, 10))
    history(wb, four, Rag.RED, local(2024, 8, 1))
    history(bromley, LocationFactory(), Rag.RED, local(2024, 1, 5))
    figure = work.rag_over_time(wb, FIRST, LAST, MONTHS)
    want = reference_rag(wb, FIRST, LAST)
    assert [r[1:] for r in figure.rows] == [r[1:] for r in want]
    assert [r[0] for r in figure.rows] == WORDS
    # By hand: red, amber, green.
    assert [r[1:] for r in figure.rows] == [
        [0, 0, 1],
        [1, 0, 0],
        [1, 1, 0],
        [1, 2, 0],  # the change at 00:30 on 1 May is May's
        [0, 2, 1],
        [0, 2, 1],
    ]
    assert figure.columns == ["Month", "Red", "Amber", "Green"] and figure.seed == "004 11.1"


# Intelligence (004 11.2) ------------------------------------------------------------------

SOURCES = [Source.COMPLAINT, Source.SAFEGUARDING_ALERT, Source.WHISTLEBLOWING, Source.CQC]
THEMES = [["medication"], ["staffing", "missed_calls"], [], ["safeguarding", "medication"]]
SEVERITIES = ["low", "medium", "medium", "high", "high", "high", "critical"]


def _intelligence(council, providers):
    """Items over the period and either side of it, from several sources, with themes and
    severities, about providers that get 4, 3, 3 and then 1 item each."""
    days = [dt.date(2023, 12, 31), dt.date(2024, 7, 1)] + [
        dt.date(2024, 1 + i % 6, 1 + (7 * i) % 28) for i in range(20)
    ]
    counts = [4, 3, 3] + [1] * (len(providers) - 3)
    owners = [p for p, n in zip(providers, counts, strict=True) for _ in range(n)]
    for i, day in enumerate(days):
        provider = owners[i % len(owners)]
        log(
            council,
            location=provider.locations.first(),
            source=SOURCES[i % len(SOURCES)],
            received_on=day,
            severity=SEVERITIES[i % len(SEVERITIES)],
            themes=THEMES[i % len(THEMES)],
        )


def _providers(n, prefix="Kennet"):
    out = []
    for i in range(n):
        p = ProviderFactory(name=f"{prefix} {chr(65 + i)} Care Ltd")
        LocationFactory(provider=p, name=f"{prefix} {chr(65 + i)} House")
        out.append(p)
    return out


def test_intelligence_by_source_theme_severity_and_provider(wb, bromley):
    """004 11.2: "intelligence themes and trends ... by source and provider"."""
    providers = _providers(12)
    _intelligence(wb, providers)
    log(bromley, received_on=dt.date(2024, 3, 3), severity="critical")  # another council's
    items = [
        i
        for i in Intelligence.objects.filter(council=wb).select_related("provider")
        if FIRST <= i.received_on <= LAST
    ]
    rules = intelligence_rules(wb)
    trend, themes, severity, top = work.intelligence_figures(wb, FIRST, LAST, MONTHS)

    by_month = Counter((f"{i.received_on:%Y-%m}", i.source) for i in items)
    used = [s for s in Source.values if any(i.source == s for i in items)]
    assert trend.columns == ["Month", *[Source(s).label for s in used], "Total"]
    assert trend.rows == [
        [w, *[by_month[(m, s)] for s in used], sum(by_month[(m, s)] for s in used)]
        for w, m in zip(WORDS, MONTHS, strict=True)
    ]
    assert sum(r[-1] for r in trend.rows) == len(items) == 20

    by_theme = Counter(t for i in items for t in i.themes)
    want = sorted(
        ([label, by_theme[key]] for key, label in rules.themes.items()),
        key=lambda r: (-r[1], r[0]),
    )
    assert themes.rows == want
    assert dict(themes.rows)["Medication"] == by_theme["medication"] > 0

    by_severity = Counter(rules.severity_label(i.severity) for i in items)
    assert dict(severity.rows) == dict(by_severity)
    assert [r[1] for r in severity.rows] == sorted(by_severity.values(), reverse=True)

    by_provider = Counter(i.provider.name for i in items)
    want_top = sorted(by_provider.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [tuple(r) for r in top.rows] == want_top
    assert len(top.rows) == 10 and top.rows[0][0] == providers[0].name


def test_the_board_pack_names_no_provider_where_the_pack_says_so(load_pack):
    """003 1.15: "This data does not identify specific providers or services" (Somerset's
    pack: name_no_provider_in_trends); West Berkshire's pack says nothing, so its pack names
    them. The report page names them for both."""
    somerset, west = load_pack("somerset"), load_pack("west-berkshire")
    today = timezone.localdate()
    period = Period(today.replace(day=1), today)
    for council, prefix in ((somerset, "Quantock"), (west, "Kennet")):
        for n, p in enumerate(_providers(3, prefix), start=1):  # A: 1 item, B: 2, C: 3
            for _ in range(n):
                log(council, location=p.locations.first(), received_on=today)
    board = {f.key: f for f in work_figures(council=somerset, period=period, for_board=True)}
    assert board["intelligence_providers"].rows == [["Provider A", 3], ["Provider B", 2],
                                                    ["Provider C", 1]]  # fmt: skip
    assert "not named (003 1.15)" in board["intelligence_providers"].description
    page = {f.key: f for f in work_figures(council=somerset, period=period)}
    assert page["intelligence_providers"].rows[0] == ["Quantock C Care Ltd", 3]
    west_board = {f.key: f for f in work_figures(council=west, period=period, for_board=True)}
    assert west_board["intelligence_providers"].rows == [
        ["Kennet C Care Ltd", 3],
        ["Kennet B Care Ltd", 2],
        ["Kennet A Care Ltd", 1],
    ]
    for figure in board.values():
        text = repr(figure.rows) + figure.description + str(figure.chart)
        assert "Quantock" not in text, figure.key


# Reviews and visits (004 11.3) ------------------------------------------------------------


def reference_reviews(council, first, last, today):
    rows = list(Review.objects.filter(council=council))
    out = []
    for key, _ in month_ends(first, last):

        def here(day, key=key):
            return day is not None and first <= day <= last and f"{day:%Y-%m}" == key

        done = sum(r.status == ReviewStatus.COMPLETED and here(r.visited_on) for r in rows)
        due = sum(r.status != ReviewStatus.CANCELLED and here(r.planned_for) for r in rows)
        overdue = sum(
            r.status == ReviewStatus.PLANNED and here(r.planned_for) and r.planned_for < today
            for r in rows
        )
        out.append([done, due, overdue])
    return out


def test_reviews_done_due_and_overdue_equal_the_rows(wb, bromley):
    """004 11.3: "outstanding visits"; done by the visit's date, due by the planned date,
    overdue while still planned after it."""
    C, P, X = ReviewStatus.COMPLETED, ReviewStatus.PLANNED, ReviewStatus.CANCELLED
    D = dt.date
    review(wb, C, D(2024, 1, 20), D(2024, 2, 10))  # due January, done February
    review(wb, C, None, D(2024, 3, 5))
    review(wb, C, D(2024, 3, 1), D(2024, 3, 1))
    review(wb, P, D(2024, 4, 15))  # due and overdue in April
    review(wb, P, D(2024, 4, 30))
    review(wb, X, D(2024, 4, 20))  # cancelled: not due
    review(wb, P, D(2024, 7, 2))  # after the period
    review(wb, C, D(2023, 12, 1), D(2023, 12, 30))  # before it
    review(bromley, P, D(2024, 4, 15))
    today = timezone.localdate()
    figure = work.reviews_figure(wb, FIRST, LAST, MONTHS)
    assert [r[1:] for r in figure.rows] == reference_reviews(wb, FIRST, LAST, today)
    assert [r[1:] for r in figure.rows] == [
        [0, 1, 0],
        [1, 0, 0],
        [2, 1, 0],
        [0, 2, 2],
        [0, 0, 0],
        [0, 0, 0],
    ]
    # This month: planned for today is due, not yet overdue; planned for before today is.
    review(wb, P, today)
    review(wb, P, today - dt.timedelta(days=1))
    review(wb, C, today, today)
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    months = months_between(first, today)
    figure = work.reviews_figure(wb, first, today, months)
    assert [r[1:] for r in figure.rows] == reference_reviews(wb, first, today, today)
    assert sum(r[3] for r in figure.rows) == 1  # the one planned for yesterday


# Cases by stage -----------------------------------------------------------------------------


def test_open_cases_by_stage_with_days_in_the_stage(wb, bromley):
    """Cases open now at each stage of the council's ladder, in its words (004 15)."""
    now = timezone.now()
    for stage, days in [
        (Stage.INFORMAL, 10),
        (Stage.INFORMAL, 31),
        (Stage.INFORMAL, 20),
        (Stage.FORMAL, 5),
        (Stage.CLOSED, 100),
    ]:
        case = open_case(wb)
        Case.objects.filter(pk=case.pk).update(
            stage=stage, stage_since=now - dt.timedelta(days=days, hours=1)
        )
    open_case(bromley)
    figure = work.cases_figure(wb)
    ladder = Ladder.of(wb)
    days: dict[str, list[int]] = {}
    for case in Case.objects.filter(council=wb):
        if case.stage != Stage.CLOSED:
            days.setdefault(case.stage, []).append((now - case.stage_since).days)
    want = []
    for s in ladder.stages:
        if s.key == Stage.CLOSED:
            continue
        found = sorted(days.get(s.key, []))
        want.append(
            [
                s.label,
                len(found),
                round(statistics.median(found)) if found else None,
                found[-1] if found else None,
            ]
        )
    assert figure.rows == want
    rows = {r[0]: r[1:] for r in figure.rows}
    assert rows["Reactive review and improvement plan"] == [3, 20, 31]
    assert rows["Restriction on commissioning"] == [1, 5, 5]


# Restrictions -------------------------------------------------------------------------------

# (imposed on, level changed on, lifted on); and one refused, one withdrawn suggestion.
PLAN = [
    (dt.date(2023, 11, 20), None, dt.date(2024, 2, 10)),
    (dt.date(2024, 1, 15), dt.date(2024, 4, 3), None),  # Embargo, then Place with Caution
    (dt.date(2024, 3, 5), None, dt.date(2024, 3, 25)),  # in and out within March
    (dt.date(2024, 5, 31), None, None),
    (dt.date(2024, 7, 2), None, None),  # after the period
]


def _restrictions(council):
    """The rows as restrictions/services/decided.py leaves them: put in place sets
    decided_on and level_since; a change of level moves level_since; lifting sets ended_on;
    a refusal sets decided_on and ended_on and never level_since."""
    for n, (imposed, changed, lifted) in enumerate(PLAN):
        restriction(
            council,
            n,
            level="caution" if changed else "suspended",
            status=Status.LIFTED if lifted else Status.ACTIVE,
            decided_on=imposed,
            level_since=changed or imposed,
            ended_on=lifted,
        )
    restriction(
        council,
        "refused",
        level="suspended",
        status=Status.NOT_APPROVED,
        decided_on=dt.date(2024, 2, 1),
        ended_on=dt.date(2024, 2, 1),
    )
    restriction(
        council,
        "dismissed",
        level="suspended",
        status=Status.WITHDRAWN,
        ended_on=dt.date(2024, 3, 1),
    )


def reference_restrictions(first, last) -> list[list[int]]:
    out = []
    for key, end in month_ends(first, last):
        in_force = sum(i <= end and (lf is None or lf > end) for i, _, lf in PLAN)
        put = sum(f"{i:%Y-%m}" == key for i, _, _ in PLAN)
        lifted = sum(lf is not None and f"{lf:%Y-%m}" == key for _, _, lf in PLAN)
        out.append([in_force, put, lifted])
    return out


def test_restrictions_in_force_put_in_place_and_lifted(wb, bromley):
    """In force at each month's end from when it was put in place until it was lifted; a
    change of level (Embargo to Place with Caution, 004 20.4) is neither a new restriction
    nor a gap."""
    _restrictions(wb)
    restriction(
        bromley,
        "other",
        level="suspended",
        status=Status.ACTIVE,
        decided_on=dt.date(2024, 1, 1),
        level_since=dt.date(2024, 1, 1),
    )
    figure = work.restrictions_figure(wb, FIRST, LAST, MONTHS)
    assert [r[1:] for r in figure.rows] == reference_restrictions(FIRST, LAST)
    assert [r[1:] for r in figure.rows] == [
        [2, 1, 0],
        [1, 0, 1],
        [1, 1, 1],
        [1, 0, 0],
        [2, 1, 0],
        [2, 0, 0],
    ]


# Decisions ----------------------------------------------------------------------------------


def reference_decisions(council, first, last) -> list[list]:
    """Each month: approved, not approved, and the median days from the day recommended to
    the day taken, counted by the day the decision was taken (`decided_on`)."""
    recs = list(Recommendation.objects.filter(council=council, decided_on__isnull=False))
    out = []
    for key, _ in month_ends(first, last):
        here = [r for r in recs if first <= r.decided_on <= last and f"{r.decided_on:%Y-%m}" == key]
        days = [(r.decided_on - r.proposed_at.astimezone(LONDON).date()).days for r in here]
        out.append(
            [
                sum(r.status == RecStatus.APPROVED for r in here),
                sum(r.status == RecStatus.REJECTED for r in here),
                round(statistics.median(days), 1) if days else None,
            ]
        )
    return out


def test_decisions_by_month_and_their_time(wb, bromley, member):
    """Recommendations decided each month, approved or not, and the median days from the
    recommendation to the decision, by the day it was taken in the council's time; a
    decision at 00:30 on 1 May BST is May's."""
    who = member(wb)
    A, R = RecStatus.APPROVED, RecStatus.REJECTED
    rows = [
        (A, local(2024, 1, 3, 9), local(2024, 1, 10, 15)),
        (R, local(2024, 1, 20), local(2024, 2, 2)),
        (A, local(2024, 2, 1), local(2024, 2, 5, 18)),
        (A, local(2024, 1, 28), local(2024, 2, 9)),
        (A, local(2024, 4, 20), local(2024, 5, 1, 0, 30)),
        (RecStatus.PENDING, local(2024, 3, 1), None),
        (RecStatus.WITHDRAWN, local(2024, 3, 1), None),
        (A, local(2024, 6, 20), local(2024, 7, 1, 9)),  # after the period
    ]
    for n, (status, proposed, decided) in enumerate(rows):
        recommendation(wb, who, n, status, proposed, decided)
    recommendation(bromley, member(bromley), 99, A, local(2024, 3, 1), local(2024, 3, 2))
    figure = work.decisions_figure(wb, FIRST, LAST, MONTHS)
    assert [r[1:] for r in figure.rows] == reference_decisions(wb, FIRST, LAST)
    assert [r[1:3] for r in figure.rows] == [[1, 0], [2, 1], [0, 0], [0, 0], [1, 0], [0, 0]]
    assert figure.rows[0][3] == 7  # 3 to 10 January
    assert figure.rows[1][3] == 12  # 13 (20 January to 2 February), 4 and 12 days


def test_a_decision_counts_in_the_month_it_was_taken_not_recorded(wb, member):
    """A decider may record a decision days after taking it (decisions/services.py: the day
    given, `decided_on`; `decided_at` is when it was recorded): it is that day's, in its
    month, and the time it took ends that day."""
    who = member(wb)
    # Proposed on 20 January, taken on 31 January, recorded on 5 February.
    recommendation(
        wb,
        who,
        1,
        RecStatus.APPROVED,
        local(2024, 1, 20, 9),
        local(2024, 2, 5, 10),
        decided_on=dt.date(2024, 1, 31),
    )
    # Taken on 30 June, the period's last day, recorded on 2 July: in the period.
    recommendation(
        wb,
        who,
        2,
        RecStatus.REJECTED,
        local(2024, 6, 1, 9),
        local(2024, 7, 2, 10),
        decided_on=dt.date(2024, 6, 30),
    )
    # Taken on 1 July, after the period, recorded on 1 July: not in it.
    recommendation(wb, who, 3, RecStatus.APPROVED, local(2024, 6, 1), local(2024, 7, 1, 9))
    figure = work.decisions_figure(wb, FIRST, LAST, MONTHS)
    assert [r[1:] for r in figure.rows] == reference_decisions(wb, FIRST, LAST)
    assert [r[1:] for r in figure.rows] == [
        [1, 0, 11],  # January: 20 to 31 January, not to 5 February
        [0, 0, None],  # nothing taken in February, though one was recorded then
        [0, 0, None],
        [0, 0, None],
        [0, 0, None],
        [0, 1, 29],  # June: 1 to 30 June
    ]


# Time limits --------------------------------------------------------------------------------


def test_time_limits_met_in_time_late_and_missed(wb, bromley):
    """Time limits by the month they fell due, in the council's time."""
    subject = LocationFactory()
    first = timer_start(
        council=wb, kind="test.limit", subject=subject, due_on=dt.date(2024, 1, 15), cause="0"
    )
    Timer.objects.filter(pk=first.pk).update(status=TimerStatus.MET, ended_at=local(2024, 1, 14))
    rows = [
        (local(2024, 1, 20, 23, 59), TimerStatus.MET, local(2024, 1, 25)),  # late
        (local(2024, 2, 10), TimerStatus.FIRED, None),
        (local(2024, 2, 29, 23, 59), TimerStatus.MET, local(2024, 2, 29, 23, 59)),  # on the dot
        (local(2024, 5, 31, 23, 59), TimerStatus.FIRED, None),
        (local(2024, 6, 1, 0, 30), TimerStatus.FIRED, None),  # June's in BST, May's in UTC
        (local(2024, 3, 10), TimerStatus.ENDED, local(2024, 3, 1)),  # ended: neither
        (local(2024, 4, 10), TimerStatus.RUNNING, None),
        (local(2024, 7, 5), TimerStatus.FIRED, None),  # after the period
    ]
    for n, (due, status, ended) in enumerate(rows, start=1):
        timer(wb, n, due, status, ended, subject_id=str(subject.pk))
    timer(bromley, 0, local(2024, 1, 10), TimerStatus.FIRED)
    figure = work.timers_figure(wb, FIRST, LAST, MONTHS)
    timers = list(Timer.objects.filter(council=wb))
    want = []
    for key, _ in month_ends(FIRST, LAST):
        here = [t for t in timers if local_month(t.due_at) == key]
        met = [t for t in here if t.status == TimerStatus.MET]
        want.append(
            [
                sum(t.ended_at <= t.due_at for t in met),
                sum(t.ended_at > t.due_at for t in met),
                sum(t.status == TimerStatus.FIRED for t in here),
            ]
        )
    assert [r[1:] for r in figure.rows] == want
    assert [r[1:] for r in figure.rows] == [
        [1, 1, 0],
        [1, 0, 1],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 1],
        [0, 0, 1],
    ]


def test_the_work_report_has_every_figure_in_order(wb):
    today = timezone.localdate()
    figures = work_figures(council=wb, period=Period(today.replace(day=1), today))
    assert [f.key for f in figures] == [
        "rag",
        "intelligence_sources",
        "intelligence_themes",
        "intelligence_severity",
        "intelligence_providers",
        "reviews",
        "cases",
        "restrictions",
        "decisions",
        "time_limits",
    ]
