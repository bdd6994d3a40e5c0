"""The scheduled sync with CQC's Syndication API, the register's authoritative source.

Each run asks the changes endpoints for the providers and locations changed since the cursor,
fetches each one (with the partner code), applies them through the register loader, and moves
the cursor on only when every change in the window is applied. It keeps to the API's rate
limit, waits when told to (429 with Retry-After), and a run that fails part way keeps its
place: the next run resumes with the records not yet fetched, never starting again."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from core.audit import audit_record
from core.errors import NotAllowed
from core.tasks import later
from providers.importing.loader import RegisterLoader
from providers.importing.readers import cqc_location, cqc_provider
from providers.importing.records import Problem
from providers.models import ImportFormat, ImportProblem, ImportRun, ImportStatus, RegisterSync
from providers.services import import_finish

log = logging.getLogger(__name__)

SOURCE = "cqc_api"
CHUNK = 100  # records fetched, then applied and the place kept
MAX_ANSWER_BYTES = 5 * 1024 * 1024
MAX_CHANGES = 200_000  # one window's changes (CQC's whole register is about 50,000 locations)
LOCK = "register-sync:lock"
ADVISORY_LOCK = 4_011_2026  # this sync's key among PostgreSQL advisory locks


class SyncFailed(Exception):
    """The API could not be used now; the sync keeps its place and tries again later."""


@dataclass
class CqcApi:
    """A small client for the Syndication API: JSON over HTTPS, the subscription key and the
    partner code on every call, one call at a time within `per_minute`."""

    base_url: str
    key: str = ""
    partner_code: str = ""
    per_minute: int = 600
    timeout: float = 20.0
    tries: int = 5
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    calls: int = 0
    _next_at: float = field(default=0.0, repr=False)

    @classmethod
    def from_settings(cls) -> CqcApi:
        return cls(
            base_url=settings.CQC_API_URL,
            key=settings.CQC_API_KEY,
            partner_code=settings.CQC_PARTNER_CODE,
            per_minute=settings.CQC_API_PER_MINUTE,
        )

    def _wait_turn(self) -> None:
        now = self.clock()
        if self._next_at > now:
            self.sleep(self._next_at - now)
            now = self._next_at
        self._next_at = now + 60.0 / max(self.per_minute, 1)

    def get(self, path: str, **params) -> dict | None:
        """The JSON answer, or None when CQC has no such record (404)."""
        if self.partner_code:
            params["partnerCode"] = self.partner_code
        url = f"{self.base_url.rstrip('/')}/{path}"
        if params:
            url += "?" + urlencode(params)
        headers = {"Accept": "application/json", "User-Agent": "Oversight register sync"}
        if self.key:
            headers["Ocp-Apim-Subscription-Key"] = self.key
        last = ""
        for attempt in range(self.tries):
            self._wait_turn()
            self.calls += 1
            try:
                with urlopen(Request(url, headers=headers), timeout=self.timeout) as answer:
                    body = answer.read(MAX_ANSWER_BYTES + 1)
            except HTTPError as exc:
                if exc.code == 404:
                    return None
                if exc.code == 429 or exc.code >= 500:
                    last = f"CQC answered {exc.code} for {path}"
                    wait = _retry_after(exc) if exc.code == 429 else 2.0**attempt
                    self.sleep(min(wait, 120.0))
                    continue
                raise SyncFailed(f"CQC answered {exc.code} for {path}") from exc
            except (URLError, TimeoutError, ConnectionError, OSError) as exc:
                last = f"CQC could not be reached ({exc})"
                self.sleep(min(2.0**attempt, 30.0))
                continue
            if len(body) > MAX_ANSWER_BYTES:
                raise SyncFailed(f"CQC's answer for {path} is larger than expected")
            try:
                data = json.loads(body)
            except ValueError as exc:
                raise SyncFailed(f"CQC's answer for {path} is not JSON") from exc
            if not isinstance(data, dict):
                raise SyncFailed(f"CQC's answer for {path} is not a JSON object")
            return data
        raise SyncFailed(f"{last}, {self.tries} times")

    def changes(self, kind: str, start: dt.datetime, end: dt.datetime) -> list[str]:
        """The IDs of the `kind` ("location" or "provider") changed between start and end."""
        ids: list[str] = []
        page, pages = 1, 1
        while page <= pages:
            data = self.get(
                f"changes/{kind}",
                startTimestamp=_stamp(start),
                endTimestamp=_stamp(end),
                page=page,
                perPage=1000,
            )
            if data is None:
                raise SyncFailed(f"CQC has no changes endpoint for {kind}s")
            try:
                pages = min(int(data.get("totalPages") or 1), 10_000)
            except (TypeError, ValueError) as exc:
                raise SyncFailed(f"CQC's changes for {kind}s give no page count") from exc
            for ident in data.get("changes") or []:
                if isinstance(ident, str) and len(ident) <= 20:
                    ids.append(ident)
            if len(ids) > MAX_CHANGES:
                raise SyncFailed(f"more than {MAX_CHANGES:,} {kind} changes in one window")
            page += 1
        return list(dict.fromkeys(ids))


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _retry_after(exc: HTTPError) -> float:
    value = exc.headers.get("Retry-After", "") if exc.headers else ""
    if value.isdigit():
        return float(value)
    try:
        return max((parsedate_to_datetime(value) - timezone.now()).total_seconds(), 1.0)
    except (TypeError, ValueError):
        return 30.0


def sync_state() -> RegisterSync:
    state, _ = RegisterSync.objects.get_or_create(source=SOURCE)
    return state


def register_sync(
    *, api: CqcApi | None = None, now: dt.datetime | None = None, echo=None
) -> RegisterSync:
    """One run of the sync. Safe to run twice: a second run while one is going does nothing,
    and applying the same records again changes nothing."""
    with scopes_disabled(), _only_one() as mine:
        if not mine:
            if echo:
                echo("A sync is already running.")
            return sync_state()
        return _sync(api or CqcApi.from_settings(), now or timezone.now(), echo)


@contextmanager
def _only_one():
    """One sync at a time across every worker: PostgreSQL's advisory lock, held by this
    connection for the run (released if the worker dies); on SQLite (`make run`, one
    process) the cache."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK])
            mine = cur.fetchone()[0]
        try:
            yield mine
        finally:
            if mine:
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK])
        return
    mine = cache.add(LOCK, "1", timeout=24 * 3600)
    try:
        yield mine
    finally:
        if mine:
            cache.delete(LOCK)


def _sync(api: CqcApi, now: dt.datetime, echo) -> RegisterSync:
    state = sync_state()
    state.last_tried_at = now
    resuming = bool(state.pending_locations or state.pending_providers)
    try:
        if not resuming:
            start = state.cursor or now - dt.timedelta(days=settings.CQC_SYNC_FIRST_DAYS)
            providers = api.changes("provider", start, now)
            locations = api.changes("location", start, now)
            state.window_end, state.position = now, 0
            state.pending_providers, state.pending_locations = providers, locations
            if not providers and not locations:
                return _window_done(state, None, api, echo)
    except SyncFailed as exc:
        state.last_error, state.calls = str(exc), api.calls
        state.save()
        log.warning("register sync could not start: %s", exc)
        return state
    run = ImportRun.objects.create(
        council=None,
        format=ImportFormat.CQC_API,
        source_name=(
            f"CQC changes to {timezone.localtime(state.window_end):%d %b %Y %H:%M}"
            + (" (resumed)" if resuming else "")
        )[:300],
        status=ImportStatus.RUNNING,
        started_at=now,
        total=state.pending,
    )
    state.last_run = run
    state.save()
    loader = RegisterLoader(run=run)
    kept = 0
    items = [("provider", i) for i in state.pending_providers] + [
        ("location", i) for i in state.pending_locations
    ]
    done = 0
    try:
        while state.position < len(items):
            chunk = items[state.position : state.position + CHUNK]
            providers, locations, problems = [], [], []
            for n, (kind, ident) in enumerate(chunk, start=state.position + 1):
                record = api.get(f"{kind}s/{quote(ident, safe='-')}")
                if record is None:
                    problems.append(Problem(n, f"CQC no longer has {kind} {ident}", ident))
                    continue
                try:
                    if kind == "provider":
                        providers.append(cqc_provider(record, n))
                    else:
                        locations.append(cqc_location(record, n))
                except Exception as exc:  # RowProblem, or a shape nothing expected
                    problems.append(Problem(n, str(exc)[:500] or type(exc).__name__, ident))
            problems += _apply(loader, providers, locations)
            problems += loader.counts.problems
            loader.counts.problems = []
            with transaction.atomic():
                room = max(settings.IMPORT_MAX_PROBLEMS_KEPT - kept, 0)
                ImportProblem.objects.bulk_create(
                    ImportProblem(
                        run=run, row=p.row, identifier=p.identifier, reason=p.reason[:500]
                    )
                    for p in problems[:room]
                )
                kept += min(len(problems), room)
                state.position += len(chunk)
                done += len(chunk)
                state.calls = api.calls
                state.save(update_fields=["position", "calls"])
                _counts(run, loader, done, problems)
            if echo:
                echo(f"  {state.position}/{len(items)} changed records applied")
    except Exception as exc:  # SyncFailed, or anything unforeseen: keep the place, say why
        if not isinstance(exc, SyncFailed):
            log.exception("register sync stopped")
        state.last_error, state.calls = (str(exc) or type(exc).__name__)[:2000], api.calls
        state.save()
        import_finish(
            run,
            ImportStatus.FAILED,
            f"Stopped after {state.position} of {len(items)} changed records: {exc}. "
            "The next sync resumes there.",
            echo,
        )
        log.warning("register sync stopped at %s of %s: %s", state.position, len(items), exc)
        return state
    return _window_done(state, run, api, echo)


def _apply(loader: RegisterLoader, providers: list, locations: list) -> list[Problem]:
    """Apply a chunk; if it fails, each record alone, so that one record the register cannot
    take becomes a problem row instead of stopping every later sync at the same place."""
    before = replace(loader.counts, problems=list(loader.counts.problems))
    try:
        with transaction.atomic():
            loader.apply_providers(providers)
            loader.apply_locations(locations)
        return []
    except Exception:
        log.exception("register sync: a chunk failed; applying its records one by one")
    # What the failed chunk counted (and the service types it made) went with its rollback.
    loader.counts = before
    loader.reset_caches()
    problems = []
    for record in [*providers, *locations]:
        try:
            with transaction.atomic():
                if record in providers:
                    loader.apply_providers([record])
                else:
                    loader.apply_locations([record])
        except Exception as exc:
            ident = record.cqc_provider_id if record in providers else record.identifier
            problems.append(Problem(record.row, f"could not be applied: {exc}"[:500], ident))
    return problems


def _counts(run: ImportRun, loader: RegisterLoader, done: int, problems: list) -> None:
    counts = loader.counts.as_fields()
    for name, value in counts.items():
        setattr(run, name, value)
    run.processed = done
    run.problem_count += len(problems)
    run.save(update_fields=[*counts, "processed", "problem_count"])


def _window_done(state: RegisterSync, run: ImportRun | None, api: CqcApi, echo) -> RegisterSync:
    """Every change up to the window's end is applied: the cursor moves on."""
    state.cursor = state.window_end
    state.pending_locations, state.pending_providers, state.position = [], [], 0
    state.last_error, state.calls = "", api.calls
    state.last_done_at = timezone.now()
    state.save()
    if run is not None:
        c = run
        import_finish(
            run,
            ImportStatus.DONE,
            f"{c.locations_created} locations added, {c.locations_updated} updated, "
            f"{c.unchanged} unchanged; {c.ratings_added} ratings added; {c.rating_changes} "
            f"rating changes; {c.problem_count} records with problems.",
            echo,
        )
    elif echo:
        echo("No changes at CQC since the last sync.")
    return state


def register_sync_request(*, actor) -> None:
    """A keeper asks for the sync with CQC to run now (it runs on its schedule anyway)."""
    if not actor.has_perm("providers.keep_register"):
        raise NotAllowed("Only the national register's keepers run the sync with CQC.")
    audit_record(
        council=None,
        actor=actor,
        action="register.sync_requested",
        summary="The sync with CQC was asked to run now",
    )
    later(register_sync_task)


@shared_task(name="providers.register_sync", acks_late=True)
def register_sync_task() -> str:
    """The schedule's side: nothing until the sync is configured (CQC_SYNC_ENABLED)."""
    if not settings.CQC_SYNC_ENABLED:
        return "not configured"
    state = register_sync()
    return state.last_error or "done"
