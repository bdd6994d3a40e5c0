"""Who may act: placement staff check a placement and read the lists (004 19.3: "Care Managers
and Commissioning will consult this list"); an auditor reads. Neither proposes, reviews,
changes a restriction, records an appeal or a letter, or issues a list, and a refused call
writes nothing."""

import datetime as dt

import pytest

from core.errors import NotAllowed
from restrictions.models import Notice
from restrictions.services import (
    appeal_lodge,
    list_issue,
    notice_record_sent,
    restriction_change,
    restriction_contact_update,
    restriction_propose,
    restriction_review,
)
from tests.factories import LocationFactory
from tests.restrictions.rules.helpers import (
    WB_EVIDENCE,
    act,
    refused,
    somerset_impose,
    somerset_people,
    today,
    wb_impose,
    wb_propose,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(wb):
    """An Embargo in place, its decision letter sent today."""
    r = wb_impose(wb, LocationFactory())
    notice_record_sent(
        notice=Notice.objects.get(restriction=r, audience="provider", when="imposed"),
        actor=wb.cqo,
        sent_on=today(),
        how="Letter by email",
    )
    return r


@pytest.mark.parametrize("who", ["placement", "auditor"])
def test_004_19_3_placement_staff_and_an_auditor_may_not_propose_review_appeal_or_issue(
    wb, told, who
):
    """004 18.1: "The CQT will advise the SRM and SM"; 20.1: "reviewed on a case-by-case basis
    by the CQT"; 19.2: the appeal is recorded and put to the Service Director; 19.3: "The CQT
    will update the central list". Placement staff and auditors are none of these."""
    actor = getattr(wb, who)
    with refused(NotAllowed):
        restriction_propose(
            council=wb.council,
            actor=actor,
            level="suspended",
            reasons="Concerns",
            location=LocationFactory(),
            evidence=WB_EVIDENCE,
        )
    with refused(NotAllowed):
        restriction_review(
            restriction=told,
            actor=actor,
            note="Visited",
            next_review_on=today() + dt.timedelta(days=30),
        )
    with refused(NotAllowed):
        restriction_change(
            restriction=told, actor=actor, level="none", reasons="Lift", evidence=WB_EVIDENCE
        )
    with refused(NotAllowed):
        appeal_lodge(restriction=told, actor=actor, received_on=today(), grounds="Unfair")
    with refused(NotAllowed):
        list_issue(council=wb.council, actor=actor, list_key="providers_with_restrictions")
    with refused(NotAllowed):
        notice_record_sent(
            notice=Notice.objects.filter(restriction=told, status="requested").first(),
            actor=actor,
            sent_on=today(),
            how="Email",
        )
    with refused(NotAllowed):
        restriction_contact_update(
            restriction=told, actor=actor, contact={"name": "Me"}, exceptions=""
        )
    # Nor do they take a step in the chain.
    pending = wb_propose(wb, LocationFactory())
    with refused(NotAllowed):
        act(pending.recommendation, actor, "forwarded")


@pytest.mark.parametrize("who", ["placement", "auditor"])
def test_003_2_6_placement_staff_and_an_auditor_may_not_change_the_memo(load_pack, member, who):
    """003 2.6: "Only a very limited number of specifically designated SCC managers and SCCG
    senior managers can authorise a change of commissioning status"; placement staff read the
    memo, they do not issue it."""
    som = somerset_people(load_pack, member)
    r = somerset_impose(som, LocationFactory(postcode="TA1 1AA"))
    actor = getattr(som, who)
    with refused(NotAllowed):
        list_issue(council=som.council, actor=actor, list_key="managed_placements_memo")
    with refused(NotAllowed):
        restriction_review(
            restriction=r,
            actor=actor,
            note="Compliant",
            next_review_on=today() + dt.timedelta(days=30),
            compliance_on=today(),
            hold=True,
        )
    with refused(NotAllowed):
        restriction_change(restriction=r, actor=actor, level="none", reasons="Resolved")
