"""The placement status as other systems ask for it, remembered by the process and checked
against the council's feed: the feed's newest entry for the council changes with every change
of what the council sees (its own restrictions, those shared with it, a contact or review
date), whichever process made it. The feed is read at most every
`PLACEMENT_STATUS_FRESH_SECONDS` (1 s) per council and process, so under load an answer costs
no query and is never more than that behind the restrictions; ratings and names from the
register may be up to `STATUS_CACHE_SECONDS` old."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.db import connection

STATUS_CACHE_SECONDS = 60.0
MAX_REMEMBERED = 20_000

_remembered: OrderedDict[tuple[int, str], tuple[int, float, tuple]] = OrderedDict()
_versions: dict[int, tuple[float, int]] = {}
_lock = threading.Lock()


def feed_version(council_id: int) -> int:
    """The council's newest feed entry (an index-only lookup)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MAX(id) FROM restrictions_feedentry WHERE council_id = %s", [council_id]
        )
        row = cursor.fetchone()
    return row[0] or 0


def current_version(council_id: int) -> int:
    """The council's feed version, read again when the last reading is older than
    PLACEMENT_STATUS_FRESH_SECONDS."""
    now = time.monotonic()
    known = _versions.get(council_id)
    if known is not None and known[0] > now:
        return known[1]
    version = feed_version(council_id)
    _versions[council_id] = (now + settings.PLACEMENT_STATUS_FRESH_SECONDS, version)
    return version


def remembered_status(
    council_id: int, ident: str, build: Callable[[], tuple | None]
) -> tuple | None:
    """The answer for `ident` in this council (whatever `build()` makes of it: the body and
    what the check log keeps), built only when the council's feed moved on or the answer is
    older than STATUS_CACHE_SECONDS. None: not found."""
    version = current_version(council_id)
    key = (council_id, ident)
    now = time.monotonic()
    with _lock:
        found = _remembered.get(key)
        if found is not None and found[0] == version and found[1] > now:
            _remembered.move_to_end(key)
            return found[2]
    body = build()
    if body is not None:
        with _lock:
            _remembered[key] = (version, now + STATUS_CACHE_SECONDS, body)
            _remembered.move_to_end(key)
            while len(_remembered) > MAX_REMEMBERED:
                _remembered.popitem(last=False)
    return body


def statuses_forget() -> None:
    with _lock:
        _remembered.clear()
        _versions.clear()
