"""Rules that join restrictions to the rest: an upheld appeal against a change goes back to
the level before it; a council that starts commissioning a service receives what others share
on it; a proposal answers the rules' suggestions on the same service; a proposal on a service
with an open case belongs to that case."""

import pytest

from concerns.models import Case, Stage
from concerns.services import case_open
from monitoring.models import Intelligence, Source
from monitoring.services import commissioning_save
from restrictions.models import AppealStatus, Restriction, Status
from restrictions.services import (
    appeal_lodge,
    notice_record_sent,
    restriction_change,
    restriction_suggest,
)
from tests.factories import LocationFactory
from tests.restrictions.rules.helpers import (
    WB_EVIDENCE,
    act,
    bedford_impose,
    bedford_people,
    today,
    wb_chain,
    wb_impose,
    wb_people,
    wb_propose,
)

pytestmark = pytest.mark.django_db


def _letter_sent(r, actor):
    notice = r.notices.filter(audience="provider", status="requested").latest("id")
    notice_record_sent(notice=notice, actor=actor, sent_on=today(), how="Email to the manager")


def test_004_19_2_an_upheld_appeal_against_a_change_goes_back_to_the_level_before(wb):
    """004 19.2: the Service Director "will review the decision": overturning a decision to
    raise Place with Caution to an Embargo leaves Place with Caution, not nothing."""
    r = wb_impose(wb, LocationFactory(), level="caution")
    _letter_sent(r, wb.cqo)
    restriction_change(
        restriction=r, actor=wb.cqo, level="suspended", reasons="Worse", evidence=WB_EVIDENCE
    )
    change = r.events.latest("id").recommendation
    wb_chain(wb, change)
    r.refresh_from_db()
    assert r.level == "suspended"
    _letter_sent(r, wb.cqo)
    appeal = appeal_lodge(restriction=r, actor=wb.cqo, received_on=today(), grounds="Unfair")
    act(appeal.recommendation, wb.sd, "approved", "The Embargo was not justified")
    appeal.refresh_from_db()
    r.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    assert (r.status, r.level) == (Status.ACTIVE, "caution")


def test_004_16_2_commissioning_a_service_later_brings_what_others_share(
    load_pack, member, django_capture_on_commit_callbacks
):
    """004 16.2: "The Provider is not within West Berkshire but West Berkshire Council
    commission from them, and the Local Authority in which they are based has put an
    embargo/red rating on them": when West Berkshire starts commissioning a service Bedford
    has suspended, it receives the suspension (intelligence, and a suggestion of its own)."""
    bed = bedford_people(load_pack, member)
    wb = wb_people(load_pack, member)
    home = LocationFactory(local_authority="Bedford")
    with django_capture_on_commit_callbacks(execute=True):
        bedford_impose(bed, home)
    assert not Intelligence.objects.filter(council=wb.council).exists()
    with django_capture_on_commit_callbacks(execute=True):
        commissioning_save(
            council=wb.council, location=home, actor=None, contract_type="spot", in_area=False
        )
    item = Intelligence.objects.get(council=wb.council, source=Source.OTHER_COUNCIL)
    assert "Bedford" in item.narrative and item.location == home
    suggested = Restriction.objects.get(council=wb.council, status=Status.SUGGESTED)
    assert (suggested.level, suggested.location) == ("suspended", home)


def test_a_proposal_answers_the_rules_suggestions_on_the_same_service(wb):
    """004 16.2 suggestions wait for an officer; an officer's own proposal on the service
    answers them (withdrawn, saying by which) instead of leaving them waiting."""
    home = LocationFactory()
    suggested = restriction_suggest(
        council=wb.council,
        level="suspended",
        location=home,
        provider=home.provider,
        reason="Inadequate in Safe",
        origin="CQC rates the provider inadequate in Safe (004 16.2)",
    )
    r = wb_propose(wb, home, level="caution")
    suggested.refresh_from_db()
    assert suggested.status == Status.WITHDRAWN
    assert suggested.events.latest("id").reason == f"Answered by {r.reference}."


def test_a_proposal_on_a_service_with_an_open_case_belongs_to_the_case(wb):
    """004 18.5: the case follows the restriction on its service, so a restriction proposed
    from the service's page (no case named) is the case's."""
    home = LocationFactory()
    case = case_open(council=wb.council, actor=wb.cqo, summary="Concerns", location=home)
    r = wb_propose(wb, home)
    assert r.case == case
    wb_chain(wb, r.recommendation)
    assert Case.objects.get(pk=case.pk).stage == Stage.FORMAL
