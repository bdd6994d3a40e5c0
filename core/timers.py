"""One clock: every time limit is a `core.Timer` row. Services start, meet and end timers here;
`core.sweep` moves running timers on (warned, due today, then fired at the limit), calling the
handler their kind registered (`@timer_handler("concerns.deadline")` in the owning app's
`timers.py`, imported by its `ready()`).

Two hooks the councils app fills in its `ready()` (core cannot read a policy pack):
`WARNING.day(council, due_on, time_limit)` says when the owner is warned, and the subject
registry (`timer_subject`) lets any app name and link the objects its timers watch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from core.models import OPEN_TIMER_STATUSES, Timer, TimerStage, TimerStatus


@dataclass(frozen=True)
class Handler:
    """What a kind of timer does at its limit. A `deadline` is something a person must do
    (tell the provider, decide the appeal): passing it unmet makes the timer overdue and its
    owner and their manager are told. Otherwise the limit is itself the event (the appeal
    window closes, six months of Embargo pass) and the handler acts."""

    func: Callable[[Timer], str]
    deadline: bool = True


HANDLERS: dict[str, Handler] = {}


def timer_handler(kind: str, *, deadline: bool = True):
    """Register the function that acts when a timer of this kind falls due. It runs inside
    the council's scope and the sweep's transaction (a savepoint), so its effect and the
    timer's change commit together or not at all; it returns what it did (the outcome)."""

    def register(func):
        existing = HANDLERS.get(kind)
        if existing is not None and existing.func is not func:
            raise ValueError(f"Timers of kind {kind!r} already have a handler")
        HANDLERS[kind] = Handler(func=func, deadline=deadline)
        return func

    return register


@dataclass(frozen=True)
class TimerSubject:
    """How to name and link the objects of one type that timers watch: `describe(council=,
    ids=)` gives {id: (label, url)} for many at once (a fixed number of queries)."""

    subject_type: str
    describe: Callable[..., dict[str, tuple[str, str]]]


SUBJECTS: dict[str, TimerSubject] = {}


def timer_subject(subject: TimerSubject) -> TimerSubject:
    if SUBJECTS.get(subject.subject_type, subject) != subject:
        raise ValueError(f"Timer subject {subject.subject_type!r} is registered twice")
    SUBJECTS[subject.subject_type] = subject
    return subject


def describe_subjects(*, council, timers) -> dict[tuple[str, str], tuple[str, str]]:
    """{(subject type, id): (label, url)} for these timers, one call per subject type."""
    wanted: dict[str, set[str]] = {}
    for t in timers:
        wanted.setdefault(t.subject_type, set()).add(t.subject_id)
    out = {}
    for subject_type, ids in wanted.items():
        entry = SUBJECTS.get(subject_type)
        found = entry.describe(council=council, ids=sorted(ids)) if entry else {}
        for sid in ids:
            out[(subject_type, sid)] = found.get(sid, ("", ""))
    return out


class _Warning:
    """When an owner is warned before a limit: set by the councils app from the pack
    (`calendar.warn_before`, or the time limit's own `warn`); none until then."""

    def __init__(self):
        self.day: Callable[..., dt.date | None] = lambda council, due_on, time_limit: None


WARNING = _Warning()


def subject_of(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def end_of_day(day: dt.date) -> dt.datetime:
    """A limit "by" a date passes when that day ends (local time)."""
    return start_of_day(day + dt.timedelta(days=1))


def next_look(*, warn_on: dt.date | None, due_on: dt.date | None, due_at: dt.datetime, stage):
    """When the sweep next looks at a running timer at `stage`: the warning day, then the
    morning of the due day, then the limit itself."""
    points = []
    if stage == TimerStage.WAITING and warn_on is not None:
        points.append(start_of_day(warn_on))
    if stage in (TimerStage.WAITING, TimerStage.WARNED) and due_on is not None:
        points.append(start_of_day(due_on))
    points = [p for p in points if p < due_at]
    return min(points) if points else due_at


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
    time_limit: str = "",
    warn_on: dt.date | None = None,
) -> Timer:
    """Start a timer, once per kind, subject and cause: starting it again while it runs gives
    the running one. `due_at` (when the sweep acts) defaults to the end of `due_on`; the owner
    is warned on `warn_on`, by default as the pack says for `time_limit` (its key)."""
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
    due_at = due_at or end_of_day(due_on)
    payload = dict(payload or {})
    time_limit = time_limit or payload.get("time_limit", "")
    if time_limit:
        payload["time_limit"] = time_limit
    if warn_on is None and due_on is not None:
        warn_on = WARNING.day(council, due_on, time_limit)
    starts_on = starts_on or timezone.localdate()
    if warn_on is not None and (warn_on <= starts_on or (due_on and warn_on >= due_on)):
        warn_on = None  # no warning that would come before it started or on the day itself
    try:
        with transaction.atomic():
            return Timer.objects.create(
                **key,
                label=label[:300],
                seed=seed[:100],
                owner=owner,
                starts_on=starts_on,
                due_on=due_on,
                due_at=due_at,
                warn_on=warn_on,
                next_at=next_look(
                    warn_on=warn_on, due_on=due_on, due_at=due_at, stage=TimerStage.WAITING
                ),
                payload=payload,
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
        status=TimerStatus.MET, ended_at=timezone.now(), outcome=outcome[:500], next_at=None
    )


def timers_hand_over(*, council, subject: models.Model, owner) -> int:
    """Whoever now owns what these timers watch (a case's new lead officer) owns its open
    timers: warnings and overdue notices go to them. Returns how many moved."""
    return (
        _open_timers(council=council, subject=subject, kinds=None)
        .exclude(owner=owner)
        .update(owner=owner)
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
        status=TimerStatus.ENDED, ended_at=timezone.now(), outcome=outcome[:500], next_at=None
    )


def timers_of(*, council, subject: models.Model):
    """A subject's timers, open ones first, each in due order."""
    subject_type, subject_id = subject_of(subject)
    return Timer.objects.filter(
        council=council, subject_type=subject_type, subject_id=subject_id
    ).order_by("due_at", "id")


def timers_waiting(*, council, owner=None):
    """Open timers a person should look at (due soon, due today, overdue), soonest first:
    the owner's, or with `owner=None` every one in the council."""
    qs = Timer.objects.filter(council=council).filter(
        models.Q(status=TimerStatus.RUNNING, stage__in=[TimerStage.WARNED, TimerStage.DUE])
        | models.Q(status=TimerStatus.FIRED, overdue=True)
    )
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs.select_related("owner").order_by("due_at", "id")


def timers_overdue(*, council):
    """Deadlines passed and not met, oldest first (the managers' list)."""
    return (
        Timer.objects.filter(council=council, status=TimerStatus.FIRED, overdue=True)
        .select_related("owner")
        .order_by("due_at", "id")
    )
