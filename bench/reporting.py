"""The reporting benchmarks (issue 13), in a database of their own: "The market report for
England (50,000 locations, five years of ratings history) at most 500 ms; the council's own
work report at 2,000 locations and 100,000 intelligence items at most 300 ms p95; both a fixed
number of queries."

The council is West Berkshire's, from its policy pack (policy_load), with an officer of it; the
pages are GET through Django's test client signed in as that officer.

- The market (/reports/market/, its default 60 months and all four figures): a national
  register written in bulk (COPY): 50,000 locations spread unevenly over the 153 local
  authorities with adult social care in England's 9 regions (West Berkshire among them, so the
  council's area and its region have locations of their own), 10,000 providers, one or two
  service types each, and about 3 ratings each over the last six years (about 150,000 rows;
  the overall judgement varying, 1% of them no judgement); 6% of the locations deregistered
  since their last rating. The page is timed (p50, p95 over 30 requests after 3 untimed, the
  target read as p95), then `market_figures` alone, each part of `market_report`, and the one
  windowed SQL query of `monthly_share` for England alone (EXPLAIN ANALYZE of it with
  --explain or when the page misses its target).
- The council's own work (/reports/work/, its default 12 months): the monitoring bench's
  council register (bench.monitoring.populate: 2,000 locations in West Berkshire, 8,000
  elsewhere, 100,000 intelligence items, moved into the last 12 months), with its risk history,
  reviews, cases, restrictions, decided recommendations and time limits in modest numbers.
  Timed over 100 requests after 5 untimed; each figure's function timed alone.
- A fixed number of queries: each page's queries first at a small size (500 locations; 200
  locations and 2,000 items), in the same run, then at the full size: they must be the same.
- The baseline, in the same run: the start page and /healthz, timed the same way.

Only figures are printed; a missed target is reported, never raised. Errors (a page that is
not 200) raise."""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from bench import monitoring as m
from bench import register as r

MARKET_TARGET_MS = 500.0
WORK_P95_TARGET_MS = 300.0
MARKET_LOCATIONS = 50_000
SMALL_MARKET_LOCATIONS = 500
WORK_LOCATIONS = m.TARGET_LOCATIONS  # 2,000
WORK_INTELLIGENCE = m.TARGET_INTELLIGENCE  # 100,000
SMALL_WORK_LOCATIONS = 200
SMALL_WORK_INTELLIGENCE = 2000
MARKET_REQUESTS = 30
MARKET_WARMUP = 3
WORK_REQUESTS = 100
WORK_WARMUP = 5
SMALL_REQUESTS = 10
BASELINE_REQUESTS = 50
PART_RUNS = 5  # each part of a report timed alone, this many times (the median kept)
SEED = 2026

AREA = m.AREA  # West Berkshire: the council's only local authority
LOCATIONS_PER_PROVIDER = 5
HISTORY_DAYS = 2300  # ratings over the last six years or so: the 60 months and before
RATINGS_PER_LOCATION = {1: 15, 2: 20, 3: 30, 4: 20, 5: 15}  # about 3 on average
OVERALL = {
    "Outstanding": 5,
    "Good": 68,
    "Requires improvement": 22,
    "Inadequate": 4,
    "Insufficient evidence to rate": 1,
}
JUDGED = ("Outstanding", "Good", "Requires improvement", "Inadequate")
GOOD = ("Outstanding", "Good")
DEREGISTERED_SHARE = 0.06
AREA_EVERY = 250  # every 250th location is in the council's area, besides its share by weight

# England's 153 councils with adult social care, by region.
REGIONS = {
    "North East": "County Durham, Darlington, Gateshead, Hartlepool, Middlesbrough, Newcastle "
    "upon Tyne, North Tyneside, Northumberland, Redcar and Cleveland, South Tyneside, "
    "Stockton-on-Tees, Sunderland",
    "North West": "Blackburn with Darwen, Blackpool, Bolton, Bury, Cheshire East, Cheshire West "
    "and Chester, Cumberland, Westmorland and Furness, Halton, Knowsley, Lancashire, Liverpool, "
    "Manchester, Oldham, Rochdale, Salford, Sefton, St Helens, Stockport, Tameside, Trafford, "
    "Warrington, Wigan, Wirral",
    "Yorkshire and The Humber": "Barnsley, Bradford, Calderdale, Doncaster, East Riding of "
    "Yorkshire, Kingston upon Hull, Kirklees, Leeds, North East Lincolnshire, North "
    "Lincolnshire, North Yorkshire, Rotherham, Sheffield, Wakefield, York",
    "East Midlands": "Derby, Derbyshire, Leicester, Leicestershire, Lincolnshire, North "
    "Northamptonshire, West Northamptonshire, Nottingham, Nottinghamshire, Rutland",
    "West Midlands": "Birmingham, Coventry, Dudley, Herefordshire, Sandwell, Shropshire, "
    "Solihull, Staffordshire, Stoke-on-Trent, Telford and Wrekin, Walsall, Warwickshire, "
    "Wolverhampton, Worcestershire",
    "East of England": "Bedford, Cambridgeshire, Central Bedfordshire, Essex, Hertfordshire, "
    "Luton, Norfolk, Peterborough, Southend-on-Sea, Suffolk, Thurrock",
    "London": "Barking and Dagenham, Barnet, Bexley, Brent, Bromley, Camden, City of London, "
    "Croydon, Ealing, Enfield, Greenwich, Hackney, Hammersmith and Fulham, Haringey, Harrow, "
    "Havering, Hillingdon, Hounslow, Islington, Kensington and Chelsea, Kingston upon Thames, "
    "Lambeth, Lewisham, Merton, Newham, Redbridge, Richmond upon Thames, Southwark, Sutton, "
    "Tower Hamlets, Waltham Forest, Wandsworth, Westminster",
    "South East": "Bracknell Forest, Brighton and Hove, Buckinghamshire, East Sussex, Hampshire, "
    "Isle of Wight, Kent, Medway, Milton Keynes, Oxfordshire, Portsmouth, Reading, Slough, "
    "Southampton, Surrey, West Berkshire, West Sussex, Windsor and Maidenhead, Wokingham",
    "South West": "Bath and North East Somerset, Bournemouth Christchurch and Poole, Bristol, "
    "Cornwall, Devon, Dorset, Gloucestershire, Isles of Scilly, North Somerset, Plymouth, "
    "Somerset, South Gloucestershire, Swindon, Torbay, Wiltshire",
}
AUTHORITIES = [(la.strip(), region) for region, names in REGIONS.items() for la in names.split(",")]

log = r.log


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- writing rows ------------------------------------------------------------------------------


def _copy(model, rows: list[dict], now) -> int:
    """Rows by COPY (bench.monitoring._insert): every column given, the model's defaults for
    those a row leaves out, the given times kept (auto_now and auto_now_add not applied)."""
    base = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        base[f.column] = now if auto else f.get_default()
    unknown = set(rows[0]) - set(base) if rows else set()
    if unknown:
        raise RuntimeError(f"{model.__name__} has no columns {sorted(unknown)}")
    m._insert(model, [{**base, **row} for row in rows])
    return len(rows)


# --- the market --------------------------------------------------------------------------------


@dataclass
class MarketData:
    locations: int
    providers: int = 0
    ratings: int = 0
    unjudged: int = 0
    deregistered: int = 0
    in_area: int = 0
    in_region: int = 0
    authorities: int = 0
    service_links: int = 0
    # England at the end of this month, counted here from the rows written: registered
    # locations whose latest rating is one of the four judgements, and of them Good or better.
    rated_now: int = 0
    good_now: int = 0
    rated_now_any_judged: int = 0  # counting a location by its latest judged rating instead
    setup_s: float = 0.0


def build_market(locations: int, *, seed: int = SEED) -> MarketData:
    """An empty register filled by COPY (the caller empties it first)."""
    from django.db import transaction
    from django.utils import timezone

    from providers.models import Location, Provider, Rating, ServiceType
    from providers.synthetic import KINDS, SERVICE_TYPES, WORDS

    rng = random.Random(seed)
    data = MarketData(locations=locations)
    today, now = timezone.localdate(), timezone.now()
    start = time.perf_counter()
    weights = [rng.lognormvariate(0, 0.6) for _ in AUTHORITIES]
    region_of = dict(AUTHORITIES)
    with transaction.atomic():
        n_providers = max(1, locations // LOCATIONS_PER_PROVIDER)
        provider_rows = []
        for i in range(n_providers):
            name = (
                f"{rng.choice(WORDS)} {rng.choice(['Care', 'Healthcare', 'Living'])} "
                f"{rng.choice(['Ltd', 'Limited', 'Group', 'CIC', 'Trust'])} {i}"
            )
            provider_rows.append(
                {
                    "cqc_provider_id": f"1-4{i:08d}",
                    "name": name,
                    "name_key": name.lower(),
                    "registration_status": "Registered",
                }
            )
        data.providers = _copy(Provider, provider_rows, now)
        provider_ids = list(Provider.objects.order_by("id").values_list("id", flat=True))
        types = ServiceType.objects.bulk_create(
            ServiceType(name=name, description=desc) for name, desc in SERVICE_TYPES
        )

        location_rows, histories, kinds = [], [], []
        for i in range(locations):
            forced = i % AREA_EVERY == 0
            la = AREA if forced else rng.choices(AUTHORITIES, weights=weights)[0][0]
            k = _pick(rng, RATINGS_PER_LOCATION)
            days = sorted(rng.sample(range(HISTORY_DAYS), k), reverse=True)
            history = [
                (today - dt.timedelta(days=d), _pick(rng, OVERALL), f"bench-{i}-{n}")
                for n, d in enumerate(days)
            ]
            last_day, last_overall, _ = history[-1]
            gone = None
            if rng.random() < DEREGISTERED_SHARE and last_day < today:
                gone = last_day + dt.timedelta(days=rng.randrange(1, (today - last_day).days + 1))
            st = rng.choice(types)
            care_home = st.name.startswith("Care home")
            kind = [st.pk]
            if rng.random() < 0.1:
                kind.append(rng.choice([t.pk for t in types if t.pk != st.pk]))
            kinds.append(kind)
            outward = f"{la[:2].upper()}{rng.randrange(1, 30)}"
            postcode = f"{outward} {rng.randrange(1, 9)}{rng.choice('ABDEFGHJLN')}"
            postcode += rng.choice("PQRSTUWXYZ")
            location_rows.append(
                {
                    "provider_id": provider_ids[i % n_providers],
                    "cqc_location_id": f"1-3{i:08d}",
                    "regulator": "CQC",
                    "name": f"{rng.choice(WORDS)} {rng.choice(KINDS)}",
                    "address_line1": f"{rng.randrange(1, 300)} {rng.choice(WORDS)} Road",
                    "town": la,
                    "postcode": postcode,
                    "postcode_key": postcode.replace(" ", ""),
                    "local_authority": la,
                    "region": region_of[la],
                    "care_home": care_home,
                    "beds": rng.randrange(8, 90) if care_home else 0,
                    "registration_status": "Deregistered" if gone else "Registered",
                    "registration_date": history[0][0] - dt.timedelta(days=rng.randrange(90, 900)),
                    "deregistration_date": gone,
                    "dormant": False,
                    "latitude": round(50.6 + rng.random() * 4.3, 5),
                    "longitude": round(-4.5 + rng.random() * 6.2, 5),
                    "last_inspection_date": last_day,
                    "overall_rating": last_overall,
                    "rating_date": last_day,
                }
            )
            histories.append(history)
            data.deregistered += gone is not None
            data.in_area += la == AREA
            data.in_region += region_of[la] == region_of[AREA]
            if gone is None:
                data.rated_now += last_overall in JUDGED
                data.good_now += last_overall in GOOD
                data.rated_now_any_judged += any(o in JUDGED for _, o, _ in history)
        _copy(Location, location_rows, now)
        ids = dict(Location.objects.values_list("cqc_location_id", "id"))
        location_ids = [ids[row["cqc_location_id"]] for row in location_rows]
        data.authorities = len({row["local_authority"] for row in location_rows})

        through = Location.service_types.through
        data.service_links = _copy(
            through,
            [
                {"location_id": lid, "servicetype_id": t}
                for lid, kind in zip(location_ids, kinds, strict=True)
                for t in kind
            ],
            now,
        )
        rating_rows = []
        for lid, history in zip(location_ids, histories, strict=True):
            for day, overall, link in history:
                kq = [overall if rng.random() < 0.7 else _pick(rng, OVERALL) for _ in range(5)]
                rating_rows.append(
                    {
                        "location_id": lid,
                        "regulator": "CQC",
                        "report_date": day,
                        "report_link_id": link,
                        "overall": overall,
                        "safe": kq[0],
                        "effective": kq[1],
                        "caring": kq[2],
                        "responsive": kq[3],
                        "well_led": kq[4],
                    }
                )
                data.unjudged += overall not in JUDGED
        data.ratings = _copy(Rating, rating_rows, now)
    r.analyze()
    data.setup_s = time.perf_counter() - start
    log(
        f"  built in {data.setup_s:.1f} s: {data.locations:,} locations in "
        f"{data.authorities} local authorities ({data.in_area:,} in {AREA}, {data.in_region:,} "
        f"in {region_of[AREA]}), {data.providers:,} providers, {data.ratings:,} ratings "
        f"({data.unjudged:,} without a judgement), {data.deregistered:,} deregistered"
    )
    return data


# --- timing ------------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    samples_ms: list[float]
    sql_ms: list[float]
    queries: int

    @property
    def p50(self) -> float:
        return r.percentile(self.samples_ms, 50)

    @property
    def p95(self) -> float:
        return r.percentile(self.samples_ms, 95)

    @property
    def sql_p50(self) -> float:
        return r.percentile(self.sql_ms, 50)


def _get(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    return response


def timed_page(client, name: str, url: str, *, requests: int, warmup: int) -> Page:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        _get(client, url)
    # The fewer of two requests' queries: once a minute a request also writes the session's
    # time seen (core.middleware.IdleTimeoutMiddleware), the next one does not.
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            _get(client, url)
        counts.append(len(ctx.captured_queries))  # read now: the next request empties the log
    queries = min(counts)
    samples, sql = [], []
    timer = r.SqlTimer()
    cpu, begun = _cpu_of_others(), time.perf_counter()
    with connection.execute_wrapper(timer):
        for _ in range(requests):
            timer.total = 0.0
            start = time.perf_counter()
            _get(client, url)
            samples.append((time.perf_counter() - start) * 1000)
            sql.append(timer.total * 1000)
    _note_busy(name, cpu, _cpu_of_others(), time.perf_counter() - begun)
    page = Page(name, samples, sql, queries)
    log(
        f"  {name:<28} p50 {page.p50:>7.1f} ms  p95 {page.p95:>7.1f} ms  "
        f"(SQL p50 {page.sql_p50:.1f} ms)  {queries} queries  [{requests} requests]"
    )
    return page


BUSY: list[str] = []  # pages timed while other work on the machine took much of its CPU
OTHERS_BUSY_SHARE = 0.25


def _cpu_of_others() -> dict[int, int] | None:
    """CPU ticks used so far by each process but this one and the database's (those named
    postgres: its backends and their parallel workers); None where there is no /proc."""
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return None
    own, out = os.getpid(), {}
    for pid in pids:
        if pid == own:
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                text = f.read()
        except OSError:
            continue  # gone meanwhile
        name, rest = text[text.find("(") + 1 : text.rfind(")")], text[text.rfind(")") + 2 :]
        if name.startswith("postgres"):
            continue
        fields = rest.split()
        out[pid] = int(fields[11]) + int(fields[12])  # utime, stime
    return out


def _note_busy(name: str, before, after, seconds: float) -> None:
    """Other work on the machine slows every figure: say so when, while a page was timed,
    processes other than the bench and the database took much of the CPU."""
    if before is None or after is None or seconds <= 0:
        return
    cores = os.cpu_count() or 1
    ticks = sum(t - before.get(pid, 0) for pid, t in after.items())
    others = ticks / os.sysconf("SC_CLK_TCK") / (seconds * cores)
    if others > OTHERS_BUSY_SHARE:
        BUSY.append(f"{name}: {others:.0%} of {cores} cores")


@dataclass
class Part:
    name: str
    ms: float  # median of PART_RUNS
    sql_ms: float
    queries: int


PART_ERRORS: list[str] = []  # parts that could not be timed alone (a function renamed)


def timed_part(name: str, call, runs: int = PART_RUNS) -> Part | None:
    """A function alone, in the council's scope: the median of `runs` calls after one untimed.
    The parts are diagnostics: one whose function has changed its name or arguments is left
    out, and said so, rather than ending the run."""
    from django.db import connection

    try:
        call()
    except (AttributeError, TypeError) as exc:
        PART_ERRORS.append(f"{name.strip()}: {exc}")
        log(f"    {name:<44}    (not timed: {exc})")
        return None
    samples, sql = [], []
    timer = r.SqlTimer()
    with connection.execute_wrapper(timer):
        for _ in range(runs):
            timer.total = 0.0
            start = time.perf_counter()
            call()
            samples.append((time.perf_counter() - start) * 1000)
            sql.append(timer.total * 1000)
    part = Part(name, r.percentile(samples, 50), r.percentile(sql, 50), timer.count // runs)
    log(f"    {name:<44}{part.ms:>8.1f} ms  (SQL {part.sql_ms:.1f} ms, {part.queries} queries)")
    return part


# --- the market stage --------------------------------------------------------------------------


@dataclass
class MarketFigures:
    data: MarketData
    page: Page | None = None
    parts: list[Part | None] = field(default_factory=list)
    england_sql: list[float] = field(default_factory=list)  # the windowed query alone, ms
    england_spans: int = 0  # rows it returns
    plan: str = ""
    shown_rated: int = 0
    shown_good: int = 0


def market_parts(council, fig: MarketFigures, *, explain: bool) -> None:
    """Where the page's time goes: market_figures alone, each part of market_report, then
    the England windowed query alone (and its plan)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope

    from reporting import market
    from reporting.period import period_of
    from reporting.reports import market_figures

    period = period_of({}, default_months=60)
    first, last = period.first, period.last
    log("  where the time goes (median of 5 calls each):")
    with scope(council=council):
        scopes = market.scopes_of(council)
        by_key = {s.key: s for s in scopes}
        fig.parts.append(
            timed_part("market_figures (the report, no page)", lambda: market_figures(
                council=council, period=period))
        )  # fmt: skip
        fig.parts.append(timed_part("  scopes_of", lambda: market.scopes_of(council)))
        for s in scopes:
            fig.parts.append(
                timed_part(
                    f"  monthly_share {s.key} ({s.label})",
                    lambda s=s: market.monthly_share(s, first, last),
                )
            )
        fig.parts.append(timed_part("  by_service_type", lambda: market.by_service_type(scopes)))
        regional = by_key.get("region", scopes[0])
        fig.parts.append(timed_part("  latest_in region", lambda: market.latest_in(regional)))
        fig.parts.append(timed_part("  map_of area", lambda: market.map_of(scopes[0])))
        england = by_key["england"]
        try:
            series = market.monthly_share(england, first, last)
            fig.shown_rated, fig.shown_good = series[-1].rated, series[-1].good
        except (AttributeError, TypeError) as exc:
            PART_ERRORS.append(f"England's monthly share not read alone: {exc}")
        with CaptureQueriesContext(connection) as ctx:
            market_figures(council=council, period=period)
    # The windowed queries over the ratings history (one a scope): the slowest is England's.
    windowed = [q["sql"] for q in ctx.captured_queries if " OVER (" in q["sql"]]
    if not windowed:
        PART_ERRORS.append("no windowed query among market_figures' queries")
        return
    with connection.cursor() as cur:

        def once(sql: str) -> float:
            start = time.perf_counter()
            cur.execute(sql)
            fig.england_spans = len(cur.fetchall())
            return (time.perf_counter() - start) * 1000

        sql = max(windowed, key=once)
        once(sql)
        fig.england_sql = [once(sql) for _ in range(PART_RUNS)]
        log(
            f"    the windowed query for England alone      "
            f"{r.percentile(fig.england_sql, 50):>8.1f} ms  ({fig.england_spans:,} grouped rows "
            f"from {fig.data.ratings:,} ratings)"
        )
        if explain:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            fig.plan = "\n".join("      " + row[0] for row in cur.fetchall())
            log(f"\n  --- EXPLAIN ANALYZE, the windowed query for England:\n{fig.plan}\n")


def market_stage(council, client, res: ReportingResults, *, explain: bool) -> None:
    url = "/reports/market/"
    log(f"\nMarket: a small register, {SMALL_MARKET_LOCATIONS:,} locations")
    m.register_empty()
    data = build_market(SMALL_MARKET_LOCATIONS)
    res.market_small = MarketFigures(data)
    res.market_small.page = timed_page(
        client, "market page", url, requests=SMALL_REQUESTS, warmup=MARKET_WARMUP
    )

    log(f"\nMarket: England, {MARKET_LOCATIONS:,} locations")
    m.register_empty()
    data = build_market(MARKET_LOCATIONS)
    fig = res.market = MarketFigures(data)
    fig.page = timed_page(
        client, "market page", url, requests=MARKET_REQUESTS, warmup=MARKET_WARMUP
    )
    missed = fig.page.p95 > MARKET_TARGET_MS
    market_parts(council, fig, explain=explain or missed)
    if fig.shown_rated and (fig.shown_rated, fig.shown_good) != (data.rated_now, data.good_now):
        res.warnings.append(
            f"England this month: the report counts {fig.shown_rated:,} locations rated, "
            f"{fig.shown_good:,} Good or Outstanding; the rows written give {data.rated_now:,} "
            f"and {data.good_now:,} (a registered location whose latest rating is one of the "
            f"four judgements), or {data.rated_now_any_judged:,} rated if a location counts "
            f"by its latest judged rating"
        )


# --- the council's own work --------------------------------------------------------------------


@dataclass
class WorkData:
    locations: int
    intelligence: int
    history: int = 0
    reviews: int = 0
    cases: int = 0
    restrictions: int = 0
    decisions: int = 0
    timers: int = 0
    populate_s: float = 0.0
    setup_s: float = 0.0


def work_empty(council) -> None:
    """The register and the monitoring rows (bench.monitoring.register_empty, whose TRUNCATE
    CASCADE also empties the cases, restrictions and recommendations on its providers), and
    the council's time limits."""
    from django_scopes import scopes_disabled

    from core.models import Timer

    m.register_empty()
    with scopes_disabled():
        Timer.objects.filter(council=council).delete()


def build_work(council, officer, *, locations: int, intelligence: int) -> WorkData:
    """bench.monitoring's council register, its intelligence moved into the last 12 months,
    then the rest of the council's work in modest numbers (a tenth of them at a tenth of the
    size)."""
    from django.db import connection, transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from concerns.models import Case
    from core.models import Timer
    from decisions.models import Recommendation
    from monitoring.models import Intelligence, Review, RiskHistory
    from providers.models import Location
    from restrictions.models import Restriction

    work = WorkData(locations=locations, intelligence=intelligence)
    start = time.perf_counter()
    work_empty(council)
    ds = m.populate(council, officer, locations=locations, intelligence=intelligence, seed=SEED)
    work.populate_s = ds.setup_s
    rng = random.Random(SEED + locations)
    today, now = timezone.localdate(), timezone.now()
    scale = locations / WORK_LOCATIONS
    with scopes_disabled(), transaction.atomic():
        # The monitoring bench spreads its items over two years: this report reads one.
        table = Intelligence._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {table} SET received_on = %s - (%s - received_on) / 2, "
                f"outcome_on = CASE WHEN outcome_on IS NULL THEN NULL "
                f"ELSE %s - (%s - outcome_on) / 2 END WHERE council_id = %s",
                [today, today, today, today, council.pk],
            )
        ours = list(
            Location.objects.filter(local_authority=AREA)
            .order_by("id")
            .values_list("id", "provider_id")
        )

        def when(days_back: float) -> dt.datetime:
            return now - dt.timedelta(days=days_back)

        # Risk history: a first rating 13 months ago, then a change or two in the year.
        rag = {"green": 60, "amber": 30, "red": 10}
        rows = []
        for lid, _ in ours:
            for k, back in enumerate([rng.uniform(380, 420)] + sorted(
                (rng.uniform(0, 365) for _ in range(rng.choice([0, 1, 1, 2, 3]))), reverse=True
            )):  # fmt: skip
                colour = _pick(rng, rag)
                rows.append(
                    {
                        "council_id": council.pk, "location_id": lid, "at": when(back),
                        "score": Decimal(rng.randrange(0, 400)) / 4, "computed_rag": colour,
                        "rag": colour, "note": "Benchmark" if k else "First rating",
                    }
                )  # fmt: skip
        work.history = _copy(RiskHistory, rows, now)

        # Reviews: about one and a fifth a location, planned over the year and the next two
        # months; most of those past done, some cancelled, the rest overdue.
        kinds = ["proactive_annual", "thematic", "reactive", "self_certification"]
        rows = []
        for _ in range(round(len(ours) * 1.2)):
            lid, _ = rng.choice(ours)
            planned = today - dt.timedelta(days=rng.randrange(-60, 365))
            status, visited = "planned", None
            if planned < today:
                roll = rng.random()
                if roll < 0.8:
                    status = "completed"
                    visited = min(today, planned + dt.timedelta(days=rng.randrange(0, 10)))
                elif roll < 0.85:
                    status = "cancelled"
            rows.append(
                {
                    "council_id": council.pk, "location_id": lid, "kind": rng.choice(kinds),
                    "status": status, "planned_for": planned, "visited_on": visited,
                    "announced": True, "created_by_label": "bench",
                }
            )  # fmt: skip
        work.reviews = _copy(Review, rows, now)

        # Cases: open ones at every stage of the ladder (one a location), and closed ones.
        stages = {"informal": 50, "formal": 25, "rectification": 12, "final_warning": 6,
                  "terminated": 2}  # fmt: skip
        n_open, n_closed = max(5, round(150 * scale)), max(3, round(100 * scale))
        chosen = rng.sample(ours, n_open + n_closed)
        rows = []
        for n, (lid, pid) in enumerate(chosen):
            closed = n >= n_open
            since = when(rng.uniform(1, 400))
            rows.append(
                {
                    "council_id": council.pk, "reference": f"CASE-BENCH-{n + 1:05d}",
                    "provider_id": pid, "location_id": lid,
                    "stage": "closed" if closed else _pick(rng, stages), "stage_since": since,
                    "summary": "Benchmark case: falls and medicines found at the review.",
                    "opened_at": since - dt.timedelta(days=rng.uniform(0, 200)),
                    "opened_by_label": "bench", "closed_at": since if closed else None,
                }
            )  # fmt: skip
        work.cases = _copy(Case, rows, now)

        # Restrictions: some in place, some lifted, over the last two years.
        n_active, n_lifted = max(3, round(50 * scale)), max(2, round(30 * scale))
        rows = []
        for n, (lid, pid) in enumerate(rng.sample(ours, n_active + n_lifted)):
            since = today - dt.timedelta(days=rng.randrange(0, 730))
            lifted = n >= n_active
            rows.append(
                {
                    "council_id": council.pk, "reference": f"RES-BENCH-{n + 1:05d}",
                    "provider_id": pid, "location_id": lid,
                    "level": rng.choice(["caution", "suspended"]),
                    "status": "lifted" if lifted else "active",
                    "reasons": "Benchmark restriction.", "decided_on": since,
                    "decided_by_label": "bench", "level_since": since,
                    "ended_on": since + dt.timedelta(days=rng.randrange(0, (today - since).days
                                                                        + 1)) if lifted else None,
                    "created_by_label": "bench",
                }
            )  # fmt: skip
        work.restrictions = _copy(Restriction, rows, now)

        # Recommendations decided over the year, each some days after it was made.
        rows = []
        for n in range(max(10, round(400 * scale))):
            lid, pid = rng.choice(ours)
            decided = when(rng.uniform(0, 365))
            proposed = decided - dt.timedelta(days=rng.uniform(0.5, 40))
            rows.append(
                {
                    "council_id": council.pk, "reference": f"REC-BENCH-{n + 1:05d}",
                    "kind": "concerns.move", "key": "put_restriction_in_place",
                    "label": "Put a restriction in place", "subject_type": "concerns.case",
                    "subject_id": str(n + 1), "provider_id": pid, "location_id": lid,
                    "status": "approved" if rng.random() < 0.75 else "rejected", "step": 1,
                    "proposed_by_id": officer.pk, "proposed_by_label": "bench",
                    "proposed_at": proposed, "decided_by_id": officer.pk,
                    "waiting_since": proposed, "reason": "Benchmark.", "decided_at": decided,
                    "decided_on": timezone.localtime(decided).date(),
                    "decided_by_label": "bench",
                }
            )  # fmt: skip
        work.decisions = _copy(Recommendation, rows, now)

        # Time limits that fell due over the year: most met (some late), some missed, and
        # some still running into the next months.
        rows = []
        for n in range(max(20, round(1500 * scale))):
            due = when(rng.uniform(-60, 365))
            roll = rng.random()
            if due > now:
                status, ended = "running", None
            elif roll < 0.7:
                status = "met"
                ended = due - dt.timedelta(days=rng.uniform(-10, 20))
            elif roll < 0.9:
                status, ended = "fired", None
            else:
                status, ended = "ended", due - dt.timedelta(days=rng.uniform(1, 20))
            rows.append(
                {
                    "council_id": council.pk, "kind": "concerns.deadline",
                    "label": "Benchmark deadline", "subject_type": "concerns.case",
                    "subject_id": str(n + 1), "cause": f"bench:{n + 1}",
                    "starts_on": (due - dt.timedelta(days=28)).date(), "due_on": due.date(),
                    "due_at": due, "status": status, "fired_at": due if status == "fired"
                    else None, "ended_at": ended, "overdue": status == "fired",
                }
            )  # fmt: skip
        work.timers = _copy(Timer, rows, now)
    r.analyze()
    work.setup_s = time.perf_counter() - start
    log(
        f"  built in {work.setup_s:.1f} s (the monitoring bench's register in "
        f"{work.populate_s:.1f} s): {locations:,} locations in {AREA}, {intelligence:,} items "
        f"in the last 12 months, {work.history:,} risk history rows, {work.reviews:,} reviews, "
        f"{work.cases} cases, {work.restrictions} restrictions, {work.decisions} decisions, "
        f"{work.timers:,} time limits"
    )
    return work


@dataclass
class WorkFigures:
    data: WorkData
    page: Page | None = None
    parts: list[Part | None] = field(default_factory=list)


def work_parts(council, fig: WorkFigures) -> None:
    from django_scopes import scope

    from reporting import work
    from reporting.market import months_between
    from reporting.period import period_of
    from reporting.reports import work_figures

    period = period_of({}, default_months=12)
    first, last = period.first, period.last
    months = months_between(first, last)
    log("  where the time goes (median of 5 calls each):")
    with scope(council=council):
        for name, call in (
            ("work_figures (the report, no page)",
             lambda: work_figures(council=council, period=period)),
            ("  rag_over_time", lambda: work.rag_over_time(council, first, last, months)),
            ("  intelligence_figures",
             lambda: work.intelligence_figures(council, first, last, months)),
            ("  reviews_figure", lambda: work.reviews_figure(council, first, last, months)),
            ("  cases_figure", lambda: work.cases_figure(council)),
            ("  restrictions_figure",
             lambda: work.restrictions_figure(council, first, last, months)),
            ("  decisions_figure", lambda: work.decisions_figure(council, first, last, months)),
            ("  timers_figure", lambda: work.timers_figure(council, first, last, months)),
        ):  # fmt: skip
            fig.parts.append(timed_part(name, call))


def work_stage(council, officer, client, res: ReportingResults, *, explain: bool) -> None:
    url = "/reports/work/"
    log(
        f"\nWork: a small council register, {SMALL_WORK_LOCATIONS:,} locations and "
        f"{SMALL_WORK_INTELLIGENCE:,} intelligence items"
    )
    data = build_work(
        council, officer, locations=SMALL_WORK_LOCATIONS, intelligence=SMALL_WORK_INTELLIGENCE
    )
    res.work_small = WorkFigures(data)
    res.work_small.page = timed_page(
        client, "work page", url, requests=SMALL_REQUESTS, warmup=WORK_WARMUP
    )

    log(f"\nWork: {WORK_LOCATIONS:,} locations and {WORK_INTELLIGENCE:,} intelligence items")
    data = build_work(council, officer, locations=WORK_LOCATIONS, intelligence=WORK_INTELLIGENCE)
    fig = res.work = WorkFigures(data)
    fig.page = timed_page(client, "work page", url, requests=WORK_REQUESTS, warmup=WORK_WARMUP)
    work_parts(council, fig)
    if explain or fig.page.p95 > WORK_P95_TARGET_MS:
        _explain_page(client, url, "monitoring_intelligence")


def _explain_page(client, url: str, table: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        _get(client, url)
    with connection.cursor() as cur:
        for q in ctx.captured_queries:
            sql = q["sql"]
            if table not in sql or "django_session" in sql:
                continue
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join("      " + row[0] for row in cur.fetchall())
            log(f"\n  --- {sql[:160]}...\n{plan}")


# --- the stage ---------------------------------------------------------------------------------


@dataclass
class ReportingResults:
    market_small: MarketFigures | None = None
    market: MarketFigures | None = None
    work_small: WorkFigures | None = None
    work: WorkFigures | None = None
    start: Page | None = None
    healthz: Page | None = None
    build_s: float = 0.0
    total_s: float = 0.0
    warnings: list[str] = field(default_factory=list)
    database: str = ""
    settings: str = ""


def stage(*, explain_plans: bool = False) -> ReportingResults:
    from django.test import Client

    res = ReportingResults()
    BUSY.clear()
    PART_ERRORS.clear()
    begun = time.perf_counter()
    council, officer = m.council_and_officer()
    client = Client()
    client.force_login(officer)
    market_stage(council, client, res, explain=explain_plans)
    work_stage(council, officer, client, res, explain=explain_plans)
    log("\nBaseline")
    res.start = timed_page(client, "start page", "/", requests=BASELINE_REQUESTS, warmup=5)
    res.healthz = timed_page(client, "/healthz", "/healthz", requests=BASELINE_REQUESTS, warmup=5)
    res.build_s = sum(
        f.data.setup_s for f in (res.market_small, res.market, res.work_small, res.work) if f
    )
    res.total_s = time.perf_counter() - begun
    res.warnings += [f"not timed alone: {e}" for e in PART_ERRORS]
    if BUSY:
        res.warnings.append(
            "other work on the machine took CPU while pages were timed (the figures are slower "
            "than on a quiet machine), as a share of all its CPU: " + "; ".join(BUSY)
        )
    return res


def run(*, keep_db: bool = False, explain_plans: bool = False) -> ReportingResults:
    return r.in_own_database(lambda: stage(explain_plans=explain_plans), keep_db=keep_db)


# --- the summary -------------------------------------------------------------------------------


def summary_rows(res: ReportingResults) -> list[tuple[str, str, str, str, str]]:
    v, ratio = r.verdict, r.ratio
    rows = []
    base = res.start
    for name, target, full, small, size in (
        (
            f"market page p95, England, {res.market.data.locations:,} locations"
            if res.market
            else "",
            MARKET_TARGET_MS,
            res.market,
            res.market_small,
            f"{SMALL_MARKET_LOCATIONS:,} locations",
        ),
        (
            f"work page p95, {WORK_LOCATIONS:,} locations, {WORK_INTELLIGENCE:,} items",
            WORK_P95_TARGET_MS,
            res.work,
            res.work_small,
            f"{SMALL_WORK_LOCATIONS:,}/{SMALL_WORK_INTELLIGENCE:,}",
        ),
    ):
        if full is None or full.page is None:
            continue
        page, sp = full.page, small.page if small else None
        rows.append(
            (
                name,
                f"{page.p95:.1f} ms",
                f"<= {target:.0f} ms",
                f"p50 {page.p50:.1f} ms, SQL p50 {page.sql_p50:.1f} ms; "
                + (f"{ratio(page.p95, base.p95)} start page" if base else "")
                + (f"; {ratio(page.p95, sp.p95)} at {size}" if sp else ""),
                v(page.p95 <= target),
            )
        )
        for part in filter(None, full.parts):
            rows.append(
                (
                    f"  {part.name.strip()}" if part.name.startswith("  ") else part.name,
                    f"{part.ms:.1f} ms",
                    "",
                    f"SQL {part.sql_ms:.1f} ms, {part.queries} queries",
                    "",
                )
            )
        if isinstance(full, MarketFigures) and full.england_sql:
            rows.append(
                (
                    "  the windowed query for England alone",
                    f"{r.percentile(full.england_sql, 50):.1f} ms",
                    "",
                    f"{full.england_spans:,} grouped rows from {full.data.ratings:,} ratings",
                    "",
                )
            )
        if sp is not None:
            same = sp.queries == page.queries
            rows.append(
                (
                    f"{name.split(' p95')[0]} queries, {size} and full",
                    f"{sp.queries} and {page.queries}",
                    "same",
                    "same" if same else "grows",
                    v(same),
                )
            )
    for page in (res.start, res.healthz):
        if page is not None:
            rows.append(
                (
                    f"baseline: {page.name} p95",
                    f"{page.p95:.1f} ms",
                    "",
                    f"p50 {page.p50:.1f} ms; {page.queries} queries",
                    "",
                )
            )
    if res.market:
        d = res.market.data
        rows.append(
            (
                "market rows written (COPY)",
                f"{d.locations:,} locations, {d.ratings:,} ratings",
                "",
                f"{d.authorities} LAs, {d.in_area:,} in {AREA}; {d.deregistered:,} "
                f"deregistered; in {d.setup_s:.1f} s",
                "",
            )
        )
    if res.work:
        d = res.work.data
        rows.append(
            (
                "work rows written",
                f"{d.locations:,} locations, {d.intelligence:,} items",
                "",
                f"{d.history:,} risk history, {d.reviews:,} reviews, {d.cases} cases, "
                f"{d.restrictions} restrictions, {d.decisions} decisions, {d.timers:,} time "
                f"limits; in {d.setup_s:.1f} s",
                "",
            )
        )
    rows.append(
        (
            "stage time",
            f"{res.total_s:.0f} s",
            "",
            f"{res.build_s:.0f} s of it writing rows (both sizes)",
            "",
        )
    )
    return rows
