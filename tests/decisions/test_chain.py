"""The one rule of the chain: who may take a recommendation's step now, and why not. The
predicate (pages, API, service) and the inbox (a query) are the same rule: checked here for
everyone around the chain at every step."""

import datetime as dt

import pytest
from django.utils import timezone

from councils.models import Delegation, Membership, Role
from decisions.chain import acting_context, awaiting_q
from decisions.models import Recommendation, Status
from decisions.selectors import blockers, inbox
from decisions.services import recommendation_act
from tests.decisions.conftest import DASS, DASS_CHAIN, today
from tests.decisions.permits.kind import propose

pytestmark = pytest.mark.django_db


def _everyone(b):
    return [b.officer, b.other_officer, b.manager, b.dass, b.hacm, b.placement, b.auditor]


def _agree(rec, people):
    """The inbox lists exactly the recommendations the predicate lets each person act on."""
    for person in people:
        listed = {r.pk for r in inbox(council=rec.council, user=person)}
        may = not blockers(recommendation=rec, user=person)
        assert (rec.pk in listed) == may, (person, blockers(recommendation=rec, user=person))


def test_each_step_waits_for_its_role_then_its_decider(bromley, permit):
    """000 4: a check, then the DASS decides (or the delegate within the dates)."""
    b = bromley
    rec = propose(permit(b.council), b.officer, approval=DASS_CHAIN)
    assert (rec.awaiting_role, rec.awaiting_post, rec.awaiting_decider) == ("manager", "", "")
    assert blockers(recommendation=rec, user=b.dass) == [
        "It waits for Head of Contract Compliance and Monitoring."
    ]
    _agree(rec, _everyone(b))
    rec = recommendation_act(
        recommendation=rec, actor=b.manager, outcome="forwarded", reasons="Checked"
    )
    assert (rec.awaiting_post, rec.awaiting_decider) == (DASS, "person")
    assert rec.awaiting_label == f"Decision of the {DASS}"
    assert blockers(recommendation=rec, user=b.manager) == [
        "You have already acted on it: someone else must take the next step.",
        f"It waits for the {DASS}.",
    ]
    _agree(rec, _everyone(b))
    assert not blockers(recommendation=rec, user=b.dass)
    assert not blockers(recommendation=rec, user=b.hacm)  # 000 4.iv: in the DASS's absence


def test_the_proposer_never_acts_on_their_own_recommendation(bromley, permit):
    b = bromley
    rec = propose(permit(b.council), b.dass, approval={"decided_by": "dass", "seed": "000 4"})
    assert blockers(recommendation=rec, user=b.dass) == [
        "You made this recommendation: someone else must check or decide it."
    ]
    _agree(rec, _everyone(b))


def test_a_chain_that_lets_one_person_act_twice(bromley, permit):
    b = bromley
    approval = {"decided_by": "dass", "seed": "000 4", "someone_else": False}
    rec = propose(permit(b.council), b.dass, approval=approval)
    assert not blockers(recommendation=rec, user=b.dass)
    _agree(rec, _everyone(b))


def test_a_delegate_acts_only_inside_the_delegation_dates(bromley, permit):
    b = bromley
    rec = propose(permit(b.council), b.officer, approval={"decided_by": "dass", "seed": "000 4"})
    Delegation.objects.filter(delegate=b.hacm).update(
        starts_on=today() + dt.timedelta(days=1), ends_on=today() + dt.timedelta(days=3)
    )
    assert blockers(recommendation=rec, user=b.hacm) == [f"It waits for the {DASS}."]
    _agree(rec, [b.hacm])
    Delegation.objects.filter(delegate=b.hacm).update(starts_on=today(), revoked_at=timezone.now())
    assert blockers(recommendation=rec, user=b.hacm) == [f"It waits for the {DASS}."]
    _agree(rec, [b.hacm])


def test_a_delegation_counts_only_from_a_post_held_with_a_deciding_role(bromley, permit, member):
    """The two copies of the rule once differed: one checked the delegator's role and one did
    not. A title on an auditor's membership is not the DASS's post, so a delegation from it
    gives nothing; the predicate and the inbox agree."""
    b = bromley
    rec = propose(permit(b.council), b.officer, approval={"decided_by": "dass", "seed": "000 4"})
    pretender = member(b.council, Role.AUDITOR, title=DASS)
    stand_in = member(b.council, Role.OFFICER)
    Delegation.objects.create(
        council=b.council,
        delegator=Membership.objects.get(user=pretender, council=b.council),
        delegate=stand_in,
        starts_on=today(),
        ends_on=today() + dt.timedelta(days=3),
    )
    assert blockers(recommendation=rec, user=pretender) == [f"It waits for the {DASS}."]
    assert blockers(recommendation=rec, user=stand_in) == [f"It waits for the {DASS}."]
    _agree(rec, [pretender, stand_in])


def test_a_board_decision_is_its_decision_makers(somerset, permit):
    s = somerset
    rec = propose(
        permit(s.council),
        s.officer,
        approval={"decided_by": "commissioning_quality_board", "seed": "003 ToR 5"},
    )
    assert rec.awaiting_decider == "board"
    assert not blockers(recommendation=rec, user=s.board)
    assert blockers(recommendation=rec, user=s.member)  # a member, not a decision maker
    _agree(rec, [s.officer, s.board, s.member])


def test_systems_and_decided_recommendations(bromley, permit, api_token):
    b = bromley
    rec = propose(permit(b.council), b.officer, approval={"decided_by": "dass", "seed": "000 4"})
    recommendation_act(recommendation=rec, actor=b.dass, outcome="approved", reasons="Agreed")
    rec.refresh_from_db()
    assert blockers(recommendation=rec, user=b.hacm) == ["It is approved."]
    _agree(rec, _everyone(b))


def test_the_inbox_is_one_query_whatever_it_holds(bromley, permit, django_assert_num_queries):
    b = bromley
    for _ in range(3):
        propose(permit(b.council), b.officer, approval={"decided_by": "dass", "seed": "000 4"})
    acting = acting_context(council=b.council, user=b.dass)
    with django_assert_num_queries(1):
        assert len(list(inbox(council=b.council, user=b.dass, acting=acting))) == 3
    assert Recommendation.objects.filter(awaiting_q(acting)).count() == 3
    assert Recommendation.objects.filter(status=Status.PENDING).count() == 3
