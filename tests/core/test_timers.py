"""One clock: every time limit is a timer row, started once per cause, met by the event that
satisfies it, ended with what it belonged to, and fired once by the sweep when its time comes."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import Timer, TimerStatus
from core.tasks import timers_sweep
from core.timers import timer_start, timers_end, timers_meet, timers_of
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def _start(council, subject, *, cause="", kind="test.limit", days=5, **kwargs):
    return timer_start(
        council=council,
        kind=kind,
        subject=subject,
        due_on=timezone.localdate() + dt.timedelta(days=days),
        label="Tell the provider",
        seed="004 19.1",
        cause=cause,
        **kwargs,
    )


def test_a_timer_starts_once_per_cause_and_says_what_it_is_for(council_a, officer_a):
    location = LocationFactory()
    first = _start(council_a, location, cause="move:1", owner=officer_a)
    assert _start(council_a, location, cause="move:1") == first
    other = _start(council_a, location, cause="move:2")
    assert other != first
    assert (first.label, first.seed, first.owner, first.status) == (
        "Tell the provider",
        "004 19.1",
        officer_a,
        TimerStatus.RUNNING,
    )
    assert first.starts_on == timezone.localdate()
    # A limit "by" a day passes when that day ends.
    assert timezone.localtime(first.due_at).date() == first.due_on + dt.timedelta(days=1)
    assert list(timers_of(council=council_a, subject=location)) == [first, other]


def test_met_by_the_event_that_satisfies_it_early_or_late(council_a):
    location = LocationFactory()
    early = _start(council_a, location, kind="test.letter")
    late = _start(council_a, location, kind="test.visit", days=-1)
    assert timers_sweep() == 1  # the overdue one fires; the other is not due
    late.refresh_from_db()
    assert late.status == TimerStatus.FIRED and late.outcome == "due date passed"
    met = timers_meet(
        council=council_a,
        subject=location,
        kinds=["test.letter", "test.visit"],
        outcome="Letter issued",
    )
    assert met == 2
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.status, late.status) == (TimerStatus.MET, TimerStatus.MET)
    assert early.ended_at is not None and early.outcome == "Letter issued"


def test_ended_with_what_it_belonged_to(council_a):
    location = LocationFactory()
    formal = _start(council_a, location, cause="a", payload={"stage": "formal"})
    other = _start(council_a, location, cause="b", payload={"stage": "rectification"})
    ended = timers_end(
        council=council_a,
        subject=location,
        outcome="The case left the stage",
        where=lambda t: t.payload.get("stage") == "formal",
    )
    assert ended == 1
    formal.refresh_from_db()
    other.refresh_from_db()
    assert (formal.status, other.status) == (TimerStatus.ENDED, TimerStatus.RUNNING)
    assert timers_sweep() == 0


def test_the_sweep_takes_the_oldest_first_and_never_twice(council_a):
    location = LocationFactory()
    newer = _start(council_a, location, cause="newer", days=-1)
    older = _start(council_a, location, cause="older", days=-3)
    assert timers_sweep(limit=1) == 1
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, newer.status) == (TimerStatus.FIRED, TimerStatus.RUNNING)
    assert timers_sweep() == 1
    assert timers_sweep() == 0
    assert Timer.objects.filter(status=TimerStatus.FIRED).count() == 2
