"""Sharing between councils through the API (issue 9, 6): a shared restriction (West
Berkshire's pack: 004 19.3 "shared with the CQC, CQB, health and other statutory bodies";
Bedford's: 001 Appendix 3 "written notification to ... other placing Authorities") is shown to
another council in its status, bulk lookup and feed, and received as intelligence; it is gone
when lifted. An unshared one (Somerset's confidential memo; Bromley's pack shares nothing)
never appears for another council on any endpoint, export or feed."""

import pytest

from decisions.models import Recommendation
from monitoring.models import Intelligence
from restrictions.models import Share
from restrictions.services import restriction_change
from tests.factories import LocationFactory
from tests.restrictions.conftest import (
    everything,
    evidence_for,
    lift,
    put_in_place,
    two_services,
    walk,
)

pytestmark = pytest.mark.django_db

STATUS = "/api/v1/placements/"
LOOKUP = "/api/v1/placements/lookup/"
CHANGES = "/api/v1/placements/changes/"


def _status(client, location):
    return client.get(f"{STATUS}{location.pk}/").json()


def _lookup(client, *locations):
    body = client.post(LOOKUP, {"ids": [loc.pk for loc in locations]}, format="json").json()
    return {row["location"]["id"]: row for row in body["results"]}


def _feed(client):
    return client.get(f"{CHANGES}?limit=500").json()["results"]


def test_west_berkshires_embargo_is_shown_to_bedford_and_gone_when_lifted(wb, bedford, api_as):
    location = LocationFactory()
    r = put_in_place(wb, location=location)
    client = api_as(bedford.placement)
    body = _status(client, location)
    assert (body["level"], body["label"]) == ("none", "No sanctions on placements")
    assert body["other_councils"] == [
        {
            "council": "West Berkshire",
            "level": "suspended",
            "label": "Embargo",
            "colour": "red",
            "placing": wb.pack.level("suspended").placing,
            "since": r.level_since.isoformat(),
            "reference": r.reference,
            "whole_provider": False,
            "exceptions": wb.pack.level("suspended").exceptions,
        }
    ]
    # Another council never sees the contact or the review date behind it.
    assert "contact" not in body["other_councils"][0]
    assert "review_on" not in body["other_councils"][0]
    assert _lookup(client, location)[location.pk]["other_councils"][0]["label"] == "Embargo"
    feed = _feed(client)
    assert [(e["location"]["id"], e["council"], e["label"]) for e in feed] == [
        (location.pk, "west-berkshire", "Embargo")
    ]

    lift(wb, r)
    assert _status(client, location)["other_councils"] == []
    assert _lookup(client, location)[location.pk]["other_councils"] == []
    latest = _feed(client)[-1]
    assert (latest["location"]["id"], latest["council"], latest["level"]) == (
        location.pk,
        "west-berkshire",
        "none",
    )
    assert Share.objects.filter(restriction=r, ended_at__isnull=True).count() == 0


def test_bedfords_sanctions_are_shown_to_west_berkshire_in_bedfords_words(wb, bedford, api_as):
    """001 Appendix 3: "Suspension of new placements"."""
    location = LocationFactory()
    put_in_place(bedford, location=location)
    others = _status(api_as(wb.officer), location)["other_councils"]
    assert [(o["council"], o["label"]) for o in others] == [
        ("Bedford Borough", "Suspension of new placements")
    ]


def test_a_shared_provider_wide_embargo_covers_both_services_for_the_other_council(
    wb, bedford, api_as
):
    provider, first, second = two_services()
    put_in_place(wb, location=first, whole_provider=True)
    client = api_as(bedford.placement)
    rows = _lookup(client, first, second)
    for location in (first, second):
        (shared,) = rows[location.pk]["other_councils"]
        assert (shared["label"], shared["whole_provider"]) == ("Embargo", True)
    assert {e["location"]["id"] for e in _feed(client)} == {first.pk, second.pk}


def test_a_change_of_level_reaches_the_other_council(wb, bedford, api_as):
    location = LocationFactory()
    r = put_in_place(wb, location=location)
    restriction_change(
        restriction=r,
        actor=wb.officer,
        level="caution",
        reasons="Improving",
        evidence=evidence_for(wb.pack, "change"),
    )
    walk(wb, Recommendation.objects.get(kind="restriction_change"))
    client = api_as(bedford.placement)
    assert [o["label"] for o in _status(client, location)["other_councils"]] == [
        "Place with Caution"
    ]
    assert _feed(client)[-1]["label"] == "Place with Caution"


@pytest.mark.parametrize("owner_code", ["somerset", "bromley"])
def test_an_unshared_restriction_never_reaches_another_council(
    owner_code, team, wb, api_as, api_token
):
    """003 memo: "a confidential memo shared only between Local Authority and Health staff";
    Bromley's pack has no sharing. Nothing of theirs crosses: status, lookup, feed,
    restrictions, lists, CSV, checks."""
    owner = team(owner_code)
    provider, first, second = two_services()
    theirs = everything(owner)
    put_in_place(owner, location=first, whole_provider=True)
    assert not Share.objects.exists()
    restricted = [first, second, theirs.active.location, theirs.appealed.location]
    for client in (
        api_as(wb.placement),
        api_as(wb.officer),
        api_as(wb.auditor),
        api_token(wb.council, ("placements:read", "restrictions:read")),
    ):
        for location in restricted:
            body = _status(client, location)
            assert (body["level"], body["other_councils"]) == ("none", []), location
        assert all(row["other_councils"] == [] for row in _lookup(client, *restricted).values())
        assert _feed(client) == []
    officer = api_as(wb.officer)
    assert officer.get("/api/v1/restrictions/").json()["results"] == []
    assert officer.get("/api/v1/restrictions/?status=all").json()["results"] == []
    assert officer.get(f"/api/v1/restrictions/{theirs.active.pk}/").status_code == 404
    # West Berkshire's own list never carries them, in JSON or CSV.
    issue = officer.post(
        "/api/v1/restriction-lists/", {"list": "providers_with_restrictions"}, format="json"
    ).json()
    assert [
        e for s in issue["content"]["sections"] for g in s["groups"] for e in g["entries"]
    ] == []
    csv_text = officer.get(f"/api/v1/restriction-lists/{issue['id']}/csv/").content.decode()
    for location in restricted:
        assert location.name not in csv_text
    if theirs.issue is not None:
        assert officer.get(f"/api/v1/restriction-lists/{theirs.issue.pk}/csv/").status_code == 404
    assert api_as(wb.manager).get(f"/api/v1/placement-checks/{theirs.check.pk}/").status_code == 404
    # Their own people still see it.
    own = _status(api_as(owner.placement), first)
    assert (own["level"], own["whole_provider"]) == ("suspended", True)


def test_a_shared_restriction_is_received_as_intelligence_on_services_in_scope(
    wb, bedford, api_as, django_capture_on_commit_callbacks
):
    """004 16.2: another council's embargo reaches this one; as intelligence from "another
    council" on the service it has in its area."""
    location = LocationFactory(name="Ouse View", local_authority="Bedford")
    with django_capture_on_commit_callbacks(execute=True):
        r = put_in_place(wb, location=location)
    item = Intelligence.objects.get(council=bedford.council)
    assert item.location_id == location.pk
    assert "West Berkshire" in item.narrative and r.reference in item.narrative
    listed = api_as(bedford.officer).get("/api/v1/intelligence/").json()["results"]
    assert [i["id"] for i in listed] == [item.pk]
    assert not Intelligence.objects.filter(council=wb.council).exists()


def test_an_unshared_restriction_is_never_received_as_intelligence(
    somerset, bedford, django_capture_on_commit_callbacks
):
    location = LocationFactory(name="Ouse View", local_authority="Bedford")
    with django_capture_on_commit_callbacks(execute=True):
        put_in_place(somerset, location=location)
    assert not Intelligence.objects.filter(council=bedford.council).exists()
