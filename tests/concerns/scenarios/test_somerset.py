"""Escalation scenarios, 003 Somerset: the ladder up and back down, termination, visits."""

import datetime as dt

import pytest

from concerns.models import Alert, AlertStatus, Case, CaseMove, Stage
from concerns.services import case_move, case_open
from concerns.triggers import check_rating
from councils.models import Role
from decisions.models import DecisionStep, Recommendation, Status, StepOutcome
from decisions.services import recommendation_act
from monitoring.models import Review, ReviewStatus
from monitoring.selectors import reviews_due
from monitoring.services import review_plan
from tests.boards.helpers import decided_at_meeting
from tests.concerns.scenarios.helpers import (
    CQC_LINK,
    check_move,
    check_path,
    ev,
    last_move,
    letters_of,
    months_on,
    today,
)
from tests.deadlines import ENDED, RUNNING, deadlines
from tests.factories import LocationFactory, RatingFactory

pytestmark = pytest.mark.django_db


def board_decides(rec: Recommendation, actor, reasons: str = "Agreed by the Board") -> None:
    recommendation_act(
        recommendation=rec,
        actor=actor,
        outcome=StepOutcome.APPROVED,
        reasons=reasons,
        meeting=decided_at_meeting(rec, on=today() - dt.timedelta(days=1)),
    )


# --- 003 Somerset ----------------------------------------------------------------------------


def test_somerset_ladder_up_and_back_down(load_pack, member):
    """003 Somerset, from the informal stage to a Final Warning Notice and back.

    003 2.4: "If a provider is identified as not meeting quality standards, we will invoke this
    Policy. SCC will apply the Quality Improvement process in the first instance."
    003 Appendix 1, Formal stage: "This will suspend contract visits for SCC."
    003 2.5: "The Board may decide to issue a Rectification Notice or Final Warning Notice,
    giving a further period to improve to the expected standards."
    003 Appendix 4 ToR 1: "A maximum timescale for improvement of 6 months from referral to the
    Board is expected"; "Where a provider comes out of 'final warning' route due to evidenced
    improvement, the Board will expect an automatic review in six months to demonstrate
    sustainability."
    003 Table 5: "within a maximum of six months from being issued with a Final Warning Notice".
    003 1.13: "Contract visits will be suspended during this process and reinstated after the
    process ends."
    """
    council = load_pack("somerset")
    officer = member(council, Role.OFFICER)
    manager = member(council, Role.MANAGER, title="Designated SCC manager")
    board = member(council, Role.DECISION_MAKER, title="Strategic Manager, Quality & Performance")
    location = LocationFactory(local_authority="Somerset")
    case = case_open(
        council=council, actor=officer, summary="CQC report below Good", location=location
    )
    assert case.stage == Stage.INFORMAL

    # informal -> formal: the officer invokes the Quality Improvement process (no decision).
    made = case_move(
        case=case,
        actor=officer,
        move="invoke_quality_improvement",
        reason="Informal meeting did not address the medicines concerns",
    )
    check_move(
        case,
        made,
        frm=Stage.INFORMAL,
        to=Stage.FORMAL,
        key="invoke_quality_improvement",
        reason="medicines concerns",
        actor=officer,
    )
    assert letters_of(made) == ["qim_agenda", "qim_invitation", "quality_improvement_notice"]
    assert not deadlines(case=case).exists()

    # formal -> rectification: referred to the Board, which decides at a quorate meeting.
    rec = case_move(
        case=case,
        actor=officer,
        move="issue_rectification_notice",
        reason="Improvements not sustained after the QIM",
        evidence=[ev("meeting_notes", "QIM 2 notes"), ev("board_decision", "Board of 1 May")],
    )
    assert isinstance(rec, Recommendation)
    assert (rec.status, rec.step, rec.subject_state, rec.proposal["to"]) == (
        Status.PENDING,
        0,
        Stage.FORMAL,
        Stage.RECTIFICATION,
    )
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL  # nothing moves before the Board decides
    assert CaseMove.objects.filter(case=case).count() == 1
    board_decides(rec, board, "Rectification Notice agreed")
    rec.refresh_from_db()
    assert rec.status == Status.APPROVED and rec.decided_by == board
    step = DecisionStep.objects.get(recommendation=rec)
    assert step.outcome == StepOutcome.APPROVED
    assert step.label == "Decision of the Care Provider Commissioning and Quality Board"
    assert step.acting_as == "Decision maker of the Care Provider Commissioning and Quality Board"
    assert step.meeting_on == today() - dt.timedelta(days=1)
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.FORMAL,
        to=Stage.RECTIFICATION,
        key="issue_rectification_notice",
        reason="Rectification Notice agreed",
        evidence=("meeting_notes", "board_decision"),
        actor=board,
        recommendation=rec,
    )
    assert letters_of(record) == ["rectification_notice"]
    referral = deadlines(case=case, move=record).get()
    assert referral.payload["time_limit"] == "board_referral_improvement_max"
    assert (referral.payload["stage"], referral.starts_on) == (Stage.RECTIFICATION, today())
    assert referral.due_on == months_on(today(), 6)
    assert referral.status == RUNNING

    # rectification -> final warning.
    rec = case_move(
        case=case,
        actor=manager,
        move="issue_final_warning",
        reason="Rectification action plan not met",
        evidence=[ev("meeting_notes"), ev("board_decision", url=CQC_LINK)],
    )
    board_decides(rec, board, "Final Warning Notice agreed")
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.RECTIFICATION,
        to=Stage.FINAL_WARNING,
        key="issue_final_warning",
        reason="Rectification action plan not met",
        evidence=("meeting_notes", "board_decision"),
        recommendation=rec,
    )
    assert letters_of(record) == ["final_warning_notice"]
    final = deadlines(case=case, move=record).get()
    assert final.payload["time_limit"] == "final_warning_max"
    assert final.due_on == months_on(today(), 6)
    referral.refresh_from_db()
    assert referral.status == ENDED and referral.ended_at is not None

    # final warning -> formal: improvement evidenced; an automatic review six months on.
    assert not Review.objects.filter(council=council, location=location).exists()
    rec = case_move(
        case=case,
        actor=officer,
        move="leave_final_warning",
        reason="Sustained improvement evidenced",
        evidence=[ev("board_decision", "Board of 1 November")],
    )
    board_decides(rec, board, "Off final warning")
    record = last_move(case)
    entry = check_move(
        case,
        record,
        frm=Stage.FINAL_WARNING,
        to=Stage.FORMAL,
        key="leave_final_warning",
        reason="Sustained improvement evidenced",
        evidence=("board_decision",),
        recommendation=rec,
    )
    assert letters_of(record) == []
    review = Review.objects.get(council=council, location=location)
    assert review.kind == "sustainability_review" and review.status == ReviewStatus.PLANNED
    assert review.planned_for == months_on(today(), 6)
    effect = f"review sustainability_review {months_on(today(), 6).isoformat()}"
    assert effect in entry.data["effects"]
    final.refresh_from_db()
    assert final.status == ENDED

    # formal -> closed: the process ends.
    record = case_move(
        case=case, actor=officer, move="end_quality_improvement", reason="Concerns resolved"
    )
    check_move(
        case,
        record,
        frm=Stage.FORMAL,
        to=Stage.CLOSED,
        key="end_quality_improvement",
        reason="Concerns resolved",
        actor=officer,
    )
    case.refresh_from_db()
    assert case.closed_at is not None
    # 003 1.13: reinstated after the process ends: the automatic review is due again.
    assert [r.pk for r in reviews_due(council=council).planned] == [review.pk]
    check_path(
        case,
        [
            (Stage.INFORMAL, Stage.FORMAL),
            (Stage.FORMAL, Stage.RECTIFICATION),
            (Stage.RECTIFICATION, Stage.FINAL_WARNING),
            (Stage.FINAL_WARNING, Stage.FORMAL),
            (Stage.FORMAL, Stage.CLOSED),
        ],
    )
    assert not deadlines(case=case, status=RUNNING).exists()


def test_somerset_termination_on_the_boards_decision(load_pack, member):
    """003 Appendix 5: "If a provider is unable to evidence improvements as set out in the
    Final Warning Notice, the Commissioning and Quality Board may decide to notify the provider
    of a breach of contract and decision to terminate / decommission the service (Letter of
    Termination)." 003 2.5: "We will issue a Letter of Termination." """
    council = load_pack("somerset")
    officer = member(council, Role.OFFICER)
    board = member(council, Role.DECISION_MAKER, title="Strategic Commissioning Manager")
    location = LocationFactory(local_authority="Somerset")
    case = case_open(council=council, actor=officer, summary="Repeated RI", location=location)
    case_move(case=case, actor=officer, move="invoke_quality_improvement", reason="RI")
    rec = case_move(
        case=case,
        actor=officer,
        move="issue_final_warning",
        reason="Series of RI outcomes",
        evidence=[ev("meeting_notes"), ev("board_decision")],
    )
    board_decides(rec, board)
    rec = case_move(
        case=case,
        actor=officer,
        move="terminate_contract",
        reason="No improvement in six months",
        evidence=[ev("cqc_report", url=CQC_LINK), ev("board_decision")],
    )
    board_decides(rec, board, "Terminate")
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.FINAL_WARNING,
        to=Stage.TERMINATED,
        key="terminate_contract",
        reason="No improvement in six months",
        evidence=("cqc_report", "board_decision"),
        recommendation=rec,
    )
    assert record.evidence[0]["url"] == CQC_LINK
    assert letters_of(record) == ["letter_of_termination"]
    assert deadlines(case=case).get().status == ENDED
    record = case_move(
        case=case, actor=officer, move="close_after_termination", reason="Everyone has moved"
    )
    check_move(
        case,
        record,
        frm=Stage.TERMINATED,
        to=Stage.CLOSED,
        key="close_after_termination",
        reason="Everyone has moved",
    )
    check_path(
        case,
        [
            (Stage.INFORMAL, Stage.FORMAL),
            (Stage.FORMAL, Stage.FINAL_WARNING),
            (Stage.FINAL_WARNING, Stage.TERMINATED),
            (Stage.TERMINATED, Stage.CLOSED),
        ],
    )


def test_somerset_rating_below_good_opens_a_case_at_formal(load_pack, member):
    """003 Appendix 5, Key principles 1: "The acceptable quality standard for registered
    providers in Somerset is a CQC inspection overall rating of at least 'Good'. Inspection
    ratings below this standard will automatically constitute a service provider default."
    """
    council = load_pack("somerset")
    location = LocationFactory(local_authority="Somerset")
    rating = RatingFactory(
        location=location,
        overall="Requires improvement",
        safe="Requires improvement",
        report_date=today() - dt.timedelta(days=3),
    )
    raised = check_rating(council=council, rating=rating)
    assert len(raised) == 1
    alert = raised[0]
    assert (alert.trigger, alert.cause) == ("cqc_below_good", f"rating:{rating.pk}")
    assert alert.opened_case is True and alert.status == AlertStatus.ACTED
    case = Case.objects.get(council=council, location=location)
    assert alert.case_id == case.pk
    assert case.stage == Stage.FORMAL and case.opened_by_label == "System"
    record = CaseMove.objects.get(case=case)
    entry = check_move(
        case,
        record,
        frm=Stage.INFORMAL,
        to=Stage.FORMAL,
        key="invoke_quality_improvement",
        reason="003 Appendix 5, Key principles 1",
    )
    assert record.actor is None and record.actor_label == "System"
    assert entry.actor_label == "System"
    assert letters_of(record) == ["qim_agenda", "qim_invitation", "quality_improvement_notice"]
    # The same rating again raises nothing and moves nothing.
    assert check_rating(council=council, rating=rating) == []
    assert Alert.objects.filter(council=council).count() == 1
    assert Case.objects.filter(council=council).count() == 1
    assert CaseMove.objects.filter(case=case).count() == 1


def test_somerset_contract_visits_suspended_while_formal_and_reinstated(load_pack, member):
    """003 1.13: "Where a CQC report cites less than a Good rating, or other reports give rise
    for concern, our Quality Improvement (QI) process will be implemented. Contract visits will
    be suspended during this process and reinstated after the process ends." """
    council = load_pack("somerset")
    officer = member(council, Role.OFFICER)
    location = LocationFactory(local_authority="Somerset")
    other = LocationFactory(local_authority="Somerset")
    visit = review_plan(
        council=council,
        location=location,
        actor=officer,
        kind="contract_visit",
        planned_for=today() + dt.timedelta(days=20),
    )
    reactive = review_plan(
        council=council,
        location=location,
        actor=officer,
        kind="reactive",
        planned_for=today() + dt.timedelta(days=5),
    )
    elsewhere = review_plan(
        council=council,
        location=other,
        actor=officer,
        kind="contract_visit",
        planned_for=today() + dt.timedelta(days=30),
    )
    rating = RatingFactory(location=location, overall="Inadequate", report_date=today())
    check_rating(council=council, rating=rating)
    case = Case.objects.get(council=council, location=location)
    assert case.stage == Stage.FORMAL
    due = reviews_due(council=council)
    # Only this location's contract visit is suspended; a reactive visit still happens.
    assert [r.pk for r in due.suspended] == [visit.pk]
    assert case.reference in due.suspended[0].suspended_by
    assert sorted(r.pk for r in due.planned) == sorted([reactive.pk, elsewhere.pk])
    case_move(case=case, actor=officer, move="end_quality_improvement", reason="Resolved")
    due = reviews_due(council=council)
    assert due.suspended == []
    assert visit.pk in [r.pk for r in due.planned]


def test_somerset_automatic_review_after_final_warning_is_not_suspended(load_pack, member):
    """003 Appendix 4 ToR 1: "Where a provider comes out of 'final warning' route due to
    evidenced improvement, the Board will expect an automatic review in six months to
    demonstrate sustainability." The review the move plans must reach the officers' list."""
    council = load_pack("somerset")
    officer = member(council, Role.OFFICER)
    board = member(council, Role.DECISION_MAKER)
    location = LocationFactory(local_authority="Somerset")
    case = case_open(council=council, actor=officer, summary="RI", location=location)
    case_move(case=case, actor=officer, move="invoke_quality_improvement", reason="RI")
    rec = case_move(
        case=case,
        actor=officer,
        move="issue_final_warning",
        reason="No improvement",
        evidence=[ev("meeting_notes"), ev("board_decision")],
    )
    board_decides(rec, board)
    rec = case_move(
        case=case,
        actor=officer,
        move="leave_final_warning",
        reason="Improved",
        evidence=[ev("board_decision")],
    )
    board_decides(rec, board)
    review = Review.objects.get(council=council, location=location, kind="sustainability_review")
    assert review.pk in [r.pk for r in reviews_due(council=council).planned]
