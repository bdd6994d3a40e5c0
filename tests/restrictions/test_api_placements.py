"""The placement status API (issue 9, 8): one location's status by CQC location ID or id, a bulk
lookup of up to 1,000, and the changes feed by cursor; each in the council's own words (004
13.2), with the contact to call first (003 Managed Placements Memo: "Staff must first contact
the named manager"), the CQC ratings, and what other councils share; every check logged."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from providers.models import Location
from restrictions.models import FeedEntry, PlacementCheck
from restrictions.services import restriction_contact_update, restriction_review
from tests.factories import LocationFactory, ProviderFactory, RatingFactory
from tests.restrictions.conftest import CONTACT, lift, put_in_place, two_services

pytestmark = pytest.mark.django_db

STATUS = "/api/v1/placements/"
LOOKUP = "/api/v1/placements/lookup/"
CHANGES = "/api/v1/placements/changes/"


def _rated(**fields):
    location = LocationFactory(
        overall_rating="Inadequate", rating_date=dt.date(2025, 11, 2), **fields
    )
    RatingFactory(location=location, report_date=dt.date(2023, 1, 5), overall="Good")
    RatingFactory(
        location=location,
        report_date=dt.date(2025, 11, 2),
        overall="Inadequate",
        safe="Inadequate",
        effective="Requires improvement",
        caring="Good",
        responsive="Good",
        well_led="Inadequate",
    )
    return location


# --- one location ----------------------------------------------------------------------------


def test_the_status_carries_the_councils_words_since_review_contact_and_cqc_ratings(wb, api_as):
    """004 13.2: "Embargo ... Do not make any placements with this Provider"; the exceptions
    considered (004 13.2: increases to an existing care package); the contact to call first."""
    location = _rated(name="Kennet View Nursing Home")
    review_on = dt.date.today() + dt.timedelta(days=90)
    r = put_in_place(wb, location=location, review_on=review_on)
    response = api_as(wb.placement).get(f"{STATUS}{location.cqc_location_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["council"] == "west-berkshire"
    assert body["location"]["id"] == location.pk
    assert body["location"]["cqc_location_id"] == location.cqc_location_id
    assert body["location"]["provider"]["id"] == location.provider_id
    assert (body["level"], body["label"], body["colour"]) == ("suspended", "Embargo", "red")
    assert body["placing"].startswith("Do not make any placements with this Provider")
    assert body["since"] == r.level_since.isoformat()
    assert body["review_on"] == review_on.isoformat()
    assert body["reference"] == r.reference
    assert body["whole_provider"] is False
    assert "increase to an existing care package" in body["exceptions"]
    assert body["contact"] == {
        "name": CONTACT["name"],
        "telephone": CONTACT["phone"],
        "email": CONTACT["email"],
    }
    assert body["cqc"] == {
        "overall": "Inadequate",
        "report_date": "2025-11-02",
        "key_questions": {
            "safe": "Inadequate",
            "effective": "Requires improvement",
            "caring": "Good",
            "responsive": "Good",
            "well_led": "Inadequate",
        },
    }
    assert body["other_councils"] == []


def test_the_status_reads_the_same_by_internal_id(wb, api_as):
    location = _rated()
    put_in_place(wb, location=location)
    client = api_as(wb.officer)
    by_cqc = client.get(f"{STATUS}{location.cqc_location_id}/").json()
    by_id = client.get(f"{STATUS}{location.pk}/").json()
    assert by_cqc == by_id


def test_no_restriction_reads_in_the_councils_words(wb, somerset, api_as):
    """004 13.2: "No Restrictions on Placements"; Somerset's memo: "GREEN: SCC placing"."""
    location = LocationFactory()
    wb_body = api_as(wb.placement).get(f"{STATUS}{location.pk}/").json()
    assert (wb_body["level"], wb_body["label"]) == ("none", "No Restrictions on Placements")
    assert wb_body["colour"] == "green"
    assert wb_body["contact"] is None and wb_body["since"] is None
    assert wb_body["cqc"]["key_questions"] == dict.fromkeys(
        ["safe", "effective", "caring", "responsive", "well_led"]
    )
    sm_body = api_as(somerset.placement).get(f"{STATUS}{location.pk}/").json()
    assert sm_body["label"] == "GREEN: SCC placing"


def test_each_council_reads_its_own_word_for_the_same_level(wb, somerset, api_as):
    """003 memo: "RED: not currently placing"; 004 13.2: "Embargo"."""
    location = LocationFactory()
    put_in_place(wb, location=location)
    put_in_place(somerset, location=location)
    assert api_as(wb.placement).get(f"{STATUS}{location.pk}/").json()["label"] == "Embargo"
    body = api_as(somerset.placement).get(f"{STATUS}{location.pk}/").json()
    assert (body["level"], body["label"]) == ("suspended", "RED: not currently placing")
    # West Berkshire shares its Embargo (004 19.3), in its own words; Somerset shares nothing.
    assert [(o["council"], o["label"]) for o in body["other_councils"]] == [
        ("West Berkshire", "Embargo")
    ]
    wb_body = api_as(wb.placement).get(f"{STATUS}{location.pk}/").json()
    assert wb_body["other_councils"] == []


@pytest.mark.parametrize("ident", ["1-999999999", "999999", "not-an-id", "1-12"])
def test_an_unknown_location_is_404(ident, wb, api_as):
    response = api_as(wb.placement).get(f"{STATUS}{ident}/")
    assert response.status_code == 404
    assert not PlacementCheck.objects.exists()


def test_every_status_check_is_logged_with_what_was_shown(wb, bedford, api_as):
    location = LocationFactory()
    put_in_place(wb, location=location)
    api_as(bedford.placement).get(f"{STATUS}{location.cqc_location_id}/")
    check = PlacementCheck.objects.get()
    assert (check.council, check.user, check.via) == (bedford.council, bedford.placement, "api")
    assert (check.query, check.found) == (location.cqc_location_id, 1)
    assert check.shown == [[location.pk, "none", [[wb.council.pk, "suspended"]]]]


# --- a provider-wide Embargo (004 18.4) ------------------------------------------------------


def test_a_provider_wide_embargo_shows_both_services_embargoed(wb, api_as):
    """004 18.4: "If the Provider operates more than one service, the Head of Commissioning
    will consider whether the restriction or termination should apply to those other
    services also"."""
    provider, first, second = two_services()
    r = put_in_place(wb, location=first, whole_provider=True)
    assert r.location_id is None
    client = api_as(wb.placement)
    for location in (first, second):
        body = client.get(f"{STATUS}{location.cqc_location_id}/").json()
        assert (body["level"], body["label"], body["whole_provider"]) == (
            "suspended",
            "Embargo",
            True,
        )
        assert body["reference"] == r.reference
    lookup = client.post(
        LOOKUP, {"ids": [first.cqc_location_id, str(second.pk)]}, format="json"
    ).json()
    assert [(row["location"]["id"], row["label"]) for row in lookup["results"]] == [
        (first.pk, "Embargo"),
        (second.pk, "Embargo"),
    ]
    assert lookup["not_found"] == []


def test_a_provider_wide_restriction_asked_for_the_provider_covers_every_service(wb, api_as):
    provider, first, second = two_services()
    put_in_place(wb, provider=provider, level="caution")
    third = LocationFactory(provider=provider)  # registered later: covered too
    body = (
        api_as(wb.placement)
        .post(LOOKUP, {"ids": [first.pk, second.pk, third.pk]}, format="json")
        .json()
    )
    assert {row["label"] for row in body["results"]} == {"Place with Caution"}


def test_a_location_restriction_stands_over_a_milder_provider_wide_one(wb, api_as):
    provider, first, second = two_services()
    put_in_place(wb, provider=provider, level="caution")
    put_in_place(wb, location=first, level="suspended")
    client = api_as(wb.placement)
    assert client.get(f"{STATUS}{first.pk}/").json()["label"] == "Embargo"
    assert client.get(f"{STATUS}{second.pk}/").json()["label"] == "Place with Caution"


# --- bulk lookup -----------------------------------------------------------------------------


def test_bulk_lookup_answers_up_to_1000_ids_listing_those_not_found(wb, api_as):
    provider, first, second = two_services()
    put_in_place(wb, provider=provider)
    unknown = [f"1-7{n:08d}" for n in range(997)] + ["999999999"]
    ids = [first.cqc_location_id, str(second.pk), *unknown]
    assert len(ids) == 1000
    response = api_as(wb.placement).post(LOOKUP, {"ids": ids}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["location"]["id"] for row in body["results"]] == [first.pk, second.pk]
    assert {row["level"] for row in body["results"]} == {"suspended"}
    assert body["not_found"] == unknown
    check = PlacementCheck.objects.get()
    assert (check.via, check.query, check.found) == ("bulk", "1000 ids", 2)
    assert sorted(s[0] for s in check.shown) == sorted([first.pk, second.pk])


def test_bulk_lookup_accepts_integers_and_repeats_once(wb, api_as):
    location = LocationFactory()
    body = (
        api_as(wb.placement)
        .post(LOOKUP, {"ids": [location.pk, str(location.pk), location.pk]}, format="json")
        .json()
    )
    assert [row["location"]["id"] for row in body["results"]] == [location.pk]


@pytest.mark.parametrize(
    "payload",
    [
        {"ids": [f"1-7{n:08d}" for n in range(1001)]},
        {"ids": []},
        {"ids": "1-101641361"},
        {"ids": [{"id": 1}]},
        {"ids": ["1-" + "1" * 30]},
        {},
        [],
    ],
    ids=["1001", "empty", "not-a-list", "not-ids", "too-long", "missing", "not-an-object"],
)
def test_bulk_lookup_of_more_than_1000_or_no_ids_is_400_naming_ids(payload, wb, api_as):
    response = api_as(wb.placement).post(LOOKUP, payload, format="json")
    assert response.status_code == 400
    assert "ids" in response.json()["errors"]
    assert not PlacementCheck.objects.exists()


def test_bulk_lookup_runs_the_same_queries_for_2_or_40_locations(wb, bedford, api_as):
    provider = ProviderFactory()
    locations = [LocationFactory(provider=provider) for _ in range(40)]
    for loc in locations[:10]:
        RatingFactory(location=loc)
    put_in_place(wb, provider=provider)
    put_in_place(bedford, location=locations[1])
    client = api_as(bedford.placement)
    counts = []
    for few in (locations[:2], locations):
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                LOOKUP, {"ids": [loc.cqc_location_id for loc in few]}, format="json"
            )
        assert response.status_code == 200
        assert len(response.json()["results"]) == len(few)
        counts.append(len(ctx))
    assert counts[0] == counts[1]


# --- the changes feed ------------------------------------------------------------------------


def test_the_feed_is_paged_by_cursor_oldest_first(wb, api_as):
    provider = ProviderFactory()
    locations = [LocationFactory(provider=provider) for _ in range(5)]
    put_in_place(wb, provider=provider)
    client = api_as(wb.placement)
    seen, since, pages = [], 0, 0
    while True:
        body = client.get(f"{CHANGES}?since={since}&limit=2").json()
        pages += 1
        seen += [(row["cursor"], row["location"]["id"], row["label"]) for row in body["results"]]
        assert len(body["results"]) <= 2
        if not body["more"]:
            break
        assert body["next"] == body["results"][-1]["cursor"]
        since = body["next"]
    assert pages == 3
    assert [c for c, _, _ in seen] == sorted(c for c, _, _ in seen)
    assert sorted(lid for _, lid, _ in seen) == sorted(loc.pk for loc in locations)
    assert {label for _, _, label in seen} == {"Embargo"}
    # Read to the end: `next` is the last cursor, and nothing follows it.
    last = body["next"]
    assert last == seen[-1][0]
    assert client.get(f"{CHANGES}?since={last}").json() == {
        "results": [],
        "next": last,
        "more": False,
    }


def test_the_feed_carries_a_lifting_after_the_restriction(wb, api_as):
    location = LocationFactory()
    r = put_in_place(wb, location=location)
    client = api_as(wb.placement)
    first = client.get(CHANGES).json()
    assert [(e["level"], e["label"]) for e in first["results"]] == [("suspended", "Embargo")]
    lift(wb, r)
    after = client.get(f"{CHANGES}?since={first['next']}").json()
    assert [(e["location"]["id"], e["level"], e["label"]) for e in after["results"]] == [
        (location.pk, "none", "No Restrictions on Placements")
    ]
    assert after["results"][0]["council"] == "west-berkshire"


@pytest.mark.parametrize("since", ["abc", "-1", "1.5", "9" * 19])
def test_a_bad_cursor_is_400_naming_since(since, wb, api_as):
    response = api_as(wb.placement).get(f"{CHANGES}?since={since}")
    assert response.status_code == 400
    assert "since" in response.json()["errors"]


def test_the_feed_runs_the_same_queries_for_3_or_30_entries(wb, api_as):
    client = api_as(wb.placement)
    counts = []
    for size in (3, 30):
        start = FeedEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        provider = ProviderFactory()
        for _ in range(size):
            LocationFactory(provider=provider)
        put_in_place(wb, provider=provider)
        assert FeedEntry.objects.filter(council=wb.council, id__gt=start).count() == size
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"{CHANGES}?since={start}").json()
        assert len(body["results"]) == size
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_the_feed_is_each_councils_own(wb, bromley, api_as):
    """Bromley's pack shares nothing: its restrictions are in its feed only; West Berkshire's
    shared Embargo is in both."""
    mine = LocationFactory()
    theirs = LocationFactory()
    put_in_place(bromley, location=mine)
    put_in_place(wb, location=theirs)
    bromley_feed = api_as(bromley.placement).get(CHANGES).json()["results"]
    wb_feed = api_as(wb.placement).get(CHANGES).json()["results"]
    assert {(e["location"]["id"], e["council"]) for e in bromley_feed} == {
        (mine.pk, "bromley"),
        (theirs.pk, "west-berkshire"),
    }
    assert {(e["location"]["id"], e["council"]) for e in wb_feed} == {(theirs.pk, "west-berkshire")}
    assert Location.objects.count() == 2


def test_the_status_answers_the_change_at_once_after_a_read(wb, bedford, api_as):
    """A system that read a status before a change reads the change next: the contact, the
    review date, a change of level, a lifting; and so does a council it is shared with."""
    location = LocationFactory()
    r = put_in_place(wb, location=location)
    client, other = api_as(wb.placement), api_as(bedford.placement)
    url = f"{STATUS}{location.cqc_location_id}/"
    assert client.get(url).json()["contact"]["name"] == CONTACT["name"]
    assert other.get(url).json()["other_councils"][0]["label"] == "Embargo"

    restriction_contact_update(
        restriction=r, actor=wb.officer, contact={"name": "Jo Bloggs"}, exceptions="None"
    )
    body = client.get(url).json()
    assert (body["contact"]["name"], body["exceptions"]) == ("Jo Bloggs", "None")
    assert other.get(url).json()["other_councils"][0]["exceptions"] == "None"
    next_review = dt.date.today() + dt.timedelta(days=45)
    restriction_review(restriction=r, actor=wb.officer, note="On track", next_review_on=next_review)
    assert client.get(url).json()["review_on"] == next_review.isoformat()
    lift(wb, r)
    assert client.get(url).json()["level"] == "none"
    assert other.get(url).json()["other_councils"] == []
    assert PlacementCheck.objects.filter(via="api").count() == 7
