"""Smoke: Somerset's ladder up and down through the services (the full scenarios live in
tests/concerns/scenarios/)."""

import datetime as dt

import pytest
from django.utils import timezone

from concerns.models import LetterRequest, Stage
from concerns.services import case_move, case_open
from councils.models import Role
from decisions.models import Recommendation
from decisions.services import recommendation_act
from tests.boards.helpers import decided_at_meeting
from tests.deadlines import deadlines
from tests.factories import LocationFactory


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
    assert LetterRequest.objects.filter(case=case).count() == 3
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
        meeting=decided_at_meeting(rec, on=timezone.localdate() - dt.timedelta(days=1)),
    )
    case.refresh_from_db()
    assert case.stage == Stage.RECTIFICATION
    assert deadlines(case=case).exists()
    assert made.to_stage == Stage.FORMAL


@pytest.mark.django_db
def test_somerset_contract_visits_suspended_while_formal(load_pack, member):
    """003 1.13: "Contract visits will be suspended during this process and reinstated after
    the process ends."""
    from monitoring.selectors import reviews_due
    from monitoring.services import review_plan

    council = load_pack("somerset")
    officer = member(council, Role.OFFICER)
    location = LocationFactory(local_authority="Somerset")
    review = review_plan(
        council=council,
        location=location,
        actor=officer,
        kind="contract_visit",
        planned_for=timezone.localdate() + dt.timedelta(days=10),
    )
    case = case_open(council=council, actor=officer, summary="Concerns", location=location)
    assert [r.pk for r in reviews_due(council=council).planned] == [review.pk]
    case_move(case=case, actor=officer, move="invoke_quality_improvement", reason="RI")
    due = reviews_due(council=council)
    assert due.planned == [] and [r.pk for r in due.suspended] == [review.pk]
    assert (
        "Quality" in due.suspended[0].suspended_by
        or case.reference in due.suspended[0].suspended_by
    )
    case_move(case=case, actor=officer, move="end_quality_improvement", reason="Improved")
    due = reviews_due(council=council)
    assert [r.pk for r in due.planned] == [review.pk] and due.suspended == []


@pytest.mark.django_db
def test_every_move_is_on_the_location_timeline(load_pack, member, signed_in, api_as):
    """Issue: "Every move writes an append-only audit entry (who, when, from, to, why, policy
    version), shown on the timeline" - the page and the API."""
    council = load_pack("somerset")
    officer = member(council, Role.OFFICER)
    location = LocationFactory(local_authority="Somerset")
    case = case_open(council=council, actor=officer, summary="Concerns raised", location=location)
    case_move(case=case, actor=officer, move="invoke_quality_improvement", reason="Rated RI")
    page = signed_in(officer).get(f"/locations/{location.pk}/timeline/?kind=case")
    text = page.content.decode()
    assert page.status_code == 200
    assert f"{case.reference} opened" in text and "Rated RI" in text
    assert "Informal stage" in text or "informal" in text.lower()
    api = api_as(officer).get(f"/api/v1/locations/{location.pk}/timeline/", {"kind": "case"})
    assert api.status_code == 200, api.content
    titles = [e["title"] for e in api.json()]
    assert any(case.reference in t and "→" in t for t in titles), titles
