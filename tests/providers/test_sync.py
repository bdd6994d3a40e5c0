"""The scheduled sync with CQC's Syndication API, against a local fake of it (issue 11, what
to build 1: the national register changes only from authoritative sources)."""

import datetime as dt
import json

import jsonschema
import pytest
from django.conf import settings
from django.core.cache import cache

from providers import sync
from providers.models import (
    ImportFormat,
    ImportProblem,
    ImportRun,
    ImportStatus,
    Location,
    Provider,
    RatingChange,
)
from providers.sync import LOCK, CqcApi, register_sync, register_sync_task, sync_state
from tests.providers.fake_cqc import KEY, PARTNER, FakeCqc
from tests.providers.importing.helpers import import_json, location_record, provider_record

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
SCHEMAS = settings.BASE_DIR.parent / "shared" / "data" / "cqc"
ACTIVITY = {
    "name": "Accommodation for persons who require nursing or personal care",
    "code": "RA2",
    "nominatedIndividual": {
        "personTitle": "Mrs",
        "personGivenName": "Ann",
        "personFamilyName": "Smith",
    },
}


class Clock:
    """A virtual clock: sleeping moves it on, so the rate limit is measured without waiting."""

    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake():
    server = FakeCqc().start()
    yield server
    server.stop()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def api(fake, clock):
    def make(**kw):
        options = {"key": KEY, "partner_code": PARTNER, "per_minute": 6000} | kw
        return CqcApi(base_url=fake.url, sleep=clock.sleep, clock=clock, **options)

    return make


def test_the_fake_serves_cqc_shapes(fake, api):
    """The fake's answers are valid against CQC's published schemas."""
    fake.change(
        T0, location=location_record(), provider=provider_record(regulatedActivities=[ACTIVITY])
    )
    client = api()
    location_schema = json.loads((SCHEMAS / "location.schema.json").read_text())
    provider_schema = json.loads((SCHEMAS / "provider.schema.json").read_text())
    # The published schemas use draft 4's tuple form of `items`.
    jsonschema.Draft4Validator(location_schema).validate(client.get("locations/1-113737059"))
    jsonschema.Draft4Validator(provider_schema).validate(client.get("providers/1-101641361"))
    assert client.get("locations/1-999") is None


def test_a_sync_applies_cqcs_changes_since_the_cursor(tmp_path, fake, api):
    """A location on the register re-rated by CQC, a new location and a changed provider
    arrive; the partner code and key go with every call; the cursor moves to the window's
    end; the rating change is recorded for councils to hear of."""
    import_json(tmp_path, [provider_record(), location_record(overall="Good")])
    state = sync_state()
    state.cursor = T0 - dt.timedelta(hours=1)
    state.save()
    fake.change(
        T0 - dt.timedelta(minutes=30),
        location=location_record(
            overall="Inadequate", report_date="2026-11-01", report_link_id="rl-26"
        ),
        provider=provider_record(name="Oak Care Group Ltd"),
    )
    fake.change(
        T0 - dt.timedelta(minutes=10),
        location=location_record("1-200000002", name="Birch House", overall="Good"),
    )
    fake.change(T0 - dt.timedelta(hours=2), location=location_record("1-300000003", name="Old"))

    state = register_sync(api=api(), now=T0)

    assert state.last_error == ""
    assert state.cursor == T0 and state.pending == 0
    loc = Location.objects.get(cqc_location_id="1-113737059")
    assert loc.overall_rating == "Inadequate"
    assert RatingChange.objects.filter(location=loc, current_overall="Inadequate").count() == 1
    assert Location.objects.filter(cqc_location_id="1-200000002").exists()
    assert not Location.objects.filter(cqc_location_id="1-300000003").exists()  # before cursor
    assert Provider.objects.get(cqc_provider_id="1-101641361").name == "Oak Care Group Ltd"
    run = state.last_run
    assert run.format == ImportFormat.CQC_API and run.status == ImportStatus.DONE
    assert run.council_id is None and run.rating_changes == 1
    assert all(q.get("partnerCode") == PARTNER for _, q, _ in fake.requests)
    changes = [q for p, q, _ in fake.requests if "/changes/" in p]
    assert {q["startTimestamp"] for q in changes} == {"2026-11-20T08:00:00Z"}
    assert {q["endTimestamp"] for q in changes} == {"2026-11-20T09:00:00Z"}


def test_the_next_sync_asks_only_since_the_cursor(fake, api):
    state = sync_state()
    state.cursor = T0
    state.save()
    register_sync(api=api(), now=T0 + dt.timedelta(hours=1))
    changes = [q for p, q, _ in fake.requests if "/changes/" in p]
    assert {q["startTimestamp"] for q in changes} == {"2026-11-20T09:00:00Z"}
    assert fake.fetched("location") == []
    assert sync_state().cursor == T0 + dt.timedelta(hours=1)
    assert not ImportRun.objects.exists()  # nothing changed: no run to report


def test_a_failed_sync_resumes_where_it_stopped(fake, api, monkeypatch):
    """CQC fails part way: what was fetched stays applied, the cursor does not move, and the
    next run fetches only the rest, then moves the cursor to the first window's end."""
    monkeypatch.setattr(sync, "CHUNK", 2)
    state = sync_state()
    state.cursor = T0 - dt.timedelta(hours=1)
    state.save()
    ids = [f"1-40000000{n}" for n in range(1, 6)]
    for n, ident in enumerate(ids):
        fake.change(
            T0 - dt.timedelta(minutes=50 - n), location=location_record(ident, name=f"Home {n}")
        )
    fake.fail_from = 5  # the 5th record fetch and after answer 503

    state = register_sync(api=api(tries=2), now=T0)

    assert "503" in state.last_error
    assert state.cursor == T0 - dt.timedelta(hours=1)
    assert state.position == 4 and state.pending == 1
    assert Location.objects.filter(cqc_location_id__in=ids).count() == 4
    first = state.last_run
    assert first.status == ImportStatus.FAILED and "resumes" in first.message
    before = fake.fetched("location")

    fake.fail_from = None
    fake.requests.clear()
    state = register_sync(api=api(), now=T0 + dt.timedelta(hours=1))

    assert state.last_error == "" and state.pending == 0
    assert state.cursor == T0  # the first window's end: its changes are all applied now
    assert not [p for p, _, _ in fake.requests if "/changes/" in p]  # resumed, not restarted
    assert fake.fetched("location") == [ids[4]]
    assert set(before) >= set(ids[:4])
    assert Location.objects.filter(cqc_location_id__in=ids).count() == 5
    assert state.last_run.status == ImportStatus.DONE and "(resumed)" in state.last_run.source_name


def test_the_sync_keeps_to_the_rate_limit(fake, api, clock):
    """600 calls a minute: one call each tenth of a second, however fast CQC answers."""
    for n in range(6):
        fake.change(T0 - dt.timedelta(minutes=5), location=location_record(f"1-50000000{n}"))
    state = sync_state()
    state.cursor = T0 - dt.timedelta(hours=1)
    state.save()
    register_sync(api=api(per_minute=600), now=T0)
    calls = len(fake.requests)
    assert calls == 8  # two change lists, six locations
    assert clock.now == pytest.approx((calls - 1) * 0.1)


def test_the_sync_waits_when_cqc_says_so(fake, api, clock):
    """429 with Retry-After: the client waits that long and asks again."""
    fake.change(T0, location=location_record())
    fake.throttle = [7]
    assert api().get("locations/1-113737059")["locationId"] == "1-113737059"
    assert 7 in clock.sleeps


def test_a_location_cqc_no_longer_has_is_a_problem(fake, api):
    state = sync_state()
    state.cursor = T0 - dt.timedelta(hours=1)
    state.save()
    fake.changes.append((T0 - dt.timedelta(minutes=1), "location", "1-600000001"))
    state = register_sync(api=api(), now=T0)
    assert state.cursor == T0
    problem = ImportProblem.objects.get(run=state.last_run)
    assert "no longer has location 1-600000001" in problem.reason


def test_a_wrong_key_stops_the_sync_with_the_reason(fake, api):
    state = register_sync(api=api(key="wrong"), now=T0)
    assert "401" in state.last_error and state.cursor is None


def test_a_second_sync_while_one_runs_does_nothing(fake, api):
    """One sync at a time across workers: another connection holds the lock."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        cache.add(LOCK, "1")
        register_sync(api=api(), now=T0)
        assert fake.requests == []
        return
    held, done = threading.Event(), threading.Event()

    def other_worker():
        from django.db import connection as theirs

        with sync._only_one() as mine:
            assert mine
            held.set()
            done.wait(10)
        theirs.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    held.wait(10)
    try:
        register_sync(api=api(), now=T0)
        assert fake.requests == []
    finally:
        done.set()
        worker.join()


def test_the_scheduled_task_waits_until_configured(settings, fake):
    settings.CQC_SYNC_ENABLED = False
    assert register_sync_task() == "not configured"
    settings.CQC_SYNC_ENABLED = True
    settings.CQC_API_URL, settings.CQC_API_KEY = fake.url, KEY
    settings.CQC_API_PER_MINUTE = 60000
    assert register_sync_task() == "done"
    assert sync_state().cursor is not None


def test_the_sync_runs_as_a_worker_does_with_scopes_on(fake, api):
    """Workers run with django-scopes on and no council: the sync (a national task) must not
    trip over the council-scoped import report (it once failed at the end of every run)."""
    from django_scopes import scope

    state = sync_state()
    state.cursor = T0 - dt.timedelta(hours=1)
    state.save()
    fake.change(T0 - dt.timedelta(minutes=5), location=location_record(overall="Inadequate"))
    with scope():
        state = register_sync(api=api(), now=T0)
    assert state.last_error == "" and state.cursor == T0
    assert state.last_run.status == ImportStatus.DONE


def test_one_record_the_register_cannot_take_does_not_stop_the_rest(fake, api, monkeypatch):
    """A chunk that fails is applied record by record: the bad one is a problem row, the
    others land, and the cursor moves on (else every later sync would stop at the same place)."""
    from providers.importing.loader import RegisterLoader

    real = RegisterLoader.apply_locations

    def fussy(self, records, progress=None):
        if any(r.fields.get("name") == "Broken" for r in records):
            raise ValueError("the register refused it")
        return real(self, records, progress)

    monkeypatch.setattr(RegisterLoader, "apply_locations", fussy)
    state = sync_state()
    state.cursor = T0 - dt.timedelta(hours=1)
    state.save()
    fake.change(T0 - dt.timedelta(minutes=9), location=location_record("1-700000001", name="Good"))
    fake.change(
        T0 - dt.timedelta(minutes=8), location=location_record("1-700000002", name="Broken")
    )
    state = register_sync(api=api(), now=T0)
    assert state.cursor == T0 and state.last_error == ""
    assert Location.objects.filter(cqc_location_id="1-700000001").exists()
    assert not Location.objects.filter(cqc_location_id="1-700000002").exists()
    problem = ImportProblem.objects.get(run=state.last_run)
    assert problem.identifier == "1-700000002" and "refused" in problem.reason
