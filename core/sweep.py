"""The sweep that keeps every time limit (run every minute by `core.tasks.timers_sweep`).

A running timer is looked at when its `next_at` comes: on its warning day its owner is told
it is due soon; on the morning of its due day, that it is due today; when its limit passes,
its kind's handler acts and, for a deadline, the timer is overdue and the owner and their
manager are told. After downtime it catches up oldest first, and a timer already past its
limit goes straight to its limit's step.

Exactly once: timers are taken in batches under `SELECT ... FOR UPDATE SKIP LOCKED`, and each
timer's effect, its notifications (unique per person and key) and its new state are written in
the same transaction. A second worker skips locked rows and finds the others already moved on;
a worker killed mid-batch leaves nothing written, and the redelivered task (acks late) or the
next minute's sweep does the work once."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.models import Notification, NotificationKind, Timer, TimerStage, TimerStatus
from core.notify import PEOPLE, notifications_email, notify_rows
from core.timers import HANDLERS, describe_subjects, next_look, start_of_day

log = logging.getLogger(__name__)

RETRY_AFTER = dt.timedelta(minutes=30)
FIELDS = ["status", "stage", "next_at", "fired_at", "outcome", "overdue"]


def timers_advance(*, now: dt.datetime | None = None, limit: int = 20000, batch: int = 250):
    """Move on every timer whose time has come (up to `limit`); how many were moved."""
    now = now or timezone.now()
    done = 0
    while done < limit:
        moved = _batch(now=now, size=min(batch, limit - done))
        if not moved:
            break
        done += moved
    if done:
        log.info("timers sweep moved %s timers on", done)
    return done


def _batch(*, now: dt.datetime, size: int) -> int:
    with transaction.atomic(), scopes_disabled():
        timers = list(
            Timer.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("council", "owner")
            .filter(status=TimerStatus.RUNNING, next_at__lte=now)
            .order_by("next_at", "id")[:size]
        )
        if not timers:
            return 0
        told: list[tuple[Timer, str]] = []
        for timer in timers:
            step = _step(timer, now)
            if step:
                told.append((timer, step))
        Timer.objects.bulk_update(timers, FIELDS)
        _tell(told)
    return len(timers)


def _step(timer: Timer, now: dt.datetime) -> str:
    """Move one timer on; what its owner is to be told (a NotificationKind), or ""."""
    if now >= timer.due_at:
        return _fire(timer, now)
    if timer.due_on is not None and now >= start_of_day(timer.due_on):
        timer.stage = TimerStage.DUE
        timer.next_at = timer.due_at
        return NotificationKind.TIMER_DUE
    timer.stage = TimerStage.WARNED
    timer.next_at = next_look(
        warn_on=None, due_on=timer.due_on, due_at=timer.due_at, stage=TimerStage.WARNED
    )
    return NotificationKind.TIMER_WARNING


def _fire(timer: Timer, now: dt.datetime) -> str:
    handler = HANDLERS.get(timer.kind)
    try:
        with transaction.atomic(), scope(council=timer.council):  # a savepoint per effect
            outcome = handler.func(timer) if handler else "due date passed"
    except Exception:  # noqa: BLE001 - one bad effect must not stop the others
        log.exception("Timer %s (%s): its effect failed; tried again later", timer.pk, timer.kind)
        timer.next_at = now + RETRY_AFTER
        return ""
    timer.status, timer.fired_at, timer.next_at = TimerStatus.FIRED, now, None
    timer.outcome = str(outcome or "")[:500]
    timer.overdue = handler is None or handler.deadline
    return NotificationKind.TIMER_OVERDUE if timer.overdue else ""


WORDS = {
    NotificationKind.TIMER_WARNING: "Due soon",
    NotificationKind.TIMER_DUE: "Due today",
    NotificationKind.TIMER_OVERDUE: "Overdue",
}


def _tell(told: list[tuple[Timer, str]]) -> None:
    """The owners, and for overdue ones their managers, told in a fixed number of queries
    per council (one insert for the whole batch)."""
    by_council: dict[int, list[tuple[Timer, str]]] = {}
    for timer, kind in told:
        by_council.setdefault(timer.council_id, []).append((timer, kind))
    rows: list[Notification] = []
    for items in by_council.values():
        council = items[0][0].council
        with scope(council=council):
            names = describe_subjects(council=council, timers=[t for t, _ in items])
            overdue_owners = {t.owner_id for t, k in items if k == NotificationKind.TIMER_OVERDUE}
            managers = PEOPLE.managers(council, sorted(overdue_owners, key=lambda i: i or 0))
        for timer, kind in items:
            label, url = names.get((timer.subject_type, timer.subject_id), ("", ""))
            what = f"{timer.label or 'A time limit'}" + (f" ({label})" if label else "")
            day = f"{timer.due_on:%-d %B %Y}" if timer.due_on else ""
            title = (f"{WORDS[kind]}: {what}" + (f", by {day}" if day else ""))[:300]
            url = (url or "/timers/")[:500]
            if timer.owner_id:
                rows.append(
                    Notification(
                        council=council, user_id=timer.owner_id, kind=kind, title=title,
                        url=url, key=f"timer:{timer.pk}:{kind}",
                    )
                )  # fmt: skip
            if kind == NotificationKind.TIMER_OVERDUE:
                whose = f" (owned by {timer.owner})" if timer.owner_id else " (no owner)"
                for manager in managers.get(timer.owner_id, []):
                    if manager != timer.owner_id:
                        rows.append(
                            Notification(
                                council=council, user_id=manager,
                                kind=NotificationKind.TEAM_OVERDUE,
                                title=f"Overdue in your team: {what}{whose}"[:300], url=url,
                                key=f"timer:{timer.pk}:team",
                            )
                        )  # fmt: skip
        notifications_email.later(council.pk)
    notify_rows(rows)
