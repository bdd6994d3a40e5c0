"""The quality of the market (issue 13, item 7): the share of locations rated Good or
Outstanding month by month for the council's area, its region and England (002 7), by
service type, the latest results in the region, and the map by rating (003 1.4). Each figure
equals a count made here, by a plain loop, from the same rows."""

import datetime as dt

import pytest

from providers.models import Rating, Regulator
from reporting.market import (
    LATEST_ROWS,
    by_service_type,
    latest_in,
    map_of,
    monthly_share,
    scopes_of,
)
from reporting.period import Period
from reporting.reports import market_figures
from tests.reporting.helpers import (
    JUDGED,
    anywhere,
    in_area,
    in_region,
    market_register,
    place,
    reference_by_service,
    reference_share,
    share,
)

pytestmark = pytest.mark.django_db

FIRST, LAST = dt.date(2024, 1, 1), dt.date(2024, 6, 30)
D = dt.date


@pytest.fixture
def wb(load_pack):
    """West Berkshire (004): its area is the local authority "West Berkshire"."""
    council = load_pack("west-berkshire")
    return council, market_register(council)


def _scopes(council) -> dict:
    return {s.key: s for s in scopes_of(council)}


def test_the_scopes_are_the_area_its_commonest_region_and_england(wb):
    """002 7: "% Good or Outstanding" for the council against its region and England."""
    council, _ = wb
    scopes = scopes_of(council)
    assert [s.key for s in scopes] == ["area", "region", "england"]
    assert scopes[0].local_authorities == ("West Berkshire",)
    # Seven of its services lie in the South East, one in London; its own is not counted.
    assert scopes[1].label == "South East" and scopes[1].regions == ("South East",)
    assert scopes[2].label == "England"


@pytest.mark.parametrize(
    ("key", "where"), [("area", in_area), ("region", in_region), ("england", anywhere)]
)
def test_monthly_share_equals_a_count_from_the_ratings(wb, key, where):
    """002 7, month by month: the latest CQC judgement at each month's end. The register
    holds a rating changed during March, services deregistered during the period, the
    council's own service, Ofsted and "Insufficient evidence" ratings, two reports on one
    day and a rating on a month's last day."""
    council, _ = wb
    scope = _scopes(council)[key]
    got = [(p.month, p.rated, p.good) for p in monthly_share(scope, FIRST, LAST)]
    assert got == reference_share(FIRST, LAST, where)
    for p in monthly_share(scope, FIRST, LAST):
        assert p.share == share(p.good, p.rated)


def test_the_areas_months_by_hand(wb):
    """The reference loop itself, checked against the months worked out by hand: Shifting
    House is Inadequate until Requires improvement on 3 March and Good on 20 March (Good at
    March's end); Gone House leaves on 15 April; Brief House (1 to 20 February) never counts;
    Same Month Lodge is Good on 2 May and Inadequate on 28 May (Inadequate at May's end);
    Judged Once House's latest rating is "Insufficient evidence to rate" from 2 May."""
    council, _ = wb
    expected = [
        ("2024-01", 3, 2),  # Shifting (Inadequate), Gone, Later Gone
        ("2024-02", 4, 3),  # + Judged Once (Good on 10 February)
        ("2024-03", 4, 4),  # Shifting Good on 20 March
        ("2024-04", 4, 4),  # - Gone (15 April), + Border House (30 April)
        # + Same Month Lodge, Inadequate at May's end; - Judged Once, whose latest rating is
        # "Insufficient evidence to rate" from 2 May (no longer rated, as on the register)
        ("2024-05", 4, 3),
        ("2024-06", 4, 3),
    ]
    assert reference_share(FIRST, LAST, in_area) == expected
    got = monthly_share(_scopes(council)["area"], FIRST, LAST)
    assert [(p.month, p.rated, p.good) for p in got] == expected


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(2024, 3, 1), dt.date(2024, 3, 31)),  # the month of the change alone
        (dt.date(2024, 2, 1), dt.date(2024, 4, 30)),
        (dt.date(2023, 10, 1), dt.date(2024, 8, 31)),  # from before to after the histories
        (dt.date(2024, 5, 1), dt.date(2024, 5, 20)),  # a period ending mid-month (today)
    ],
)
def test_any_period_equals_the_count(wb, first, last):
    council, _ = wb
    for key, where in (("area", in_area), ("region", in_region), ("england", anywhere)):
        got = monthly_share(_scopes(council)[key], first, last)
        assert [(p.month, p.rated, p.good) for p in got] == reference_share(first, last, where)


def test_the_figure_has_a_row_a_month_with_each_scope(wb):
    """The good_share figure's table (shown beside the chart, exported, in the API)."""
    council, _ = wb
    figure = market_figures(council=council, period=Period(FIRST, LAST))[0]
    assert figure.key == "good_share" and figure.seed == "002 7"
    assert figure.columns == [
        "Month",
        "West Berkshire %",
        "West Berkshire: locations rated",
        "South East %",
        "South East: locations rated",
        "England %",
        "England: locations rated",
    ]
    counts = [reference_share(FIRST, LAST, w) for w in (in_area, in_region, anywhere)]
    assert [r[0] for r in figure.rows] == ["Jan 2024", "Feb 2024", "Mar 2024", "Apr 2024",
                                           "May 2024", "Jun 2024"]  # fmt: skip
    for i, row in enumerate(figure.rows):
        want = []
        for scope in counts:
            _, rated, good = scope[i]
            want += [share(good, rated), rated]
        assert row[1:] == want


def test_by_service_type_equals_a_count_of_current_ratings(wb):
    """002 7: overall and by service type; registered locations, their current rating."""
    council, _ = wb
    scopes = scopes_of(council)
    rows = {r["service"]: r for r in by_service_type(scopes)}
    wheres = {"area": in_area, "region": in_region, "england": anywhere}
    names = set()
    for s in scopes:
        want = reference_by_service(wheres[s.key])
        names |= set(want)
        for name, (good, rated) in want.items():
            assert rows[name][s.key] == (good, rated), (s.key, name)
            assert rows[name][f"{s.key}_share"] == share(good, rated)
            assert rows[name][f"{s.key}_rated"] == rated
        for name in set(rows) - set(want):
            assert rows[name][f"{s.key}_rated"] == 0 and rows[name][f"{s.key}_share"] is None
    assert set(rows) == names
    assert list(rows) == sorted(rows)
    # By hand, the area: nursing = Shifting (Good) and Same Month (Inadequate).
    assert rows["Care home service with nursing"]["area"] == (1, 2)


def test_latest_results_in_the_region_newest_first(wb):
    """002 7: "latest results in the region": CQC judgements only, not the council's own."""
    council, reg = wb
    region = _scopes(council)["region"]
    want = sorted(
        (
            r
            for r in Rating.objects.select_related("location")
            if r.regulator == Regulator.CQC
            and r.overall in JUDGED
            and r.location.region == "South East"
            and r.location.owner_council_id is None
        ),
        key=lambda r: (r.report_date, r.pk),
        reverse=True,
    )
    got = latest_in(region)
    assert [r.pk for r in got] == [r.pk for r in want]
    assert got[0].location == reg.reading_late  # 30 June 2024
    assert reg.ours.pk not in {r.location_id for r in got}
    assert [r.pk for r in latest_in(region, limit=3)] == [r.pk for r in want[:3]]


def test_latest_results_are_those_published_in_the_period(wb):
    """002 7: the latest results in the region for the report's period: none published
    after it (Reading Lodge on 30 June, when the period ends in April) nor before it, newest
    first; the figure names the location, its provider and authority."""
    council, reg = wb
    region = _scopes(council)["region"]
    first, last = dt.date(2024, 2, 1), dt.date(2024, 4, 30)
    want = sorted(
        (
            r
            for r in Rating.objects.select_related("location")
            if r.regulator == Regulator.CQC
            and r.overall in JUDGED
            and r.location.region == "South East"
            and r.location.owner_council_id is None
            and first <= r.report_date <= last
        ),
        key=lambda r: (r.report_date, r.pk),
        reverse=True,
    )
    got = latest_in(region, first=first, last=last)
    assert [r.pk for r in got] == [r.pk for r in want]
    assert [(r.report_date, r.location.name) for r in got] == [
        (dt.date(2024, 3, 20), "Shifting House"),
        (dt.date(2024, 3, 3), "Shifting House"),
        (dt.date(2024, 2, 10), "Judged Once House"),
        (dt.date(2024, 2, 1), "Brief House"),
    ]
    assert reg.reading_late.pk not in {r.location_id for r in got}
    figure = market_figures(council=council, period=Period(first, last))[2]
    assert figure.key == "latest"
    assert figure.rows == [
        [r.report_date, r.location.name, r.location.provider.name, r.location.local_authority,
         r.overall]
        for r in want
    ]  # fmt: skip
    # A period with no result published in it: no rows.
    empty = market_figures(council=council, period=Period(D(2023, 2, 1), D(2023, 5, 31)))[2]
    assert empty.rows == []


def test_latest_results_are_capped(wb):
    """At most LATEST_ROWS results, the newest, however many the period holds."""
    council, _ = wb
    for i in range(LATEST_ROWS + 5):
        place(
            f"Busy House {i}",
            "Reading",
            "South East",
            rated=[(D(2024, 4, 1) + dt.timedelta(days=i), "Good")],
            overall="Good",
        )
    want = sorted(
        (
            (r.report_date, r.pk, r.location.name)
            for r in Rating.objects.select_related("location")
            if r.regulator == Regulator.CQC
            and r.overall in JUDGED
            and r.location.region == "South East"
            and r.location.owner_council_id is None
            and FIRST <= r.report_date <= LAST
        ),
        reverse=True,
    )
    assert len(want) > LATEST_ROWS
    figure = market_figures(council=council, period=Period(FIRST, LAST))[2]
    assert [(r[0], r[1]) for r in figure.rows] == [(d, name) for d, _, name in want][:LATEST_ROWS]


def test_the_map_counts_registered_located_services_by_rating(wb):
    """003 1.4: CQC outcomes on a map; the council's own, the deregistered and those with no
    position are not on it."""
    council, reg = wb
    points, counts = map_of(_scopes(council)["area"])
    want = {}
    for loc in [reg.shifting, reg.gone, reg.ours, reg.not_judged, reg.same_month, reg.brief,
                reg.later_gone, reg.in_london, reg.unrated]:  # fmt: skip
        if loc.owner_council_id or loc.deregistration_date or loc.latitude is None:
            continue
        key = loc.overall_rating or "Not yet rated"
        want[key] = want.get(key, 0) + 1
    assert counts == want == {"Good": 2, "Outstanding": 1, "Not yet rated": 1}
    assert sorted(points) == sorted(
        [(-1.32, 51.40, "Good"), (-1.25, 51.38, "Good"), (-1.20, 51.45, "Outstanding"),
         (-1.28, 51.39, "Not yet rated")]
    )  # fmt: skip
    figure = market_figures(council=council, period=Period(FIRST, LAST))[3]
    assert figure.key == "map" and figure.rows == [
        ["Outstanding", 1],
        ["Good", 2],
        ["Not yet rated", 1],
    ]
    assert figure.chart.count("<circle") == 4


def test_an_area_with_no_rated_service_gets_its_tables_without_a_chart(load_pack):
    """A council whose area has no rated service yet (a new register): the report is made,
    its table says no location is rated, and no empty chart is drawn."""
    council = load_pack("bromley")
    figures = market_figures(council=council, period=Period(FIRST, LAST))
    good_share = figures[0]
    assert [r[2] for r in good_share.rows] == [0] * 6
    assert all(r[1] is None for r in good_share.rows)
    assert good_share.chart == ""
    assert {f.key for f in figures} == {"good_share", "by_service", "latest", "map"}
