"""Escalation scenarios, 002 Bradford: the ladder up and back down."""

import datetime as dt

import pytest

from concerns.models import LetterRequest, Stage
from concerns.services import case_move, case_open
from core.errors import NotAllowed, ValidationFailed
from councils.models import Role
from decisions.models import DecisionStep, StepOutcome
from decisions.services import recommendation_act
from monitoring.models import Review
from tests.boards.helpers import decided_at_meeting
from tests.concerns.scenarios.helpers import check_move, check_path, decide, ev, last_move, today
from tests.deadlines import deadlines
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


# --- 002 Bradford ----------------------------------------------------------------------------


def test_bradford_ladder_up_and_back_down(load_pack, member):
    """002 Bradford: routine monitoring, the serious concerns process, and in very extreme
    circumstances closing the service.

    002 4.2.4: "Where multiple strands of intelligence are received specific to a provider or
    organisation this is, where appropriate, shared at a serious concerns meeting where multi
    agency members share information and agree a plan to monitor quality concerns and risks."
    002 5.4.1: "As part of the serious concerns process an officer from the adult social care
    contract and quality assurance team is appointed to work with the provider/organisation.
    Arrangements are instigated including increased desktop monitoring, site visits and
    regular oversight of services."
    002 3.1: "Only under very extreme circumstances would immediate action to close a service
    or remove service users be taken by either the CQC or the Council."
    """
    council = load_pack("bradford")
    officer = member(council, Role.OFFICER)
    manager = member(council, Role.MANAGER)
    meeting_member = member(council, Role.DECISION_MAKER, title="Adults safeguarding lead")
    director = member(
        council, Role.DECISION_MAKER, title="Assistant Director – Commissioning & Integration"
    )
    location = LocationFactory(local_authority="Bradford")
    case = case_open(council=council, actor=officer, summary="Multiple strands", location=location)
    meeting_on = today() - dt.timedelta(days=2)

    def to_enhanced(reason):
        rec = case_move(
            case=case,
            actor=officer,
            move="start_enhanced_monitoring",
            reason=reason,
            evidence=[ev("meeting_notes", "Serious concerns meeting")],
        )
        recommendation_act(
            recommendation=rec,
            actor=meeting_member,
            outcome=StepOutcome.APPROVED,
            reasons="Plan agreed: enhanced monitoring",
            meeting=decided_at_meeting(rec, on=meeting_on),
        )
        return rec

    rec = to_enhanced("Complaints, safeguarding alerts and a CQC concern")
    step = DecisionStep.objects.get(recommendation=rec)
    assert step.acting_as == "Decision maker of the Serious concerns meeting"
    assert step.meeting_on == meeting_on
    check_move(
        case,
        last_move(case),
        frm=Stage.INFORMAL,
        to=Stage.FORMAL,
        key="start_enhanced_monitoring",
        reason="Plan agreed",
        evidence=("meeting_notes",),
        actor=meeting_member,
        recommendation=rec,
    )
    record = case_move(
        case=case,
        actor=manager,
        move="end_enhanced_monitoring",
        reason="Requirements implemented and sustained",
        evidence=[ev("meeting_notes", "Progress reported")],
    )
    check_move(
        case,
        record,
        frm=Stage.FORMAL,
        to=Stage.INFORMAL,
        key="end_enhanced_monitoring",
        reason="Requirements implemented and sustained",
        evidence=("meeting_notes",),
        actor=manager,
    )
    to_enhanced("Concerns again")
    rec = case_move(
        case=case, actor=officer, move="close_service", reason="Immediate risk to residents"
    )
    with pytest.raises(NotAllowed):  # a meeting member without the Assistant Director's title
        decide(rec, meeting_member, reasons="Close it")
    decide(rec, director, reasons="Close the service")
    assert DecisionStep.objects.get(recommendation=rec).acting_as == (
        "Assistant Director – Commissioning & Integration"
    )
    check_move(
        case,
        last_move(case),
        frm=Stage.FORMAL,
        to=Stage.TERMINATED,
        key="close_service",
        reason="Close the service",
        actor=director,
        recommendation=rec,
    )
    record = case_move(case=case, actor=officer, move="close_case", reason="Service closed")
    check_move(
        case,
        record,
        frm=Stage.TERMINATED,
        to=Stage.CLOSED,
        key="close_case",
        reason="Service closed",
    )
    check_path(
        case,
        [
            (Stage.INFORMAL, Stage.FORMAL),
            (Stage.FORMAL, Stage.INFORMAL),
            (Stage.INFORMAL, Stage.FORMAL),
            (Stage.FORMAL, Stage.TERMINATED),
            (Stage.TERMINATED, Stage.CLOSED),
        ],
    )
    # The report has no notices or time limits: the moves leave none.
    assert not LetterRequest.objects.filter(case=case).exists()
    assert not deadlines(case=case).exists()
    assert not Review.objects.filter(council=council).exists()
    # It has no rectification or final warning stage either.
    case2 = case_open(council=council, actor=officer, summary="x", location=LocationFactory())
    with pytest.raises(ValidationFailed) as caught:
        case_move(case=case2, actor=officer, move="issue_rectification_notice", reason="x")
    assert "move" in caught.value.errors
