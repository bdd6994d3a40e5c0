"""Domain events: a service says what happened, after its transaction commits, and the apps
that care subscribe in their `AppConfig.ready`. This is how a lower app tells a higher one
(a rating changed, a plan was reviewed) without importing it (docs/adr/0007-domain-events.md).

Each event is declared once, in the app that publishes it (its `events.py`), with the
arguments it carries: ids and plain values, never model instances, so that a receiver loads
what it needs inside its own council's scope and a task can carry them as they are.

    rating_changed = Event("monitoring.rating_changed", "...", args=("council_id", "rating_id"))
    rating_changed.publish(council_id=..., rating_id=...)      # in the service, in atomic()

    @rating_changed.connect                                     # in the subscriber's ready()
    def check_rules(*, council_id, rating_id): ...

Receivers run after the commit (never for a rolled-back change), in the order they connected.
They should be quick (queue a task): one that raises is logged and the others still run,
because the change they react to is already saved and a nightly sweep catches what was
missed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)

EVENTS: dict[str, Event] = {}


@dataclass(eq=False)
class Event:
    name: str
    doc: str
    args: tuple[str, ...]
    receivers: list[Callable[..., object]] = field(default_factory=list)

    def __post_init__(self):
        if self.name in EVENTS:
            raise ValueError(f"The event {self.name!r} is declared twice")
        EVENTS[self.name] = self

    def connect(self, receiver: Callable[..., object]) -> Callable[..., object]:
        """Subscribe (usable as a decorator). Connecting the same function twice is a no-op,
        so a `ready()` that runs again does not double the work."""
        if receiver not in self.receivers:
            self.receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Callable[..., object]) -> None:
        if receiver in self.receivers:
            self.receivers.remove(receiver)

    def publish(self, **kwargs) -> None:
        """Send to every receiver once the current transaction commits (at once outside one)."""
        if set(kwargs) != set(self.args):
            raise TypeError(f"{self.name} carries {sorted(self.args)}, not {sorted(kwargs)}")
        transaction.on_commit(lambda: self.send_now(**kwargs))

    def send_now(self, **kwargs) -> None:
        for receiver in list(self.receivers):
            try:
                receiver(**kwargs)
            except Exception:  # noqa: BLE001 - the change is saved; the others still run
                if getattr(settings, "EVENT_RECEIVERS_RAISE", False):
                    raise  # tests see a receiver's failure
                log.exception("%s: receiver %s failed", self.name, receiver)
