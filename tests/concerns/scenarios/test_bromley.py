"""Escalation scenarios, 000 Bromley: the DASS and a delegate decide; Appendix 2 exceptions."""

import datetime as dt

import pytest

from concerns.models import Case, CaseMove, Stage
from concerns.services import case_move, case_open, exception_propose
from core.errors import NotAllowed, ValidationFailed
from core.models import AuditEntry
from councils.models import Membership, Role
from councils.services import delegation_create
from decisions.models import DecisionStep, Recommendation, Status
from decisions.selectors import blockers
from tests.concerns.scenarios.helpers import (
    check_move,
    check_path,
    decide,
    ev,
    last_move,
    letters_of,
    months_on,
    today,
)
from tests.deadlines import ENDED, RUNNING, deadlines
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


# --- 000 Bromley -----------------------------------------------------------------------------

DASS = "Director of Adult Social Services (DASS)"
APPENDIX_2 = {
    "cqc_report_date": "2025-01-15",
    "cqc_ratings": "Overall Requires improvement; Safe Requires improvement",
    "cqc_action_plan_completed": "9 actions, all complete",
    "next_cqc_visit": "2025-09-01",
    "quality_checker_visit": "Visited in March: residents positive",
    "lbb_visit_date": "2025-03-10",
    "qaf_d_scores": "None",
    "lbb_action_plan_completed": "All 6 actions complete",
    "outstanding_issues": "None",
    "rag_rating": "Green",
    "safeguarding_status": "No open safeguarding enquiries",
    "other_considerations": "Limit new admissions to two a week for a month",
}


def _bromley(load_pack, member):
    council = load_pack("bromley")
    people = {
        "officer": member(council, Role.OFFICER),
        "manager": member(council, Role.MANAGER, title="Head of Contract Compliance"),
        "dass": member(council, Role.DECISION_MAKER, title=DASS),
        "hacm": member(council, Role.MANAGER, title="Head of Assessment & Care Management"),
    }
    return council, people


def _refer_to_dass(case, actor):
    return case_move(
        case=case,
        actor=actor,
        move="refer_to_dass",
        reason="Rated Requires improvement",
        evidence=[ev("compliance_guidance", "Contract Compliance guidance of 2 June")],
        details={
            "reason": "Inspection rating below Good published",
            "recommendation": "Suspend new placements",
            "cqc_ratings": "Overall Requires improvement",
        },
    )


def test_bromley_dass_decides_and_the_delegate_within_dates(load_pack, member):
    """000 Bromley: the DASS decides on new placements and people placed; the delegate decides
    in the DASS's absence; placements resume on the Appendix 2 form.

    000 3.i c: "The decision for continuation of new placements with the provider will be made
    by the DASS following information and evidence from operational and strategic service
    leads, if standards fall below Good+ during the lifetime of the contract."
    000 3.ii: "In the absence of the DASS (e.g. for planned leave) the responsibility for the
    decision will be delegated to the Head of Assessment & Care Management."
    000 4.v: "care management and the contract compliance team will continue to monitor and
    support the provider for a period of six months to identify improvements before any
    decision is made to move residents/clients in situ."
    000 8: "The decision to resume placements is made by the DASS and recorded, (see Appendix
    2)"
    000 4.iv: "The decision on action to be taken for individual service users already placed
    with a provider ... will be made by the DASS"
    """
    council, p = _bromley(load_pack, member)
    delegation = delegation_create(
        council=council,
        delegator=Membership.objects.get(user=p["dass"], council=council, role=Role.DECISION_MAKER),
        delegate=p["hacm"],
        starts_on=today() - dt.timedelta(days=3),
        ends_on=today() + dt.timedelta(days=3),
        reason="Planned leave",
        actor=p["dass"],
    )
    location = LocationFactory(local_authority="Bromley")
    case = case_open(council=council, actor=p["officer"], summary="RI", location=location)

    # informal -> formal: the DASS decides on new placements.
    rec = _refer_to_dass(case, p["officer"])
    assert rec.details["recommendation"] == "Suspend new placements"
    decide(rec, p["dass"], reasons="Suspend new placements for now")
    assert DecisionStep.objects.get(recommendation=rec).acting_as == DASS
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.INFORMAL,
        to=Stage.FORMAL,
        key="refer_to_dass",
        reason="Suspend new placements for now",
        evidence=("compliance_guidance",),
        actor=p["dass"],
        recommendation=rec,
        details={
            "reason": "Inspection rating below Good published",
            "recommendation": "Suspend new placements",
            "cqc_ratings": "Overall Requires improvement",
        },
    )
    assert letters_of(record) == ["dass_decision_letter"]
    monitoring = deadlines(case=case, move=record).get()
    assert monitoring.payload["time_limit"] == "requires_improvement_monitoring"
    assert monitoring.due_on == months_on(today(), 6)

    # formal -> informal: placements resume, decided by the delegate within the dates.
    rec = case_move(
        case=case,
        actor=p["officer"],
        move="resume_placements_keep_monitoring",
        reason="CQC and LBB action plans complete; awaiting CQC re-inspection",
        details=APPENDIX_2,
    )
    decide(rec, p["hacm"], reasons="Resume, two admissions a week")
    step = DecisionStep.objects.get(recommendation=rec)
    assert step.actor == p["hacm"]
    assert step.acting_as.startswith(f"Delegate of the {DASS}")
    assert f"{delegation.starts_on:%d %b %Y} to {delegation.ends_on:%d %b %Y}" in step.acting_as
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.FORMAL,
        to=Stage.INFORMAL,
        key="resume_placements_keep_monitoring",
        reason="Resume, two admissions a week",
        actor=p["hacm"],
        recommendation=rec,
        details=APPENDIX_2,
    )
    assert letters_of(record) == ["dass_agreement_form"]  # 000 Appendix 2
    monitoring.refresh_from_db()
    assert monitoring.status == ENDED

    # Up again, then to the top: people already placed are moved; then closed.
    decide(_refer_to_dass(case, p["manager"]), p["dass"], reasons="Suspend again")
    rec = case_move(
        case=case,
        actor=p["officer"],
        move="move_people_placed",
        reason="New safeguarding concerns",
        evidence=[ev("compliance_guidance")],
        details={"service_users_consulted": True},
    )
    decide(rec, p["dass"], reasons="Move residents")
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.FORMAL,
        to=Stage.TERMINATED,
        key="move_people_placed",
        reason="Move residents",
        evidence=("compliance_guidance",),
        recommendation=rec,
        details={"service_users_consulted": True},
    )
    assert letters_of(record) == ["dass_decision_letter"]
    assert not deadlines(case=case, status=RUNNING).exists()
    record = case_move(case=case, actor=p["officer"], move="close_after_move", reason="All moved")
    check_move(
        case,
        record,
        frm=Stage.TERMINATED,
        to=Stage.CLOSED,
        key="close_after_move",
        reason="All moved",
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


@pytest.mark.parametrize(
    ("starts", "ends", "may_act"),
    [
        pytest.param(1, 10, False, id="one day before the delegation starts"),
        pytest.param(0, 0, True, id="on its only day"),
        pytest.param(-3, 3, True, id="inside it"),
        pytest.param(-10, -1, False, id="one day after it ended"),
    ],
)
def test_bromley_delegate_acts_only_within_the_delegations_dates(
    load_pack, member, starts, ends, may_act
):
    """000 4.iv: "In the absence of the DASS (eg for planned leave) the responsibility for the
    decision will be delegated to the Head of Assessment & Care Management." """
    council, p = _bromley(load_pack, member)
    delegation_create(
        council=council,
        delegator=Membership.objects.get(user=p["dass"], council=council, role=Role.DECISION_MAKER),
        delegate=p["hacm"],
        starts_on=today() + dt.timedelta(days=starts),
        ends_on=today() + dt.timedelta(days=ends),
        actor=p["dass"],
    )
    case = case_open(council=council, actor=p["officer"], summary="RI", location=LocationFactory())
    rec = _refer_to_dass(case, p["officer"])
    if may_act:
        decide(rec, p["hacm"], reasons="Agreed in the DASS's absence")
        case.refresh_from_db()
        assert case.stage == Stage.FORMAL
        assert DecisionStep.objects.get(recommendation=rec).acting_as.startswith("Delegate")
    else:
        assert blockers(recommendation=rec, user=p["hacm"]) == [f"It waits for the {DASS}."]
        with pytest.raises(NotAllowed, match="It waits for the Director"):
            decide(rec, p["hacm"], reasons="Agreed")
        rec.refresh_from_db()
        case.refresh_from_db()
        assert rec.status == Status.PENDING and case.stage == Stage.INFORMAL
        assert not DecisionStep.objects.filter(recommendation=rec).exists()
        assert not CaseMove.objects.filter(case=case).exists()


def test_bromley_resume_placements_exception_on_the_appendix_2_form(load_pack, member):
    """000 8: "Where a provider rated requires improvement by CQC has completed the action plan
    requirements set out by CQC and by the Council's contract compliance team there may be a
    time gap before CQC re-visit in order to inspect the service again. In these circumstances
    the Contract Compliance Team may make a recommendation that placements are resumed". The
    form: "DASS AGREEMENT TO PLACE WITH REQUIRES IMPROVEMENT PROVIDERS"."""
    council, p = _bromley(load_pack, member)
    placer = member(council, Role.PLACEMENT)
    location = LocationFactory(local_authority="Bromley")
    kwargs = dict(council=council, exception="resume_placements", location=location)

    with pytest.raises(NotAllowed):
        exception_propose(actor=placer, reason="Family asks", details=APPENDIX_2, **kwargs)
    incomplete = {
        k: v
        for k, v in APPENDIX_2.items()
        if k not in ("cqc_action_plan_completed", "lbb_action_plan_completed")
    }
    with pytest.raises(ValidationFailed) as caught:
        exception_propose(
            actor=p["officer"],
            reason="Plans complete",
            details={**incomplete, "next_cqc_visit": "next spring"},
            **kwargs,
        )
    assert set(caught.value.errors) == {
        "details.cqc_action_plan_completed",
        "details.lbb_action_plan_completed",
        "details.next_cqc_visit",
    }
    assert not Recommendation.objects.filter(council=council).exists()

    rec = exception_propose(
        actor=p["officer"],
        reason="CQC and LBB action plans complete; CQC not yet re-inspected",
        details=APPENDIX_2,
        **kwargs,
    )
    assert rec.kind == "exception" and rec.key == "resume_placements"
    assert "case" not in rec.proposal and rec.location == location
    assert rec.details == APPENDIX_2
    with pytest.raises(NotAllowed):
        decide(rec, p["manager"])  # a manager without the DASS's title
    decide(rec, p["dass"], reasons="Agreed: resume placements")
    rec.refresh_from_db()
    assert rec.status == Status.APPROVED and rec.decided_by == p["dass"]
    assert DecisionStep.objects.get(recommendation=rec).acting_as == DASS
    assert AuditEntry.objects.filter(
        action="recommendation.approved", object_id=str(rec.pk)
    ).exists()
    assert not Case.objects.filter(council=council).exists()
    assert not CaseMove.objects.filter(council=council).exists()
