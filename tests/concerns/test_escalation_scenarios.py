"""Escalation scenarios: each council's ladder walked end to end, up and back down, through the
services (case_open, case_move, recommendation_act), with the chain of checks and the decision
its pack names. After every move: the stage, the CaseMove record, the "case.moved" audit entry
and the move's effects (deadlines in the pack's units, letter requests, automatic reviews).

Seeds: 000 Bromley, 001 Bedford, 002 Bradford, 003 Somerset, 004 West Berkshire."""

import datetime as dt

import holidays
import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from concerns.models import (
    Alert,
    AlertStatus,
    Case,
    CaseDeadline,
    CaseMove,
    DeadlineStatus,
    DecisionStep,
    LetterRequest,
    Recommendation,
    RecommendationKind,
    RecommendationStatus,
    Stage,
    StepOutcome,
)
from concerns.services import (
    alert_handle,
    case_move,
    case_open,
    exception_propose,
    recommendation_act,
    step_blockers,
)
from concerns.tasks import triggers_check
from concerns.triggers import RI_TIMER, check_rating
from core.errors import NotAllowed, ValidationFailed
from core.models import AuditEntry, Timer
from core.tasks import timers_sweep
from councils.models import Membership, Role
from councils.services import delegation_create
from monitoring.models import Review, ReviewStatus
from monitoring.selectors import reviews_due
from monitoring.services import review_plan, review_record
from tests.factories import LocationFactory, RatingFactory

pytestmark = pytest.mark.django_db

CQC_LINK = "https://www.cqc.org.uk/location/1-000000001"


# --- helpers ---------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def ev(kind: str, note: str = "", url: str = "") -> dict:
    return {"kind": kind, "note": note or f"The {kind.replace('_', ' ')}", "url": url}


def months_on(start: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's end (computed independently of core.workdays)."""
    return start + relativedelta(months=months)


def working_days_on(start: dt.date, days: int) -> dt.date:
    """Monday to Friday less the bank holidays of England (independently of core.workdays)."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=[start.year, start.year + 1])
    day = start
    while days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in bank:
            days -= 1
    return day


def moved_entries(case: Case) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            council_id=case.council_id,
            action="case.moved",
            object_type="concerns.case",
            object_id=str(case.pk),
        ).order_by("at", "id")
    )


def last_move(case: Case) -> CaseMove:
    return CaseMove.objects.filter(case=case).order_by("at", "id").last()


def letters_of(record: CaseMove) -> list[str]:
    return sorted(LetterRequest.objects.filter(move=record).values_list("letter", flat=True))


def check_move(
    case: Case,
    record: CaseMove,
    *,
    frm: str,
    to: str,
    key: str,
    reason: str,
    evidence: tuple = (),
    actor=None,
    recommendation: Recommendation | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """The case is at `to`; the move's record and its audit entry say what happened."""
    case.refresh_from_db()
    assert case.stage == to
    assert isinstance(record, CaseMove)
    assert record.case_id == case.pk
    assert (record.from_stage, record.to_stage, record.move_key) == (frm, to, key)
    assert reason in record.reason
    assert [e["kind"] for e in record.evidence] == list(evidence)
    assert record.policy_version_id is not None
    assert record.policy_version_id == case.council.active_policy_id
    assert record.recommendation_id == (recommendation.pk if recommendation else None)
    if actor is not None:
        assert record.actor_id == actor.pk
    if details is not None:
        assert record.details == details
    entry = moved_entries(case)[-1]
    assert entry.data["from"] == frm
    assert entry.data["to"] == to
    assert entry.data["move"] == key
    assert entry.data["recommendation"] == (recommendation.reference if recommendation else None)
    assert entry.policy_version_id == case.council.active_policy_id
    assert entry.reason == record.reason
    return entry


def check_path(case: Case, path: list[tuple[str, str]]) -> None:
    """Every move recorded once, in order, with one audit entry each."""
    moves = list(CaseMove.objects.filter(case=case).order_by("at", "id"))
    assert [(m.from_stage, m.to_stage) for m in moves] == path
    assert [(e.data["from"], e.data["to"]) for e in moved_entries(case)] == path


def board_decides(rec: Recommendation, actor, reasons: str = "Agreed by the Board") -> None:
    recommendation_act(
        recommendation=rec,
        actor=actor,
        outcome=StepOutcome.APPROVED,
        reasons=reasons,
        meeting_on=today() - dt.timedelta(days=1),
        quorate=True,
    )


def decide(rec: Recommendation, actor, outcome=StepOutcome.APPROVED, reasons="Agreed", **kw):
    return recommendation_act(
        recommendation=rec, actor=actor, outcome=outcome, reasons=reasons, **kw
    )


def steps_of(rec: Recommendation) -> list[tuple[int, str, str]]:
    return [
        (s.position, s.outcome, s.actor_id)
        for s in DecisionStep.objects.filter(recommendation=rec).order_by("at", "id")
    ]


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
    assert letters_of(made) == ["qim_invitation", "quality_improvement_notice"]
    assert not CaseDeadline.objects.filter(case=case).exists()

    # formal -> rectification: referred to the Board, which decides at a quorate meeting.
    rec = case_move(
        case=case,
        actor=officer,
        move="issue_rectification_notice",
        reason="Improvements not sustained after the QIM",
        evidence=[ev("meeting_notes", "QIM 2 notes"), ev("board_decision", "Board of 1 May")],
    )
    assert isinstance(rec, Recommendation)
    assert (rec.status, rec.step, rec.from_stage, rec.to_stage) == (
        RecommendationStatus.PENDING,
        0,
        Stage.FORMAL,
        Stage.RECTIFICATION,
    )
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL  # nothing moves before the Board decides
    assert CaseMove.objects.filter(case=case).count() == 1
    board_decides(rec, board, "Rectification Notice agreed")
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.APPROVED and rec.decided_by == board
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
    referral = CaseDeadline.objects.get(case=case, move=record)
    assert referral.time_limit == "board_referral_improvement_max"
    assert (referral.stage, referral.starts_on) == (Stage.RECTIFICATION, today())
    assert referral.due_on == months_on(today(), 6)
    assert referral.status == DeadlineStatus.OPEN

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
    final = CaseDeadline.objects.get(case=case, move=record)
    assert final.time_limit == "final_warning_max"
    assert final.due_on == months_on(today(), 6)
    referral.refresh_from_db()
    assert referral.status == DeadlineStatus.ENDED and referral.ended_at is not None

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
    assert final.status == DeadlineStatus.ENDED

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
    assert not CaseDeadline.objects.filter(case=case, status=DeadlineStatus.OPEN).exists()


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
    assert CaseDeadline.objects.get(case=case).status == DeadlineStatus.ENDED
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
    assert letters_of(record) == ["qim_invitation", "quality_improvement_notice"]
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


# --- 004 West Berkshire ----------------------------------------------------------------------


def test_west_berkshire_chain_srm_sm_head_of_commissioning(load_pack, member):
    """004 West Berkshire: restriction, default, Default Improvement Plan and back to lifted.

    004 18.1: "The CQT will advise the SRM and SM that criteria for a restriction or termination
    is met. If the SRM considers the criteria is met they in conjunction with the CQT will
    advise the SM in writing with reasons and supporting documents e.g. Improvement plan, link
    to the CQC report."
    004 18.2: "No recommendation - SRM will advise the CQT of the decision with reasons and any
    stipulations for when they should be reconsidered for a termination or restriction."
    004 18.3: "Recommendation - SM will make a recommendation to the Head of Commissioning in
    writing with supporting information."
    004 18.5: "The Head of Commissioning will decide whether a restriction or termination should
    be put in place."
    004 19.1: "The CQO or SRM will notify the Provider of such a decision in writing within five
    working days, outlining the reasons for the decision and the right to appeal."
    004 21.2 a-b: "the SRM will send a letter warning of the potential for a default and arrange
    a meeting to review"; "within a fortnight of the warning letter being sent".
    004 21.2 f-g: "If a Default Improvement Plan is agreed, a West Berkshire Council Officer will
    arrange a visit to review progress."; "all restrictions have been lifted or removed at the
    discretion of the SM following evidence of substantial improvement".
    004 20.5: "The Head of Commissioning will decide whether a restriction or termination should
    be lifted."
    """
    council = load_pack("west-berkshire")
    cqo = member(council, Role.OFFICER, title="Care Quality Officer")
    srm = member(council, Role.MANAGER, title="Supplier Relationship Manager")
    sm = member(council, Role.MANAGER, title="Service Manager")
    hoc = member(council, Role.DECISION_MAKER, title="Head of Commissioning")
    location = LocationFactory(local_authority="West Berkshire")
    case = case_open(council=council, actor=cqo, summary="Falls and medicines", location=location)
    evidence = [ev("cqc_report", url=CQC_LINK), ev("improvement_plan", "Plan v2, review 3")]

    # First attempt: the SRM agrees, the SM does not recommend, with a stipulation (18.2).
    rec = case_move(
        case=case,
        actor=cqo,
        move="put_restriction_in_place",
        reason="Criteria met: failing improvement plan",
        evidence=evidence,
        details={"restriction_type": "Place with Caution"},
    )
    assert step_blockers(recommendation=rec, user=hoc)  # waits for the SRM first
    decide(rec, srm, StepOutcome.FORWARDED, "Criteria met")
    rec.refresh_from_db()
    assert (rec.step, rec.status) == (1, RecommendationStatus.PENDING)
    stipulation = "Reconsider if the next review finds the falls actions unmet"
    decide(rec, sm, StepOutcome.DECLINED, "Not yet: the plan is new", stipulation=stipulation)
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.REJECTED
    assert (rec.stipulation, rec.decided_by) == (stipulation, sm)
    declined = DecisionStep.objects.get(recommendation=rec, position=1)
    assert declined.outcome == StepOutcome.DECLINED and declined.stipulation == stipulation
    assert declined.label == "SM recommends the restriction to the Head of Commissioning in writing"
    assert steps_of(rec) == [
        (0, StepOutcome.FORWARDED, srm.pk),
        (1, StepOutcome.DECLINED, sm.pk),
    ]
    audit = AuditEntry.objects.get(action="recommendation.declined", object_id=str(rec.pk))
    assert audit.data["stipulation"] == stipulation
    case.refresh_from_db()
    assert case.stage == Stage.INFORMAL
    assert not CaseMove.objects.filter(case=case).exists()
    assert not LetterRequest.objects.filter(case=case).exists()

    # Second attempt: SRM -> SM -> Head of Commissioning; an Embargo.
    rec = case_move(
        case=case,
        actor=cqo,
        move="put_restriction_in_place",
        reason="Plan failed again",
        evidence=evidence,
        details={"restriction_type": "Embargo"},
    )
    decide(rec, srm, StepOutcome.FORWARDED, "Criteria met")
    decide(rec, sm, StepOutcome.FORWARDED, "I recommend an Embargo")
    decide(rec, hoc, StepOutcome.APPROVED, "Embargo from today")
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.APPROVED
    steps = list(DecisionStep.objects.filter(recommendation=rec).order_by("position"))
    assert [(s.position, s.label, s.actor_id) for s in steps] == [
        (0, "SRM agrees the criteria for a restriction are met", srm.pk),
        (1, "SM recommends the restriction to the Head of Commissioning in writing", sm.pk),
        (2, "Decision of the Head of Commissioning", hoc.pk),
    ]
    assert steps[2].acting_as == "Head of Commissioning"
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.INFORMAL,
        to=Stage.FORMAL,
        key="put_restriction_in_place",
        reason="Embargo from today",
        evidence=("cqc_report", "improvement_plan"),
        actor=hoc,
        recommendation=rec,
        details={"restriction_type": "Embargo"},
    )
    assert letters_of(record) == ["decision_letter"]
    notice = CaseDeadline.objects.get(case=case, move=record)
    assert notice.time_limit == "restriction_decision_notice"
    assert notice.due_on == working_days_on(today(), 5)
    assert notice.ends_with_stage is False

    # formal -> rectification: the SRM warns of a default (no decision in the chain).
    record = case_move(
        case=case,
        actor=srm,
        move="warn_of_default",
        reason="No reasonable improvement while embargoed",
        evidence=[ev("improvement_plan", "Review 5: 2 of 7 met")],
    )
    check_move(
        case,
        record,
        frm=Stage.FORMAL,
        to=Stage.RECTIFICATION,
        key="warn_of_default",
        reason="No reasonable improvement",
        evidence=("improvement_plan",),
        actor=srm,
    )
    assert letters_of(record) == ["default_notice", "default_warning_letter"]
    visit = Review.objects.get(council=council, location=location, kind="reactive")
    assert visit.planned_for == today() + dt.timedelta(days=14)  # a fortnight, in days
    notice.refresh_from_db()
    assert notice.status == DeadlineStatus.OPEN  # 19.1 runs on whatever the stage

    # rectification -> final warning: a Default Improvement Plan.
    record = case_move(
        case=case,
        actor=srm,
        move="agree_default_improvement_plan",
        reason="Significant progress not made",
        evidence=[ev("improvement_plan", "Default Improvement Plan")],
    )
    check_move(
        case,
        record,
        frm=Stage.RECTIFICATION,
        to=Stage.FINAL_WARNING,
        key="agree_default_improvement_plan",
        reason="Significant progress not made",
        evidence=("improvement_plan",),
    )

    # final warning -> formal: the SM decides the Default Improvement Plan is met.
    rec = case_move(
        case=case,
        actor=cqo,
        move="default_plan_met",
        reason="Default Improvement Plan met at the visit",
        evidence=[ev("improvement_plan")],
    )
    with pytest.raises(NotAllowed):
        decide(rec, hoc)  # the Service Manager decides this one, not the HoC
    decide(rec, sm, StepOutcome.APPROVED, "Plan met")
    assert DecisionStep.objects.get(recommendation=rec).acting_as == "Service Manager"
    check_move(
        case,
        last_move(case),
        frm=Stage.FINAL_WARNING,
        to=Stage.FORMAL,
        key="default_plan_met",
        reason="Plan met",
        evidence=("improvement_plan",),
        recommendation=rec,
    )

    # formal -> closed: lifting goes through the same chain (20.4, 20.5).
    rec = case_move(
        case=case,
        actor=cqo,
        move="lift_restriction",
        reason="No longer meets the criteria; improvement sustained",
        evidence=evidence,
    )
    decide(rec, srm, StepOutcome.FORWARDED, "Agreed")
    decide(rec, sm, StepOutcome.FORWARDED, "I recommend lifting")
    decide(rec, hoc, StepOutcome.APPROVED, "Lifted")
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.FORMAL,
        to=Stage.CLOSED,
        key="lift_restriction",
        reason="Lifted",
        evidence=("cqc_report", "improvement_plan"),
        recommendation=rec,
    )
    assert letters_of(record) == ["restriction_lifted_letter"]
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


def test_west_berkshire_termination_decided_by_the_head_of_adult_social_care(load_pack, member):
    """004 21.3: "if the Head of Commissioning is not available to make the relevant decisions,
    any reference to the Head of Commissioning should be substituted for the Head of Adult
    Social Care." 004 17.2: "In all cases legal advice should be sought." """
    council = load_pack("west-berkshire")
    cqo = member(council, Role.OFFICER)
    srm = member(council, Role.MANAGER, title="Supplier Relationship Manager")
    sm = member(council, Role.MANAGER, title="Service Manager")
    hoc = member(council, Role.DECISION_MAKER, title="Head of Commissioning")
    hasc = member(council, Role.MANAGER, title="Head of Adult Social Care")
    delegation_create(
        council=council,
        delegator=Membership.objects.get(user=hoc, council=council, role=Role.DECISION_MAKER),
        delegate=hasc,
        starts_on=today() - dt.timedelta(days=2),
        ends_on=today() + dt.timedelta(days=2),
        reason="Annual leave",
        actor=hoc,
    )
    location = LocationFactory(local_authority="West Berkshire")
    case = case_open(council=council, actor=cqo, summary="Significant harm", location=location)
    rec = case_move(
        case=case,
        actor=cqo,
        move="terminate_commissioning",
        reason="Continuing risk of significant harm",
        evidence=[ev("legal_advice", "Legal opinion of 3 March")],
    )
    decide(rec, srm, StepOutcome.FORWARDED, "Criteria met")
    decide(rec, sm, StepOutcome.FORWARDED, "I recommend termination")
    decide(rec, hasc, StepOutcome.APPROVED, "Terminate")
    step = DecisionStep.objects.get(recommendation=rec, position=2)
    assert step.acting_as.startswith("Delegate of the Head of Commissioning")
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.INFORMAL,
        to=Stage.TERMINATED,
        key="terminate_commissioning",
        reason="Terminate",
        evidence=("legal_advice",),
        actor=hasc,
        recommendation=rec,
    )
    assert letters_of(record) == ["decision_letter"]
    assert CaseDeadline.objects.get(move=record).due_on == working_days_on(today(), 5)
    case_move(case=case, actor=cqo, move="close_after_termination", reason="Contract ended")
    check_path(case, [(Stage.INFORMAL, Stage.TERMINATED), (Stage.TERMINATED, Stage.CLOSED)])


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
    monitoring = CaseDeadline.objects.get(case=case, move=record)
    assert monitoring.time_limit == "requires_improvement_monitoring"
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
    assert letters_of(record) == ["dass_decision_letter"]
    monitoring.refresh_from_db()
    assert monitoring.status == DeadlineStatus.ENDED

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
    assert not CaseDeadline.objects.filter(case=case, status=DeadlineStatus.OPEN).exists()
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
        assert step_blockers(recommendation=rec, user=p["hacm"]) == [f"It waits for the {DASS}."]
        with pytest.raises(NotAllowed, match="It waits for the Director"):
            decide(rec, p["hacm"], reasons="Agreed")
        rec.refresh_from_db()
        case.refresh_from_db()
        assert rec.status == RecommendationStatus.PENDING and case.stage == Stage.INFORMAL
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
    assert rec.kind == RecommendationKind.EXCEPTION and rec.key == "resume_placements"
    assert rec.case is None and rec.location == location
    assert rec.details == APPENDIX_2
    with pytest.raises(NotAllowed):
        decide(rec, p["manager"])  # a manager without the DASS's title
    decide(rec, p["dass"], reasons="Agreed: resume placements")
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.APPROVED and rec.decided_by == p["dass"]
    assert DecisionStep.objects.get(recommendation=rec).acting_as == DASS
    assert AuditEntry.objects.filter(
        action="recommendation.approved", object_id=str(rec.pk)
    ).exists()
    assert not Case.objects.filter(council=council).exists()
    assert not CaseMove.objects.filter(council=council).exists()


# --- 001 Bedford -----------------------------------------------------------------------------


def test_bedford_pamms_requires_improvement_not_improved_in_12_weeks(
    load_pack, member, django_capture_on_commit_callbacks
):
    """001 Appendix 2: the Provider of Concern protocol "could be triggered ... When Provider
    Assessment Market Monitoring System (PAMMS) has an outcome rating of Require Improvements
    where improvements are not evident or sustained within 12 weeks." """
    council = load_pack("bedford")
    officer = member(council, Role.OFFICER)
    location = LocationFactory(local_authority="Bedford")
    visited = today() - dt.timedelta(days=20)
    review = review_plan(
        council=council,
        location=location,
        actor=officer,
        kind="pamms_assessment",
        planned_for=visited,
    )
    with django_capture_on_commit_callbacks(execute=True):
        review_record(
            review=review,
            actor=officer,
            visited_on=visited,
            findings="Medicines and care plans need work",
            rating="Requires improvement",
        )
    timer = Timer.objects.get(council=council, kind=RI_TIMER)
    assert (timer.subject_type, timer.subject_id) == ("providers.location", str(location.pk))
    assert timer.payload == {
        "trigger": "pamms_requires_improvement",
        "cause": f"assessment:{review.pk}",
    }
    expected = timezone.make_aware(
        dt.datetime.combine(visited + dt.timedelta(weeks=12), dt.time(7))
    )
    assert timer.due_at == expected
    assert timers_sweep() == 0  # not due yet
    assert not Alert.objects.filter(council=council).exists()

    Timer.objects.filter(pk=timer.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    assert timers_sweep() == 1
    timer.refresh_from_db()
    assert timer.fired_at is not None and timer.outcome == "alert raised"
    alert = Alert.objects.get(council=council)
    assert (alert.trigger, alert.cause) == ("pamms_requires_improvement", f"assessment:{review.pk}")
    assert alert.status == AlertStatus.NEW and alert.case is None and not alert.opened_case
    assert alert.suggestion == "Consider triggering the Provider of Concern protocol"

    # Nothing new: a second sweep, and the trigger checked again for the same assessment.
    assert timers_sweep() == 0
    with django_capture_on_commit_callbacks(execute=True):
        triggers_check.delay(council.pk, "assessment", review.pk)
    assert Alert.objects.filter(council=council).count() == 1
    assert Timer.objects.filter(council=council).count() == 1

    # The officer triggers the protocol and records what was done with the alert.
    case = case_open(council=council, actor=officer, summary=alert.detail, location=location)
    record = case_move(
        case=case,
        actor=officer,
        move="trigger_provider_of_concern",
        reason="PAMMS RI not improved",
        evidence=[ev("pamms_report", "PAMMS of " + visited.isoformat())],
        details={"trigger": "PAMMS rated Requires Improvement and not improved within 12 weeks"},
    )
    check_move(
        case,
        record,
        frm=Stage.INFORMAL,
        to=Stage.FORMAL,
        key="trigger_provider_of_concern",
        reason="PAMMS RI not improved",
        evidence=("pamms_report",),
    )
    assert letters_of(record) == ["provider_of_concern_notification"]
    alert = alert_handle(alert=alert, actor=officer, dismiss=False, note=case.reference)
    assert alert.status == AlertStatus.ACTED


def test_bedford_ladder_up_and_back_down(load_pack, member):
    """001 Bedford: Provider of Concern, Serious Concerns, sanctions, and back to concluded.

    001 Appendix 2: "A provider will be informed formally that Provider of Concern has been
    triggered by Bedford Borough Care Standards team"; "A review meeting will be co-ordinated
    to ensure multi agency agreement to conclude the Provider of Concern protocol."
    001 Appendix 3: "The decision to hold a Serious Concerns Meeting is made by the Chair of the
    Safeguarding Adults Board, Director of Adult Social Services, or a delegated manager";
    "The Director of Adult Social Services or nominated representative will consider the
    recommendations of the Serious Concerns meeting and decide whether sanctions to restrict
    new placements or end existing placements should be implemented."; "Contracts Compliance
    staff will arrange relevant written notification to the Service Provider, other placing
    Authorities and CQC."
    """
    council = load_pack("bedford")
    officer = member(council, Role.OFFICER)
    manager = member(council, Role.MANAGER, title="Delegated manager")
    dass = member(council, Role.DECISION_MAKER, title="Director of Adult Social Services")
    location = LocationFactory(local_authority="Bedford")
    case = case_open(council=council, actor=officer, summary="Safeguarding", location=location)
    trigger = "More quality assurance or safeguarding activity or intelligence"

    record = case_move(
        case=case,
        actor=officer,
        move="trigger_provider_of_concern",
        reason="Rising safeguarding alerts",
        details={"trigger": trigger},
    )
    check_move(
        case,
        record,
        frm=Stage.INFORMAL,
        to=Stage.FORMAL,
        key="trigger_provider_of_concern",
        reason="Rising safeguarding alerts",
        details={"trigger": trigger},
    )
    assert letters_of(record) == ["provider_of_concern_notification"]

    rec = case_move(
        case=case, actor=officer, move="hold_serious_concerns_meeting", reason="Not engaging"
    )
    decide(rec, dass, reasons="Hold the meeting")
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.FORMAL,
        to=Stage.RECTIFICATION,
        key="hold_serious_concerns_meeting",
        reason="Hold the meeting",
        actor=dass,
        recommendation=rec,
    )
    assert letters_of(record) == ["serious_concerns_notification"]

    rec = case_move(
        case=case,
        actor=manager,
        move="restrict_new_placements",
        reason="Meeting recommends sanctions",
        evidence=[ev("meeting_notes", "Serious Concerns meeting 1")],
    )
    decide(rec, dass, reasons="Restrict new placements")
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.RECTIFICATION,
        to=Stage.FINAL_WARNING,
        key="restrict_new_placements",
        reason="Restrict new placements",
        evidence=("meeting_notes",),
        recommendation=rec,
    )
    assert letters_of(record) == ["sanctions_notification"]

    rec = case_move(
        case=case,
        actor=officer,
        move="lift_placement_restriction",
        reason="Action plan progressing",
        evidence=[ev("meeting_notes", "Serious Concerns meeting 3")],
    )
    decide(rec, dass, reasons="Lift the sanctions")
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.FINAL_WARNING,
        to=Stage.RECTIFICATION,
        key="lift_placement_restriction",
        reason="Lift the sanctions",
        evidence=("meeting_notes",),
        recommendation=rec,
    )
    assert letters_of(record) == ["restriction_lifted_letter"]

    with pytest.raises(NotAllowed):  # by: [manager] only
        case_move(
            case=case,
            actor=officer,
            move="end_serious_concerns",
            reason="x",
            evidence=[ev("meeting_notes")],
        )
    record = case_move(
        case=case,
        actor=manager,
        move="end_serious_concerns",
        reason="No longer presents concerns",
        evidence=[ev("meeting_notes", "Serious Concerns meeting 4")],
    )
    check_move(
        case,
        record,
        frm=Stage.RECTIFICATION,
        to=Stage.FORMAL,
        key="end_serious_concerns",
        reason="No longer presents concerns",
        evidence=("meeting_notes",),
        actor=manager,
    )
    record = case_move(
        case=case,
        actor=officer,
        move="conclude_provider_of_concern",
        reason="Review meeting agreed to conclude",
        evidence=[ev("meeting_notes", "Review meeting")],
    )
    check_move(
        case,
        record,
        frm=Stage.FORMAL,
        to=Stage.CLOSED,
        key="conclude_provider_of_concern",
        reason="Review meeting agreed",
        evidence=("meeting_notes",),
    )
    check_path(
        case,
        [
            (Stage.INFORMAL, Stage.FORMAL),
            (Stage.FORMAL, Stage.RECTIFICATION),
            (Stage.RECTIFICATION, Stage.FINAL_WARNING),
            (Stage.FINAL_WARNING, Stage.RECTIFICATION),
            (Stage.RECTIFICATION, Stage.FORMAL),
            (Stage.FORMAL, Stage.CLOSED),
        ],
    )
    assert not CaseDeadline.objects.filter(case=case).exists()  # the pack sets none


def test_bedford_reassessed_still_requires_improvement_is_still_flagged(
    load_pack, member, django_capture_on_commit_callbacks
):
    """001 Appendix 2: "where improvements are not evident or sustained within 12 weeks". A
    re-assessment that is still Requires Improvement is no improvement."""
    council = load_pack("bedford")
    officer = member(council, Role.OFFICER)
    location = LocationFactory(local_authority="Bedford")
    for days_ago in (60, 5):
        review = review_plan(
            council=council,
            location=location,
            actor=officer,
            kind="pamms_assessment",
            planned_for=today() - dt.timedelta(days=days_ago),
        )
        with django_capture_on_commit_callbacks(execute=True):
            review_record(
                review=review,
                actor=officer,
                visited_on=today() - dt.timedelta(days=days_ago),
                findings="Still requires improvement",
                rating="Requires improvement",
            )
    for _ in range(2):  # fire whatever clocks are running, as if their time had come
        Timer.objects.filter(council=council, fired_at__isnull=True).update(
            due_at=timezone.now() - dt.timedelta(minutes=1)
        )
        timers_sweep()
    assert Alert.objects.filter(council=council, trigger="pamms_requires_improvement").exists()


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
            meeting_on=meeting_on,
            quorate=True,
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
    assert not CaseDeadline.objects.filter(case=case).exists()
    assert not Review.objects.filter(council=council).exists()
    # It has no rectification or final warning stage either.
    case2 = case_open(council=council, actor=officer, summary="x", location=LocationFactory())
    with pytest.raises(ValidationFailed) as caught:
        case_move(case=case2, actor=officer, move="issue_rectification_notice", reason="x")
    assert "move" in caught.value.errors
