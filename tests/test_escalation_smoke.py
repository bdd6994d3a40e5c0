"""Smoke: Somerset's ladder up and down through the services (the full scenarios live in
test_escalation_scenarios.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from concerns.models import CaseDeadline, LetterRequest, Recommendation, Stage
from concerns.services import case_move, case_open, recommendation_act
from councils.models import Role
from tests.factories import LocationFactory

BOARD = {"meeting_on": None, "quorate": True}


@pytest.mark.django_db
def test_somerset_up_and_down(load_pack, member):
    council = load_pack("somerset")
    officer = member(council, Role.OFFICER)
    board = member(council, Role.DECISION_MAKER, title="Strategic Manager, Quality & Performance")
    location = LocationFactory(local_authority="Somerset")
    case = case_open(council=council, actor=officer, summary="Concerns", location=location)
    made = case_move(case=case, actor=officer, move="invoke_quality_improvement", reason="RI")
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    assert LetterRequest.objects.filter(case=case).count() == 2
    rec = case_move(
        case=case,
        actor=officer,
        move="issue_rectification_notice",
        reason="Not improving",
        evidence=[
            {"kind": "meeting_notes", "note": "QIM 3 notes"},
            {"kind": "board_decision", "note": "Board of 1 May"},
        ],
    )
    assert isinstance(rec, Recommendation)
    recommendation_act(
        recommendation=rec,
        actor=board,
        outcome="approved",
        reasons="Agreed",
        meeting_on=timezone.localdate() - dt.timedelta(days=1),
        quorate=True,
    )
    case.refresh_from_db()
    assert case.stage == Stage.RECTIFICATION
    assert CaseDeadline.objects.filter(case=case).exists()
    assert made.to_stage == Stage.FORMAL
