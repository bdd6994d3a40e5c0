"""Escalation rules: guards added after review (stale posts, titles, evidence, references)."""

import datetime as dt

import pytest
from django.utils import timezone

from concerns.models import Alert, Stage
from concerns.services import case_move, case_open
from core.errors import Conflict, NotAllowed, ValidationFailed
from councils.models import Role
from decisions.models import StepOutcome
from monitoring.services import plan_create
from tests.boards.helpers import decided_at_meeting
from tests.concerns.rules.helpers import (
    _act,
    _propose_rectification,
    _termination,
    _to_formal,
    ev,
    today,
    written,
)
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


# --- guards added after review -----------------------------------------------------------------


def test_a_check_posted_from_a_stale_page_is_a_conflict(west_berkshire):
    """004 18.1-18.3: the SRM's check then the SM's; a second "forwarded" for a step someone
    already took must not be written as the next step."""
    wb = west_berkshire
    rec = _termination(wb)
    _act(rec, wb.srm, StepOutcome.FORWARDED, expected_step=0)
    before = written(wb.council)
    with pytest.raises(Conflict, match="has moved on"):
        _act(rec, wb.sm, StepOutcome.FORWARDED, expected_step=0)
    assert written(wb.council) == before


def test_each_chain_step_is_taken_by_its_own_post(west_berkshire, member):
    """004 18.1: "If the SRM considers the criteria is met"; 18.3: "SM will make a
    recommendation": a manager without the post takes neither step."""
    wb = west_berkshire
    untitled_manager = member(wb.council, Role.MANAGER)
    rec = _termination(wb)
    with pytest.raises(NotAllowed, match="Supplier Relationship Manager"):
        _act(rec, untitled_manager, StepOutcome.FORWARDED)
    with pytest.raises(NotAllowed, match="Supplier Relationship Manager"):
        _act(rec, wb.sm, StepOutcome.FORWARDED)
    _act(rec, wb.srm, StepOutcome.FORWARDED)
    with pytest.raises(NotAllowed, match="Service Manager"):
        _act(rec, untitled_manager, StepOutcome.FORWARDED)


def test_a_post_title_alone_does_not_make_an_auditor_a_decision_maker(west_berkshire, member):
    wb = west_berkshire
    auditor = member(wb.council, Role.AUDITOR, title="Head of Commissioning")
    rec = _termination(wb)
    _act(rec, wb.srm, StepOutcome.FORWARDED)
    _act(rec, wb.sm, StepOutcome.FORWARDED)
    with pytest.raises(NotAllowed):
        _act(rec, auditor, StepOutcome.APPROVED)


def test_a_virtual_board_decision_must_be_urgent(somerset):
    """003 ToR 5: "In situations where major issues occurs requiring urgent decisions outside
    of regular, scheduled meetings, decision-making via virtual meetings ..."."""
    _to_formal(somerset)
    rec = _propose_rectification(somerset)
    meeting = decided_at_meeting(rec, virtual=True)
    with pytest.raises(ValidationFailed) as caught:
        _act(rec, somerset.board, StepOutcome.APPROVED, virtual=True, meeting=meeting)
    assert "urgent" in caught.value.errors
    _act(rec, somerset.board, StepOutcome.APPROVED, virtual=True, urgent=True, meeting=meeting)
    somerset.case.refresh_from_db()
    assert somerset.case.stage == Stage.RECTIFICATION


def test_other_evidence_never_stands_in_for_a_required_kind(somerset):
    _to_formal(somerset)
    with pytest.raises(ValidationFailed) as caught:
        case_move(
            case=somerset.case,
            actor=somerset.officer,
            move="issue_rectification_notice",
            reason="Not improving",
            evidence=[{"kind": "other", "note": "The QIM's notes"}],
        )
    assert "evidence" in caught.value.errors


def test_a_decision_is_judged_by_the_policy_it_was_made_under(somerset):
    """A pack reloaded while a recommendation waits does not change its chain."""
    from councils.services import policy_load
    from tests.factories import policy_text

    _to_formal(somerset)
    rec = _propose_rectification(somerset)
    text = policy_text("somerset").replace(
        "key: issue_rectification_notice", "key: issue_rectification_notice_v2"
    )
    assert policy_load(text=text, source_name="somerset.yaml").created
    _act(
        rec,
        somerset.board,
        StepOutcome.APPROVED,
        meeting=decided_at_meeting(rec, on=today() - dt.timedelta(days=1)),
    )
    somerset.case.refresh_from_db()
    assert somerset.case.stage == Stage.RECTIFICATION


def test_the_nightly_sweep_catches_a_failing_plan_whose_task_was_lost(west_berkshire):
    """004 16.2: a plan failed at more than 3 reviews is raised even if the task queued when
    its review was recorded never ran; and only once."""
    from concerns.tasks import triggers_sweep
    from monitoring.models import ImprovementPlan

    wb = west_berkshire
    location = LocationFactory(local_authority="West Berkshire")
    plan = plan_create(
        council=wb.council,
        location=location,
        actor=wb.cqo,
        title="Medicines",
        started_on=today() - dt.timedelta(days=200),
    )
    ImprovementPlan.objects.filter(pk=plan.pk).update(failed_reviews=4)  # no task ran
    assert triggers_sweep() >= 1
    assert Alert.objects.filter(council=wb.council, cause=f"plan:{plan.pk}").count() == 1
    triggers_sweep()
    assert Alert.objects.filter(council=wb.council, cause=f"plan:{plan.pk}").count() == 1


def test_references_keep_counting_past_9999(somerset):
    from concerns.models import Case

    year = timezone.localdate().year
    Case.objects.filter(pk=somerset.case.pk).update(reference=f"CASE-{year}-9999")
    other = case_open(
        council=somerset.council,
        actor=somerset.officer,
        summary="More",
        location=LocationFactory(local_authority="Somerset"),
    )
    assert other.reference == f"CASE-{year}-10000"
    third = case_open(
        council=somerset.council,
        actor=somerset.officer,
        summary="More",
        location=LocationFactory(local_authority="Somerset"),
    )
    assert third.reference == f"CASE-{year}-10001"


def test_a_serious_concerns_track_has_one_action_plan(load_pack, member):
    """001 App. 3: "Chairs of Serious Concerns meetings must ensure that there is a Serious
    Concerns action plan in place at the earliest point" - the improvement plan structure."""
    from concerns.services import safeguarding_open, safeguarding_plan_start
    from monitoring.models import PlanKind

    council = load_pack("bedford")
    officer = member(council, Role.OFFICER)
    case = case_open(
        council=council,
        actor=officer,
        summary="Concerns",
        location=LocationFactory(local_authority="Bedford"),
    )
    track = safeguarding_open(case=case, actor=officer, reason="Several alerts this month")
    plan = safeguarding_plan_start(
        track=track, actor=officer, title="Pressure care", started_on=today()
    )
    track.refresh_from_db()
    assert track.plan == plan and plan.kind == PlanKind.SERIOUS_CONCERNS
    assert plan.location == case.location
    with pytest.raises(Conflict, match="already has its action plan"):
        safeguarding_plan_start(track=track, actor=officer, title="Again", started_on=today())


def test_a_move_to_the_board_never_asks_for_the_boards_decision_before_it_meets(somerset):
    """Issue 13 (003 Appendix 5, Decision-making process): the Commissioning & Quality Board
    decides at its meeting, so the referral carries the QIM's notes, not the Board's minutes;
    the Board's decision is the step recorded at the meeting."""
    from concerns.pack import Ladder

    moves = Ladder.of(somerset.council).moves
    board_moves = [m for m in moves if m.approval and "board" in m.approval.decided_by]
    assert len(board_moves) == 6
    assert all("board_decision" not in m.evidence for m in board_moves)
    _to_formal(somerset)
    rec = case_move(
        case=somerset.case,
        actor=somerset.officer,
        move="issue_rectification_notice",
        reason="Not improving after the QIM",
        evidence=[ev("meeting_notes", "QIM 3 notes")],
    )
    meeting = decided_at_meeting(rec)
    _act(rec, somerset.board, StepOutcome.APPROVED, meeting=meeting)
    somerset.case.refresh_from_db()
    assert somerset.case.stage == Stage.RECTIFICATION
    step = rec.steps.get()
    from boards.models import Meeting

    assert step.meeting_ref == Meeting.objects.get(pk=meeting).reference
    assert step.board_record["counted"]
