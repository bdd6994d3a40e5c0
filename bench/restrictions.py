"""The restrictions benchmarks (issue 9): with 50,000 locations, 20 councils and 5,000
restrictions (shared ones seen by every other council, as West Berkshire's and Bedford's packs
share them), the placement status API, the placement check page, a bulk lookup of 1,000 ids
and the changes feed.

- Placement status API: p95 server time (in process, as the other benches time pages), and its
  throughput served by gunicorn next to a bare Django JSON view served the same way in the same
  run (same server, workers, middleware and load): both printed, and the ratio.
- Placement check page: p95, and its queries whatever the number of matches.
- Bulk lookup of 1,000 ids: p95.
- Changes feed: its queries for a page of 10 and of 500 entries (constant), and its time.

The data is written in bulk (restrictions in place, their shares and feed entries as the
services leave them); the services themselves are timed by the tests, not here."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench import register as r
from providers.synthetic import KINDS, WORDS

TARGET_LOCATIONS = 50_000
TARGET_COUNCILS = 20
TARGET_RESTRICTIONS = 5_000
STATUS_P95_TARGET_MS = 10.0
THROUGHPUT_RATIO_TARGET = 0.7
CHECK_P95_TARGET_MS = 30.0
BULK_P95_TARGET_MS = 150.0
BULK_IDS = 1000
LOCATIONS_PER_PROVIDER = 5
WHOLE_PROVIDER_SHARE = 0.05
SEED = 2026
LOAD_SECONDS = 6.0  # each endpoint's throughput is measured over this long
LOAD_CLIENTS = 4
GUNICORN_WORKERS = 2  # the machine's cores
BENCH_COUNCIL = "west-berkshire"
OUTWARD = ["RG14", "BR1", "MK40", "BD1", "TA1", "BA5", "M33", "LS1", "ME14", "TA6"]
AUTHORITIES = [
    "West Berkshire",
    "Bromley",
    "Bedford",
    "Bradford",
    "Somerset",
    "Trafford",
    "Leeds",
    "Kent",
]

log = r.log


@dataclass
class Figures:
    name: str
    samples_ms: list[float]
    queries: int

    @property
    def p50(self) -> float:
        return r.percentile(self.samples_ms, 50)

    @property
    def p95(self) -> float:
        return r.percentile(self.samples_ms, 95)


@dataclass
class RestrictionResults:
    locations: int = 0
    councils: int = 0
    restrictions: int = 0
    shares: int = 0
    feed: int = 0
    status: Figures | None = None
    cold: Figures | None = None
    bare: Figures | None = None
    lookup: Figures | None = None
    check: Figures | None = None
    check_queries: dict[str, int] = field(default_factory=dict)
    feed_small: Figures | None = None
    feed_full: Figures | None = None
    status_rps: float = 0.0
    bare_rps: float = 0.0
    warnings: list[str] = field(default_factory=list)
    database: str = ""
    settings: str = ""


# --- the data ----------------------------------------------------------------------------------


def _councils(n: int) -> list:
    """The five real councils, and as many more as asked, each a copy of West Berkshire's pack
    under its own name (so it shares its restrictions with every other council)."""
    from django.conf import settings

    from councils.services import policy_load

    councils = []
    for path in sorted(settings.POLICY_DIR.glob("*.yaml")):
        councils.append(
            policy_load(text=path.read_text(encoding="utf-8"), source_name=path.name).council
        )
    text = (settings.POLICY_DIR / "west-berkshire.yaml").read_text(encoding="utf-8")
    for i in range(n - len(councils)):
        copy = (
            text.replace("code: west-berkshire\n", f"code: bench-{i}\n", 1)
            .replace("name: West Berkshire Council\n", f"name: Bench Council {i}\n", 1)
            .replace("short_name: West Berkshire\n", f"short_name: Bench {i}\n", 1)
        )
        councils.append(policy_load(text=copy, source_name=f"bench-{i}.yaml").council)
    return councils


def build(
    *, locations: int, councils: int, restrictions: int, seed: int = SEED
) -> RestrictionResults:
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from councils.policy import policy_of
    from providers.models import Location, Provider, Rating
    from restrictions.models import FeedEntry, Level, Restriction, Share, Status
    from restrictions.pack import Restrictions

    rng = random.Random(seed)
    res = RestrictionResults(locations=locations, councils=councils, restrictions=restrictions)
    start = time.perf_counter()
    with scopes_disabled():
        providers = Provider.objects.bulk_create(
            Provider(cqc_provider_id=f"1-{300000000 + i}", name=f"{rng.choice(WORDS)} Care Ltd {i}")
            for i in range(max(1, locations // LOCATIONS_PER_PROVIDER))
        )
        ratings = ["Outstanding", "Good", "Good", "Good", "Requires improvement", "Inadequate"]
        rows = []
        for i in range(locations):
            place = i % len(AUTHORITIES)
            rows.append(
                Location(
                    provider=providers[i // LOCATIONS_PER_PROVIDER],
                    cqc_location_id=f"1-{400000000 + i}",
                    source_key=f"bench-{i}",
                    name=f"{rng.choice(WORDS)} {rng.choice(KINDS)}",
                    address_line1=f"{rng.randrange(1, 300)} {rng.choice(WORDS)} Road",
                    town=AUTHORITIES[place],
                    postcode=f"{OUTWARD[i % len(OUTWARD)]} {rng.randrange(1, 9)}AB",
                    postcode_key=f"{OUTWARD[i % len(OUTWARD)]}{rng.randrange(1, 9)}AB",
                    local_authority=AUTHORITIES[place],
                    overall_rating=rng.choice(ratings),
                    rating_date=dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 600)),
                )
            )
        locs = Location.objects.bulk_create(rows, batch_size=5000)
        Rating.objects.bulk_create(
            (
                Rating(
                    location=loc,
                    report_date=loc.rating_date,
                    overall=loc.overall_rating,
                    safe=rng.choice(ratings),
                    effective=rng.choice(ratings),
                    caring=rng.choice(ratings),
                    responsive=rng.choice(ratings),
                    well_led=rng.choice(ratings),
                )
                for loc in locs
            ),
            batch_size=5000,
        )
        log(f"  {locations:,} locations and their ratings in {time.perf_counter() - start:.1f} s")
        all_councils = _councils(councils)
        packs = {c.pk: Restrictions.of(c) for c in all_councils}
        today = timezone.localdate()
        made = []
        taken: set[tuple[int, int]] = set()
        for n in range(restrictions):
            council = all_councils[n % len(all_councils)]
            pack = packs[council.pk]
            level = rng.choice(
                [lv.key for lv in pack.restrictive_levels if lv.key != Level.TERMINATED]
            )
            loc = locs[rng.randrange(len(locs))]
            whole = rng.random() < WHOLE_PROVIDER_SHARE and pack.whole_provider
            key = (council.pk, -loc.provider_id if whole else loc.pk)
            if key in taken:
                continue
            taken.add(key)
            made.append(
                Restriction(
                    council=council,
                    reference=f"RES-BENCH-{n:05d}",
                    provider_id=loc.provider_id,
                    location=None if whole else loc,
                    level=level,
                    status=Status.ACTIVE,
                    reasons="Bench",
                    contact_name="Sam Taylor",
                    contact_phone="01234 567 890",
                    review_on=today + dt.timedelta(days=rng.randrange(10, 180)),
                    decided_on=today - dt.timedelta(days=rng.randrange(1, 400)),
                    level_since=today - dt.timedelta(days=rng.randrange(1, 400)),
                    shared=bool(pack.sharing and pack.sharing.shares(level)),
                    created_by_label="Bench",
                    policy_version_id=council.active_policy_id,
                )
            )
        made = Restriction.objects.bulk_create(made, batch_size=2000)
        shares, feed = [], []
        by_location = {}
        for loc in locs:
            by_location.setdefault(loc.provider_id, []).append(loc.pk)
        for rest in made:
            covered = [rest.location_id] if rest.location_id else by_location[rest.provider_id]
            readers = [rest.council] + (
                [c for c in all_councils if c.pk != rest.council_id] if rest.shared else []
            )
            for reader in readers:
                if reader.pk != rest.council_id:
                    shares.append(Share(council=reader, restriction=rest))
                feed.extend(
                    FeedEntry(
                        council=reader,
                        location_id=lid,
                        by_council=rest.council,
                        restriction=rest,
                        level=rest.level,
                        label=packs[rest.council_id].level(rest.level).label,
                        since=rest.level_since,
                    )
                    for lid in covered
                )
        Share.objects.bulk_create(shares, batch_size=5000)
        FeedEntry.objects.bulk_create(feed, batch_size=5000)
        res.restrictions, res.shares, res.feed = len(made), len(shares), len(feed)
        res.councils = len(all_councils)
        assert policy_of(all_councils[0])  # every pack reads
    r.analyze()
    log(
        f"  {res.councils} councils, {res.restrictions:,} restrictions, {res.shares:,} shares, "
        f"{res.feed:,} feed entries in {time.perf_counter() - start:.1f} s"
    )
    return res


# --- the requests ------------------------------------------------------------------------------


def _people():
    from django.test import Client
    from django_scopes import scopes_disabled
    from rest_framework.test import APIClient

    from councils.models import Council, Membership, Role, User
    from councils.services import token_create

    with scopes_disabled():
        council = Council.objects.get(code=BENCH_COUNCIL)
        placer, _ = User.objects.get_or_create(
            username="bench-placer", defaults={"first_name": "Bench"}
        )
        Membership.objects.get_or_create(user=placer, council=council, role=Role.PLACEMENT)
        token, key = token_create(
            council=council, actor=None, name="Bench case management", scopes=["placements:read"]
        )
    page = Client()
    page.force_login(placer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return council, page, api, key


def _timed(call, n: int, warmup: int = 5) -> tuple[list[float], int]:
    from django.db import connection

    for _ in range(warmup):
        call(0)
    counter = r.SqlTimer()
    with connection.execute_wrapper(counter):
        call(0)
    samples = []
    for i in range(n):
        start = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples, counter.count


def _ok(response, url):
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    return response


def _idents(council, n: int) -> list[str]:
    """A third restricted by the council, a third by another council that shares, a third
    with nothing: the mix a case-management system asks about."""
    from django_scopes import scopes_disabled

    from providers.models import Location
    from restrictions.models import Restriction, Share

    rng = random.Random(SEED + 1)
    with scopes_disabled():
        own = list(
            Restriction.objects.filter(council=council, location__isnull=False).values_list(
                "location__cqc_location_id", flat=True
            )[:n]
        )
        shared = list(
            Share.objects.filter(council=council, restriction__location__isnull=False).values_list(
                "restriction__location__cqc_location_id", flat=True
            )[:n]
        )
        any_ = list(Location.objects.order_by("?").values_list("cqc_location_id", flat=True)[:n])
    out = [x for trio in zip(own, shared, any_, strict=False) for x in trio]
    rng.shuffle(out)
    return out or any_


def measure(res: RestrictionResults, *, requests: int) -> None:
    from django.db import connection
    from django.test import override_settings
    from django.urls import clear_url_caches

    from restrictions.selectors.cached import statuses_forget
    from restrictions.services.checks import placement_checks_flush

    council, page, api, key = _people()
    idents = _idents(council, 200)
    # As config/wsgi.py does in production: what is loaded stays out of the collector's full
    # passes (here, the benchmark's own data too).
    gc.collect()
    gc.freeze()

    def status(i):
        url = f"/api/v1/placements/{idents[i % len(idents)]}/"
        return _ok(api.get(url), url)

    samples, queries = _timed(status, requests * 5)
    res.status = Figures("placement status API", samples, queries)
    body = json.loads(status(0).content)
    if body["council"] != BENCH_COUNCIL:
        raise RuntimeError("the status answered for another council")

    def cold(i):
        statuses_forget()  # as if asked for the first time, or just after a change
        return status(i)

    samples, queries = _timed(cold, requests * 2)
    res.cold = Figures("placement status API, nothing remembered", samples, queries)

    # The bare view, served the same way in process (the bench's URL conf: bench/urls.py).
    with override_settings(ROOT_URLCONF="bench.urls"):
        clear_url_caches()

        def bare(i):
            return _ok(api.get("/bench/bare/"), "/bench/bare/")

        samples, _ = _timed(bare, requests * 5)
    clear_url_caches()
    res.bare = Figures("bare Django JSON view (in process)", samples, 0)

    lookup_ids = idents[:BULK_IDS] + [
        f"1-{400000000 + i}" for i in range(BULK_IDS - len(idents[:BULK_IDS]))
    ]

    def lookup(i):
        url = "/api/v1/placements/lookup/"
        response = _ok(api.post(url, {"ids": lookup_ids}, format="json"), url)
        return response

    samples, queries = _timed(lookup, max(10, requests // 2), warmup=2)
    res.lookup = Figures(f"bulk lookup of {BULK_IDS:,} ids", samples, queries)

    words = [
        "Oak House",
        "Willow",
        "Priory Manor",
        "RG14 3",
        "BR1",
        idents[0],
        "Zanzibar",
        "Cedar Court",
    ]

    def check(i):
        url = f"/placements/?q={words[i % len(words)]}"
        return _ok(page.get(url), url)

    samples, queries = _timed(check, requests * 2)
    res.check = Figures("placement check page", samples, queries)
    for q in ("Zanzibar", "Oak", idents[0]):
        counter = r.SqlTimer()
        with connection.execute_wrapper(counter):
            _ok(page.get(f"/placements/?q={q}"), q)
        res.check_queries[q] = counter.count

    def feed(limit):
        def call(i):
            url = f"/api/v1/placements/changes/?limit={limit}"
            return _ok(api.get(url), url)

        return call

    samples, queries = _timed(feed(10), requests)
    res.feed_small = Figures("changes feed, 10 entries", samples, queries)
    samples, queries = _timed(feed(500), requests)
    res.feed_full = Figures("changes feed, 500 entries", samples, queries)

    placement_checks_flush()  # what this process gathered, written before the database goes
    res.status_rps, res.bare_rps = served(key, idents)


# --- served by gunicorn ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _client(url: str, headers: dict, stop_at: float) -> tuple[int, int]:
    """One client process: ask again and again until `stop_at`; (answered, failed)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    done = failed = 0
    while time.time() < stop_at:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            conn.request("GET", parts.path, headers=headers)
            answer = conn.getresponse()
            answer.read()
            if answer.status == 200:
                done += 1
            else:
                failed += 1
        except OSError:
            failed += 1
        finally:
            conn.close()
    return done, failed


def _load(url: str, headers: dict, seconds: float) -> float:
    """Requests per second from LOAD_CLIENTS client processes asking again and again (in
    processes, so that the clients are not held back by one interpreter)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(LOAD_CLIENTS) as pool:
        list(pool.map(abs, range(LOAD_CLIENTS)))  # the client processes started first
        start = time.time()
        stop_at = start + seconds
        results = list(
            pool.map(
                _client,
                [url] * LOAD_CLIENTS,
                [headers] * LOAD_CLIENTS,
                [stop_at] * LOAD_CLIENTS,
            )
        )
    elapsed = time.time() - start
    done, failed = sum(d for d, _ in results), sum(f for _, f in results)
    if failed:
        raise RuntimeError(f"{failed} failed requests to {url}")
    return done / elapsed


def served(key: str, idents: list[str]) -> tuple[float, float]:
    """gunicorn (as in production: sync workers, one per core) serves both the placement
    status and a bare Django JSON view, with the same settings and middleware; each is loaded
    for the same time by the same clients on 127.0.0.1."""
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "false"}
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=root,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/bare/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        auth = {"Authorization": f"Token {key}", "Host": "127.0.0.1"}
        status_url = f"{base}/api/v1/placements/{idents[0]}/"
        _load(status_url, auth, 1.0)  # warm every worker
        _load(f"{base}/bench/bare/", auth, 1.0)
        status_rps = _load(status_url, auth, LOAD_SECONDS)
        bare_rps = _load(f"{base}/bench/bare/", auth, LOAD_SECONDS)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return status_rps, bare_rps


# --- the stage -----------------------------------------------------------------------------------


def stage(
    *,
    locations: int = TARGET_LOCATIONS,
    councils: int = TARGET_COUNCILS,
    restrictions: int = TARGET_RESTRICTIONS,
    requests: int = 100,
) -> RestrictionResults:
    log(
        f"\nRestrictions: {locations:,} locations, {councils} councils, "
        f"{restrictions:,} restrictions"
    )
    res = build(locations=locations, councils=councils, restrictions=restrictions)
    measure(res, requests=requests)
    return res


def run(*, keep_db: bool = False, **kwargs) -> RestrictionResults:
    return r.in_own_database(lambda: stage(**kwargs), keep_db=keep_db)


def summary_rows(res: RestrictionResults) -> list[tuple[str, str, str, str, str]]:
    v = r.verdict
    rows = []
    if res.status:
        rows.append(
            (
                "placement status API p95 (server time)",
                f"{res.status.p95:.1f} ms",
                f"<= {STATUS_P95_TARGET_MS:.0f} ms",
                f"p50 {res.status.p50:.2f} ms; bare view p95 {res.bare.p95:.2f} ms; "
                f"{res.status.queries} queries once remembered",
                v(res.status.p95 <= STATUS_P95_TARGET_MS),
            )
        )
    if res.cold:
        rows.append(
            (
                "  the same, nothing remembered",
                f"{res.cold.p95:.1f} ms",
                f"<= {STATUS_P95_TARGET_MS:.0f} ms",
                f"{res.cold.queries} queries",
                v(res.cold.p95 <= STATUS_P95_TARGET_MS),
            )
        )
    if res.bare_rps:
        ratio = res.status_rps / res.bare_rps
        rows.append(
            (
                "placement status throughput (gunicorn)",
                f"{res.status_rps:,.0f} req/s",
                f">= {THROUGHPUT_RATIO_TARGET} x bare",
                f"bare JSON view {res.bare_rps:,.0f} req/s; ratio {ratio:.2f}",
                v(ratio >= THROUGHPUT_RATIO_TARGET),
            )
        )
    if res.check:
        # Constant whatever the matches: one or many (none skips the statuses' query).
        counts = {n for q, n in res.check_queries.items() if q != "Zanzibar"}
        rows.append(
            (
                "placement check page p95",
                f"{res.check.p95:.1f} ms",
                f"<= {CHECK_P95_TARGET_MS:.0f} ms",
                "queries " + ", ".join(f"{q!r}: {n}" for q, n in res.check_queries.items()),
                v(res.check.p95 <= CHECK_P95_TARGET_MS and len(counts) == 1),
            )
        )
    if res.lookup:
        rows.append(
            (
                f"bulk lookup of {BULK_IDS:,} ids p95",
                f"{res.lookup.p95:.1f} ms",
                f"<= {BULK_P95_TARGET_MS:.0f} ms",
                f"{res.lookup.queries} queries",
                v(res.lookup.p95 <= BULK_P95_TARGET_MS),
            )
        )
    if res.feed_small and res.feed_full:
        rows.append(
            (
                "changes feed: queries at 10 and 500 entries",
                f"{res.feed_small.queries} and {res.feed_full.queries}",
                "constant",
                f"p95 {res.feed_small.p95:.1f} and {res.feed_full.p95:.1f} ms "
                f"({res.feed:,} entries)",
                v(res.feed_small.queries == res.feed_full.queries),
            )
        )
    return rows
