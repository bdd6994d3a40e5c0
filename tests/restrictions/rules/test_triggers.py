"""Restrictions proposed by the escalation rules (004 16.2, 16.3): a rule the pack maps to a
level suggests a restriction; an officer takes it up into the chain or dismisses it, saying
why."""

import pytest

from concerns.models import Alert
from concerns.triggers import check_rating
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry
from restrictions.models import EventKind, Restriction, RestrictionEvent, Status
from restrictions.selectors.status import status_of
from restrictions.services import restriction_dismiss, restriction_propose
from tests.factories import LocationFactory, RatingFactory
from tests.restrictions.rules.helpers import (
    SRM,
    WB_EVIDENCE,
    refused,
    wb_chain,
)

pytestmark = pytest.mark.django_db

INADEQUATE, RI, GOOD = "Inadequate", "Requires improvement", "Good"


def rated(overall=RI, **questions):
    location = LocationFactory(local_authority="West Berkshire")
    values = dict.fromkeys(("safe", "effective", "caring", "responsive", "well_led"), GOOD)
    values.update(questions)
    return RatingFactory(location=location, overall=overall, **values)


def suggested(wb, capture, rating) -> Restriction:
    with capture(execute=True):
        check_rating(council=wb.council, rating=rating)
    return Restriction.objects.get(council=wb.council, location=rating.location)


def test_004_16_2_inadequate_in_safe_suggests_an_embargo(wb, django_capture_on_commit_callbacks):
    """004 16.2: "West Berkshire Council will usually put an Embargo in place if: ... A Provider
    is rated as inadequate in the ‘safe’ domain by the CQC"."""
    rating = rated(safe=INADEQUATE, overall=INADEQUATE)
    r = suggested(wb, django_capture_on_commit_callbacks, rating)
    assert (r.status, r.level, r.created_by_label) == (Status.SUGGESTED, "suspended", "System")
    assert r.alert.trigger == "inadequate_safe"
    assert "004 16.2" in r.origin
    assert r.recommendation_id is None
    # Also "one or more ‘inadequate’ ratings" (16.3), but one suggestion per service at a time.
    assert Alert.objects.filter(council=wb.council, location=rating.location).count() == 2
    assert Restriction.objects.filter(council=wb.council).count() == 1
    # A suggestion restricts nothing yet.
    assert status_of(council=wb.council, location=rating.location).level == "none"
    # Once per cause: the rule checked again suggests nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        check_rating(council=wb.council, rating=rating)
    assert Restriction.objects.filter(council=wb.council).count() == 1


def test_004_16_3_requires_improvement_in_three_domains_suggests_place_with_caution(
    wb, django_capture_on_commit_callbacks
):
    """004 16.3: "West Berkshire Council will usually put a Place with Caution in place if: ...
    A Provider has 3 or more ‘requires improvement’ or one or more ‘inadequate’ ratings from
    the CQC"."""
    rating = rated(safe=RI, effective=RI, well_led=RI)
    r = suggested(wb, django_capture_on_commit_callbacks, rating)
    assert (r.status, r.level) == (Status.SUGGESTED, "caution")
    assert r.alert.trigger == "ri_or_inadequate_ratings"
    assert "004 16.3" in r.origin


def test_004_16_2_a_suggestion_taken_up_goes_into_the_chain(wb, django_capture_on_commit_callbacks):
    """004 18.1: "The CQT will advise the SRM and SM that criteria for a restriction or
    termination is met": the officer takes the rule's suggestion up, with reasons and
    evidence, and it goes to the SRM."""
    r = suggested(wb, django_capture_on_commit_callbacks, rated(safe=INADEQUATE))
    # Only the officer takes it up (the pack's `impose.by`).
    with refused(NotAllowed):
        restriction_propose(
            council=wb.council,
            actor=wb.srm,
            level="suspended",
            reasons="Inadequate in Safe",
            evidence=WB_EVIDENCE,
            suggestion=r,
        )
    taken = restriction_propose(
        council=wb.council,
        actor=wb.cqo,
        level="suspended",
        reasons="Inadequate in Safe: criteria in 16.2 met",
        evidence=WB_EVIDENCE,
        suggestion=r,
    )
    assert taken.pk == r.pk
    assert (taken.status, taken.recommendation.awaiting_post) == (Status.PROPOSED, SRM)
    assert taken.alert_id == r.alert_id and taken.location_id == r.location_id
    assert [e.kind for e in RestrictionEvent.objects.filter(restriction=r).order_by("id")] == [
        EventKind.SUGGESTED,
        EventKind.PROPOSED,
    ]
    with refused(Conflict, says="no longer a suggestion"):
        restriction_propose(
            council=wb.council,
            actor=wb.cqo,
            level="suspended",
            reasons="Again",
            evidence=WB_EVIDENCE,
            suggestion=r,
        )
    wb_chain(wb, taken.recommendation)
    taken.refresh_from_db()
    assert taken.status == Status.ACTIVE


def test_004_16_a_suggestion_dismissed_records_why(wb, django_capture_on_commit_callbacks):
    """004 16.2: "will usually put an Embargo in place": usually, not always; an officer who
    dismisses a rule's suggestion says why, and it stays on record."""
    r = suggested(wb, django_capture_on_commit_callbacks, rated(safe=INADEQUATE))
    with refused(ValidationFailed, field="reason"):
        restriction_dismiss(restriction=r, actor=wb.cqo, reason="  ")
    with refused(NotAllowed):
        restriction_dismiss(restriction=r, actor=wb.placement, reason="Not needed")
    why = "CQC re-inspected on 3 November: Safe now Requires improvement"
    restriction_dismiss(restriction=r, actor=wb.cqo, reason=why)
    r.refresh_from_db()
    assert (r.status, r.ended_on is not None) == (Status.WITHDRAWN, True)
    event = RestrictionEvent.objects.filter(restriction=r).order_by("id").last()
    assert (event.kind, event.reason, event.actor_id) == (EventKind.WITHDRAWN, why, wb.cqo.pk)
    assert AuditEntry.objects.get(action="restriction.dismissed", object_id=str(r.pk)).reason == why
    with refused(Conflict):
        restriction_dismiss(restriction=r, actor=wb.cqo, reason=why)
