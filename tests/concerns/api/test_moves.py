"""Moves through the API: made at once (200) or recommended (202) and decided; the inbox."""

import datetime as dt

import pytest
from django.utils import timezone

from concerns.models import CaseMove, LetterRequest, Stage
from concerns.services import case_move
from core.models import AuditEntry
from councils.models import Delegation, Membership, Role
from decisions.models import DecisionStep, Recommendation
from decisions.services import recommendation_act
from tests.concerns.api.helpers import (
    CASES,
    DASS,
    HEAD_OF_COMMISSIONING,
    RECS,
    RECTIFICATION_EVIDENCE,
    SOMERSET_BOARD,
    at_formal,
    board_approval,
    open_case,
    propose_rectification,
    propose_termination,
    termination,
    today,
)
from tests.deadlines import deadlines

pytestmark = pytest.mark.django_db


# --- making moves ----------------------------------------------------------------------------


def test_a_move_without_a_decision_is_made_at_once(sm, api_as):
    case = open_case(sm.council)
    response = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/",
        {
            "move": "invoke_quality_improvement",
            "reason": "  Rated Requires Improvement  ",
            "evidence": [{"kind": "cqc_report", "url": "https://www.cqc.org.uk/x"}],
            "expected_stage": "informal",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["move_key"] == "invoke_quality_improvement"
    assert body["label"] == "Invoke the Quality Improvement process"
    assert (body["from_stage"], body["to_stage"]) == ("informal", "formal")
    assert body["reason"] == "Rated Requires Improvement"
    # An item without a file says so: file_name and file_size are always there (issue 13).
    assert body["evidence"] == [
        {
            "kind": "cqc_report",
            "note": "",
            "url": "https://www.cqc.org.uk/x",
            "file_name": None,
            "file_size": None,
        }
    ]
    assert body["actor_label"] == sm.officer.get_full_name()
    assert body["recommendation"] is None
    assert body["policy_version"] == sm.council.active_policy.number
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    assert set(LetterRequest.objects.filter(case=case).values_list("letter", flat=True)) == {
        "quality_improvement_notice",
        "qim_invitation",
        "qim_agenda",
    }
    entry = AuditEntry.objects.get(action="case.moved")
    assert entry.object_id == str(case.pk)
    assert (entry.data["from"], entry.data["to"], entry.data["move"]) == (
        "informal",
        "formal",
        "invoke_quality_improvement",
    )
    detail = api_as(sm.auditor).get(f"{CASES}{case.pk}/").json()
    assert detail["stage"] == "formal"
    assert detail["stage_label"] == "Formal stage (Quality Improvement)"
    assert [m["move_key"] for m in detail["moves"]] == ["invoke_quality_improvement"]
    assert {lt["letter"] for lt in detail["letters"]} == {
        "quality_improvement_notice",
        "qim_invitation",
        "qim_agenda",
    }


def test_a_move_needing_a_decision_is_202_with_the_recommendation(sm, api_as):
    case = at_formal(sm)
    response = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/",
        {
            "move": "issue_rectification_notice",
            "reason": "Not improving after three QIMs",
            "evidence": RECTIFICATION_EVIDENCE,
            "urgent": True,
        },
        format="json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["reference"] == f"REC-{today().year}-0001"
    assert (body["kind"], body["key"], body["status"]) == (
        "move",
        "issue_rectification_notice",
        "pending",
    )
    assert (body["subject"]["reference"], body["subject_state"], body["proposal"]["to"]) == (
        case.reference,
        "formal",
        "rectification",
    )
    assert body["awaiting"] == f"Decision of the {SOMERSET_BOARD}"
    assert body["urgent"] is True
    assert body["steps"] == []
    assert body["proposed_by_label"] == sm.officer.get_full_name()
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    assert CaseMove.objects.filter(case=case).count() == 1  # only the earlier move
    assert AuditEntry.objects.filter(action="recommendation.made").count() == 1


def test_the_board_decides_and_the_case_moves(sm, api_as):
    """003 Appendix 5: the quorate Board decides; the approved move is made at once with the
    decision's reasons and leaves the Rectification Notice and its time limit."""
    case = at_formal(sm)
    proposed = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/",
        {
            "move": "issue_rectification_notice",
            "reason": "Not improving",
            "evidence": RECTIFICATION_EVIDENCE,
        },
        format="json",
    )
    rec = proposed.json()
    response = api_as(sm.board).post(f"{RECS}{rec['id']}/act/", board_approval(rec), format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["awaiting"]) == ("approved", "")
    assert body["decided_by_label"] == sm.board.get_full_name()
    assert [(s["outcome"], s["label"], s["acting_as"]) for s in body["steps"]] == [
        ("approved", f"Decision of the {SOMERSET_BOARD}", f"Decision maker of the {SOMERSET_BOARD}")
    ]
    case.refresh_from_db()
    assert case.stage == Stage.RECTIFICATION
    made = CaseMove.objects.get(case=case, move_key="issue_rectification_notice")
    assert made.recommendation_id == rec["id"]
    assert made.actor == sm.board
    assert "Decision: Agreed by the quorate Board" in made.reason
    assert deadlines(case=case, move=made, stage="rectification").count() == 1
    assert LetterRequest.objects.filter(move=made, letter="rectification_notice").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"meeting": None}, "meeting"),
        ({"meeting": "not quorate"}, "meeting"),
        ({"meeting": "not on the agenda"}, "meeting"),
        ({"reasons": "   "}, "reasons"),
        ({"outcome": "forwarded"}, "outcome"),
    ],
)
def test_a_board_decision_400_names_the_field(changes, field, sm, api_as):
    """003 ToR 5: no decisions may be taken by a non-quorate meeting of the Board."""
    from boards.models import AgendaItem, Meeting

    case = at_formal(sm)
    rec = propose_rectification(sm, case)
    body = board_approval(rec, **{k: v for k, v in changes.items() if k != "meeting"})
    if changes.get("meeting") == "not quorate":
        Meeting.objects.filter(pk=body["meeting"]).update(
            quorate=False, quorum_reasons=["Only 2 members present: at least 3 are needed"]
        )
    elif changes.get("meeting") == "not on the agenda":
        AgendaItem.objects.filter(meeting_id=body["meeting"]).delete()
    elif "meeting" in changes:
        body["meeting"] = None
    response = api_as(sm.board).post(f"{RECS}{rec.pk}/act/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    rec.refresh_from_db()
    case.refresh_from_db()
    assert (rec.status, case.stage) == ("pending", Stage.FORMAL)
    assert not DecisionStep.objects.exists()


def test_a_virtual_board_decision_is_taken_at_an_urgent_virtual_meeting(sm, api_as):
    from tests.boards.helpers import decided_at_meeting

    case = at_formal(sm)
    rec = propose_rectification(sm, case)
    response = api_as(sm.board).post(
        f"{RECS}{rec.pk}/act/",
        {
            "outcome": "approved",
            "reasons": "Agreed by email",
            "virtual": True,
            "urgent": True,
            "meeting": decided_at_meeting(rec, virtual=True),
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["steps"][0]["virtual"] is True


def test_a_rejected_recommendation_leaves_the_case(sm, api_as):
    case = at_formal(sm)
    rec = propose_rectification(sm, case)
    response = api_as(sm.board).post(
        f"{RECS}{rec.pk}/act/",
        board_approval(rec, outcome="rejected", reasons="Give the QIM more time"),
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["decision_reasons"] == "Give the QIM more time"
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    again = api_as(sm.board).post(f"{RECS}{rec.pk}/act/", board_approval(rec), format="json")
    assert again.status_code == 409
    assert "not approved" in again.json()["detail"]
    options = api_as(sm.officer).get(f"{CASES}{case.pk}/moves/").json()
    assert all(o["open"] for o in options)


def test_the_chain_a_manager_forwards_and_the_head_of_commissioning_decides(wb, api_as):
    """004 18: CQO -> SRM agrees -> SM recommends in writing -> Head of Commissioning
    decides (004 17.2: termination); each person acts once; the case moves only on the
    decision."""
    case = open_case(wb.council)
    proposed = api_as(wb.officer).post(f"{CASES}{case.pk}/moves/", termination(), format="json")
    assert proposed.status_code == 202, proposed.content
    rec_id = proposed.json()["id"]
    assert proposed.json()["awaiting"] == "SRM agrees the criteria for termination are met"
    act = f"{RECS}{rec_id}/act/"
    forward = {"outcome": "forwarded", "reasons": "Criteria met"}

    # Not yet: the proposer, the decision maker before the checks, a wrong outcome.
    own = api_as(wb.officer).post(act, forward, format="json")
    assert own.status_code == 403  # an officer takes no step in the chain, least of all here
    early = api_as(wb.head).post(act, {"outcome": "approved", "reasons": "x"}, format="json")
    assert early.status_code == 403
    assert early.json()["detail"].startswith("It waits for ")
    wrong = api_as(wb.srm).post(act, {"outcome": "approved", "reasons": "x"}, format="json")
    assert wrong.status_code == 400 and "outcome" in wrong.json()["errors"]

    first = api_as(wb.srm).post(act, forward, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["awaiting"] == (
        "SM recommends termination to the Head of Commissioning in writing"
    )
    twice = api_as(wb.srm).post(act, forward, format="json")
    assert twice.status_code == 403
    assert "already acted" in twice.json()["detail"]
    second = api_as(wb.sm).post(act, forward, format="json")
    assert second.status_code == 200
    assert second.json()["awaiting"] == f"Decision of the {HEAD_OF_COMMISSIONING}"
    case.refresh_from_db()
    assert case.stage == Stage.INFORMAL

    decided = api_as(wb.head).post(
        act,
        {
            "outcome": "approved",
            "reasons": "Termination agreed",
            "stipulation": "Review in 3 months",
        },
        format="json",
    )
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert (body["status"], body["stipulation"]) == ("approved", "Review in 3 months")
    assert [(s["position"], s["outcome"]) for s in body["steps"]] == [
        (0, "forwarded"),
        (1, "forwarded"),
        (2, "approved"),
    ]
    assert body["steps"][2]["acting_as"] == HEAD_OF_COMMISSIONING
    case.refresh_from_db()
    assert case.stage == Stage.TERMINATED
    detail = api_as(wb.officer).get(f"{CASES}{case.pk}/").json()
    assert [(m["move_key"], m["recommendation"]) for m in detail["moves"]] == [
        ("terminate_commissioning", body["reference"])
    ]
    assert [d["time_limit"] for d in detail["timers"]] == ["restriction_decision_notice"]
    assert [lt["letter"] for lt in detail["letters"]] == ["decision_letter"]
    assert AuditEntry.objects.filter(action="recommendation.forwarded").count() == 2
    assert AuditEntry.objects.filter(action="recommendation.approved").count() == 1


def test_a_delegate_decides_within_the_delegation_dates(bromley, member, api_as):
    """000 4.iv: the DASS's delegate decides within the delegation's dates, and says so."""
    case = open_case(bromley.council)
    rec = case_move(
        case=case,
        actor=bromley.officer,
        move="refer_to_dass",
        reason="Rated Inadequate",
        evidence=[{"kind": "compliance_guidance", "note": "Guidance of 5 January"}],
        details={
            "reason": "Inspection rating below Good published",
            "recommendation": "Suspend new placements",
        },
    )
    delegate = member(
        bromley.council, Role.DECISION_MAKER, title="Head of Assessment & Care Management"
    )
    holder = Membership.objects.get(user=bromley.dass, council=bromley.council)
    delegation = Delegation.objects.create(
        council=bromley.council,
        delegator=holder,
        delegate=delegate,
        starts_on=today() + dt.timedelta(days=1),
        ends_on=today() + dt.timedelta(days=10),
    )
    act = f"{RECS}{rec.pk}/act/"
    decision = {"outcome": "approved", "reasons": "Suspend new placements"}
    before = api_as(delegate).post(act, decision, format="json")
    assert before.status_code == 403
    assert before.json()["detail"] == f"It waits for the {DASS}."
    delegation.starts_on = today() - dt.timedelta(days=1)
    delegation.save()
    within = api_as(delegate).post(act, decision, format="json")
    assert within.status_code == 200, within.content
    assert within.json()["steps"][0]["acting_as"].startswith(f"Delegate of the {DASS} (")
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL


def test_withdrawing_a_recommendation(wb, api_as):
    case = open_case(wb.council)
    rec = propose_termination(wb, case)
    other = api_as(wb.srm).post(f"{RECS}{rec.pk}/withdraw/", {"reason": "No"}, format="json")
    assert other.status_code == 403
    blank = api_as(wb.officer).post(f"{RECS}{rec.pk}/withdraw/", {"reason": " "}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    response = api_as(wb.officer).post(
        f"{RECS}{rec.pk}/withdraw/", {"reason": "Provider improved"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["steps"][-1]["outcome"] == "withdrawn"
    again = api_as(wb.officer).post(f"{RECS}{rec.pk}/withdraw/", {"reason": "Again"}, format="json")
    assert again.status_code == 409
    options = api_as(wb.officer).get(f"{CASES}{case.pk}/moves/").json()
    assert next(o for o in options if o["key"] == "terminate_commissioning")["open"] is True


# --- the inbox -------------------------------------------------------------------------------


def test_the_inbox_lists_what_waits_for_me_oldest_first(wb, api_as):
    newer, older = propose_termination(wb), propose_termination(wb)
    Recommendation.objects.filter(pk=older.pk).update(
        waiting_since=timezone.now() - dt.timedelta(days=9)
    )
    forwarded = propose_termination(wb)
    recommendation_act(recommendation=forwarded, actor=wb.srm, outcome="forwarded", reasons="OK")
    done = propose_termination(wb)
    for manager in (wb.srm, wb.sm):
        recommendation_act(recommendation=done, actor=manager, outcome="forwarded", reasons="OK")

    def inbox(user):
        response = api_as(user).get(f"{RECS}?awaiting=me")
        assert response.status_code == 200
        return [(r["reference"], r["awaiting"]) for r in response.json()["results"]]

    srm_check = "SRM agrees the criteria for termination are met"
    sm_check = "SM recommends termination to the Head of Commissioning in writing"
    assert inbox(wb.srm) == [(older.reference, srm_check), (newer.reference, srm_check)]
    # 004 18.1-18.3: the SRM's check, then the SM's: each post takes its own step.
    assert inbox(wb.sm) == [(forwarded.reference, sm_check)]
    assert inbox(wb.head) == [(done.reference, f"Decision of the {HEAD_OF_COMMISSIONING}")]
    assert inbox(wb.officer) == []
    everything = api_as(wb.officer).get(f"{RECS}?status=pending").json()["results"]
    assert [r["reference"] for r in everything][0] == older.reference
    assert len(everything) == 4
