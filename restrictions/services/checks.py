"""Every placement check is logged: who asked, when, what, and what they were shown (so a
council can say what its staff and systems were told on a day).

A person's check on the page is written at once. Systems ask over the API many times a
second: their checks are gathered by the process and written together, at least every
`PLACEMENT_CHECK_FLUSH_SECONDS` (and when the process stops), so the hot path makes no write
of its own. A crash may lose the last seconds of system checks, never a person's."""

from __future__ import annotations

import atexit
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from core.actors import actor_label, person_of
from restrictions.models import PlacementCheck
from restrictions.selectors.status import PlacementStatus

log = logging.getLogger(__name__)

MAX_SHOWN = 1000
MAX_GATHERED = 200

_gathered: list[dict] = []
_lock = threading.Lock()
_last_flush = time.monotonic()


def shown_of(statuses: list[PlacementStatus]) -> list:
    """What the log keeps of what was shown: [location id, level, [[council id, level]]] for
    each service shown with a restriction, its own or another council's (the rest, `found`
    less these, were shown with none)."""
    return [
        [s.location_id, s.level, [[o.council_id, o.level] for o in s.others]]
        for s in statuses[:MAX_SHOWN]
        if s.own is not None or s.others
    ]


def _row(*, council, actor, via: str, query: str, found: int, shown: list) -> dict:
    """The check's fields (a row is built only when written)."""
    person = person_of(actor)
    return {
        "council_id": council.pk,
        "at": timezone.now(),
        "user_id": person.pk if person is not None else None,
        "actor_label": actor_label(actor)[:200],
        "via": via,
        "query": (query or "")[:200],
        "found": found,
        "shown": shown,
    }


def placement_check_log(
    *,
    council,
    actor,
    via: str,
    query: str,
    found: int,
    shown: list[PlacementStatus] | None = None,
    shown_rows: list | None = None,
    gather: bool = False,
) -> None:
    """Log a check: at once, or (`gather`, a system's) with the others of the next moments.
    What was shown: the statuses, or (`shown_rows`) what `shown_of` made of them before."""
    rows = shown_rows if shown_rows is not None else shown_of(shown or [])
    row = _row(council=council, actor=actor, via=via, query=query, found=found, shown=rows)
    if not gather or settings.PLACEMENT_CHECK_FLUSH_SECONDS <= 0:
        PlacementCheck.objects.bulk_create([PlacementCheck(**row)])
        return
    global _last_flush
    with _lock:
        _gathered.append(row)
        due = (
            len(_gathered) >= MAX_GATHERED
            or time.monotonic() - _last_flush >= settings.PLACEMENT_CHECK_FLUSH_SECONDS
        )
    if due:
        placement_checks_flush()


def placement_checks_flush() -> int:
    """Write the gathered checks (one insert); how many."""
    global _last_flush
    with _lock:
        rows = _gathered[:]
        _gathered.clear()
        _last_flush = time.monotonic()
    if rows:
        try:
            PlacementCheck.objects.bulk_create([PlacementCheck(**row) for row in rows])
        except DatabaseError:
            log.exception("%s placement checks could not be written", len(rows))
            return 0
    return len(rows)


def _at_exit() -> None:
    try:
        placement_checks_flush()
    except Exception:  # noqa: BLE001 - the process is stopping; say so and go
        log.exception("Placement checks not written at exit")


atexit.register(_at_exit)
