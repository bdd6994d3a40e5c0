"""The monitoring API: 401, 403 by role and token scope, 404, and lists at any size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import Role
from monitoring.models import Commissioning, Intelligence, IntelligenceCorrection, Outcome
from monitoring.services import intelligence_correct
from tests.factories import LocationFactory
from tests.monitoring.api.helpers import (
    COMMISSIONING,
    INTELLIGENCE,
    commission,
    commissioning_payload,
    item_payload,
    log,
)

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role.values)
# Every role that works for the council: a partner's seat on a board sees its board only.
STAFF = set(ALL_ROLES) - {Role.EXTERNAL}
QUALITY = {Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER, Role.COUNCIL_ADMIN}


# --- who may ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", COMMISSIONING),
        ("post", COMMISSIONING),
        ("get", f"{COMMISSIONING}1/"),
        ("patch", f"{COMMISSIONING}1/"),
        ("get", INTELLIGENCE),
        ("post", INTELLIGENCE),
        ("get", f"{INTELLIGENCE}1/"),
        ("post", f"{INTELLIGENCE}1/correct/"),
        ("post", f"{INTELLIGENCE}1/outcome/"),
    ],
)
def test_401_without_credentials(method, url, api):
    response = getattr(api, method)(url, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(
    ("url", "allowed"), [(COMMISSIONING, STAFF), (INTELLIGENCE, QUALITY | {Role.AUDITOR})]
)
def test_reading_per_role(url, allowed, role, council_a, member, api_as):
    record = commission(council_a, beds=3)
    item = log(council_a)
    client = api_as(member(council_a, role))
    one = f"{url}{record.pk if url == COMMISSIONING else item.pk}/"
    expected = 200 if role in allowed else 403
    assert client.get(url).status_code == expected
    assert client.get(one).status_code == expected


@pytest.mark.parametrize("role", ALL_ROLES)
def test_writing_commissioning_per_role(role, council_a, member, api_as):
    """monitoring.change_commissioning: the quality roles."""
    location = LocationFactory()
    client = api_as(member(council_a, role))
    created = client.post(COMMISSIONING, commissioning_payload(location), format="json")
    existing = commission(council_a, beds=1)
    patched = client.patch(f"{COMMISSIONING}{existing.pk}/", {"beds": 2}, format="json")
    if role in QUALITY:
        assert created.status_code == 201, created.content
        assert patched.status_code == 200, patched.content
        assert Commissioning.objects.count() == 2
    else:
        assert (created.status_code, patched.status_code) == (403, 403)
        assert Commissioning.objects.count() == 1
        existing.refresh_from_db()
        assert existing.beds == 1


@pytest.mark.parametrize("role", ALL_ROLES)
def test_writing_intelligence_per_role(role, council_a, member, api_as):
    """monitoring.record_intelligence (log, correct, record the outcome): the quality roles;
    the auditor reads only."""
    item = log(council_a)
    client = api_as(member(council_a, role))
    created = client.post(INTELLIGENCE, item_payload(LocationFactory()), format="json")
    corrected = client.post(
        f"{INTELLIGENCE}{item.pk}/correct/", {"reason": "r", "severity": "high"}, format="json"
    )
    outcome = client.post(
        f"{INTELLIGENCE}{item.pk}/outcome/", {"outcome": "upheld", "reason": "r"}, format="json"
    )
    codes = (created.status_code, corrected.status_code, outcome.status_code)
    if role in QUALITY:
        assert codes == (201, 200, 200)
        assert Intelligence.objects.count() == 2
    else:
        assert codes == (403, 403, 403)
        item.refresh_from_db()
        assert (item.severity, item.outcome) == ("medium", Outcome.OPEN)
        assert Intelligence.objects.count() == 1


@pytest.mark.parametrize(
    ("scope", "read_commissioning", "write_commissioning", "read_items", "write_items"),
    [
        ("commissioning:read", 200, 403, 403, 403),
        ("commissioning:write", 200, 201, 403, 403),
        ("intelligence:read", 403, 403, 200, 403),
        ("intelligence:write", 403, 403, 200, 201),
        ("register:read", 403, 403, 403, 403),
    ],
)
def test_token_scopes(
    scope, read_commissioning, write_commissioning, read_items, write_items, council_a, api_token
):
    item = log(council_a)
    client = api_token(council_a, [scope])
    assert client.get(COMMISSIONING).status_code == read_commissioning
    response = client.post(COMMISSIONING, commissioning_payload(LocationFactory()), format="json")
    assert response.status_code == write_commissioning
    assert client.get(INTELLIGENCE).status_code == read_items
    response = client.post(INTELLIGENCE, item_payload(LocationFactory()), format="json")
    assert response.status_code == write_items
    correct = client.post(
        f"{INTELLIGENCE}{item.pk}/correct/", {"reason": "r", "severity": "high"}, format="json"
    )
    outcome = client.post(
        f"{INTELLIGENCE}{item.pk}/outcome/", {"outcome": "upheld", "reason": "r"}, format="json"
    )
    # Judging an item is for the council's people: no token scope may correct it or record its
    # outcome (a posting system could otherwise take its own alert off the risk matrix).
    assert (correct.status_code, outcome.status_code) == (403, 403)


def test_nothing_is_deleted_or_overwritten(council_a, officer_a, api_as):
    """Items are corrected, never edited in place or deleted; commissioning is not deleted."""
    item = log(council_a)
    record = commission(council_a)
    client = api_as(officer_a)
    assert client.delete(f"{INTELLIGENCE}{item.pk}/").status_code == 405
    assert client.patch(f"{INTELLIGENCE}{item.pk}/", {"severity": "low"}).status_code == 405
    assert client.put(f"{INTELLIGENCE}{item.pk}/", {"severity": "low"}).status_code == 405
    assert client.delete(f"{COMMISSIONING}{record.pk}/").status_code == 405
    assert Intelligence.objects.filter(pk=item.pk, severity="medium").exists()


# --- 404 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", f"{COMMISSIONING}999999/", None),
        ("patch", f"{COMMISSIONING}999999/", {"beds": 1}),
        ("get", f"{INTELLIGENCE}999999/", None),
        ("post", f"{INTELLIGENCE}999999/correct/", {"reason": "r", "severity": "high"}),
        ("post", f"{INTELLIGENCE}999999/outcome/", {"outcome": "upheld", "reason": "r"}),
    ],
)
def test_404_for_an_unknown_id(method, url, data, council_a, officer_a, api_as):
    response = getattr(api_as(officer_a), method)(url, data, format="json")
    assert response.status_code == 404


def test_another_councils_records_are_not_there(council_a, council_b, api_token, officer_a, api_as):
    """A token of council A: council B's items and commissioning are 404 and in no list, and
    it cannot correct or close them."""
    theirs = log(council_b)
    their_record = commission(council_b, beds=9)
    mine = log(council_a)
    client = api_token(council_a, ["intelligence:write", "commissioning:write"])
    assert [r["id"] for r in client.get(INTELLIGENCE).json()["results"]] == [mine.pk]
    assert client.get(COMMISSIONING).json()["results"] == []
    assert client.get(f"{INTELLIGENCE}{theirs.pk}/").status_code == 404
    person = api_as(officer_a)  # one who may correct and close items, but only A's
    assert (
        person.post(
            f"{INTELLIGENCE}{theirs.pk}/correct/",
            {"reason": "r", "severity": "high"},
            format="json",
        ).status_code
        == 404
    )
    assert (
        person.post(
            f"{INTELLIGENCE}{theirs.pk}/outcome/",
            {"outcome": "provider_not_liable", "reason": "r"},
            format="json",
        ).status_code
        == 404
    )
    assert client.get(f"{COMMISSIONING}{their_record.pk}/").status_code == 404
    assert (
        client.patch(f"{COMMISSIONING}{their_record.pk}/", {"beds": 1}, format="json").status_code
        == 404
    )
    theirs.refresh_from_db()
    their_record.refresh_from_db()
    assert (theirs.severity, theirs.outcome, their_record.beds) == ("medium", "open", 9)
    assert not IntelligenceCorrection.objects.exists()


# --- lists at any size --------------------------------------------------------------------


def _queries(client, url):
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [COMMISSIONING, INTELLIGENCE])
def test_lists_run_a_constant_number_of_queries(url, council_a, officer_a, api_as):
    client = api_as(officer_a)

    def make(n):
        for _ in range(n):
            commission(council_a, beds=3, contact_officer=officer_a)
            item = log(council_a, allocated_to=officer_a)
            intelligence_correct(item=item, actor=officer_a, reason="r", severity="high")

    make(2)
    few = _queries(client, url)
    make(20)
    assert _queries(client, url) == few
