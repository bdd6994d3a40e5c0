"""What a move leaves behind, by the kind of effect its pack names (`moves[].effects[].kind`):
an extension point. This app carries out deadlines (a timer), letter requests (for the notices
to write) and reviews (planned in monitoring); a higher app registers the kinds it adds (the
restrictions app, a restriction proposed by a move) in its `ready()`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MoveDone:
    """What an effect handler is given: the case moved (locked), the move as the pack says
    it, its record, who made it, the policy in force, and the day the move counts from (the
    decision's day when a decision approved it)."""

    case: object
    move: object
    record: object
    actor: object
    policy: object
    on: dt.date


@dataclass(frozen=True)
class EffectHandler:
    """`apply(effect, done) -> str` carries out one effect and says what it did (kept in the
    audit entry); `check(effect, content, problem)` checks it when a pack is loaded."""

    kind: str
    apply: Callable[[object, MoveDone], str]
    check: Callable[[dict, dict, Callable[[str, str], None]], None] | None = None


EFFECTS: dict[str, EffectHandler] = {}


def effect_handler(handler: EffectHandler) -> EffectHandler:
    if EFFECTS.get(handler.kind, handler) != handler:
        raise ValueError(f"Effects of kind {handler.kind!r} already have a handler")
    EFFECTS[handler.kind] = handler
    return handler
