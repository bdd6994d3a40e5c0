"""One clock: every time limit is a `core.Timer` row. Services start, meet and end timers here;
`core.tasks.timers_sweep` fires those that fall due, calling the handler their kind registered
(`@timer_handler("concerns.deadline")` in the owning app's `timers.py`, imported by its
`ready()`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from core.models import OPEN_TIMER_STATUSES, Timer, TimerStatus

HANDLERS: dict[str, Callable[[Timer], str]] = {}


def timer_handler(kind: str):
    """Register the function that acts when a timer of this kind falls due. It runs inside
    the council's scope and the timer's transaction, and returns what it did (kept as the
    timer's outcome)."""

    def register(func):
        if HANDLERS.get(kind, func) is not func:
            raise ValueError(f"Timers of kind {kind!r} already have a handler")
        HANDLERS[kind] = func
        return func

    return register


def subject_of(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def end_of_day(day: dt.date) -> dt.datetime:
    """A limit "by" a date passes when that day ends (local time)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def timer_start(
    *,
    council,
    kind: str,
    subject: models.Model,
    due_on: dt.date,
    label: str = "",
    seed: str = "",
    cause: str = "",
    owner=None,
    starts_on: dt.date | None = None,
    due_at: dt.datetime | None = None,
    payload: dict | None = None,
) -> Timer:
    """Start a timer, once per kind, subject and cause: starting it again while it runs gives
    the running one. `due_at` (when the sweep acts) defaults to the end of `due_on`."""
    subject_type, subject_id = subject_of(subject)
    key = {
        "council": council,
        "kind": kind,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "cause": cause,
        "status": TimerStatus.RUNNING,
    }
    running = Timer.objects.filter(**key).first()
    if running is not None:
        return running
    try:
        with transaction.atomic():
            return Timer.objects.create(
                **key,
                label=label[:300],
                seed=seed[:100],
                owner=owner,
                starts_on=starts_on or timezone.localdate(),
                due_on=due_on,
                due_at=due_at or end_of_day(due_on),
                payload=payload or {},
            )
    except IntegrityError:  # started at the same moment by another transaction
        return Timer.objects.get(**key)


def _open_timers(*, council, subject: models.Model, kinds=None):
    subject_type, subject_id = subject_of(subject)
    qs = Timer.objects.filter(
        council=council,
        subject_type=subject_type,
        subject_id=subject_id,
        status__in=OPEN_TIMER_STATUSES,
    )
    return qs.filter(kind__in=list(kinds)) if kinds is not None else qs


def timers_meet(*, council, subject: models.Model, kinds, outcome: str) -> int:
    """The event that satisfies these timers happened (the letter was issued, the review
    held): they are met, early or late. Returns how many."""
    return _open_timers(council=council, subject=subject, kinds=kinds).update(
        status=TimerStatus.MET, ended_at=timezone.now(), outcome=outcome[:500]
    )


def timers_end(
    *, council, subject: models.Model, outcome: str, kinds=None, where: Callable | None = None
) -> int:
    """What these timers belonged to has ended (the case left the stage): they stop, met or
    not. `where(timer)` narrows which (e.g. those started for the stage left)."""
    timers = list(_open_timers(council=council, subject=subject, kinds=kinds))
    ids = [t.pk for t in timers if where is None or where(t)]
    if not ids:
        return 0
    return Timer.objects.filter(pk__in=ids).update(
        status=TimerStatus.ENDED, ended_at=timezone.now(), outcome=outcome[:500]
    )


def timers_of(*, council, subject: models.Model):
    """A subject's timers, open ones first, each in due order."""
    subject_type, subject_id = subject_of(subject)
    return Timer.objects.filter(
        council=council, subject_type=subject_type, subject_id=subject_id
    ).order_by("due_at", "id")
