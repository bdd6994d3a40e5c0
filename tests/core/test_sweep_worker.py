"""The sweep on real Celery workers on Redis (issue: timers, "Must hold"): a due timer fires
once; two workers sweeping together fire each timer once; a worker killed with SIGKILL half way
through and another started: still once. Each worker is its own process, on the test database.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from core.models import AuditEntry, Timer, TimerStatus
from core.tasks import timers_sweep
from councils.models import Council
from tests.worker_queue import QUEUE

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="needs Redis and PostgreSQL (CI has both)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def queue():
    """This process's test queue on the real broker (tests.worker_queue): the workers started
    here consume it, and tasks sent from here go to it."""
    saved = {k: app.conf[k] for k in ("task_always_eager", "task_default_queue", "broker_url")}
    app.conf.update(
        task_always_eager=False, task_default_queue=QUEUE, broker_url=settings.REDIS_URL
    )
    try:
        yield QUEUE
    finally:
        app.conf.update(saved)


@pytest.fixture
def workers(queue, tmp_path):
    """start(**env) -> a worker process on the queue, on the test database."""
    started: list[subprocess.Popen] = []
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    def start(name: str, **extra) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.core.worker_settings",
            "DATABASE_URL": url,
            "OVERSIGHT_TEST_QUEUE": queue,
            **extra,
        }
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "WARNING",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _council():
    return Council.objects.create(name=f"Test {uuid.uuid4().hex[:6]}", code=uuid.uuid4().hex[:8])


def _due(council, kind: str, n: int = 1) -> list[Timer]:
    past = timezone.now() - dt.timedelta(minutes=5)
    return [
        Timer.objects.create(
            council=council,
            kind=kind,
            subject_type="test",
            subject_id=str(i),
            due_on=past.date(),
            due_at=past + dt.timedelta(seconds=i),
            next_at=past + dt.timedelta(seconds=i),
        )
        for i in range(n)
    ]


def _wait(predicate, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _effects(council) -> int:
    return AuditEntry.objects.filter(council=council, action="test.effect").count()


def _all_fired(council) -> bool:
    return not Timer.objects.filter(council=council, status=TimerStatus.RUNNING).exists()


def test_a_due_timer_fires_once_on_a_real_worker(workers, queue):
    council = _council()
    (timer,) = _due(council, "test.once")
    workers("one")
    timers_sweep.apply_async(queue=queue)
    assert _wait(lambda: _all_fired(council)), "the worker did not fire the timer"
    timers_sweep.apply_async(queue=queue)  # a second sweep finds nothing to do
    time.sleep(2)
    assert _effects(council) == 1
    timer.refresh_from_db()
    assert timer.status == TimerStatus.FIRED and timer.outcome == "done"


def test_two_workers_sweeping_together_fire_each_timer_once(workers, queue):
    council = _council()
    timers = _due(council, "test.once", n=60)
    workers("a")
    workers("b")
    for _ in range(6):
        timers_sweep.apply_async(kwargs={"limit": 20}, queue=queue)
    assert _wait(lambda: _all_fired(council), 90), "the workers did not fire every timer"
    assert _effects(council) == len(timers)


def test_a_worker_killed_half_way_and_another_started_still_fires_once(workers, queue, tmp_path):
    council = _council()
    (timer,) = _due(council, "test.slow")
    marker = tmp_path / "half-way"
    first = workers("doomed", OVERSIGHT_TEST_MARKER=str(marker), OVERSIGHT_TEST_SLOW_SECONDS="60")
    timers_sweep.apply_async(queue=queue)
    assert _wait(marker.exists, 60), "the worker never reached the timer's effect"
    first.send_signal(signal.SIGKILL)  # mid-task: the effect written, not committed
    first.wait(timeout=10)
    timer.refresh_from_db()
    assert timer.status == TimerStatus.RUNNING and _effects(council) == 0
    marker.unlink()
    workers("second", OVERSIGHT_TEST_SLOW_SECONDS="0")
    timers_sweep.apply_async(queue=queue)  # the next minute's sweep (and the redelivery)
    assert _wait(lambda: _all_fired(council), 60), "the timer was not fired after the kill"
    time.sleep(7)  # the killed task is redelivered after the visibility timeout: nothing to do
    assert _effects(council) == 1
