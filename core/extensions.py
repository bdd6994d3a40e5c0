"""Extension points: where an app plugs into the pages and commands the apps below it own,
without them importing it. Each registry is filled by the apps in their `AppConfig.ready`
(modelled on pretix's documented signals, `pretix/base/signals.py`): a lower app offers the
place, a higher app registers, and adding an app touches no shared file.

- `navigation`: an entry in the service navigation (`NavEntry`).
- `section_nav`: an entry in a section's own navigation (`NavEntry` with a `group`: the
  "Cases and decisions" section shows cases, what waits for me and the alerts).
- `start_page`: a panel on a person's start page (`Panel`), given the request.
- `location_page`: a panel in the council's record of a location (`Panel`), given the request,
  the location and any forms a failed POST hands back.
- `object_page`: a panel on the page of one object another app owns (a case, a restriction),
  given the request and the `subject`; it returns None for subjects it has nothing about
  (the letters of a case or a restriction).
- `location_banner`: a banner at the top of a location's page, for every role (`Panel`): the
  placement status.
- `location_columns`: a column in lists of locations (the register's search, the risk
  matrix), given the council and the page's locations (`Column`).
- `timeline`: a source of a location's timeline entries (`TimelineSource`).
- `demo`: a step of `manage.py demo_load` (`DemoStep`), run in the order apps register.
- `waiting`: something waiting for a person (`Waiting`): decisions to take, letters to
  issue, time limits due; counted on their start page and beside the navigation entry it
  belongs to, one query each.

Other registries live with the mechanism they extend: `core.events` (domain events),
`core.timers` (timer handlers), `councils.policy` (pack sections), `councils.permissions`
(token scopes), `decisions.registry` (subject kinds and deciders), `concerns.effects` (effects
of a move)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.template.loader import render_to_string
from django.urls import reverse

T = TypeVar("T")


class Registry(Generic[T]):
    """Named entries, in `order` then registration order. A name registers once: a second
    registration is a programming error, caught at start-up."""

    def __init__(self, what: str):
        self.what = what
        self._entries: dict[str, T] = {}

    def register(self, entry: T) -> T:
        """Register an entry; the same entry again (a second `ready()`) is a no-op."""
        name = entry.name  # type: ignore[attr-defined]
        if self._entries.get(name, entry) != entry:
            raise ValueError(f"{self.what} {name!r} is registered twice")
        self._entries[name] = entry
        return entry

    def __iter__(self) -> Iterator[T]:
        entries = list(self._entries.values())
        return iter(sorted(entries, key=lambda e: getattr(e, "order", 0)))

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def get(self, name: str) -> T | None:
        return self._entries.get(name)


@dataclass(frozen=True)
class NavEntry:
    """An entry in the service navigation, shown to those with `permission` in their current
    council. `sections` are the path prefixes it is the current section for. `replaces` names
    entries this one stands for when shown ("Cases and decisions" covers "Decisions", which a
    Placement Officer, who sees no cases, gets instead)."""

    name: str
    label: str
    url_name: str
    permission: str
    order: int
    sections: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    group: str = ""


@dataclass(frozen=True)
class Panel:
    """A part of a page another app owns. `context` returns the template's context, or None
    when there is nothing to show this person (no permission, nothing recorded)."""

    name: str
    template: str
    context: Callable[..., dict | None]
    order: int = 0


@dataclass(frozen=True)
class Column:
    """A column another app adds to lists of locations. `cells(council=, locations=)` gives
    {location id: safe HTML} for a page of locations in a fixed number of queries; `where`
    names the lists it joins ("search", "risk")."""

    name: str
    header: str
    cells: Callable[..., dict[int, str]]
    permission: str
    where: tuple[str, ...] = ("search", "risk")
    order: int = 0


@dataclass(frozen=True)
class TimelineEntry:
    on: dt.date
    kind: str
    title: str
    detail: str = ""
    url: str = ""


@dataclass(frozen=True)
class TimelineSource:
    """`entries(council=, location=, limit=)` gives a location's entries of one kind, newest
    first, in a fixed number of queries."""

    name: str
    label: str
    entries: Callable[..., list[TimelineEntry]]
    order: int = 0


@dataclass(frozen=True)
class DemoStep:
    """A step of the demo. `load(echo, **options)` is run once on an empty database (and
    again with --force); it must be safe to run again. `loaded()` (optional) says the demo
    is there; `refresh(echo)` (optional) runs instead when it is."""

    name: str
    load: Callable[..., None]
    loaded: Callable[[], bool] | None = None
    refresh: Callable[[Callable[[str], Any]], None] | None = None
    order: int = 0


@dataclass(frozen=True)
class Waiting:
    """What waits for a person: `count(council=, user=)` in one query; shown on the start
    page with `label` (singular, plural) linking to `url_name` (+ `query`), and counted beside
    the navigation entry named `nav`."""

    name: str
    label: tuple[str, str]
    url_name: str
    permission: str
    count: Callable[..., int]
    nav: str = ""
    query: str = ""
    order: int = 0


@dataclass(frozen=True)
class BriefRow:
    """One fact a decider needs beside the decision (issue 13): a label, its value in words,
    and where to see more."""

    label: str
    value: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class BriefSource:
    """`rows(council=, location=, provider=)` gives the facts an app holds about the service
    a decision is about, in a fixed number of queries."""

    name: str
    rows: Callable[..., list[BriefRow]]
    permission: str
    order: int = 0


navigation: Registry[NavEntry] = Registry("navigation entry")
section_nav: Registry[NavEntry] = Registry("section navigation entry")
start_page: Registry[Panel] = Registry("start page panel")
location_page: Registry[Panel] = Registry("location page panel")
location_banner: Registry[Panel] = Registry("location banner")
object_page: Registry[Panel] = Registry("object page panel")
location_columns: Registry[Column] = Registry("location column")
timeline: Registry[TimelineSource] = Registry("timeline source")
demo: Registry[DemoStep] = Registry("demo step")
waiting: Registry[Waiting] = Registry("waiting item")
decision_brief: Registry[BriefSource] = Registry("decision brief source")


def brief_rows(*, request, location=None, provider=None) -> list[BriefRow]:
    """What the decider needs to see beside a decision about this service, from every app
    that holds something about it and that this person may see."""
    council, user = getattr(request, "council", None), request.user
    if council is None or (location is None and provider is None):
        return []
    out: list[BriefRow] = []
    for source in decision_brief:
        if user.has_perm(source.permission, council):
            out.extend(source.rows(council=council, location=location, provider=provider))
    return out


def waiting_items(*, request) -> list[dict]:
    """What waits for this person in their current council (each counted once per request,
    a fixed number of queries): label, count and link, those with nothing left out."""
    cached = getattr(request, "_waiting_items", None)
    if cached is not None:
        return cached
    council, user = getattr(request, "council", None), request.user
    out = []
    if council is not None and user.is_authenticated:
        for item in waiting:
            if not user.has_perm(item.permission, council):
                continue
            n = item.count(council=council, user=user)
            if n:
                one, many = item.label
                out.append(
                    {
                        "name": item.name,
                        "label": one if n == 1 else many,
                        "count": n,
                        "url": reverse(item.url_name) + (f"?{item.query}" if item.query else ""),
                        "nav": item.nav,
                    }
                )
    request._waiting_items = out
    return out


def panels(registry: Registry[Panel], *, request, **kwargs) -> list[str]:
    """The panels with something to show this person, rendered (each panel's template gets
    its own context and the kwargs, with the request's context processors)."""
    out = []
    for panel in registry:
        context = panel.context(request=request, **kwargs)
        if context is not None:
            out.append(render_to_string(panel.template, {**kwargs, **context}, request=request))
    return out


def timeline_entries(*, council, location, kinds=None, limit: int = 200) -> list[TimelineEntry]:
    """Everything about one location from every registered source, newest first (a fixed
    number of queries per source)."""
    chosen = set(kinds or [s.name for s in timeline])
    out: list[TimelineEntry] = []
    for source in timeline:
        if source.name in chosen:
            out.extend(source.entries(council=council, location=location, limit=limit))
    out.sort(key=lambda e: e.on, reverse=True)
    return out[:limit]


def nav_entries(registry: Registry[NavEntry], *, request, group: str = "") -> list[dict]:
    """The entries this person may open in their current council, each with its URL and
    whether it is the current page ("page") or the current section ("true")."""
    council, user = getattr(request, "council", None), request.user
    if not user.is_authenticated:
        return []
    # Without a council only entries of a role that is no council's show (the national
    # register's keepers): every council permission is refused for no council.
    shown = {
        entry.name: entry
        for entry in registry
        if entry.group == group and user.has_perm(entry.permission, council)
    }
    replaced = {name for entry in shown.values() for name in entry.replaces}
    out = []
    for entry in shown.values():
        if entry.name in replaced:
            continue
        url = reverse(entry.url_name)
        current = "page" if request.path == url else ""
        if not current and any(request.path.startswith(s) for s in entry.sections):
            current = "true"
        count = sum(
            w["count"]
            for w in (waiting_items(request=request) if group == "" and council else [])
            if w["nav"] == entry.name or w["nav"] in entry.replaces and w["nav"]
        )
        out.append({"label": entry.label, "url": url, "current": current, "count": count})
    return out


def columns(*, request, locations, where: str) -> list[dict]:
    """The extra columns of a list of locations this person may see: each with its header
    and {location id: cell}."""
    council = getattr(request, "council", None)
    if council is None:
        return []
    pairs = [(loc.pk, loc.provider_id) for loc in locations]
    return [
        {"header": column.header, "cells": column.cells(council=council, locations=pairs)}
        for column in location_columns
        if where in column.where and request.user.has_perm(column.permission, council)
    ]
