"""The sweep keeps every time limit (issue: timers): it warns the owner before the limit (how
long before: the pack), says when it is due today, and when the limit passes fires what its
kind does; a deadline passed unmet is overdue and the owner and their manager are told. Each
step happens once however often the sweep runs; after downtime it catches up oldest first."""

import datetime as dt

import pytest
from django.core import mail

from core.models import Notification, NotificationKind, Timer, TimerStage, TimerStatus
from core.sweep import timers_advance
from core.timers import HANDLERS, start_of_day, timer_handler, timer_start
from councils.models import Membership, NotifyBy, Role
from councils.policy import policy_of
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return start_of_day(day) + dt.timedelta(hours=hour)


@pytest.fixture
def people(council_a, member):
    officer = member(council_a, Role.OFFICER)
    boss = member(council_a, Role.MANAGER)
    other_manager = member(council_a, Role.MANAGER)
    Membership.objects.filter(user=officer, council=council_a).update(reports_to=boss)
    for i, person in enumerate((officer, boss, other_manager)):
        person.email = f"person{i}@bromley.example"
        person.save(update_fields=["email"])
    return officer, boss, other_manager


def _deadline(council, owner, due_on, starts_on, subject=None):
    return timer_start(
        council=council,
        kind="test.deadline",
        subject=subject or LocationFactory(),
        due_on=due_on,
        starts_on=starts_on,
        label="Tell the provider in writing",
        seed="004 19.1",
        owner=owner,
    )


def test_warned_by_the_pack_then_due_today_then_overdue_with_the_manager_told(
    council_a, people, django_capture_on_commit_callbacks
):
    officer, boss, other_manager = people
    # Bromley's pack warns 2 working days before a limit (calendar.warn_before default):
    # a limit on Tuesday 5 January 2027 is warned on Thursday 31 December 2026.
    due = dt.date(2027, 1, 5)
    timer = _deadline(council_a, officer, due, starts_on=dt.date(2026, 12, 21))
    assert timer.warn_on == dt.date(2026, 12, 31)
    assert timer.next_at == start_of_day(dt.date(2026, 12, 31))

    assert timers_advance(now=_at(dt.date(2026, 12, 30))) == 0  # nothing yet
    assert timers_advance(now=_at(dt.date(2026, 12, 31))) == 1
    timer.refresh_from_db()
    assert (timer.status, timer.stage, timer.state_label) == (
        TimerStatus.RUNNING,
        TimerStage.WARNED,
        "Due soon",
    )
    told = Notification.objects.get(user=officer)
    assert told.kind == NotificationKind.TIMER_WARNING
    assert told.title.startswith("Due soon: Tell the provider in writing")
    assert "by 5 January 2027" in told.title

    assert timers_advance(now=_at(dt.date(2027, 1, 5))) == 1
    timer.refresh_from_db()
    assert timer.state_label == "Due today"

    with django_capture_on_commit_callbacks(execute=True):
        assert timers_advance(now=_at(dt.date(2027, 1, 6))) == 1
    timer.refresh_from_db()
    assert (timer.status, timer.overdue, timer.state_label) == (TimerStatus.FIRED, True, "Overdue")
    assert timer.next_at is None
    kinds: dict[int, set[str]] = {}
    for n in Notification.objects.filter(council=council_a):
        kinds.setdefault(n.user_id, set()).add(n.kind)
    assert kinds[officer.pk] == {"timer_warning", "timer_due", "timer_overdue"}
    # The manager the officer reports to is told, not every manager.
    assert kinds[boss.pk] == {"team_overdue"}
    assert other_manager.pk not in kinds
    # Emails (each person chose "each" by default) carry the title and a link, no more.
    assert {m.to[0] for m in mail.outbox} >= {officer.email, boss.email}
    assert all("/" in m.body for m in mail.outbox)


def test_each_step_happens_once_however_often_the_sweep_runs(council_a, people):
    officer, *_ = people
    timer = _deadline(council_a, officer, dt.date(2027, 1, 5), starts_on=dt.date(2026, 12, 21))
    later = _at(dt.date(2027, 1, 6))
    assert timers_advance(now=later) == 1
    assert timers_advance(now=later) == 0
    assert timers_advance(now=later + dt.timedelta(days=3)) == 0
    # After downtime a timer past its limit goes straight to its limit: one overdue notice.
    assert list(Notification.objects.filter(user=officer).values_list("kind", flat=True)) == [
        "timer_overdue"
    ]
    timer.refresh_from_db()
    assert timer.fired_at == later


def test_with_no_manager_named_the_councils_managers_are_told(council_a, member):
    officer = member(council_a, Role.OFFICER)
    manager = member(council_a, Role.MANAGER)
    _deadline(council_a, officer, dt.date(2027, 1, 5), starts_on=dt.date(2026, 12, 21))
    timers_advance(now=_at(dt.date(2027, 1, 7)))
    assert Notification.objects.filter(user=manager, kind="team_overdue").count() == 1


@pytest.fixture
def effect_calls():
    calls = []

    @timer_handler("test.effect", deadline=False)
    def act(timer):
        calls.append(timer.pk)
        return "acted"

    yield calls
    HANDLERS.pop("test.effect", None)


def test_an_effect_fires_once_and_is_not_overdue(council_a, people, effect_calls):
    officer, boss, _ = people
    timer = timer_start(
        council=council_a,
        kind="test.effect",
        subject=LocationFactory(),
        due_on=dt.date(2027, 6, 1),
        starts_on=dt.date(2026, 12, 1),
        label="Six months of Embargo",
        owner=officer,
    )
    now = _at(dt.date(2027, 6, 2))
    timers_advance(now=now)
    timers_advance(now=now)
    timer.refresh_from_db()
    assert effect_calls == [timer.pk]
    assert (timer.status, timer.overdue, timer.outcome) == (TimerStatus.FIRED, False, "acted")
    assert not Notification.objects.filter(kind__in=["timer_overdue", "team_overdue"]).exists()


def test_an_effect_that_fails_is_tried_again_later_and_the_others_go_on(council_a, people):
    officer, *_ = people

    @timer_handler("test.broken", deadline=False)
    def broken(timer):
        raise RuntimeError("the effect failed")

    try:
        bad = timer_start(
            council=council_a,
            kind="test.broken",
            subject=LocationFactory(),
            due_on=dt.date(2027, 1, 4),
            starts_on=dt.date(2026, 12, 1),
        )
        good = _deadline(council_a, officer, dt.date(2027, 1, 5), starts_on=dt.date(2026, 12, 1))
        now = _at(dt.date(2027, 1, 8))
        assert timers_advance(now=now) == 2
        bad.refresh_from_db()
        good.refresh_from_db()
        assert bad.status == TimerStatus.RUNNING and bad.next_at > now
        assert good.status == TimerStatus.FIRED
    finally:
        HANDLERS.pop("test.broken", None)


def test_after_downtime_it_catches_up_oldest_first(council_a, people):
    officer, *_ = people
    location = LocationFactory()
    timers = [
        timer_start(
            council=council_a,
            kind="test.deadline",
            subject=location,
            due_on=dt.date(2027, 1, 4) + dt.timedelta(days=i),
            starts_on=dt.date(2026, 12, 1),
            cause=f"c{i}",
            owner=officer,
        )
        for i in (3, 1, 2, 0)
    ]
    now = _at(dt.date(2027, 2, 1))
    assert timers_advance(now=now, limit=2) == 2
    fired = set(Timer.objects.filter(status=TimerStatus.FIRED).values_list("due_on", flat=True))
    assert fired == {dt.date(2027, 1, 4), dt.date(2027, 1, 5)}
    assert timers_advance(now=now) == 2
    assert all(Timer.objects.get(pk=t.pk).status == TimerStatus.FIRED for t in timers)


def test_a_daily_digest_instead_of_each_email(
    council_a, people, django_capture_on_commit_callbacks
):
    from core.notify import digests_send

    officer, boss, _ = people
    officer.notify_by = NotifyBy.DAILY
    officer.save()
    for i in range(3):
        _deadline(council_a, officer, dt.date(2027, 1, 4 + i), starts_on=dt.date(2026, 12, 1))
    with django_capture_on_commit_callbacks(execute=True):
        timers_advance(now=_at(dt.date(2027, 2, 1)))
    assert officer.email not in {m.to[0] for m in mail.outbox}  # not one by one
    mail.outbox.clear()
    assert digests_send() == 1
    assert digests_send() == 0  # told once
    (digest,) = mail.outbox
    assert digest.to == [officer.email] and "(3)" in digest.subject
    assert not Notification.objects.filter(user=officer, emailed_at__isnull=True).exists()


def test_the_owner_is_warned_as_the_time_limit_itself_says(council_a, people):
    """A time limit's own `warn` in the pack overrides the calendar's `warn_before`."""
    policy = policy_of(council_a)
    limit = next(iter(policy.content["time_limits"]))
    policy.content["time_limits"][limit]["warn"] = {"amount": 1, "unit": "weeks"}
    try:
        assert policy.warn_on(dt.date(2027, 3, 15), limit) == dt.date(2027, 3, 8)
        assert policy.warn_on(dt.date(2027, 3, 15)) == dt.date(2027, 3, 11)
    finally:
        del policy.content["time_limits"][limit]["warn"]


def test_people_are_told_when_a_decision_waits_for_them(
    council_a, member, django_capture_on_commit_callbacks
):
    """Issue 10, 7: an email says what waits, with a link (the DASS is told of a request)."""
    from concerns.services import exception_propose
    from decisions.models import Recommendation

    placer = member(council_a, Role.PLACEMENT)
    dass_title = policy_of(council_a).decision_makers["dass"].title
    dass = member(council_a, Role.DECISION_MAKER, title=dass_title)
    dass.email = "dass@bromley.example"
    dass.save(update_fields=["email"])
    location = LocationFactory(overall_rating="Requires improvement")
    with django_capture_on_commit_callbacks(execute=True):
        exception_propose(
            council=council_a,
            actor=placer,
            exception="family_choice",
            location=location,
            reason="The family want to stay near their daughter",
            details={
                "advice_date": "2026-11-20",
                "reasons_given": "Rated Requires improvement",
                "family_request": True,
                "carefirst_reference": "CF-1",
            },
        )
    rec = Recommendation.objects.get(council=council_a)
    told = Notification.objects.get(user=dass)
    assert told.url == f"/decisions/{rec.pk}/" and rec.reference in told.title
    assert "daughter" not in told.title  # nothing of the person in care
    (email,) = [m for m in mail.outbox if m.to == [dass.email]]
    assert f"/decisions/{rec.pk}/" in email.body and "daughter" not in email.body
