"""Escalation rules: where a move may start, who may make it, one case and one pending move."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from concerns.models import Case, CaseMove, LetterRequest, Stage
from concerns.pack import Ladder
from concerns.permissions import move_blockers
from concerns.services import case_move, case_open
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry
from councils.models import Role
from decisions.models import DecisionStep, Recommendation, Status, StepOutcome
from decisions.services import recommendation_withdraw
from tests.boards.helpers import decided_at_meeting
from tests.concerns.rules.helpers import (
    BOARD_EVIDENCE,
    _act,
    _propose_rectification,
    _termination,
    _to_formal,
    today,
    written,
)
from tests.factories import LocationFactory, ProviderFactory

pytestmark = pytest.mark.django_db


# --- where a move may start ------------------------------------------------------------------


def test_a_move_not_from_the_current_stage_is_a_conflict_with_the_reason(somerset):
    """003: the Board's Rectification Notice follows the formal stage ("Following the QIM if
    improvements are not sustained a referral will be made to the Board")."""
    before = written(somerset.council)
    with pytest.raises(Conflict) as caught:
        _propose_rectification(somerset)
    assert caught.value.status_code == 409
    assert str(caught.value) == (
        "The case is at “Informal stage”; this move starts from "
        "“Formal stage (Quality Improvement)”."
    )
    assert written(somerset.council) == before
    somerset.case.refresh_from_db()
    assert somerset.case.stage == Stage.INFORMAL


def test_a_move_on_a_closed_case_or_a_stale_stage_is_a_conflict(somerset):
    with pytest.raises(Conflict, match="moved to “Informal stage” meanwhile"):
        case_move(
            case=somerset.case,
            actor=somerset.officer,
            move="close_informal",
            reason="x",
            expected_stage=Stage.FORMAL,
        )
    case_move(case=somerset.case, actor=somerset.officer, move="close_informal", reason="Done")
    before = written(somerset.council)
    with pytest.raises(Conflict, match="The case is closed"):
        case_move(
            case=somerset.case,
            actor=somerset.officer,
            move="invoke_quality_improvement",
            reason="Again",
        )
    assert written(somerset.council) == before


# --- who may make a move ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "role", "move"),
    [
        pytest.param("somerset", Role.PLACEMENT, "invoke_quality_improvement", id="003 placement"),
        pytest.param("west-berkshire", Role.MANAGER, "close_informal", id="004 SM"),
        pytest.param("bromley", Role.BOARD_MEMBER, "refer_to_dass", id="000 CSIG member"),
        pytest.param("bedford", Role.MANAGER, "close_monitoring", id="001 manager"),
        pytest.param("bradford", Role.AUDITOR, "close_case", id="002 auditor"),
    ],
)
def test_a_role_the_pack_does_not_allow_is_refused(load_pack, member, code, role, move):
    council = load_pack(code)
    officer = member(council, Role.OFFICER)
    someone = member(council, role)
    case = case_open(council=council, actor=officer, summary="x", location=LocationFactory())
    before = written(council)
    with pytest.raises(NotAllowed) as caught:
        case_move(case=case, actor=someone, move=move, reason="Because")
    assert caught.value.status_code == 403
    assert str(caught.value).startswith("Only ") and "may make this move" in str(caught.value)
    assert written(council) == before


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER])
def test_a_restriction_put_in_place_or_lifted_is_never_a_move_by_hand(load_pack, member, role):
    """004 18.5: "The Head of Commissioning will decide whether a restriction or termination
    should be put in place"; 004 20.5: "... should be lifted". West Berkshire's case is at
    "Restriction on commissioning" while a restriction so decided is in place: the moves in and
    out of it are made by the restrictions app, never by a person, whatever their role (the
    CQO included), and the refusal says why."""
    council = load_pack("west-berkshire")
    officer = member(council, Role.OFFICER)
    someone = member(council, role)
    ladder = Ladder.of(council)
    case = case_open(council=council, actor=officer, summary="x", location=LocationFactory())
    for key, stage in (
        ("put_restriction_in_place", Stage.INFORMAL),
        ("lift_restriction_keep_reviewing", Stage.FORMAL),
    ):
        # Stage is a protected FSM field: put the case where the move starts, directly.
        Case.objects.filter(pk=case.pk).update(stage=stage)
        case.refresh_from_db()
        move = ladder.move(key)
        assert move.automatic and move.approval is None
        before = written(council)
        with pytest.raises(Conflict) as caught:
            case_move(case=case, actor=someone, move=key, reason="Because")
        assert caught.value.status_code == 409
        assert str(caught.value) == f"“{move.label}” is not made by hand: {move.description}"
        assert move_blockers(case=case, move=move, user=someone) == [str(caught.value)]
        assert written(council) == before
        case.refresh_from_db()
        assert case.stage == stage


def test_a_member_of_another_council_may_not_move_the_case(somerset, load_pack, member):
    stranger = member(load_pack("bromley"), Role.OFFICER)
    before = written(somerset.council)
    with pytest.raises(NotAllowed):
        case_move(case=somerset.case, actor=stranger, move="invoke_quality_improvement", reason="x")
    assert written(somerset.council) == before


def test_a_check_needs_its_role_and_a_decision_needs_the_title(west_berkshire):
    """004 18.1: the SRM and SM check; 004 18.5: "The Head of Commissioning will decide"."""
    wb = west_berkshire
    rec = _termination(wb)
    before = written(wb.council)
    with pytest.raises(NotAllowed, match="It waits for"):
        _act(rec, wb.other_officer, StepOutcome.FORWARDED)  # the SRM's step, not an officer's
    assert written(wb.council) == before
    _act(rec, wb.srm, StepOutcome.FORWARDED)
    _act(rec, wb.sm, StepOutcome.FORWARDED)
    before = written(wb.council)
    with pytest.raises(NotAllowed, match="It waits for the Head of Commissioning"):
        _act(rec, wb.untitled, StepOutcome.APPROVED)  # a decision maker, not the HoC
    assert written(wb.council) == before
    _act(rec, wb.hoc, StepOutcome.APPROVED)
    rec.refresh_from_db()
    assert rec.status == Status.APPROVED


def test_a_step_is_in_writing_with_the_outcome_its_position_allows(west_berkshire):
    wb = west_berkshire
    rec = _termination(wb)
    before = written(wb.council)
    with pytest.raises(ValidationFailed) as caught:
        _act(rec, wb.srm, StepOutcome.APPROVED, reasons="  ")  # a check cannot approve
    assert set(caught.value.errors) == {"outcome", "reasons"}
    assert written(wb.council) == before


# --- one case, one pending move --------------------------------------------------------------


def test_one_open_case_per_location_and_whole_provider(somerset, load_pack, member):
    """004 18.4: "If the Provider operates more than one service, the Head of Commissioning will
    consider whether the restriction or termination should apply to those other services
    also." A whole-provider case covers every location of the provider."""
    s = somerset
    with pytest.raises(Conflict, match=s.case.reference) as caught:
        case_open(council=s.council, actor=s.officer, summary="Again", location=s.location)
    assert caught.value.status_code == 409
    with pytest.raises(Conflict):  # the location's case blocks one for the whole provider
        case_open(council=s.council, actor=s.officer, summary="All", provider=s.location.provider)

    provider = ProviderFactory()
    branch = LocationFactory(provider=provider)
    whole = case_open(council=s.council, actor=s.officer, summary="All", provider=provider)
    before = written(s.council)
    with pytest.raises(Conflict, match=whole.reference):
        case_open(council=s.council, actor=s.officer, summary="One", location=branch)
    with pytest.raises(Conflict):
        case_open(council=s.council, actor=s.officer, summary="All", provider=provider)
    assert written(s.council) == before
    assert Case.objects.filter(council=s.council).count() == 2

    # The database holds the same line.
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            council=s.council,
            reference="CASE-X",
            provider=s.location.provider,
            location=s.location,
            stage_since=timezone.now(),
            summary="x",
        )
    # Another council keeps its own case for the same location.
    wb = load_pack("west-berkshire")
    assert case_open(council=wb, actor=member(wb), summary="x", location=s.location).is_open
    # Once closed, a new case may open.
    case_move(case=s.case, actor=s.officer, move="close_informal", reason="Resolved")
    again = case_open(council=s.council, actor=s.officer, summary="New", location=s.location)
    assert again.is_open and again.reference != s.case.reference


def test_only_one_pending_move_recommendation_per_case(somerset):
    s = somerset
    _to_formal(s)
    first = _propose_rectification(s)
    before = written(s.council)
    with pytest.raises(Conflict, match="waits for a decision"):
        case_move(
            case=s.case,
            actor=s.other_officer,
            move="issue_final_warning",
            reason="Worse",
            evidence=BOARD_EVIDENCE,
        )
    assert written(s.council) == before
    with pytest.raises(IntegrityError), transaction.atomic():
        Recommendation.objects.create(
            council=s.council,
            reference="REC-X",
            kind="move",
            key="issue_final_warning",
            label="x",
            subject_type="concerns.case",
            subject_id=str(s.case.pk),
            exclusive=f"concerns.case:{s.case.pk}",
            provider=s.case.provider,
            proposed_by=s.officer,
            waiting_since=timezone.now(),
            reason="x",
        )
    recommendation_withdraw(recommendation=first, actor=s.officer, reason="Wrong notice")
    second = case_move(
        case=s.case,
        actor=s.other_officer,
        move="issue_final_warning",
        reason="Worse",
        evidence=BOARD_EVIDENCE,
    )
    assert second.status == Status.PENDING


def test_an_approval_after_the_case_moved_meanwhile_is_a_conflict(somerset):
    s = somerset
    _to_formal(s)
    rec = _propose_rectification(s)
    with pytest.raises(Conflict, match="waits for a decision"):
        case_move(case=s.case, actor=s.other_officer, move="formal_to_informal", reason="Better")
    # Only a change outside the services (a system move, an operator's fix) can get here:
    # the decision must still refuse to apply a move from a stage the case has left.
    Case.objects.filter(pk=s.case.pk).update(stage=Stage.INFORMAL)
    before = written(s.council)
    with pytest.raises(Conflict, match="has moved since this was recommended"):
        _act(
            rec,
            s.board,
            StepOutcome.APPROVED,
            meeting=decided_at_meeting(rec, on=today() - dt.timedelta(days=1)),
        )
    assert written(s.council) == before
    rec.refresh_from_db()
    s.case.refresh_from_db()
    assert rec.status == Status.PENDING and rec.decided_at is None
    assert s.case.stage == Stage.INFORMAL
    assert not CaseMove.objects.filter(case=s.case, to_stage=Stage.RECTIFICATION).exists()
    assert not LetterRequest.objects.filter(case=s.case, letter="rectification_notice").exists()
    assert not AuditEntry.objects.filter(
        action="recommendation.approved", object_id=str(rec.pk)
    ).exists()


def test_only_the_proposer_may_withdraw(somerset):
    s = somerset
    _to_formal(s)
    rec = _propose_rectification(s)
    before = written(s.council)
    with pytest.raises(NotAllowed, match="Only the person who made a recommendation"):
        recommendation_withdraw(recommendation=rec, actor=s.other_officer, reason="Mine now")
    with pytest.raises(NotAllowed):
        recommendation_withdraw(recommendation=rec, actor=s.board, reason="No")
    with pytest.raises(ValidationFailed) as caught:
        recommendation_withdraw(recommendation=rec, actor=s.officer, reason="")
    assert set(caught.value.errors) == {"reason"}
    assert written(s.council) == before
    recommendation_withdraw(recommendation=rec, actor=s.officer, reason="Improving after all")
    rec.refresh_from_db()
    assert rec.status == Status.WITHDRAWN
    step = DecisionStep.objects.get(recommendation=rec)
    assert (step.outcome, step.actor) == (StepOutcome.WITHDRAWN, s.officer)
    assert AuditEntry.objects.filter(
        action="recommendation.withdrawn", object_id=str(rec.pk)
    ).exists()
    with pytest.raises(Conflict):
        recommendation_withdraw(recommendation=rec, actor=s.officer, reason="Again")
    with pytest.raises(Conflict):
        _act(rec, s.board, StepOutcome.APPROVED, virtual=True)
