"""Letters other apps ask for: a move calls for a Rectification Notice (003 Table 4), a
restriction's decision for a letter with reasons and the right of appeal (004 19.1). The app
that asks keeps its request and registers a `LetterSource` here in its `ready()`; it publishes
`letter_requested` when a request is made. The notices app (a sibling it may not import)
writes, issues and sends the letter, and tells the source when it was issued and sent, so the
source can meet its time limits (the provider told) and start the next (the appeal window).

A source gives plain facts, never model instances: the letter's data is kept with its PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from core.events import Event

letter_requested = Event(
    "core.letter_requested",
    "A move or decision asked for a letter (`source` names the LetterSource, `request_id` the "
    "request in it).",
    args=("council_id", "source", "request_id"),
)

letter_request_met = Event(
    "core.letter_request_met",
    "A request for a letter was met another way (a person recorded the provider told by hand): "
    "its draft, if any, is not to be issued.",
    args=("council_id", "source", "request_id"),
)


@dataclass(frozen=True)
class LetterFacts:
    """What a request says a letter is about. `facts` are plain values (text, numbers, ISO
    dates, lists and dicts of them) for the template; `subject` is the object the letter is
    about (`("restrictions.restriction", "12")`), for links and timers."""

    letter: str
    label: str
    seed: str
    subject: tuple[str, str]
    facts: dict
    provider_id: int | None = None
    location_id: int | None = None
    case_id: int | None = None
    case_reference: str = ""
    please_ask_for_id: int | None = None
    requested_on: dt.date | None = None


@dataclass(frozen=True)
class LetterSource:
    """`pending(council=)`: ids of requests not yet issued (the catch-up sweep).
    `facts(council=, request_id=)`: the `LetterFacts`, or None when the request is gone.
    `issued(council=, request_id=, reference=, on=, how=)`: the letter was issued and sent
    (how: "email to ...", "post"); the source records it and meets its time limits."""

    name: str
    pending: Callable[..., list[int]]
    facts: Callable[..., LetterFacts | None]
    issued: Callable[..., None]


SOURCES: dict[str, LetterSource] = {}


def letter_source(source: LetterSource) -> LetterSource:
    if SOURCES.get(source.name, source) != source:
        raise ValueError(f"Letter source {source.name!r} is registered twice")
    SOURCES[source.name] = source
    return source
