"""The production server under load (issue 11): gunicorn as deployed (config/gunicorn.py, its
default workers, production settings, PostgreSQL, Redis) with 200 clients reading lists through
the API for 60 s, each reading a page and then reading it for THINK_S before the next, as
people and council systems do. Figures: requests, errors (must be none), p50/p95/p99 latency
(target p95 < 200 ms) beside the same requests one at a time on the idle server (the
baseline, in the same run), throughput, and the peak of database connections the server held
(polled from pg_stat_activity) against its workers, the most it may hold.

The hostile test that found finding 3 sent 200 parallel reads at the development server: every
PostgreSQL connection was taken and 404 of 600 requests failed."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import register as r

CLIENTS = 200
SECONDS = 60.0
THINK_S = 1.0
P95_TARGET_MS = 200.0
CLIENT_PROCESSES = 4  # the clients' threads, spread so that one interpreter does not hold them
LISTS = [
    "/api/v1/locations/?page={page}",
    "/api/v1/locations/?q=house",
    "/api/v1/providers/?page={page}",
    "/api/v1/restrictions/",
    "/api/v1/intelligence/",
    "/api/v1/cases/",
    "/api/v1/reviews/",
    "/api/v1/risk/",
    "/api/v1/commissioning/",
    "/api/v1/alerts/",
]


@dataclass
class LoadResults:
    requests: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0
    peak_connections: int = 0
    max_connections: int = 0
    database: str = ""
    settings: str = ""

    def p(self, q: float, values: list[float] | None = None) -> float:
        return r.percentile(values if values is not None else self.latencies_ms, q)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, headers: dict) -> tuple[int, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        answer = conn.getresponse()
        answer.read()
        return answer.status, (time.perf_counter() - start) * 1000
    finally:
        conn.close()


def _clients(port: int, headers: dict, count: int, stop_at: float, seed: int):
    """`count` client threads in this process; (latencies, errors by kind)."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def one(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        time.sleep(rng.random() * THINK_S)  # the clients arrive over the first second
        while time.time() < stop_at:
            path = rng.choice(LISTS).format(page=rng.randint(1, 5))
            try:
                status, ms = _get(port, path, headers)
                kind = "" if status == 200 else f"HTTP {status}"
            except OSError as exc:
                ms, kind = 0.0, type(exc).__name__
            with lock:
                if kind:
                    errors[kind] = errors.get(kind, 0) + 1
                else:
                    latencies.append(ms)
            time.sleep(THINK_S)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def _peak_connections(database: str, stop: threading.Event, out: list[int]) -> None:
    from django.db import connections

    with connections["default"].cursor() as cur:
        while not stop.is_set():
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                "pg_backend_pid()",
                [database],
            )
            out.append(cur.fetchone()[0])
            time.sleep(0.2)


def build() -> str:
    """The demo's five councils and register, and a token of Bromley's with every read scope."""
    from core.demo import demo_load
    from councils.models import Council
    from councils.permissions import TOKEN_SCOPES
    from councils.services import token_create

    demo_load(echo=lambda *_: None, synthetic_locations=2000)
    r.analyze()
    reads = [s for s in TOKEN_SCOPES if s.endswith(":read")]
    _, key = token_create(
        council=Council.objects.get(code="bromley"), name="Load bench", scopes=reads
    )
    return key


def measure(res: LoadResults, key: str) -> None:
    from django.conf import settings
    from django.db import connection

    port = _free_port()
    database = settings.DATABASES["default"]["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "WEB_BIND": f"127.0.0.1:{port}",
        "LOG_FORMAT": "json",
    }
    env.pop("WEB_WORKERS", None)  # gunicorn's default workers, as deployed
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi",
         "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    res.workers = multiprocessing.cpu_count() * 2 + 1
    with connection.cursor() as cur:
        cur.execute("SHOW max_connections")
        res.max_connections = int(cur.fetchone()[0])
    connection.close()  # the bench's own connection is not the server's
    headers = {"Authorization": f"Token {key}", "X-Forwarded-Proto": "https"}
    try:
        for _ in range(200):
            try:
                if _get(port, "/healthz", {})[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        for path in LISTS:  # warm every worker a little; check each list answers
            for _ in range(res.workers):
                status, _ = _get(port, path.format(page=1), headers)
                assert status == 200, (path, status)
        for _ in range(3):
            for path in LISTS:
                res.baseline_ms.append(_get(port, path.format(page=2), headers)[1])
        r.log(f"  {CLIENTS} clients reading lists for {SECONDS:.0f} s ({res.workers} workers)")
        stop, samples = threading.Event(), []
        poller = threading.Thread(target=_peak_connections, args=(database, stop, samples))
        poller.start()
        start = time.time()
        stop_at = start + SECONDS
        per = CLIENTS // CLIENT_PROCESSES
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(CLIENT_PROCESSES) as pool:
            futures = [
                pool.submit(_clients, port, headers, per, stop_at, seed)
                for seed in range(CLIENT_PROCESSES)
            ]
            for future in futures:
                latencies, errors = future.result()
                res.latencies_ms += latencies
                for kind, n in errors.items():
                    res.error_kinds[kind] = res.error_kinds.get(kind, 0) + n
        res.seconds = time.time() - start
        stop.set()
        poller.join()
        res.peak_connections = max(samples or [0])
    finally:
        server.terminate()
        server.wait(timeout=30)
    res.errors = sum(res.error_kinds.values())
    res.requests = len(res.latencies_ms) + res.errors


def stage() -> LoadResults:
    r.log(f"\nLoad: gunicorn as deployed, {CLIENTS} clients for {SECONDS:.0f} s")
    res = LoadResults()
    key = build()
    measure(res, key)
    return res


def run(*, keep_db: bool = False) -> LoadResults:
    return r.in_own_database(stage, keep_db=keep_db)


def summary_rows(res: LoadResults) -> list[tuple[str, str, str, str, str]]:
    v = r.verdict
    p95 = res.p(95)
    base = res.p(50, res.baseline_ms)
    return [
        (
            f"{CLIENTS} clients reading lists, {res.seconds:.0f} s",
            f"{res.requests:,} requests, {res.errors} errors",
            "no errors",
            ", ".join(f"{k}: {n}" for k, n in res.error_kinds.items())
            or f"{res.requests / max(res.seconds, 1):.0f} requests/s",
            v(res.errors == 0 and res.requests > 0),
        ),
        (
            "latency p95 under load",
            f"{p95:.0f} ms",
            f"< {P95_TARGET_MS:.0f} ms",
            f"p50 {res.p(50):.0f} ms, p99 {res.p(99):.0f} ms; one at a time p50 {base:.0f} ms "
            f"({r.ratio(p95, base)})",
            v(p95 < P95_TARGET_MS),
        ),
        (
            "database connections, peak",
            f"{res.peak_connections}",
            f"<= {res.workers} (workers)",
            f"PostgreSQL allows {res.max_connections}",
            v(res.peak_connections <= res.workers),
        ),
    ]
