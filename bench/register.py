"""The register benchmarks: import of synthetic CQC API records and location search, on
PostgreSQL, in a database of their own (dropped and created anew on each run).

Stages:
1. A small register (1,000 locations): imported, then each search is timed and its queries
   counted. This is the baseline for the search figures.
2. The register is emptied and the full set (50,000 locations by default) is imported into it,
   timed end to end, then imported again (the re-import, which should change nothing).
3. Each search again, timed and counted at the full size: the query counts must equal stage 1's.

Only figures are printed; a missed target is reported, never raised. Errors (a failed import, a
page that is not 200, a result count that disagrees with the ORM) raise, so the run exits
non-zero."""

from __future__ import annotations

import cProfile
import io
import json
import math
import os
import pstats
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/oversight_bench"
SMALL_LOCATIONS = 1000
SEED = 2026

# Targets from the issue.
IMPORT_TARGET_S = 60.0
REIMPORT_RATIO_TARGET = 0.5
SEARCH_P95_TARGET_MS = 50.0
TARGET_LOCATIONS = 50_000


def log(message: str = "") -> None:
    print(message, flush=True)


# --- the database ------------------------------------------------------------------------------


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL


def _url_parts(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        raise SystemExit(f"bench: the benchmark runs on PostgreSQL only, not {parts.scheme!r}")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise SystemExit("bench: the database URL names no database")
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password) if parts.password else None,
        "name": name,
    }


def _maintenance_connection(url: str):
    import psycopg2

    p = _url_parts(url)
    conn = psycopg2.connect(
        host=p["host"], port=p["port"], user=p["user"], password=p["password"], dbname="postgres"
    )
    conn.autocommit = True
    return conn, p["name"]


def _guard(name: str) -> None:
    # The benchmark drops its database: never one that is not plainly a benchmark's.
    if "bench" not in name:
        raise SystemExit(
            f"bench: refusing to drop and recreate database {name!r}: its name must contain "
            "'bench' (set BENCH_DATABASE_URL to a throwaway database)"
        )


def database_recreate(url: str) -> None:
    from psycopg2 import sql

    conn, name = _maintenance_connection(url)
    _guard(name)
    try:
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def database_exists(url: str) -> bool:
    conn, name = _maintenance_connection(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cur.fetchone() is not None
    finally:
        conn.close()


def database_drop(url: str) -> None:
    from psycopg2 import sql

    conn, name = _maintenance_connection(url)
    _guard(name)
    try:
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    finally:
        conn.close()


def django_setup(url: str) -> None:
    """Point Django at the benchmark database; must run before anything imports models."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    # Server time as in production: no query log kept, no debug pages.
    os.environ.setdefault("DEBUG", "false")
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]
    for host in ("testserver", "127.0.0.1", "localhost"):
        if host not in hosts:
            hosts.append(host)
    os.environ["ALLOWED_HOSTS"] = ",".join(hosts)
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def in_own_database(work, *, keep_db: bool):
    """Run a stage in a database of its own: created anew and migrated, dropped afterwards
    unless keep_db. `work()` returns the stage's results, which are told where they ran."""
    import time

    url = database_url()
    name = _url_parts(url)["name"]
    log(f"Creating database {name} anew")
    database_recreate(url)
    django_setup(url)

    from django.conf import settings
    from django.db import connections

    try:
        start = time.perf_counter()
        migrate()
        log(f"Migrated in {time.perf_counter() - start:.1f} s")
        res = work()
    finally:
        connections.close_all()
        if not keep_db:
            database_drop(url)
            log(f"\nDropped database {name} (use --keep-db to keep it)")
        else:
            log(f"\nKept database {name}")
    res.database = name
    res.settings = f"{os.environ['DJANGO_SETTINGS_MODULE']} (DEBUG={settings.DEBUG})"
    return res


def analyze() -> None:
    """VACUUM ANALYZE: the planner's statistics and the visibility map as autovacuum leaves them
    within a minute or so of a large import (the steady state that searches run in)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def register_empty() -> None:
    from django.db import connection

    from providers.models import Location, Provider, Rating, RatingChange, ServiceType
    from providers.selectors import register_caches_clear

    tables = [
        RatingChange._meta.db_table,
        Rating._meta.db_table,
        Location.service_types.through._meta.db_table,
        Location._meta.db_table,
        Provider._meta.db_table,
        ServiceType._meta.db_table,
    ]
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    register_caches_clear()


def row_counts() -> dict[str, int]:
    from providers.models import Location, Provider, Rating, RatingChange

    return {
        "locations": Location.objects.count(),
        "providers": Provider.objects.count(),
        "ratings": Rating.objects.count(),
        "rating_changes": RatingChange.objects.count(),
    }


# --- import ------------------------------------------------------------------------------------


@dataclass
class ImportFigures:
    locations: int
    file_bytes: int = 0
    generate_s: float = 0.0
    json_loads_s: float = 0.0
    reader_s: float = 0.0
    first_s: float = 0.0
    second_s: float = 0.0
    first_message: str = ""
    second_message: str = ""
    first_counts: dict = field(default_factory=dict)
    second_counts: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)
    rows_after_second: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.second_s / self.first_s if self.first_s else float("nan")


def _run_counts(run) -> dict:
    return {
        "providers_created": run.providers_created,
        "locations_created": run.locations_created,
        "locations_updated": run.locations_updated,
        "unchanged": run.unchanged,
        "ratings_added": run.ratings_added,
        "rating_changes": run.rating_changes,
        "problems": run.problem_count,
    }


def write_records(n: int, directory: Path) -> tuple[Path, float]:
    from providers import synthetic

    start = time.perf_counter()
    providers, locations = synthetic.records(n, seed=SEED)
    path = directory / f"synthetic-{n}.json"
    path.write_text(json.dumps(providers + locations))
    return path, time.perf_counter() - start


def timed_import(path: Path, profiler: cProfile.Profile | None = None):
    from providers.models import ImportFormat, ImportStatus
    from providers.services import import_from_path

    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    try:
        run = import_from_path(path=path, format=ImportFormat.CQC_JSON)
    finally:
        if profiler is not None:
            profiler.disable()
    elapsed = time.perf_counter() - start
    if run.status != ImportStatus.DONE:
        raise RuntimeError(f"import of {path.name} ended {run.status}: {run.message}")
    return run, elapsed


def import_bench(n: int, directory: Path, *, reimport: bool, profile: bool) -> ImportFigures:
    from providers.importing.readers import read_cqc_json_path

    fig = ImportFigures(locations=n)
    path, fig.generate_s = write_records(n, directory)
    fig.file_bytes = path.stat().st_size
    log(
        f"  {n:,} locations: records generated and written in {fig.generate_s:.1f} s "
        f"({fig.file_bytes / 1e6:.1f} MB)"
    )

    start = time.perf_counter()
    json.loads(path.read_bytes())
    fig.json_loads_s = time.perf_counter() - start
    start = time.perf_counter()
    read_cqc_json_path(path)
    fig.reader_s = time.perf_counter() - start
    log(
        f"  baseline: json.loads {fig.json_loads_s:.2f} s; "
        f"reader (JSON to records) {fig.reader_s:.2f} s"
    )

    profilers = (cProfile.Profile(), cProfile.Profile()) if profile else (None, None)
    run, fig.first_s = timed_import(path, profilers[0])
    fig.first_message, fig.first_counts = run.message, _run_counts(run)
    fig.rows = row_counts()
    log(f"  first import: {fig.first_s:.2f} s  ({run.message})")
    if fig.first_counts["locations_created"] != n:
        fig.warnings.append(
            f"first import created {fig.first_counts['locations_created']} locations, not {n}"
        )
    if reimport:
        run, fig.second_s = timed_import(path, profilers[1])
        fig.second_message, fig.second_counts = run.message, _run_counts(run)
        fig.rows_after_second = row_counts()
        log(f"  re-import:    {fig.second_s:.2f} s  ({run.message})")
        c = fig.second_counts
        if c["locations_created"] or c["ratings_added"] or c["locations_updated"]:
            fig.warnings.append(
                "the re-import of the same file changed the register: "
                f"{c['locations_created']} locations added, {c['locations_updated']} updated, "
                f"{c['ratings_added']} ratings added"
            )
        if fig.rows_after_second != fig.rows:
            fig.warnings.append(
                f"row counts changed on re-import: {fig.rows} -> {fig.rows_after_second}"
            )
    if profile:
        for label, profiler in zip(("first import", "re-import"), profilers, strict=True):
            if profiler is not None and profiler.getstats():
                _print_profile(label, profiler, directory)
    return fig


def _print_profile(label: str, profiler: cProfile.Profile, directory: Path) -> None:
    out = directory / f"{label.replace(' ', '-')}.prof"
    profiler.dump_stats(out)
    for sort in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(sort).print_stats(25)
        log(f"\n  --- profile of the {label}, by {sort} (stats kept in {out}) ---")
        log(buf.getvalue().rstrip())


# --- search ------------------------------------------------------------------------------------


@dataclass
class Kind:
    name: str
    url: str
    params: list[dict]  # request i uses params[i % len(params)]
    api: bool = False


@dataclass
class KindFigures:
    kind: Kind
    samples_ms: list[float]
    sql_ms: list[float]  # time in the database driver, per request
    queries: int
    matches: int
    sql: list[str]

    @property
    def sql_p50(self) -> float:
        return percentile(self.sql_ms, 50)

    @property
    def p50(self) -> float:
        return percentile(self.samples_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 95)

    @property
    def max(self) -> float:
        return max(self.samples_ms)


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def search_kinds(small: int) -> list[Kind]:
    """A realistic mix. IDs are taken from the first `small` records, so that every kind finds
    the same rows at both sizes."""
    location_ids = [f"1-{100000000 + (k * 997) % small}" for k in range(8)]
    providers = max(1, small // 5)
    provider_ids = [f"1-{200000000 + (k * 97) % providers}" for k in range(8)]
    page = "/locations/"
    return [
        Kind("no filters", page, [{}]),
        Kind("q common (Oak)", page, [{"q": "Oak"}]),
        Kind("q rare (Priory Manor)", page, [{"q": "Priory Manor"}]),
        Kind("q no match", page, [{"q": "Zanzibar"}]),
        Kind("q postcode (BR1)", page, [{"q": "BR1"}]),
        Kind("q CQC ID", page, [{"q": i} for i in location_ids]),
        Kind("postcode BR1", page, [{"postcode": "BR1"}]),
        Kind("cqc_id location", page, [{"cqc_id": i} for i in location_ids]),
        Kind("cqc_id provider", page, [{"cqc_id": i} for i in provider_ids]),
        Kind("local_authority", page, [{"local_authority": "Bromley"}]),
        Kind("service_type", page, [{"service_type": "Homecare agencies"}]),
        Kind("rating below_good", page, [{"rating": "below_good"}]),
        Kind(
            "combined LA+type+rating",
            page,
            [
                {
                    "local_authority": "Bromley",
                    "service_type": "Care home service with nursing",
                    "rating": "below_good",
                }
            ],
        ),
        Kind(
            "combined q+LA+rating",
            page,
            [{"q": "House", "local_authority": "Bromley", "rating": "below_good"}],
        ),
        Kind("page 5", page, [{"page": "5"}]),
        Kind("API q=Oak", "/api/v1/locations/", [{"q": "Oak"}], api=True),
        Kind("API no filters", "/api/v1/locations/", [{}], api=True),
    ]


RESULT_COUNT = re.compile(r'id="result-count"[^>]*>\s*([\d,]+) location')


def _expected_matches(params: dict) -> int:
    from providers.selectors import LocationFilters, location_search

    filters = LocationFilters(**{k: v for k, v in params.items() if k != "page"})
    return location_search(council=None, filters=filters).count()


def _get(client, kind: Kind, params: dict):
    url = kind.url + ("?" + urlencode(params) if params else "")
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def _matches(kind: Kind, response) -> int:
    if kind.api:
        return int(json.loads(response.content)["count"])
    found = RESULT_COUNT.search(response.content.decode())
    if not found:
        raise RuntimeError(f"{kind.name}: no result count on the page")
    return int(found.group(1).replace(",", ""))


class SqlTimer:
    """An execute wrapper: how many statements, and the time spent executing them
    (psycopg2 fetches rows in execute)."""

    def __init__(self):
        self.count = 0
        self.total = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.total += time.perf_counter() - start


def signed_in_client():
    from django.test import Client
    from django_scopes import scopes_disabled

    from councils.models import Council, Membership, Role, User

    with scopes_disabled():
        council, _ = Council.objects.get_or_create(
            code="bench", defaults={"name": "Benchmark Council", "short_name": "Bench"}
        )
        user, _ = User.objects.get_or_create(
            username="bench-officer", defaults={"first_name": "Bench", "last_name": "Officer"}
        )
        Membership.objects.get_or_create(user=user, council=council, role=Role.OFFICER)
    client = Client()
    client.force_login(user)
    return client


def measure_kinds(
    client, kinds: list[Kind], *, requests: int, warmup: int, get, check
) -> list[KindFigures]:
    """Warm up, count each kind's queries once and `check` its answer (returns the number of
    matches, raises when the page disagrees with the ORM), then time the kinds round robin, as a
    mix of people using the pages would."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for kind in kinds:
        for i in range(warmup):
            get(client, kind, kind.params[i % len(kind.params)])
    counted = {}
    for kind in kinds:
        with CaptureQueriesContext(connection) as ctx:
            response = get(client, kind, kind.params[0])
        matches = check(kind, response)
        counted[kind.name] = (len(ctx.captured_queries), matches, [q["sql"] for q in ctx])

    samples: dict[str, list[float]] = {k.name: [] for k in kinds}
    sql_samples: dict[str, list[float]] = {k.name: [] for k in kinds}
    timer = SqlTimer()
    with connection.execute_wrapper(timer):
        for i in range(requests):
            for kind in kinds:
                params = kind.params[i % len(kind.params)]
                timer.total = 0.0
                start = time.perf_counter()
                get(client, kind, params)
                samples[kind.name].append((time.perf_counter() - start) * 1000)
                sql_samples[kind.name].append(timer.total * 1000)
    return [KindFigures(k, samples[k.name], sql_samples[k.name], *counted[k.name]) for k in kinds]


def search_bench(client, kinds: list[Kind], *, requests: int, warmup: int) -> list[KindFigures]:
    def check(kind: Kind, response) -> int:
        matches = _matches(kind, response)
        expected = _expected_matches(kind.params[0])
        if matches != expected:
            raise RuntimeError(
                f"{kind.name}: the page shows {matches} matches, the ORM finds {expected}"
            )
        return matches

    return measure_kinds(client, kinds, requests=requests, warmup=warmup, get=_get, check=check)


def print_kinds(title: str, figures: list[KindFigures]) -> None:
    log(f"\n  {title}")
    log(
        f"  {'kind':<26}{'matches':>8}{'queries':>8}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}"
        f"{'SQL p50':>9}"
    )
    for f in figures:
        log(
            f"  {f.kind.name:<26}{f.matches:>8,}{f.queries:>8}{f.p50:>8.1f}{f.p95:>8.1f}"
            f"{f.max:>8.1f}{f.sql_p50:>9.1f}"
        )


def print_search(label: str, figures: list[KindFigures]) -> None:
    print_kinds(f"search at {label}", figures)


def explain_queries(figures: list[KindFigures], table: str, width: int = 160) -> None:
    """EXPLAIN ANALYZE of each kind's queries that read `table` (those that grow with rows)."""
    from django.db import connection

    with connection.cursor() as cur:
        for f in figures:
            for sql in f.sql:
                if table not in sql or "django_session" in sql:
                    continue
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join("      " + row[0] for row in cur.fetchall())
                log(f"\n  --- {f.kind.name}: {sql[:width]}...\n{plan}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ratio(value: float, base: float) -> str:
    if not base or math.isnan(value) or math.isnan(base):
        return ""
    return f"{value / base:.2f}x"


# --- the whole run -----------------------------------------------------------------------------


@dataclass
class Results:
    locations: int
    small: int
    database: str
    settings: str
    small_import: ImportFigures | None = None
    full_import: ImportFigures | None = None
    search_small: list[KindFigures] = field(default_factory=list)
    search_full: list[KindFigures] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def run(
    *,
    locations: int,
    skip_import: bool,
    keep_db: bool,
    requests: int,
    warmup: int,
    profile: bool = False,
    explain_plans: bool = False,
    after=None,
) -> Results:
    """`after`, if given, is called with no arguments once the register stages are done, in
    the same database before it is dropped (the monitoring stage)."""
    url = database_url()
    small = SMALL_LOCATIONS if locations > SMALL_LOCATIONS else max(1, locations // 10)
    if skip_import:
        if not database_exists(url):
            raise SystemExit(
                "bench: --skip-import needs the database of an earlier run with --keep-db"
            )
        log(f"Reusing {_url_parts(url)['name']} (--skip-import)")
    else:
        log(f"Creating database {_url_parts(url)['name']} anew")
        database_recreate(url)
    django_setup(url)

    from django.conf import settings
    from django.db import connections

    results = Results(
        locations=locations,
        small=small,
        database=_url_parts(url)["name"],
        settings=f"{os.environ['DJANGO_SETTINGS_MODULE']} (DEBUG={settings.DEBUG})",
    )
    try:
        start = time.perf_counter()
        migrate()
        log(f"Migrated in {time.perf_counter() - start:.1f} s")
        client = signed_in_client()
        kinds = search_kinds(small)

        with tempfile.TemporaryDirectory(prefix="oversight-bench-") as tmp:
            directory = Path(tmp)
            if skip_import:
                rows = row_counts()
                if not rows["locations"]:
                    raise SystemExit("bench: --skip-import, but the database has no locations")
                results.locations = rows["locations"]
                log(f"The register has {rows['locations']:,} locations")
                analyze()
                results.search_full = search_bench(client, kinds, requests=requests, warmup=warmup)
                print_search(f"{rows['locations']:,} locations", results.search_full)
            else:
                log(f"\nStage 1: small register ({small:,} locations)")
                results.small_import = import_bench(small, directory, reimport=True, profile=False)
                analyze()
                results.search_small = search_bench(client, kinds, requests=requests, warmup=warmup)
                print_search(f"{small:,} locations", results.search_small)

                log(f"\nStage 2: import of {locations:,} locations into an empty register")
                register_empty()
                results.full_import = import_bench(
                    locations, directory, reimport=True, profile=profile
                )
                results.warnings += results.full_import.warnings
                results.warnings += results.small_import.warnings

                log(f"\nStage 3: search at {locations:,} locations")
                analyze()
                results.search_full = search_bench(client, kinds, requests=requests, warmup=warmup)
                print_search(f"{locations:,} locations", results.search_full)
            if explain_plans:
                explain_queries(results.search_full, "providers_location")
        if after is not None:
            after()
    finally:
        connections.close_all()
        if not keep_db and not skip_import:
            database_drop(url)
            log(f"\nDropped database {results.database} (use --keep-db to keep it)")
        else:
            log(f"\nKept database {results.database}")
    return results
