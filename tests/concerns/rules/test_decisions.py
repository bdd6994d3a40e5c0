"""Escalation rules: what a move needs in writing, who may check and decide it, a quorate Board."""

import datetime as dt

import pytest

from concerns.models import Stage
from concerns.services import case_move, case_open
from core.errors import NotAllowed, ValidationFailed
from councils.models import Role
from decisions.models import DecisionStep, Status, StepOutcome
from decisions.selectors import blockers
from tests.boards.helpers import decided_at_meeting
from tests.concerns.rules.helpers import (
    BOARD_EVIDENCE,
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

DASS = "Director of Adult Social Services (DASS)"


# --- what a move needs in writing ------------------------------------------------------------

REFER = {
    "reason": "Inspection rating below Good published",
    "recommendation": "Suspend new placements",
}
GUIDANCE = [ev("compliance_guidance")]


@pytest.mark.parametrize(
    ("code", "formal", "move", "kwargs", "field", "says"),
    [
        pytest.param(
            "somerset",
            False,
            "invoke_quality_improvement",
            {"reason": " "},
            "reason",
            "reason",
            id="no reason on a direct move",
        ),
        pytest.param(
            "somerset",
            True,
            "issue_rectification_notice",
            {"reason": "", "evidence": BOARD_EVIDENCE},
            "reason",
            "reason",
            id="no reason on a proposal",
        ),
        pytest.param(
            "somerset",
            True,
            "issue_rectification_notice",
            {"reason": "x", "evidence": [ev("cqc_report")]},
            "evidence",
            "qim notes and actions",
            id="required evidence missing",
        ),
        pytest.param(
            "somerset",
            True,
            "issue_rectification_notice",
            {"reason": "x", "evidence": [*BOARD_EVIDENCE[:1], ev("board_decision", url="x.pdf")]},
            "evidence",
            "https://",
            id="evidence link not a URL",
        ),
        pytest.param(
            "somerset",
            True,
            "issue_rectification_notice",
            {
                "reason": "x",
                "evidence": [*BOARD_EVIDENCE, ev("cqc_report", url="javascript:alert(1)")],
            },
            "evidence",
            "https://",
            id="evidence link with a script scheme",
        ),
        pytest.param(
            "somerset",
            True,
            "issue_rectification_notice",
            {"reason": "x", "evidence": [*BOARD_EVIDENCE, ev("gossip")]},
            "evidence",
            "not a kind of evidence",
            id="unknown kind of evidence",
        ),
        pytest.param(
            "bromley",
            False,
            "refer_to_dass",
            {"reason": "x", "evidence": GUIDANCE, "details": {"reason": REFER["reason"]}},
            "details.recommendation",
            "Recommendation on new placements",
            id="required detail missing",
        ),
        pytest.param(
            "bromley",
            False,
            "refer_to_dass",
            {"reason": "x", "evidence": GUIDANCE, "details": {**REFER, "reason": "Bored"}},
            "details.reason",
            "Choose one",
            id="detail not one of the choices",
        ),
        pytest.param(
            "bromley",
            False,
            "refer_to_dass",
            {"reason": "x", "evidence": GUIDANCE, "details": {**REFER, "colour": "red"}},
            "details",
            "colour",
            id="unknown detail",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    load_pack, member, code, formal, move, kwargs, field, says
):
    council = load_pack(code)
    officer = member(council, Role.OFFICER)
    case = case_open(council=council, actor=officer, summary="x", location=LocationFactory())
    if formal:
        case_move(case=case, actor=officer, move="invoke_quality_improvement", reason="RI")
        case.refresh_from_db()
    before = written(council)
    with pytest.raises(ValidationFailed) as caught:
        case_move(case=case, actor=officer, move=move, **kwargs)
    assert caught.value.status_code == 400
    assert set(caught.value.errors) == {field}
    assert says in " ".join(caught.value.errors[field])
    assert written(council) == before
    stage = case.stage
    case.refresh_from_db()
    assert case.stage == stage


# --- someone else checks and decides ---------------------------------------------------------


def test_the_proposer_cannot_decide_their_own_recommendation(load_pack, member):
    """000 3.ii: the decision "will be made following evaluation of the information and
    guidance from the contract compliance team" - by someone other than who gave it."""
    council = load_pack("bromley")
    both = member(council, Role.OFFICER)
    member(council, Role.DECISION_MAKER, title=DASS, user=both)
    dass = member(council, Role.DECISION_MAKER, title=DASS)
    case = case_open(council=council, actor=both, summary="RI", location=LocationFactory())
    rec = case_move(
        case=case,
        actor=both,
        move="refer_to_dass",
        reason="RI",
        evidence=GUIDANCE,
        details=REFER,
    )
    assert blockers(recommendation=rec, user=both) == [
        "You made this recommendation: someone else must check or decide it."
    ]
    before = written(council)
    with pytest.raises(NotAllowed, match="You made this recommendation"):
        _act(rec, both, StepOutcome.APPROVED)
    assert written(council) == before
    _act(rec, dass, StepOutcome.APPROVED)
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL


def test_one_person_cannot_act_at_two_steps(west_berkshire, member):
    """004 18: the SRM checks, the SM recommends, the Head of Commissioning decides: three
    people."""
    wb = west_berkshire
    sm_and_hoc = member(wb.council, Role.MANAGER, title="Service Manager")
    member(wb.council, Role.DECISION_MAKER, title="Head of Commissioning", user=sm_and_hoc)
    rec = _termination(wb)
    _act(rec, wb.srm, StepOutcome.FORWARDED)
    before = written(wb.council)
    with pytest.raises(NotAllowed, match="You have already acted on it"):
        _act(rec, wb.srm, StepOutcome.FORWARDED)  # the SRM again, at the SM's step
    assert written(wb.council) == before
    _act(rec, sm_and_hoc, StepOutcome.FORWARDED)
    with pytest.raises(NotAllowed, match="You have already acted on it"):
        _act(rec, sm_and_hoc, StepOutcome.APPROVED)  # the SM again, as the HoC
    assert DecisionStep.objects.filter(recommendation=rec).count() == 2
    _act(rec, wb.hoc, StepOutcome.APPROVED)
    rec.refresh_from_db()
    assert rec.status == Status.APPROVED


# --- the Board decides only when quorate -----------------------------------------------------


@pytest.mark.parametrize(
    "what", ["not quorate", "no meeting", "not on the agenda", "not held", "another board"]
)
def test_a_board_decision_needs_a_quorate_meeting(somerset, what):
    """003 Appendix 4 ToR 5: "If the quorum has not been reached then the meeting may proceed
    if those attending agree, but any record of the meeting should be clearly indicated as
    notes rather than formal minutes and no decisions may be taken by the non-quorate meeting
    of the Board." The quorum is the meeting's, from its attendance (issue 12)."""
    from boards.models import AgendaItem, Meeting, MeetingStatus

    _to_formal(somerset)
    rec = _propose_rectification(somerset)
    meeting = decided_at_meeting(rec, on=today() - dt.timedelta(days=1))
    rows = Meeting.objects.filter(pk=meeting)
    if what == "not quorate":
        rows.update(quorate=False, quorum_reasons=["No Strategic Commissioner present"])
    elif what == "no meeting":
        meeting = None
    elif what == "not on the agenda":
        AgendaItem.objects.filter(meeting_id=meeting).delete()
    elif what == "not held":
        rows.update(status=MeetingStatus.PLANNED)
    else:
        rows.update(board="quality_improvement_meeting")
    before = written(somerset.council)
    with pytest.raises(ValidationFailed) as caught:
        _act(rec, somerset.board, StepOutcome.APPROVED, meeting=meeting)
    assert set(caught.value.errors) == {"meeting"}
    if what == "not quorate":
        assert (
            "was not quorate (No Strategic Commissioner present)"
            in caught.value.errors["meeting"][0]
        )
    assert written(somerset.council) == before
    rec.refresh_from_db()
    somerset.case.refresh_from_db()
    assert rec.status == Status.PENDING
    assert somerset.case.stage == Stage.FORMAL


def test_a_board_decision_names_its_meeting(somerset):
    _to_formal(somerset)
    rec = _propose_rectification(somerset)
    meeting = decided_at_meeting(rec, on=today() - dt.timedelta(days=3))
    _act(rec, somerset.board, StepOutcome.APPROVED, meeting=meeting)
    step = DecisionStep.objects.get(recommendation=rec)
    assert step.meeting_on == today() - dt.timedelta(days=3)
    assert step.meeting_ref.startswith("MTG-")


def test_an_urgent_board_decision_may_be_taken_virtually(somerset):
    """003 Appendix 4 ToR 5: "In situations where major issues occurs requiring urgent
    decisions outside of regular, scheduled meetings, decision-making via virtual meetings,
    email and/ or teleconference will be undertaken." """
    _to_formal(somerset)
    rec = _propose_rectification(somerset)
    meeting = decided_at_meeting(rec, virtual=True)
    _act(rec, somerset.board, StepOutcome.APPROVED, virtual=True, urgent=True, meeting=meeting)
    step = DecisionStep.objects.get(recommendation=rec)
    assert step.virtual and step.urgent and step.meeting_ref
    somerset.case.refresh_from_db()
    assert somerset.case.stage == Stage.RECTIFICATION
