"""Proposing, checking, deciding and withdrawing, for a subject the chain knows nothing of
(a test-only permit): each step in writing and audited, the decision dated the day it was
taken, and what it means for the subject done by the subject's kind in the same transaction."""

import datetime as dt

import pytest

from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry
from decisions.models import DecisionStep, Recommendation, Status, StepOutcome
from decisions.services import recommendation_act, recommendation_propose, recommendation_withdraw
from tests.decisions.conftest import BOARD_DECIDES, DASS, DASS_CHAIN, today
from tests.decisions.permits import kind as permits
from tests.decisions.permits.kind import propose

DASS_DECIDES = {"decided_by": "dass", "seed": "000 4"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _calls():
    permits.CALLS.clear()


def test_a_proposal_enters_its_chain_numbered_and_audited(bromley, permit):
    b = bromley
    rec = propose(permit(b.council), b.officer, approval=DASS_CHAIN)
    assert rec.reference == f"REC-{today().year}-0001"
    assert (rec.status, rec.step, rec.awaiting_label) == (
        Status.PENDING,
        0,
        "The Head of Contract Compliance checks",
    )
    assert (rec.subject_type, rec.kind) == ("permits.permit", "permit")
    assert AuditEntry.objects.filter(action="recommendation.made", object_id=str(rec.pk)).exists()


def test_one_pending_at_a_time_where_the_kind_says_so(bromley, permit):
    b = bromley
    thing = permit(b.council)
    propose(thing, b.officer, approval=DASS_CHAIN)
    with pytest.raises(Conflict):
        propose(thing, b.other_officer, approval=DASS_CHAIN)
    assert Recommendation.objects.count() == 1
    propose(thing, b.other_officer, approval=DASS_CHAIN, exclusive=False)
    assert Recommendation.objects.count() == 2


def test_only_a_person_the_kind_allows_proposes(bromley, permit, api_token):
    b = bromley
    with pytest.raises(NotAllowed):
        propose(permit(b.council), b.officer, approval=DASS_CHAIN, key="forbidden")
    with pytest.raises(NotAllowed):
        propose(permit(b.council), None, approval=DASS_CHAIN)
    with pytest.raises(ValidationFailed) as refused:
        recommendation_propose(
            council=b.council,
            actor=b.officer,
            kind="no-such-kind",
            key="x",
            label="x",
            subject=permit(b.council),
            approval=None,
            provider=None,
            location=None,
            reason="x",
            evidence=[],
            details={},
        )
    assert "kind" in refused.value.errors
    assert not Recommendation.objects.exists()


def test_the_chain_to_an_approval_dated_the_day_it_was_taken(bromley, permit):
    b = bromley
    thing = permit(b.council)
    rec = propose(thing, b.officer, approval=DASS_CHAIN)
    rec = recommendation_act(
        recommendation=rec, actor=b.manager, outcome=StepOutcome.FORWARDED, reasons="Checked"
    )
    assert permits.CALLS == []  # a check decides nothing
    rec = recommendation_act(
        recommendation=rec, actor=b.dass, outcome=StepOutcome.APPROVED, reasons="Agreed"
    )
    assert (rec.status, rec.decided_on, rec.decided_by) == (Status.APPROVED, today(), b.dass)
    thing.refresh_from_db()
    assert (thing.status, thing.decided_on) == ("granted", today())
    steps = list(DecisionStep.objects.filter(recommendation=rec))
    assert [(s.position, s.outcome, s.acting_as, s.taken_on) for s in steps] == [
        (0, "forwarded", "Head of Contract Compliance and Monitoring", today()),
        (1, "approved", DASS, today()),
    ]
    assert AuditEntry.objects.filter(action="recommendation.approved").count() == 1


def test_time_limits_count_from_the_day_the_decision_was_taken(bromley, permit):
    """The decision records the date it was taken: never in the future, never before the
    recommendation; what follows counts from it."""
    b = bromley
    thing = permit(b.council)
    rec = propose(thing, b.officer, approval={"decided_by": "dass", "seed": "000 4"})
    for day, message in (
        (today() + dt.timedelta(days=1), "future"),
        (today() - dt.timedelta(days=1), "before the recommendation"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            recommendation_act(
                recommendation=rec, actor=b.dass, outcome="approved", reasons="Ok", decided_on=day
            )
        assert message in refused.value.errors["decided_on"][0]
    Recommendation.objects.filter(pk=rec.pk).update(
        proposed_at=rec.proposed_at - dt.timedelta(days=10)
    )
    taken = today() - dt.timedelta(days=3)
    rec = recommendation_act(
        recommendation=rec, actor=b.dass, outcome="approved", reasons="Ok", decided_on=taken
    )
    assert rec.decided_on == taken
    assert [{"rec": rec.pk, "outcome": "approved", "on": taken}] == permits.CALLS
    assert DecisionStep.objects.get(recommendation=rec).taken_on == taken


def test_a_refusal_and_a_declined_check_end_the_recommendation(bromley, permit):
    b = bromley
    rec = propose(permit(b.council), b.officer, approval=DASS_CHAIN)
    rec = recommendation_act(recommendation=rec, actor=b.manager, outcome="declined", reasons="No")
    assert (rec.status, rec.awaiting_label) == (Status.REJECTED, "")
    assert permits.CALLS[-1]["outcome"] == Status.REJECTED
    with pytest.raises(Conflict):
        recommendation_act(recommendation=rec, actor=b.dass, outcome="approved", reasons="Ok")


def test_what_each_step_may_decide(bromley, permit):
    b = bromley
    rec = propose(permit(b.council), b.officer, approval=DASS_CHAIN)
    with pytest.raises(ValidationFailed) as refused:
        recommendation_act(recommendation=rec, actor=b.manager, outcome="approved", reasons="")
    assert set(refused.value.errors) == {"outcome", "reasons"}
    with pytest.raises(NotAllowed):
        recommendation_act(recommendation=rec, actor=b.dass, outcome="forwarded", reasons="Ok")
    with pytest.raises(Conflict):
        recommendation_act(
            recommendation=rec,
            actor=b.manager,
            outcome="forwarded",
            reasons="Ok",
            expected_step=1,
        )
    assert not DecisionStep.objects.exists()


def test_a_conflict_in_the_subject_undoes_the_decision(bromley, permit):
    b = bromley
    rec = propose(
        permit(b.council, refuse_when_decided=True),
        b.officer,
        approval={"decided_by": "dass", "seed": "000 4"},
    )
    with pytest.raises(Conflict):
        recommendation_act(recommendation=rec, actor=b.dass, outcome="approved", reasons="Ok")
    rec.refresh_from_db()
    assert (rec.status, DecisionStep.objects.count()) == (Status.PENDING, 0)
    assert not AuditEntry.objects.filter(action="recommendation.approved").exists()


def test_a_board_decides_at_a_quorate_meeting_or_virtually_when_urgent(somerset, permit):
    """003 ToR 5: "no decisions may be taken by the non-quorate meeting of the Board";
    urgent decisions may be taken virtually. The meeting is the boards app's (issue 12)."""
    from tests.boards.helpers import decided_at_meeting

    s = somerset
    rec = propose(permit(s.council), s.officer, approval=BOARD_DECIDES)
    with pytest.raises(ValidationFailed) as refused:
        recommendation_act(recommendation=rec, actor=s.board, outcome="approved", reasons="Ok")
    assert set(refused.value.errors) == {"meeting"}
    virtual = decided_at_meeting(rec, virtual=True)
    with pytest.raises(ValidationFailed) as refused:
        recommendation_act(
            recommendation=rec,
            actor=s.board,
            outcome="approved",
            reasons="Ok",
            virtual=True,
            meeting=virtual,
        )
    assert set(refused.value.errors) == {"urgent"}
    rec = recommendation_act(
        recommendation=rec,
        actor=s.board,
        outcome="approved",
        reasons="Agreed by email",
        virtual=True,
        urgent=True,
        meeting=virtual,
    )
    assert rec.status == Status.APPROVED


def test_only_the_proposer_withdraws_and_in_writing(bromley, permit):
    b = bromley
    rec = propose(permit(b.council), b.officer, approval=DASS_CHAIN)
    with pytest.raises(NotAllowed):
        recommendation_withdraw(recommendation=rec, actor=b.manager, reason="Mine now")
    with pytest.raises(ValidationFailed):
        recommendation_withdraw(recommendation=rec, actor=b.officer, reason=" ")
    recommendation_withdraw(recommendation=rec, actor=b.officer, reason="Resolved")
    rec.refresh_from_db()
    assert (rec.status, rec.awaiting_label) == (Status.WITHDRAWN, "")
    # The subject's kind hears of the withdrawal too, in the same transaction (a proposed
    # restriction is then withdrawn with it).
    assert [c["outcome"] for c in permits.CALLS] == [Status.WITHDRAWN]
    assert DecisionStep.objects.get(recommendation=rec).outcome == StepOutcome.WITHDRAWN


def test_steps_are_records(bromley, permit):
    b = bromley
    rec = propose(permit(b.council), b.officer, approval=DASS_CHAIN)
    recommendation_act(recommendation=rec, actor=b.manager, outcome="forwarded", reasons="Ok")
    step = DecisionStep.objects.get()
    with pytest.raises(PermissionError):
        step.save()
    with pytest.raises(PermissionError):
        DecisionStep.objects.all().update(reasons="forged")


def test_the_decider_answers_the_kinds_decision_questions_when_approving(bromley, permit):
    """A kind may ask the decider something (004 18.4: whether a restriction applies to the
    provider's other services): required to approve, kept with the decision."""
    b = bromley
    rec = propose(permit(b.council), b.officer, approval=DASS_DECIDES, ask_scope=True)
    with pytest.raises(ValidationFailed) as refused:
        recommendation_act(recommendation=rec, actor=b.dass, outcome="approved", reasons="Yes")
    assert refused.value.errors == {"decision_details.scope": ["Answer “Apply it to”."]}
    with pytest.raises(ValidationFailed) as refused:
        recommendation_act(
            recommendation=rec,
            actor=b.dass,
            outcome="approved",
            reasons="Yes",
            decision_details={"scope": "Everywhere"},
        )
    assert "decision_details.scope" in refused.value.errors
    rec.refresh_from_db()
    assert (rec.status, permits.CALLS) == (Status.PENDING, [])
    recommendation_act(
        recommendation=rec,
        actor=b.dass,
        outcome="approved",
        reasons="Yes",
        decision_details={"scope": "Every site"},
    )
    rec.refresh_from_db()
    assert (rec.status, rec.decision_details) == (Status.APPROVED, {"scope": "Every site"})


def test_refusing_needs_no_answer_to_the_decision_questions(bromley, permit):
    b = bromley
    rec = propose(permit(b.council), b.officer, approval=DASS_DECIDES, ask_scope=True)
    recommendation_act(recommendation=rec, actor=b.dass, outcome="rejected", reasons="No")
    rec.refresh_from_db()
    assert (rec.status, rec.decision_details) == (Status.REJECTED, {})
