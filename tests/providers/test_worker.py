"""A real Celery worker, on Redis, runs an import task and a council's task end to end (CI sets
REDIS_URL)."""

import json
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery import app
from providers import synthetic
from providers.models import ImportRun, ImportStatus, Location
from providers.services import import_start

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)"),
]


# One queue for this run's workers: Celery reads the default queue once per process.
from tests.factories import UserFactory  # noqa: E402
from tests.worker_queue import QUEUE  # noqa: E402


@pytest.fixture
def redis_worker():
    """A worker thread consuming a queue of its own on the real Redis broker."""
    queue = QUEUE
    saved = {k: app.conf[k] for k in ("task_always_eager", "task_default_queue", "broker_url")}
    app.conf.update(
        task_always_eager=False, task_default_queue=queue, broker_url=settings.REDIS_URL
    )
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
        ):
            yield queue
    finally:
        app.conf.update(saved)


def test_a_real_worker_on_redis_runs_an_import(council_a, officer_a, redis_worker):
    assert app.conf.broker_url.startswith("redis://")
    providers, locations = synthetic.records(40, seed=11)
    run = import_start(
        council=None,
        actor=UserFactory(keeps_register=True),  # CQC's files are the register keeper's
        format="cqc_json",
        filename="cqc.json",
        content=json.dumps(providers + locations).encode(),
    )  # transaction=True: on_commit fires at once and the task goes to Redis
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.finished:
            break
        time.sleep(0.2)
    assert run.status == ImportStatus.DONE, run.message
    assert run.locations_created == 40
    assert Location.objects.count() == 40
    assert ImportRun.objects.get(pk=run.pk).processed == run.total


def test_a_council_task_goes_through_the_broker_and_runs_in_its_councils_scope(
    council_a, redis_worker
):
    """`CouncilTask`: sent by id after commit, loaded and scoped by the worker (the base every
    council's task stands on)."""
    from django_scopes import scopes_disabled

    from monitoring.models import RiskRating
    from monitoring.services.risk import risk_recompute_task
    from tests.factories import LocationFactory

    LocationFactory(local_authority="Bromley", overall_rating="Inadequate")
    risk_recompute_task.later(council_a.pk)  # no transaction here: sent at once
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with scopes_disabled():
            if RiskRating.objects.filter(council=council_a).exists():
                break
        time.sleep(0.2)
    with scopes_disabled():
        assert RiskRating.objects.get(council=council_a).rag == "red"
