"""A small register built by hand for the reports' tests (issue 13), and the counts the tests
make from its rows by plain Python loops, independently of `reporting/`."""

from __future__ import annotations

import calendar
import datetime as dt
from types import SimpleNamespace

from providers.models import Location, Rating, Regulator, ServiceType
from tests.factories import LocationFactory, ProviderFactory, RatingFactory

JUDGED = {"Outstanding", "Good", "Requires improvement", "Inadequate"}
GOOD = {"Outstanding", "Good"}
NURSING = "Care home service with nursing"
HOMECARE = "Domiciliary care service"
NO_TYPE = "No service type recorded"

D = dt.date


def month_ends(first: dt.date, last: dt.date) -> list[tuple[str, dt.date]]:
    """[("2024-01", 31 January 2024), ...]: each month from `first` to `last` and its last day."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((f"{y:04d}-{m:02d}", D(y, m, calendar.monthrange(y, m)[1])))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def place(name, la, region, *, rated=(), overall="", owner=None, gone=None, at=None, types=()):
    """A location with its ratings history: `rated` is [(date, overall) or (date, overall,
    regulator)]; `overall` is the register's current rating; `at` its (longitude, latitude)."""
    loc = LocationFactory(
        name=name,
        provider=ProviderFactory(name=f"{name} Care Ltd", name_key=f"{name} care ltd".lower()),
        local_authority=la,
        region=region,
        owner_council=owner,
        deregistration_date=gone,
        overall_rating=overall,
        longitude=at[0] if at else None,
        latitude=at[1] if at else None,
    )
    for n, entry in enumerate(rated):
        day, value, regulator = (*entry, Regulator.CQC)[:3]
        RatingFactory(
            location=loc,
            report_date=day,
            overall=value,
            regulator=regulator,
            report_link_id=f"{loc.cqc_location_id}-{n}",
        )
    for t in types:
        loc.service_types.add(ServiceType.objects.get_or_create(name=t)[0])
    return loc


def market_register(council) -> SimpleNamespace:
    """West Berkshire's area (mostly South East, one service placed in London), Reading
    (South East) and Bromley (London), with histories over January to June 2024 (002 7)."""
    wb, se, ldn = "West Berkshire", "South East", "London"
    r = SimpleNamespace()
    # Requires improvement on 3 March, then Good on 20 March: Good at March's end.
    r.shifting = place(
        "Shifting House",
        wb,
        se,
        rated=[(D(2023, 11, 10), "Inadequate"), (D(2024, 3, 3), "Requires improvement"),
               (D(2024, 3, 20), "Good")],
        overall="Good",
        at=(-1.32, 51.40),
        types=[NURSING],
    )  # fmt: skip
    r.gone = place(
        "Gone House",
        wb,
        se,
        rated=[(D(2023, 6, 1), "Good")],
        overall="Good",
        gone=D(2024, 4, 15),
        at=(-1.30, 51.41),
        types=[NURSING],
    )
    r.ours = place(  # the council's own service, off the register (excluded everywhere)
        "Council Own House",
        wb,
        se,
        rated=[(D(2023, 1, 1), "Good")],
        overall="Good",
        owner=council,
        at=(-1.31, 51.42),
        types=[NURSING],
    )
    r.not_judged = place(  # a later "Insufficient evidence" and an Ofsted rating: ignored
        "Judged Once House",
        wb,
        se,
        rated=[(D(2024, 2, 10), "Good"), (D(2024, 4, 1), "Inadequate", Regulator.OFSTED),
               (D(2024, 5, 2), "Insufficient evidence to rate")],
        overall="Good",
        at=(-1.25, 51.38),
        types=[HOMECARE],
    )  # fmt: skip
    r.same_month = place(
        "Same Month Lodge",
        wb,
        se,
        rated=[(D(2024, 5, 2), "Good"), (D(2024, 5, 28), "Inadequate")],
        overall="Inadequate",
        types=[NURSING, HOMECARE],
    )
    r.brief = place(  # rated on 1 February, gone on 20 February: never counted
        "Brief House", wb, se, rated=[(D(2024, 2, 1), "Good")], overall="Good", gone=D(2024, 2, 20)
    )
    r.later_gone = place(  # gone after the period: counted in every month of it
        "Later Gone Court",
        wb,
        se,
        rated=[(D(2023, 9, 9), "Outstanding")],
        overall="Outstanding",
        gone=D(2024, 9, 1),
    )
    r.in_london = place(  # rated on the month's last day
        "Border House",
        wb,
        ldn,
        rated=[(D(2024, 4, 30), "Outstanding")],
        overall="Outstanding",
        at=(-1.20, 51.45),
        types=[HOMECARE],
    )
    r.unrated = place("New House", wb, se, at=(-1.28, 51.39))
    r.reading = place(
        "Reading Court",
        "Reading",
        se,
        rated=[(D(2024, 1, 31), "Inadequate"), (D(2024, 6, 1), "Good")],
        overall="Good",
    )
    r.reading_gone = place(
        "Old Reading House",
        "Reading",
        se,
        rated=[(D(2022, 5, 5), "Requires improvement")],
        overall="Requires improvement",
        gone=D(2024, 1, 10),
    )
    r.reading_late = place(
        "Reading Lodge",
        "Reading",
        se,
        rated=[(D(2024, 6, 30), "Requires improvement")],
        overall="Requires improvement",
        types=[NURSING],
    )
    r.bromley = place(
        "Bromley House",
        "Bromley",
        ldn,
        rated=[(D(2024, 3, 15), "Good")],
        overall="Good",
        types=[NURSING],
    )
    r.bromley_after = place(  # Good only after the period
        "Bromley Court",
        "Bromley",
        ldn,
        rated=[(D(2024, 2, 29), "Requires improvement"), (D(2024, 7, 5), "Good")],
        overall="Good",
        types=[HOMECARE],
    )
    r.bromley_same_day = place(  # two reports on one day: the later recorded one holds
        "Bromley Lodge",
        "Bromley",
        ldn,
        rated=[(D(2024, 1, 5), "Good"), (D(2024, 1, 5), "Requires improvement")],
        overall="Requires improvement",
    )
    return r


def in_area(loc) -> bool:
    return loc.local_authority == "West Berkshire"


def in_region(loc) -> bool:
    return loc.region == "South East"


def anywhere(loc) -> bool:
    return True


def reference_share(first, last, where) -> list[tuple[str, int, int]]:
    """(month, rated, good) for each month: a location counts when, at the month's last day,
    it is registered (no deregistration on or before it), is not a council's own, and its
    latest CQC rating is one of the four judgements (a later "Insufficient evidence to rate"
    leaves it unrated, as the register's current rating does); Good when that one is Good or
    Outstanding. A loop over every Rating row."""
    ratings = list(Rating.objects.select_related("location"))
    out = []
    for key, end in month_ends(first, last):
        end = min(end, last)  # the period's last day (today, in this month)
        latest: dict[int, Rating] = {}
        for r in ratings:
            loc = r.location
            if r.regulator != Regulator.CQC or r.report_date > end:
                continue
            if loc.owner_council_id is not None or not where(loc):
                continue
            if loc.deregistration_date is not None and loc.deregistration_date <= end:
                continue
            held = latest.get(loc.pk)
            if held is None or (r.report_date, r.pk) > (held.report_date, held.pk):
                latest[loc.pk] = r
        judged = [r for r in latest.values() if r.overall in JUDGED]
        rated = len(judged)
        good = sum(1 for r in judged if r.overall in GOOD)
        out.append((key, rated, good))
    return out


def reference_by_service(where) -> dict[str, tuple[int, int]]:
    """{service type: (good, rated)} now: registered, not a council's own, rated."""
    out: dict[str, list[int]] = {}
    for loc in Location.objects.prefetch_related("service_types"):
        if loc.owner_council_id or loc.deregistration_date or not where(loc):
            continue
        if loc.overall_rating not in JUDGED:
            continue
        for name in [t.name for t in loc.service_types.all()] or [NO_TYPE]:
            counts = out.setdefault(name, [0, 0])
            counts[0] += loc.overall_rating in GOOD
            counts[1] += 1
    return {k: tuple(v) for k, v in out.items()}


def share(good: int, rated: int):
    return round(100 * good / rated, 1) if rated else None


# The council's own work: rows made directly, as the apps' services leave them -------------


def history(council, location, rag, at):
    """A risk matrix history row at `at` (auto_now_add, so set after it is made)."""
    from monitoring.models import RiskHistory

    row = RiskHistory.objects.create(
        council=council, location=location, score=0, computed_rag=rag, rag=rag, note="test"
    )
    RiskHistory.objects.filter(pk=row.pk).update(at=at)
    return row


def review(council, status, planned_for=None, visited_on=None, location=None):
    from monitoring.models import Review

    return Review.objects.create(
        council=council,
        location=location or LocationFactory(),
        kind="reactive_review",
        status=status,
        planned_for=planned_for,
        visited_on=visited_on,
        created_by_label="Test",
    )


def restriction(council, ref, location=None, **fields):
    from restrictions.models import Restriction

    loc = location or LocationFactory()
    return Restriction.objects.create(
        council=council,
        reference=f"RES-T-{ref}",
        provider=loc.provider,
        location=loc,
        reasons="Test",
        created_by_label="Test",
        **fields,
    )


def recommendation(council, who, ref, status, proposed, decided, provider=None, decided_on=None):
    """A recommendation proposed at `proposed` (auto_now_add, set after) and decided at
    `decided` (None: not decided), as decisions/services.py leaves it: recorded at `decided`
    (`decided_at`) and taken on `decided_on`, that day in the council's time unless given (a
    decider may give an earlier day)."""
    from django.utils import timezone

    from decisions.models import Recommendation

    if decided is not None and decided_on is None:
        decided_on = timezone.localdate(decided)

    rec = Recommendation.objects.create(
        council=council,
        reference=f"REC-T-{ref}",
        kind="restriction",
        key="impose",
        label="Suspend new placements",
        subject_type="restrictions.restriction",
        subject_id=str(ref),
        provider=provider or ProviderFactory(),
        proposed_by=who,
        proposed_by_label="Test",
        waiting_since=proposed,
        reason="Test",
        status=status,
        decided_at=decided,
        decided_on=decided_on,
    )
    Recommendation.objects.filter(pk=rec.pk).update(proposed_at=proposed)
    return rec


def timer(council, ref, due_at, status, ended_at=None, subject_id="1"):
    from core.models import Timer

    return Timer.objects.create(
        council=council,
        kind="test.limit",
        subject_type="providers.location",
        subject_id=subject_id,
        cause=str(ref),
        due_at=due_at,
        status=status,
        ended_at=ended_at,
    )
