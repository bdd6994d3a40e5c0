"""Sharing between councils (004 7.4-7.8, 19.3; 001 Appendix 3): what a council's pack shares is
shown to the others in the owner's words, reaches them as intelligence where they commission
the service, may suggest a restriction of their own (004 16.2, 16.3), and is withdrawn when
lifted; what is not shared (003: the confidential memo) never crosses. And the changes feed:
one entry per covered location for the owner and each council that sees it."""

import pytest

from decisions.models import Recommendation
from monitoring.models import Intelligence, Source
from restrictions.models import FeedEntry, Restriction, Share, Status
from restrictions.selectors.status import statuses
from restrictions.services import restriction_change
from tests.factories import LocationFactory
from tests.monitoring.helpers import commission
from tests.restrictions.rules.helpers import (
    WB_EVIDENCE,
    WHOLE_PROVIDER,
    act,
    bedford_impose,
    bedford_people,
    ev,
    somerset_impose,
    somerset_people,
    two_services,
    wb_chain,
    wb_impose,
    wb_people,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def councils(load_pack, member):
    """West Berkshire and Bedford share (004 19.3; 001 App. 3); Somerset does not (003)."""
    return (
        wb_people(load_pack, member),
        bedford_people(load_pack, member),
        somerset_people(load_pack, member),
    )


def others(council, *locations) -> dict:
    found = statuses(council=council, locations=[(loc.pk, loc.provider_id) for loc in locations])
    return {lid: [(o.council_id, o.level, o.label) for o in s.others] for lid, s in found.items()}


def feed_of(council, location=None) -> list[tuple]:
    qs = FeedEntry.objects.filter(council=council).order_by("id")
    if location is not None:
        qs = qs.filter(location=location)
    return list(qs.values_list("location_id", "by_council_id", "level", "label"))


def bedford_lift(bed, r):
    restriction_change(
        restriction=r,
        actor=bed.officer,
        level="none",
        reasons="The service no longer presents concerns",
        evidence=[ev("meeting_notes", "Review meeting concludes")],
    )
    rec = Recommendation.objects.get(kind="restriction_change", subject_id=str(r.pk))
    act(rec, bed.dass, "approved", "Sanctions lifted")
    r.refresh_from_db()
    return r


def test_001_app_3_bedfords_suspension_is_shown_to_other_councils_in_its_words(
    councils, django_capture_on_commit_callbacks
):
    """001 Appendix 3: "Contracts Compliance staff will arrange relevant written notification to
    the Service Provider, other placing Authorities and CQC." Other councils see it (Share
    rows; `others` in Bedford's words); lifting it withdraws what they see."""
    wb, bed, som = councils
    location = LocationFactory(local_authority="Bedford", postcode="MK40 1AA")
    with django_capture_on_commit_callbacks(execute=True):
        r = bedford_impose(bed, location)
    assert r.shared
    assert set(
        Share.objects.filter(restriction=r, ended_at__isnull=True).values_list(
            "council_id", flat=True
        )
    ) == {wb.council.pk, som.council.pk}
    seen = (bed.council.pk, "suspended", "Suspension of new placements")
    assert others(wb.council, location) == {location.pk: [seen]}
    assert others(som.council, location) == {location.pk: [seen]}
    # West Berkshire's own status is untouched: it has no restriction of its own.
    assert not statuses(council=wb.council, locations=[(location.pk, location.provider_id)])[
        location.pk
    ].restricted
    assert others(bed.council, location) == {location.pk: []}  # its own is not "another's"

    with django_capture_on_commit_callbacks(execute=True):
        bedford_lift(bed, r)
    assert r.status == Status.LIFTED and not r.shared
    assert not Share.objects.filter(restriction=r, ended_at__isnull=True).exists()
    assert Share.objects.filter(restriction=r).count() == 2  # ended, never deleted
    assert others(wb.council, location) == {location.pk: []}
    assert others(som.council, location) == {location.pk: []}


def test_004_16_2_another_councils_embargo_reaches_the_commissioning_council_as_intelligence(
    councils, django_capture_on_commit_callbacks
):
    """004 16.2: "The Provider is not within West Berkshire but West Berkshire Council commission
    from them, and the Local Authority in which they are based has put an embargo/red rating on
    them": West Berkshire, which commissions the service, receives it as intelligence from
    "another council", and its pack suggests an Embargo of its own (for its officers to take
    up or dismiss). Somerset, which does not commission it, gets no intelligence."""
    wb, bed, som = councils
    location = LocationFactory(local_authority="Bedford", postcode="MK40 1AA")
    commission(wb.council, location)
    with django_capture_on_commit_callbacks(execute=True):
        r = bedford_impose(bed, location)
    item = Intelligence.objects.get(council=wb.council, location=location)
    assert item.source == Source.OTHER_COUNCIL == "another_council"
    assert "Suspension of new placements" in item.narrative and r.reference in item.narrative
    assert not Intelligence.objects.filter(council=som.council).exists()
    own = Restriction.objects.get(council=wb.council, location=location)
    assert (own.status, own.level) == (Status.SUGGESTED, "suspended")
    assert "004 16.2" in own.origin and "Bedford" in own.origin
    assert own.recommendation_id is None  # a suggestion: nothing decided for West Berkshire


def test_004_16_3_a_caution_elsewhere_suggests_place_with_caution_only_from_the_host(
    councils, django_capture_on_commit_callbacks
):
    """004 16.3: "... the Local Authority in which they are based has put a place with
    caution/ amber rating on them": suggested from the host authority only; a service outside
    Bedford restricted by Bedford is intelligence, not a suggestion."""
    wb, bed, _ = councils
    hosted = LocationFactory(local_authority="Bedford", postcode="MK40 1AA")
    elsewhere = LocationFactory(local_authority="Central Bedfordshire", postcode="SG17 5AA")
    commission(wb.council, hosted)
    commission(wb.council, elsewhere)
    with django_capture_on_commit_callbacks(execute=True):
        bedford_impose(bed, hosted, level="caution")
        bedford_impose(bed, elsewhere, level="suspended")
    assert Restriction.objects.get(council=wb.council, location=hosted).level == "caution"
    assert not Restriction.objects.filter(council=wb.council, location=elsewhere).exists()
    assert Intelligence.objects.filter(council=wb.council, location=elsewhere).count() == 1


def test_004_19_3_west_berkshires_embargo_is_shown_to_others_as_an_embargo(
    councils, django_capture_on_commit_callbacks
):
    """004 19.3: "This list is subject to freedom of information requests and is shared with
    the CQC, CQB, health and other statutory bodies, and in accordance with the Information
    Sharing Agreement." A provider-wide Embargo is seen on both its services, in West
    Berkshire's words."""
    wb, bed, som = councils
    first, second = two_services()
    with django_capture_on_commit_callbacks(execute=True):
        wb_impose(wb, first, scope=WHOLE_PROVIDER)
    seen = [(wb.council.pk, "suspended", "Embargo")]
    assert others(bed.council, first, second) == {first.pk: seen, second.pk: seen}
    assert others(som.council, first, second) == {first.pk: seen, second.pk: seen}


def test_003_somersets_confidential_memo_never_appears_for_another_council(
    councils, django_capture_on_commit_callbacks
):
    """003 memo: "This document is a confidential memo shared only between Local Authority and
    Health staff"; 003 2.6: "The Managed Placements Memo is a confidential document". Somerset
    shares nothing: no share, no status, no feed entry, no intelligence elsewhere, even where
    another council commissions the service."""
    wb, bed, som = councils
    location = LocationFactory(local_authority="Somerset", postcode="TA1 1AA")
    commission(wb.council, location)
    with django_capture_on_commit_callbacks(execute=True):
        r = somerset_impose(som, location)
    assert r.status == Status.ACTIVE and not r.shared
    assert not Share.objects.filter(restriction=r).exists()
    assert others(wb.council, location) == {location.pk: []}
    assert others(bed.council, location) == {location.pk: []}
    assert feed_of(wb.council) == [] and feed_of(bed.council) == []
    assert not Intelligence.objects.filter(council=wb.council, location=location).exists()
    assert not Restriction.objects.filter(council=wb.council).exists()
    # Somerset sees its own.
    assert feed_of(som.council) == [
        (location.pk, som.council.pk, "suspended", "RED: not currently placing")
    ]


def test_004_19_3_the_feed_has_one_entry_per_location_for_the_owner_and_each_viewer(
    councils, django_capture_on_commit_callbacks
):
    """004 19.3 ("to make them aware that there has been a change") and 19.5 ("If a
    restriction is lifted/ downgraded all the above will be notified"): each change writes, for
    each covered location, one entry for West Berkshire and one for each council that sees it,
    with the level as that council sees it."""
    wb, bed, som = councils
    first, second = two_services()
    with django_capture_on_commit_callbacks(execute=True):
        r = wb_impose(wb, first, scope=WHOLE_PROVIDER)
    embargo = {(loc.pk, wb.council.pk, "suspended", "Embargo") for loc in (first, second)}
    for council in (wb.council, bed.council, som.council):
        entries = feed_of(council)
        assert len(entries) == 2 and set(entries) == embargo

    # Downgraded through the chain (004 20.4-20.5).
    restriction_change(
        restriction=r, actor=wb.cqo, level="caution", reasons="Improved", evidence=WB_EVIDENCE
    )
    rec = Recommendation.objects.get(kind="restriction_change", subject_id=str(r.pk))
    with django_capture_on_commit_callbacks(execute=True):
        wb_chain(wb, rec)
    caution = {(loc.pk, wb.council.pk, "caution", "Place with Caution") for loc in (first, second)}
    for council in (wb.council, bed.council, som.council):
        assert set(feed_of(council)[2:]) == caution and len(feed_of(council)) == 4

    # Lifted: the owner sees "No Restrictions on Placements"; so do the others, in its words.
    restriction_change(
        restriction=r, actor=wb.cqo, level="none", reasons="Sustained", evidence=WB_EVIDENCE
    )
    rec = Recommendation.objects.get(
        kind="restriction_change", subject_id=str(r.pk), status="pending"
    )
    with django_capture_on_commit_callbacks(execute=True):
        wb_chain(wb, rec)
    lifted = {
        (loc.pk, wb.council.pk, "none", "No Restrictions on Placements") for loc in (first, second)
    }
    for council in (wb.council, bed.council, som.council):
        assert set(feed_of(council)[4:]) == lifted and len(feed_of(council)) == 6
    assert others(bed.council, first, second) == {first.pk: [], second.pk: []}
    assert FeedEntry.objects.filter(restriction=r).count() == 18
