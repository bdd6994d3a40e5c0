"""Moves the API refuses: 400 naming the field, 409 with the reason a move is not open."""

import pytest

from concerns.models import Case, CaseMove, Stage
from concerns.services import case_move
from core.models import AuditEntry
from decisions.models import Recommendation
from decisions.services import recommendation_act
from tests.concerns.api.helpers import (
    CASES,
    RECS,
    RECTIFICATION_EVIDENCE,
    at_formal,
    field_errors,
    open_case,
    propose_termination,
    referral,
    termination,
)

pytestmark = pytest.mark.django_db


# --- 400: the field named --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": None}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"move": "demolish"}, "move"),
        ({"evidence": []}, "evidence"),
        ({"evidence": None}, "evidence"),
        # A kind the council names, but not the one the move needs (004 17.2: legal advice).
        ({"evidence": [{"kind": "cqc_report", "note": "Report"}]}, "evidence"),
        ({"evidence": [{"kind": "rumour", "note": "Heard"}]}, "evidence"),
        ({"evidence": [{"kind": "legal_advice", "url": "ftp://x"}]}, "evidence"),
        ({"evidence": [{"kind": "legal_advice"}, {"kind": "cqc_report"}]}, "evidence"),
        ({"details": {"colour": "red"}}, "details"),
        ({"expected_stage": "limbo"}, "expected_stage"),
    ],
)
def test_moving_400_names_the_field(changes, field, wb, api_as):
    """West Berkshire's termination, recommended into the chain (004 18)."""
    case = open_case(wb.council)
    payload = termination(**changes)
    payload = {k: v for k, v in payload.items() if v is not None}
    response = api_as(wb.officer).post(f"{CASES}{case.pk}/moves/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    case.refresh_from_db()
    assert case.stage == Stage.INFORMAL
    assert not Recommendation.objects.exists()
    assert not CaseMove.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"details": {}}, "details.reason"),
        ({"details": {"reason": "Short term concerns"}}, "details.recommendation"),
        (
            {"details": {"reason": "Bored", "recommendation": "Suspend new placements"}},
            "details.reason",
        ),
        (
            {
                "details": {
                    "reason": "Short term concerns",
                    "recommendation": "Suspend new placements",
                    "colour": "red",
                }
            },
            "details",
        ),
    ],
)
def test_moving_400_names_the_question(changes, field, bromley, api_as):
    """Bromley's referral to the DASS asks why the DASS must decide and what is recommended
    (000 3.ii, 3.i c), both required: a missing, wrong or unknown answer is named."""
    case = open_case(bromley.council)
    response = api_as(bromley.officer).post(
        f"{CASES}{case.pk}/moves/", referral(**changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    case.refresh_from_db()
    assert case.stage == Stage.INFORMAL
    assert not Recommendation.objects.exists()
    assert not CaseMove.objects.exists()


def test_missing_evidence_for_a_move_made_at_once_is_400(wb, api_as):
    """West Berkshire's default warning is made at once by a manager, with the improvement
    plan as evidence."""
    case = open_case(wb.council)
    # Stage is a protected FSM field: put the case at the formal stage through the queryset.
    Case.objects.filter(pk=case.pk).update(stage=Stage.FORMAL)
    response = api_as(wb.srm).post(
        f"{CASES}{case.pk}/moves/",
        {"move": "warn_of_default", "reason": "No progress"},
        format="json",
    )
    assert response.status_code == 400
    needs = "Add the evidence this needs: improvement plan."
    assert response.json()["errors"]["evidence"] == [needs]
    assert not CaseMove.objects.exists()


# --- 409: not open from the case's stage ------------------------------------------------------


def test_a_move_not_open_from_the_stage_is_409_with_the_reason(sm, api_as):
    case = open_case(sm.council)
    response = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/",
        {"move": "issue_rectification_notice", "reason": "Skip ahead"},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["detail"] == (
        "The case is at “Informal stage”; this move starts from "
        "“Formal stage (Quality Improvement)”."
    )
    assert not Recommendation.objects.exists()


def test_a_move_on_a_closed_case_is_409(sm, api_as):
    case = open_case(sm.council)
    case_move(case=case, actor=sm.officer, move="close_informal", reason="Resolved")
    response = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/", {"move": "close_informal", "reason": "Again"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "The case is closed."


def test_a_move_on_a_stale_view_of_the_case_is_409(sm, api_as):
    case = at_formal(sm)
    response = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/",
        {"move": "formal_to_informal", "reason": "Better", "expected_stage": "informal"},
        format="json",
    )
    assert response.status_code == 409
    assert "meanwhile" in response.json()["detail"]
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL


def test_a_second_recommendation_while_one_waits_is_409(sm, api_as):
    case = at_formal(sm)
    first = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/",
        {
            "move": "issue_rectification_notice",
            "reason": "Not improving",
            "evidence": RECTIFICATION_EVIDENCE,
        },
        format="json",
    )
    second = api_as(sm.manager).post(
        f"{CASES}{case.pk}/moves/",
        {"move": "issue_final_warning", "reason": "Worse", "evidence": RECTIFICATION_EVIDENCE},
        format="json",
    )
    assert (first.status_code, second.status_code) == (202, 409)
    assert second.json()["detail"] == (
        f"{first.json()['reference']} (Issue a Rectification Notice) waits for a decision: "
        "it is decided or withdrawn before the case moves again."
    )
    assert Recommendation.objects.count() == 1


def test_a_move_blocked_by_a_waiting_recommendation_is_409(wb, api_as):
    """The API refuses what GET moves/ and the case page show as blocked: no move while a
    recommendation on the case waits (else its decision could never be applied)."""
    case = open_case(wb.council)
    rec = propose_termination(wb, case)
    options = api_as(wb.officer).get(f"{CASES}{case.pk}/moves/").json()
    close = next(o for o in options if o["key"] == "close_informal")
    assert close["open"] is False
    response = api_as(wb.officer).post(
        f"{CASES}{case.pk}/moves/", {"move": "close_informal", "reason": "Done"}, format="json"
    )
    assert response.status_code == 409, response.content
    assert rec.reference in response.json()["detail"]
    case.refresh_from_db()
    rec.refresh_from_db()
    assert (case.stage, rec.status) == (Stage.INFORMAL, "pending")
    assert not CaseMove.objects.exists()


def test_a_decision_on_a_case_that_moved_meanwhile_is_409_and_records_nothing(wb, api_as):
    """The services no longer move a case while a recommendation waits, but the decision
    still checks: if the stage changed underneath (here set directly), approving records
    nothing: no step, no move, still pending."""
    case = open_case(wb.council)
    rec = propose_termination(wb, case)
    for manager in (wb.srm, wb.sm):
        recommendation_act(recommendation=rec, actor=manager, outcome="forwarded", reasons="OK")
    Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED)
    response = api_as(wb.head).post(
        f"{RECS}{rec.pk}/act/", {"outcome": "approved", "reasons": "Agreed"}, format="json"
    )
    assert response.status_code == 409
    assert "has moved since this was recommended" in response.json()["detail"]
    rec.refresh_from_db()
    assert (rec.status, rec.step, rec.steps.count()) == ("pending", 2, 2)
    assert not AuditEntry.objects.filter(action="recommendation.approved").exists()
