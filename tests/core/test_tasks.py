"""Every task is queued the same way (`core.tasks`): after commit, by id, in its council's
scope, and a broker that is down never turns a saved change into an error."""

import datetime as dt
import logging

import pytest
from kombu.exceptions import OperationalError

from core.tasks import CouncilTask, later
from monitoring.models import Intelligence
from monitoring.services import intelligence_record
from monitoring.services.risk import risk_recompute_task
from providers.models import ImportRun
from providers.services import import_start
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("celery.app.task.Task.apply_async", refuse)


def test_a_change_is_saved_when_the_broker_is_down(
    council_a, officer_a, broker_down, caplog, django_capture_on_commit_callbacks
):
    """Monitoring's risk recompute could not be queued: the item is logged all the same, the
    failure is in the log, and the nightly recompute catches up."""
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        item = intelligence_record(
            council=council_a,
            actor=officer_a,
            source="complaint",
            received_on=dt.date.today(),
            severity="low",
            narrative="Cold food",
            location=LocationFactory(),
        )
    assert Intelligence.objects.filter(pk=item.pk).exists()
    assert "Could not queue monitoring.risk_recompute" in caplog.text


def test_an_import_is_kept_when_the_broker_is_down(
    council_a, officer_a, broker_down, caplog, django_capture_on_commit_callbacks
):
    keeper = UserFactory(keeps_register=True)  # CQC's files are the register keeper's
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        run = import_start(
            council=None,
            actor=keeper,
            format="cqc_json",
            filename="cqc.json",
            content=b"[]",
        )
    assert ImportRun.objects.filter(pk=run.pk).exists()
    assert "Could not queue providers.import_run" in caplog.text


def test_a_task_that_fails_is_not_hidden(
    council_a, monkeypatch, django_capture_on_commit_callbacks
):
    """Only a broker that cannot be reached is forgiven; a task's own failure still raises
    (tests run tasks eagerly and must see it)."""

    def boom(*args, **kwargs):
        raise ValueError("the task itself failed")

    monkeypatch.setattr("celery.app.task.Task.apply_async", boom)
    with pytest.raises(ValueError):
        risk_recompute_task.enqueue(council_a.pk)
    with pytest.raises(ValueError), django_capture_on_commit_callbacks(execute=True):
        later(risk_recompute_task, council_a.pk)


def test_a_council_task_is_called_by_the_councils_id(council_a):
    """Called by id (tasks take ids), the function gets the council."""
    assert isinstance(risk_recompute_task, CouncilTask)
    assert risk_recompute_task(council_a.pk) == 0
