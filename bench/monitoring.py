"""The monitoring benchmarks: a council's risk matrix (recomputing it, the /risk/ page, its CSV
and XLSX exports, the API's list) and a location page with much intelligence, on PostgreSQL in
the benchmark's own database.

The council is West Berkshire's, from its policy pack (policy_load). Its register is built in
bulk (bulk_create, and COPY for the intelligence; not the importer): locations in "West
Berkshire" with ratings, some of them commissioned, a few overridden, and intelligence spread
unevenly over them (a few locations get much of it; 2% is about a whole provider). Locations
elsewhere fill out the national register and are out of the council's scope.

Stages:
1. Baseline: the register is emptied and the council gets a small register (a tenth of the
   locations and of the intelligence: the same density), and everything in stage 2 but the
   exports is measured on it, for the ratios and to show that query counts do not grow.
2. Full size (2,000 locations and 100,000 items by default): emptied and built again; the whole
   matrix is recomputed three times (the first creates every rating; the second finds nothing
   changed; the third follows a change of 1% of the items' outcomes), and a single location's
   and a single provider's recompute (what the worker does after one item is logged) are timed.
   Then each kind of /risk/ request is timed (p50/p95/max) and its queries counted, as are the
   busiest commissioned location's page and the API's risk list; the full matrix's CSV and XLSX
   exports are timed once each.

The stage empties the register (TRUNCATE): `python -m bench` runs it after the register stages,
whose figures are taken by then. Only figures are printed; a missed target is reported, never
raised. Errors (a page that is not 200, a count that disagrees with the ORM) raise."""

from __future__ import annotations

import cProfile
import csv
import datetime as dt
import io
import json
import random
import re
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from bench import register as r
from bench.register import Kind, KindFigures, log, percentile

# Targets from the issue: "A council with 2,000 locations and 100,000 intelligence items: the
# risk matrix page at most 300 ms server time p95 and at most 12 queries; recomputing every
# rating of the council at most 10 s."
TARGET_LOCATIONS = 2000
TARGET_INTELLIGENCE = 100_000
RECOMPUTE_TARGET_S = 10.0
PAGE_P95_TARGET_MS = 300.0
PAGE_QUERIES_TARGET = 12
BASELINE_DIVISOR = 10  # the baseline: a tenth of the locations and of the items

COUNCIL_CODE = "west-berkshire"
AREA = "West Berkshire"
OFFICER = "bench-monitoring-officer"
SEED = 2026
OTHER_LOCATIONS_PER_LOCATION = 4  # out-of-scope locations elsewhere in the register
LOCATIONS_PER_PROVIDER = 4
COMMISSIONED_SHARE = 0.3
OVERRIDDEN_SHARE = 0.01
PROVIDER_LEVEL_SHARE = 0.02
OUTCOME_CHANGE_SHARE = 0.01
COMMON_WORD = "Oak"  # in about one location name in six, and one provider name in eighteen

WORDS = [
    "Oak",
    "Willow",
    "Meadow",
    "Cedar",
    "Rose",
    "Hill",
    "Park",
    "Brook",
    "Elm",
    "Beech",
    "Orchard",
    "Abbey",
    "Grange",
    "Heather",
    "Lavender",
    "Maple",
    "Priory",
    "Springfield",
]
KINDS = ["House", "Lodge", "Court", "Manor", "View", "Gardens", "Care Centre", "Home Care"]
OTHER_AREAS = ["Bromley", "Bedford", "Bradford", "Somerset", "Trafford", "Leeds", "Kent"]
RATINGS = ["Outstanding", "Good", "Good", "Good", "Good", "Requires improvement", "Inadequate"]
SOURCES = {  # relative frequency
    "complaint": 20,
    "safeguarding_alert": 12,
    "safeguarding_enquiry": 6,
    "whistleblowing": 3,
    "cqc": 5,
    "professional_feedback": 10,
    "cq1": 8,
    "service_quality_feedback": 8,
    "healthwatch": 4,
    "another_council": 3,
    "compliment": 12,
    "provider_notification": 9,
}
SEVERITIES = {"low": 40, "medium": 35, "high": 20, "critical": 5}
OUTCOMES = {
    "open": 15,
    "under_enquiry": 8,
    "upheld": 25,
    "not_upheld": 40,
    "provider_not_liable": 12,
}
CONTRACTS = {"block": 15, "spot": 50, "framework": 30, "none": 5}
THEMES = ["safeguarding", "medication", "personal_care", "staffing", "falls", "records"]


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- the data ----------------------------------------------------------------------------------


@dataclass
class Dataset:
    locations: int
    intelligence: int
    others: int = 0
    providers: int = 0
    ratings: int = 0
    commissioned: int = 0
    overridden: int = 0
    provider_level: int = 0
    hot_location_id: int = 0
    hot_location_items: int = 0  # the location's own items and its provider's
    setup_s: float = 0.0


def council_and_officer():
    """The West Berkshire council from its pack, and an officer of it (only of it)."""
    from django.conf import settings
    from django_scopes import scopes_disabled

    from councils.models import Council, Membership, Role, User
    from councils.services import policy_load

    text = (settings.POLICY_DIR / f"{COUNCIL_CODE}.yaml").read_text(encoding="utf-8")
    with scopes_disabled():
        policy_load(text=text, source_name=f"{COUNCIL_CODE}.yaml")
        council = Council.objects.select_related("active_policy").get(code=COUNCIL_CODE)
        if council.active_policy.content["council"]["local_authorities"] != [AREA]:
            raise RuntimeError(f"the {COUNCIL_CODE} pack's local authorities are not [{AREA!r}]")
        user, _ = User.objects.get_or_create(
            username=OFFICER, defaults={"first_name": "Bench", "last_name": "Monitoring"}
        )
        Membership.objects.get_or_create(user=user, council=council, role=Role.OFFICER)
    return council, user


def populate(council, officer, *, locations: int, intelligence: int, seed: int) -> Dataset:
    """An empty register filled in bulk (the caller empties it first)."""
    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from monitoring.models import Commissioning, Intelligence, RiskOverride
    from providers.models import Location, Provider, Rating

    rng = random.Random(seed)
    ds = Dataset(locations=locations, intelligence=intelligence)
    today = timezone.localdate()
    start = time.perf_counter()
    with scopes_disabled(), transaction.atomic():
        n_providers = max(1, locations // LOCATIONS_PER_PROVIDER)
        providers = []
        for i in range(n_providers):
            name = (
                f"{rng.choice(WORDS)} {rng.choice(['Care', 'Healthcare', 'Living'])} "
                f"{rng.choice(['Ltd', 'Limited', 'Group', 'CIC', 'Trust'])} {i}"
            )
            providers.append(
                Provider(
                    cqc_provider_id=f"1-7{i:08d}",
                    name=name,
                    name_key=name.lower(),
                    registration_status="Registered",
                )
            )
        providers = Provider.objects.bulk_create(providers, batch_size=2000)
        ds.providers = len(providers)

        in_scope, others, ratings = [], [], []
        for i in range(locations):
            care_home = rng.random() < 0.6
            history = []
            if rng.random() >= 0.05:  # one in twenty not yet rated
                day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 900))
                for _ in range(rng.randrange(1, 3)):
                    overall = rng.choice(RATINGS)
                    kq = [overall if rng.random() < 0.6 else rng.choice(RATINGS) for _ in range(5)]
                    history.append((day, overall, kq))
                    day += dt.timedelta(days=rng.randrange(200, 700))
            outward = f"RG{rng.choice([14, 7, 8, 18, 20])}"
            postcode = f"{outward} {rng.randrange(1, 9)}{rng.choice('ABDEFGHJLN')}"
            postcode += rng.choice("PQRSTUWXYZ")
            loc = Location(
                provider=providers[i % n_providers],
                cqc_location_id=f"1-6{i:08d}",
                # Every ninth name has the common word, so that the q= page finds some at
                # every size (as many again have it by chance).
                name=f"{COMMON_WORD if i % 9 == 0 else rng.choice(WORDS)} {rng.choice(KINDS)}",
                address_line1=f"{rng.randrange(1, 300)} {rng.choice(WORDS)} Road",
                town="Newbury",
                postcode=postcode,
                postcode_key=postcode.replace(" ", ""),
                local_authority=AREA,
                region="South East",
                care_home=care_home,
                beds=rng.randrange(8, 90) if care_home else 0,
                registration_status="Registered",
                overall_rating=history[-1][1] if history else "",
                rating_date=history[-1][0] if history else None,
                last_inspection_date=history[-1][0] if history else None,
            )
            in_scope.append((loc, history))
        for i in range(locations * OTHER_LOCATIONS_PER_LOCATION):
            area = OTHER_AREAS[i % len(OTHER_AREAS)]
            others.append(
                Location(
                    provider=providers[rng.randrange(n_providers)],
                    cqc_location_id=f"1-5{i:08d}",
                    name=f"{rng.choice(WORDS)} {rng.choice(KINDS)}",
                    local_authority=area,
                    postcode="BR1 1AA",
                    postcode_key="BR11AA",
                    overall_rating=rng.choice(RATINGS),
                    registration_status="Registered",
                )
            )
        Location.objects.bulk_create([loc for loc, _ in in_scope], batch_size=2000)
        Location.objects.bulk_create(others, batch_size=2000)
        ds.others = len(others)
        for i, (loc, history) in enumerate(in_scope):
            for n, (day, overall, kq) in enumerate(history):
                ratings.append(
                    Rating(
                        location=loc,
                        report_date=day,
                        report_link_id=f"bench-{i}-{n}",
                        overall=overall,
                        safe=kq[0],
                        effective=kq[1],
                        caring=kq[2],
                        responsive=kq[3],
                        well_led=kq[4],
                    )
                )
        Rating.objects.bulk_create(ratings, batch_size=5000)
        ds.ratings = len(ratings)
        locs = [loc for loc, _ in in_scope]

        commissioned = rng.sample(locs, round(locations * COMMISSIONED_SHARE))
        rows = []
        for loc in commissioned:
            contract = _pick(rng, CONTRACTS)
            people = rng.randrange(1, 12) if rng.random() < 0.9 else rng.randrange(30, 60)
            rows.append(
                Commissioning(
                    council=council,
                    location=loc,
                    contract_type=contract,
                    in_area=True,
                    annual_spend=Decimal(int(rng.lognormvariate(11.5, 1.0))),
                    beds=min(loc.beds or 0, rng.randrange(0, 30)) if loc.care_home else 0,
                    home_care_hours=(
                        Decimal(0) if loc.care_home else Decimal(rng.randrange(10, 900))
                    ),
                    people=people,
                    specialist_service=(
                        rng.choice(["Dementia nursing", "Learning disability", "Mental health"])
                        if rng.random() < 0.05
                        else ""
                    ),
                )
            )
        Commissioning.objects.bulk_create(rows, batch_size=2000)
        ds.commissioned = len(rows)

        overridden = rng.sample(locs, max(1, round(locations * OVERRIDDEN_SHARE)))
        RiskOverride.objects.bulk_create(
            [
                RiskOverride(
                    council=council,
                    location=loc,
                    rag=rng.choice(["red", "amber", "green"]),
                    reason="Benchmark override: the officer knows more than the factors.",
                    expires_on=today + dt.timedelta(days=rng.randrange(30, 300)),
                    by_label="bench",
                )
                for loc in overridden
            ]
        )
        ds.overridden = len(overridden)

        # Uneven: a Pareto weight per location, so a few locations get much of the intelligence
        # and most get a little.
        weights = [rng.paretovariate(1.1) for _ in locs]
        targets = rng.choices(range(len(locs)), weights=weights, k=intelligence)
        per_location = [0] * len(locs)
        now = timezone.now()
        items = []
        for n, t in enumerate(targets, start=1):
            loc = locs[t]
            whole_provider = rng.random() < PROVIDER_LEVEL_SHARE
            if not whole_provider:
                per_location[t] += 1
            else:
                ds.provider_level += 1
            source = _pick(rng, SOURCES)
            received = today - dt.timedelta(days=rng.randrange(0, 730))
            outcome = _pick(rng, OUTCOMES)
            if (today - received).days > 120 and outcome in ("open", "under_enquiry"):
                outcome = "not_upheld" if rng.random() < 0.7 else outcome
            closed = outcome not in ("open", "under_enquiry")
            items.append(
                {
                    "council_id": council.pk,
                    "reference": f"INT-BENCH-{n:06d}",
                    "provider_id": loc.provider_id,
                    "location_id": None if whole_provider else loc.pk,
                    "source": source,
                    "received_on": received,
                    "themes": rng.sample(THEMES, rng.randrange(0, 3)),
                    "severity": _pick(rng, SEVERITIES),
                    "narrative": f"Benchmark item {n}: {source.replace('_', ' ')} about "
                    f"{loc.name}.",
                    "allocated_to_id": officer.pk if rng.random() < 0.1 else None,
                    "outcome": outcome,
                    "outcome_on": (
                        min(today, received + dt.timedelta(days=rng.randrange(1, 90)))
                        if closed
                        else None
                    ),
                    "external_ref": "",
                    "rating_change_id": None,
                    "created_by_label": "bench",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        _insert(Intelligence, items)

    # The location page is timed for the busiest commissioned location (its page shows the
    # commissioning too: the most work).
    chosen = {loc.pk for loc in commissioned}
    hot = locs[
        max((k for k in range(len(locs)) if locs[k].pk in chosen), key=per_location.__getitem__)
    ]
    ds.hot_location_id = hot.pk
    with scopes_disabled():
        # What its page lists: its own items and its provider's whole-provider ones.
        ds.hot_location_items = Intelligence.objects.filter(
            Q(location=hot) | Q(location__isnull=True, provider_id=hot.provider_id),
            council=council,
        ).count()
    ds.setup_s = time.perf_counter() - start
    return ds


def _insert(model, rows: list[dict]) -> None:
    """Many rows at once: COPY when the rows give every column of the model's table (several
    times faster than bulk_create for 100,000 rows), else bulk_create (a column added to the
    model since, with a default, still gets it)."""
    from django.db import connection

    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    if not rows or set(rows[0]) != set(columns):
        model.objects.bulk_create([model(**row) for row in rows], batch_size=5000)
        return
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow(
            [
                "\\N"
                if (v := row[c]) is None
                else json.dumps(v)
                if isinstance(v, (list, dict))
                else v.isoformat()
                if isinstance(v, (dt.date, dt.datetime))
                else v
                for c in columns
            ]
        )
    buf.seek(0)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cur:
        cur.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) "
            "FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buf,
        )


def register_empty() -> None:
    """The register and every council's monitoring of it (CASCADE), not the councils."""
    from django.db import connection

    from monitoring.models import (
        Commissioning,
        Intelligence,
        IntelligenceAttachment,
        IntelligenceCorrection,
        RiskHistory,
        RiskOverride,
        RiskRating,
    )

    tables = [
        m._meta.db_table
        for m in (
            RiskHistory,
            RiskRating,
            RiskOverride,
            IntelligenceAttachment,
            IntelligenceCorrection,
            Intelligence,
            Commissioning,
        )
    ]
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    r.register_empty()


# --- recomputing -------------------------------------------------------------------------------


@dataclass
class RecomputeFigure:
    key: str
    label: str
    seconds: float
    changed: int
    queries: int
    sql_s: float


def timed_recompute(key: str, label: str, *, profiler=None, **kwargs) -> RecomputeFigure:
    """As the worker runs it (monitoring.tasks.risk_recompute_task): a fresh council, its
    scope, the service."""
    from django.db import connection
    from django_scopes import scope, scopes_disabled

    from councils.models import Council
    from monitoring.services.risk import risk_recompute

    with scopes_disabled():
        council = Council.objects.select_related("active_policy").get(code=COUNCIL_CODE)
    timer = r.SqlTimer()
    start = time.perf_counter()
    with connection.execute_wrapper(timer), scope(council=council):
        if profiler is not None:
            profiler.enable()
        try:
            changed = risk_recompute(council=council, **kwargs)
        finally:
            if profiler is not None:
                profiler.disable()
    elapsed = time.perf_counter() - start
    fig = RecomputeFigure(key, label, elapsed, changed, timer.count, timer.total)
    log(
        f"  recompute {label:<46}{elapsed:>7.2f} s  {changed:>6,} changed  "
        f"{timer.count:>4} queries  (SQL {timer.total:.2f} s)"
    )
    return fig


def change_outcomes(council, share: float, seed: int) -> int:
    """1% of the items change outcome: not liable ones become upheld, others not liable
    (either moves the location's score). Not timed."""
    from django_scopes import scopes_disabled

    from monitoring.models import Intelligence, Outcome

    rng = random.Random(seed)
    with scopes_disabled():
        ids = list(Intelligence.objects.filter(council=council).values_list("pk", "outcome"))
        chosen = rng.sample(ids, max(1, round(len(ids) * share)))
        to_upheld = [pk for pk, outcome in chosen if outcome == Outcome.NOT_LIABLE]
        to_not_liable = [pk for pk, outcome in chosen if outcome != Outcome.NOT_LIABLE]
        today = dt.date.today()
        Intelligence.objects.filter(pk__in=to_upheld).update(
            outcome=Outcome.UPHELD, outcome_on=today
        )
        Intelligence.objects.filter(pk__in=to_not_liable).update(
            outcome=Outcome.NOT_LIABLE, outcome_on=today
        )
    return len(chosen)


def rag_counts(council) -> dict[str, int]:
    from django_scopes import scope

    from monitoring.selectors import risk_counts

    with scope(council=council):
        return risk_counts(council=council)


def matrix_check(council, ds: Dataset, warnings: list[str]) -> None:
    """The matrix holds every location in scope and no other."""
    from django_scopes import scope

    from monitoring.models import RiskRating

    with scope(council=council):
        n = RiskRating.objects.filter(council=council).count()
        overridden = RiskRating.objects.filter(council=council, override__isnull=False).count()
    if n != ds.locations:
        warnings.append(f"the matrix has {n:,} ratings for {ds.locations:,} locations in scope")
    if overridden != ds.overridden:
        warnings.append(f"{overridden} ratings carry an override, not {ds.overridden}")


# --- pages -------------------------------------------------------------------------------------


def page_kinds(ds: Dataset) -> list[Kind]:
    risk = "/risk/"
    return [
        Kind("default (score)", risk, [{}]),
        Kind("rag=red", risk, [{"rag": "red"}]),
        Kind(f"q={COMMON_WORD}", risk, [{"q": COMMON_WORD}]),
        Kind("sort=name", risk, [{"sort": "name"}]),
        Kind("page=10", risk, [{"page": "10"}]),
        Kind("overridden=on", risk, [{"overridden": "on"}]),
    ]


def other_kinds(ds: Dataset) -> list[Kind]:
    return [
        Kind("location page", f"/locations/{ds.hot_location_id}/", [{}]),
        Kind("API /api/v1/risk/", "/api/v1/risk/", [{}], api=True),
    ]


RISK_COUNT = re.compile(r'role="status">\s*([\d,]+) location')


def _get(client, kind: Kind, params: dict):
    url = kind.url + ("?" + urlencode(params) if params else "")
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def _expected(council, ds: Dataset, kind: Kind, params: dict) -> int:
    from django_scopes import scope

    from monitoring import selectors

    if kind.url.startswith("/locations/"):
        return ds.hot_location_items
    with scope(council=council):
        filters = selectors.RiskFilters(
            rag=params.get("rag", ""),
            q=params.get("q", ""),
            overridden=bool(params.get("overridden")),
            sort=params.get("sort", "score"),
        )
        return selectors.risk_matrix(council=council, filters=filters).count()


def _shown(kind: Kind, response) -> int | None:
    if kind.api:
        return int(json.loads(response.content)["count"])
    if kind.url == "/risk/":
        found = RISK_COUNT.search(response.content.decode())
        if not found:
            raise RuntimeError(f"{kind.name}: no location count on the page")
        return int(found.group(1).replace(",", ""))
    return None


def pages_bench(
    client, council, ds: Dataset, kinds: list[Kind], *, requests: int, warmup: int
) -> list[KindFigures]:
    def check(kind: Kind, response) -> int:
        expected = _expected(council, ds, kind, kind.params[0])
        shown = _shown(kind, response)
        if shown is not None and shown != expected:
            raise RuntimeError(f"{kind.name}: the page shows {shown}, the ORM finds {expected}")
        return expected

    return r.measure_kinds(client, kinds, requests=requests, warmup=warmup, get=_get, check=check)


@dataclass
class ExportFigure:
    kind: str
    ms: float
    queries: int
    rows: int
    size: int


def export_bench(client, ds: Dataset, warnings: list[str]) -> list[ExportFigure]:
    from django.db import connection

    out = []
    for kind in ("csv", "xlsx"):
        timer = r.SqlTimer()
        start = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = client.get("/risk/?" + urlencode({"export": kind}))
        ms = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET /risk/?export={kind} answered {response.status_code}")
        body = response.content
        if kind == "csv":
            rows = sum(1 for _ in csv.reader(io.StringIO(body.decode()))) - 1
        else:
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
            rows = sum(1 for _ in book.active.iter_rows()) - 1
        if rows != ds.locations:
            warnings.append(f"the {kind} export has {rows:,} rows, not {ds.locations:,}")
        out.append(ExportFigure(kind.upper(), ms, timer.count, rows, len(body)))
        log(
            f"  export {kind.upper():<5}{ms:>9.1f} ms  {rows:>6,} rows  {timer.count:>3} queries  "
            f"{len(body) / 1e6:.2f} MB"
        )
    return out


# --- the whole stage ---------------------------------------------------------------------------


@dataclass
class SizeFigures:
    data: Dataset
    recompute: list[RecomputeFigure] = field(default_factory=list)
    pages: list[KindFigures] = field(default_factory=list)
    others: list[KindFigures] = field(default_factory=list)
    exports: list[ExportFigure] = field(default_factory=list)
    rag: dict[str, int] = field(default_factory=dict)


@dataclass
class MonitoringResults:
    locations: int
    intelligence: int
    database: str = ""
    settings: str = ""
    small: SizeFigures | None = None
    full: SizeFigures | None = None
    warnings: list[str] = field(default_factory=list)


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _build(council, officer, locations: int, intelligence: int) -> Dataset:
    register_empty()
    ds = populate(council, officer, locations=locations, intelligence=intelligence, seed=SEED)
    r.analyze()
    log(
        f"  built in {ds.setup_s:.1f} s: {ds.locations:,} locations in {AREA} "
        f"({ds.others:,} elsewhere), {ds.providers:,} providers, {ds.ratings:,} ratings, "
        f"{ds.commissioned:,} commissioned, {ds.overridden} overridden, "
        f"{ds.intelligence:,} items ({ds.provider_level:,} about a whole provider); the busiest "
        f"location has {ds.hot_location_items:,} items"
    )
    return ds


def recompute_series(council, ds: Dataset, warnings: list[str], profile: bool) -> list:
    """The whole matrix three times (first, unchanged, after 1% of outcomes change), then one
    location and one provider as the worker does after one item is logged."""
    from django_scopes import scopes_disabled

    from providers.models import Location

    profilers = [cProfile.Profile(), cProfile.Profile()] if profile else [None, None]
    out = [timed_recompute("first", "first (creates every rating)", profiler=profilers[0])]
    matrix_check(council, ds, warnings)
    out.append(timed_recompute("unchanged", "again, nothing changed"))
    if out[-1].changed:
        warnings.append(f"a recompute with nothing changed changed {out[-1].changed} ratings")
    moved = change_outcomes(council, OUTCOME_CHANGE_SHARE, SEED + 1)
    out.append(
        timed_recompute(
            "outcomes",
            f"after {moved:,} items ({OUTCOME_CHANGE_SHARE:.0%}) change outcome",
            profiler=profilers[1],
        )
    )
    with scopes_disabled():
        provider_id = Location.objects.get(pk=ds.hot_location_id).provider_id
    out.append(
        timed_recompute(
            "location",
            "one location (as after an item is logged)",
            location_ids=[ds.hot_location_id],
        )
    )
    out.append(
        timed_recompute(
            "provider", "one provider (as after a whole-provider item)", provider_id=provider_id
        )
    )
    if profile:
        with tempfile.TemporaryDirectory(prefix="oversight-bench-") as tmp:
            for label, profiler in zip(
                ("first recompute", "recompute after outcome changes"), profilers, strict=True
            ):
                r._print_profile(label, profiler, Path(tmp))
    return out


def measure(
    council,
    client,
    ds: Dataset,
    warnings: list[str],
    *,
    requests: int,
    warmup: int,
    profile: bool,
    exports: bool,
) -> SizeFigures:
    fig = SizeFigures(ds)
    fig.recompute = recompute_series(council, ds, warnings, profile)
    r.analyze()
    fig.rag = rag_counts(council)
    log("  RAG: " + ", ".join(f"{k} {v:,}" for k, v in fig.rag.items()))
    fig.pages = pages_bench(client, council, ds, page_kinds(ds), requests=requests, warmup=warmup)
    r.print_kinds(f"/risk/ at {ds.locations:,} locations", fig.pages)
    fig.others = pages_bench(client, council, ds, other_kinds(ds), requests=requests, warmup=warmup)
    r.print_kinds(
        f"location page ({ds.hot_location_items:,} items) and the API's risk list", fig.others
    )
    if exports:
        fig.exports = export_bench(client, ds, warnings)
    return fig


def stage(
    *,
    locations: int = TARGET_LOCATIONS,
    intelligence: int = TARGET_INTELLIGENCE,
    requests: int = 40,
    warmup: int = 5,
    profile: bool = False,
    explain_plans: bool = False,
) -> MonitoringResults:
    """Run in a migrated benchmark database, Django set up. Empties the register."""
    res = MonitoringResults(locations=locations, intelligence=intelligence)
    council, officer = council_and_officer()
    client = _client(officer)
    small_locations = max(1, locations // BASELINE_DIVISOR)
    small_items = max(1, intelligence // BASELINE_DIVISOR)
    timing = {"requests": requests, "warmup": warmup}

    log(
        f"\nMonitoring stage 1: baseline, {small_locations:,} locations and "
        f"{small_items:,} intelligence items"
    )
    ds = _build(council, officer, small_locations, small_items)
    res.small = measure(council, client, ds, res.warnings, profile=False, exports=False, **timing)

    log(f"\nMonitoring stage 2: {locations:,} locations and {intelligence:,} intelligence items")
    ds = _build(council, officer, locations, intelligence)
    res.full = measure(council, client, ds, res.warnings, profile=profile, exports=True, **timing)
    if explain_plans:
        r.explain_queries(res.full.pages + res.full.others, "monitoring_", width=200)
    return res


def run(
    *,
    locations: int = TARGET_LOCATIONS,
    intelligence: int = TARGET_INTELLIGENCE,
    keep_db: bool = False,
    requests: int = 40,
    warmup: int = 5,
    profile: bool = False,
    explain_plans: bool = False,
) -> MonitoringResults:
    """The stage alone, in a database of its own (created anew, dropped unless keep_db)."""
    return r.in_own_database(
        lambda: stage(
            locations=locations,
            intelligence=intelligence,
            requests=requests,
            warmup=warmup,
            profile=profile,
            explain_plans=explain_plans,
        ),
        keep_db=keep_db,
    )


# --- the summary -------------------------------------------------------------------------------


_verdict, _ratio = r.verdict, r.ratio


def summary_rows(res: MonitoringResults) -> tuple[list[tuple[str, str, str, str, str]], str]:
    """The summary table's rows, and the query counts per request."""
    rows: list[tuple[str, str, str, str, str]] = []
    full, small = res.full, res.small
    if full is None:
        return rows, ""
    n, sn = full.data.locations, small.data.locations if small else 0
    base = {f.key: f for f in (small.recompute if small else [])}
    for f in full.recompute:
        whole = f.key in ("first", "unchanged", "outcomes")
        b = base.get(f.key)
        rows.append(
            (
                f"recompute {n:,} locations: {f.label}" if whole else f"recompute {f.label}",
                f"{f.seconds:.2f} s ({f.changed:,} changed, {f.queries} queries)",
                f"<= {RECOMPUTE_TARGET_S:.0f} s" if whole else "",
                f"{_ratio(f.seconds, b.seconds)} at {sn:,}" if b else "",
                _verdict(f.seconds <= RECOMPUTE_TARGET_S) if whole else "",
            )
        )
    small_pages = {f.kind.name: f for f in (small.pages if small else [])}
    if full.pages:
        overall = percentile([s for f in full.pages for s in f.samples_ms], 95)
        base_p95 = (
            percentile([s for f in small.pages for s in f.samples_ms], 95)
            if small and small.pages
            else float("nan")
        )
        rows.append(
            (
                f"/risk/ p95, all kinds, {n:,} locations",
                f"{overall:.1f} ms",
                f"<= {PAGE_P95_TARGET_MS:.0f} ms",
                f"{_ratio(overall, base_p95)} at {sn:,}" if small_pages else "",
                _verdict(overall <= PAGE_P95_TARGET_MS),
            )
        )
        for f in full.pages:
            s = small_pages.get(f.kind.name)
            rows.append(
                (
                    f"  p95 {f.kind.name}",
                    f"{f.p95:.1f} ms (p50 {f.p50:.1f}, max {f.max:.1f})",
                    f"<= {PAGE_P95_TARGET_MS:.0f} ms",
                    f"{_ratio(f.p95, s.p95)} at {sn:,}" if s else "",
                    _verdict(f.p95 <= PAGE_P95_TARGET_MS),
                )
            )
        most = max(f.queries for f in full.pages)
        rows.append(
            (
                "/risk/ queries per request (most)",
                str(most),
                f"<= {PAGE_QUERIES_TARGET}",
                "",
                _verdict(most <= PAGE_QUERIES_TARGET),
            )
        )
    small_all = {f.kind.name: f for f in (small.pages + small.others if small else [])}
    compare = [(f, small_all.get(f.kind.name)) for f in full.pages + full.others]
    differ = [f.kind.name for f, s in compare if s is not None and s.queries != f.queries]
    if small_all:
        rows.append(
            (
                f"queries per request, {sn:,} vs {n:,}",
                "constant: " + ("no" if differ else "yes"),
                "constant",
                "",
                _verdict(not differ),
            )
        )
    for f in full.exports:
        rows.append(
            (
                f"{f.kind} export of the full matrix",
                f"{f.ms:.0f} ms ({f.rows:,} rows, {f.queries} queries)",
                "",
                "",
                "",
            )
        )
    small_others = {f.kind.name: f for f in (small.others if small else [])}
    for f in full.others:
        s = small_others.get(f.kind.name)
        label = (
            f"location page ({full.data.hot_location_items:,} items) p95"
            if f.kind.name == "location page"
            else f"{f.kind.name} p95"
        )
        rows.append(
            (
                label,
                f"{f.p95:.1f} ms ({f.queries} queries)",
                f"<= {PAGE_P95_TARGET_MS:.0f} ms",
                f"{_ratio(f.p95, s.p95)} at {sn:,}" if s else "",
                _verdict(f.p95 <= PAGE_P95_TARGET_MS),
            )
        )
    rows.append(
        (
            "data built (bulk)",
            f"{full.data.setup_s:.1f} s: {full.data.intelligence:,} items, "
            f"{full.data.commissioned:,} commissioned",
            "",
            "",
            "",
        )
    )
    counts = ", ".join(
        f"{f.kind.name} {s.queries}->{f.queries}"
        if s is not None and s.queries != f.queries
        else f"{f.kind.name} {f.queries}"
        for f, s in compare
    )
    return rows, counts
