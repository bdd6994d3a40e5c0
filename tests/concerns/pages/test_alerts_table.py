"""Alerts as a table grouped by location, with filters kept in the address and bulk actions,
and a page per alert to act on it (issue 13, item 2). One rating change raises one alert per
rule, and they are shown together."""

import pytest

from concerns.models import Alert
from concerns.services import alerts_handle
from concerns.triggers import check_rating
from core.errors import Conflict, NotAllowed, ValidationFailed
from councils.models import Role
from tests.concerns.pages.helpers import html
from tests.factories import LocationFactory, RatingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(load_pack, member):
    council = load_pack("bromley")
    homes = [
        LocationFactory(name=name, local_authority="Bromley") for name in ("Ash House", "Elm Court")
    ]
    for home in homes:
        check_rating(council=council, rating=RatingFactory(location=home, overall="Inadequate"))
    return council, homes, member(council, Role.OFFICER)


def test_the_table_groups_by_location_and_keeps_its_filters(raised, signed_in):
    council, homes, officer = raised
    client = signed_in(officer)
    page = html(client.get("/alerts/"))
    table = page[page.index('data-testid="alerts"') :]
    assert table.index("Ash House") < table.index("Elm Court")
    assert table.count('scope="rowgroup"') == 2
    only = html(client.get("/alerts/?q=Elm&status=new"))
    assert "Elm Court" in only and "Ash House" not in only.split('data-testid="alerts"')[1]
    assert 'href="?q=Elm&amp;status=new&amp;format=csv"' in only


def test_bulk_acted_on_with_one_note(raised, signed_in):
    council, homes, officer = raised
    ids = list(Alert.objects.filter(council=council).values_list("pk", flat=True))
    client = signed_in(officer)
    missing = client.post("/alerts/handle/", {"ids": ids, "note": "", "dismiss": "0"})
    assert missing.status_code == 400 and "Add a note" in missing.content.decode()
    answer = client.post(
        "/alerts/handle/", {"ids": ids, "note": "Visits booked", "dismiss": "0", "back": "q=Ash"}
    )
    assert answer.status_code == 302 and answer["Location"].endswith("/alerts/?q=Ash")
    assert set(Alert.objects.values_list("status", flat=True)) == {"acted"}
    assert set(Alert.objects.values_list("handled_note", flat=True)) == {"Visits booked"}


def test_bulk_is_all_or_nothing_and_for_the_councils_staff(raised, member, load_pack):
    council, homes, officer = raised
    ids = list(Alert.objects.filter(council=council).values_list("pk", flat=True))
    alerts_handle(council=council, actor=officer, ids=ids[:1], dismiss=True, note="Duplicate")
    with pytest.raises(Conflict):
        alerts_handle(council=council, actor=officer, ids=ids, dismiss=False, note="Again")
    assert Alert.objects.filter(status="new").count() == len(ids) - 1
    with pytest.raises(ValidationFailed):
        alerts_handle(council=council, actor=officer, ids=[], dismiss=False, note="x")
    with pytest.raises(NotAllowed):
        alerts_handle(
            council=council, actor=member(council, Role.AUDITOR), ids=ids[1:], dismiss=False,
            note="x",
        )  # fmt: skip
    other = load_pack("west-berkshire")
    with pytest.raises((ValidationFailed, NotAllowed)):
        alerts_handle(
            council=other, actor=member(other, Role.OFFICER), ids=ids[1:], dismiss=False,
            note="x",
        )  # fmt: skip


def test_one_page_per_alert_shows_those_raised_with_it(raised, signed_in):
    council, homes, officer = raised
    alert = Alert.objects.filter(council=council, location=homes[0]).first()
    Alert.objects.create(
        council=council,
        trigger="another_trigger",
        rule="another",
        cause=alert.cause,
        label="Another rule",
        detail="Raised by the same rating",
        provider=alert.provider,
        location=alert.location,
    )
    client = signed_in(officer)
    page = html(client.get(f"/alerts/{alert.pk}/"))
    assert "Raised by the same cause" in page and "Another rule" in page
    refused = client.post(f"/alerts/{alert.pk}/handle/", {"note": "", "dismiss": "1"})
    assert refused.status_code == 400 and f'href="#note-{alert.pk}"' in refused.content.decode()
    assert signed_in(officer).get("/alerts/999999/").status_code == 404
