"""The audit log is append-only; timers fire once."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditEntry, Timer
from core.tasks import timers_sweep
from core.timers import HANDLERS, timer_handler

pytestmark = pytest.mark.django_db


def test_code_cannot_edit_or_delete_an_audit_entry(council_a, officer_a):
    entry = audit_record(
        council=council_a, actor=officer_a, action="x", summary="did x", reason="because"
    )
    assert entry.actor_label == officer_a.get_full_name()
    assert entry.policy_version == council_a.active_policy
    entry.summary = "did y"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="did z")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "did x"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_changes_to_the_audit_log_by_trigger(council_a):
    entry = audit_record(council=council_a, actor=None, action="x", summary="did x")
    for sql in (
        "UPDATE core_auditentry SET summary = 'forged' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).summary == "did x"


@pytest.fixture
def counting_handler():
    calls = []

    @timer_handler("test.count")
    def handle(timer):
        calls.append(timer.pk)
        return f"handled {timer.subject_id}"

    yield calls
    HANDLERS.pop("test.count", None)


def _timer(council, due, subject="1"):
    return Timer.objects.create(
        council=council,
        kind="test.count",
        subject_type="test",
        subject_id=subject,
        due_at=due,
        next_at=due,
    )


def test_sweep_fires_due_timers_once(council_a, counting_handler):
    now = timezone.now()
    due = _timer(council_a, now - dt.timedelta(minutes=1), "1")
    later = _timer(council_a, now + dt.timedelta(days=180), "2")
    assert timers_sweep() == 1
    assert timers_sweep() == 0  # safe to run twice
    assert counting_handler == [due.pk]
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.fired_at is not None and due.outcome == "handled 1"
    assert later.fired_at is None


def test_one_pending_timer_per_cause(council_a):
    _timer(council_a, timezone.now())
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - IntegrityError
        _timer(council_a, timezone.now())


def test_a_cancelled_timer_does_not_fire(council_a, counting_handler):
    timer = _timer(council_a, timezone.now() - dt.timedelta(seconds=1))
    Timer.objects.filter(pk=timer.pk).update(status="ended", ended_at=timezone.now())
    assert timers_sweep() == 0 and counting_handler == []
