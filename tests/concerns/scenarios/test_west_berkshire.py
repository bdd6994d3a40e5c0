"""Escalation scenarios, 004 West Berkshire: the SRM, SM and Head of Commissioning decide a
restriction, which the case follows; termination."""

import datetime as dt

import holidays
import pytest

from concerns.models import CaseMove, LetterRequest, Stage
from concerns.services import case_move, case_open
from core.errors import NotAllowed
from core.models import AuditEntry, Timer
from councils.models import Membership, Role
from councils.services import delegation_create
from decisions.models import DecisionStep, Recommendation, Status, StepOutcome
from decisions.selectors import blockers
from monitoring.models import Review
from restrictions.models import EventKind, Notice, Restriction
from restrictions.models import Status as RestrictionStatus
from restrictions.services import restriction_change, restriction_propose
from restrictions.services.effects import TELL_PROVIDER
from tests.concerns.scenarios.helpers import (
    CQC_LINK,
    check_move,
    check_path,
    decide,
    ev,
    last_move,
    letters_of,
    today,
)
from tests.deadlines import RUNNING, deadlines
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def working_days_on(start: dt.date, days: int) -> dt.date:
    """Monday to Friday less the bank holidays of England (independently of core.workdays)."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=[start.year, start.year + 1])
    day = start
    while days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in bank:
            days -= 1
    return day


def steps_of(rec: Recommendation) -> list[tuple[int, str, str]]:
    return [
        (s.position, s.outcome, s.actor_id)
        for s in DecisionStep.objects.filter(recommendation=rec).order_by("at", "id")
    ]


# --- 004 West Berkshire ----------------------------------------------------------------------


def test_west_berkshire_chain_srm_sm_head_of_commissioning(load_pack, member):
    """004 West Berkshire: restriction, default, Default Improvement Plan and back to lifted.

    The restriction is decided through the chain (the restrictions app); the case follows it:
    at "Restriction on commissioning" while it is in place, back at the reactive review once
    it is lifted (the pack's automatic moves, recorded with the decision behind them).

    004 18.1: "The CQT will advise the SRM and SM that criteria for a restriction or termination
    is met. If the SRM considers the criteria is met they in conjunction with the CQT will
    advise the SM in writing with reasons and supporting documents e.g. Improvement plan, link
    to the CQC report."
    004 18.2: "No recommendation - SRM will advise the CQT of the decision with reasons and any
    stipulations for when they should be reconsidered for a termination or restriction."
    004 18.3: "Recommendation - SM will make a recommendation to the Head of Commissioning in
    writing with supporting information."
    004 18.4: "If the Provider operates more than one service, the Head of Commissioning will
    consider whether the restriction or termination should apply to those other services
    also."
    004 18.5: "The Head of Commissioning will decide whether a restriction or termination should
    be put in place."
    004 19.1: "The CQO or SRM will notify the Provider of such a decision in writing within five
    working days, outlining the reasons for the decision and the right to appeal."
    004 21.2 a-b: "the SRM will send a letter warning of the potential for a default and arrange
    a meeting to review"; "within a fortnight of the warning letter being sent".
    004 21.2 f-g: "If a Default Improvement Plan is agreed, a West Berkshire Council Officer will
    arrange a visit to review progress."; "all restrictions have been lifted or removed at the
    discretion of the SM following evidence of substantial improvement".
    004 20.4: "If there is evidence of improvement and the Provider no longer meets the criteria
    for a restriction the CQO will advise the SRM and SM."
    004 20.5: "The Head of Commissioning will decide whether a restriction or termination should
    be lifted."
    004 20.6: "If a restriction is lifted/ downgraded the CQT or SRM will notify the Provider".
    """
    council = load_pack("west-berkshire")
    cqo = member(council, Role.OFFICER, title="Care Quality Officer")
    srm = member(council, Role.MANAGER, title="Supplier Relationship Manager")
    sm = member(council, Role.MANAGER, title="Service Manager")
    hoc = member(council, Role.DECISION_MAKER, title="Head of Commissioning")
    location = LocationFactory(local_authority="West Berkshire")
    case = case_open(council=council, actor=cqo, summary="Falls and medicines", location=location)
    evidence = [
        ev("cqc_report", "CQC report of 2 March", url=CQC_LINK),
        ev("improvement_plan", "Plan v2, review 3"),
    ]

    def propose(level: str, reasons: str) -> Restriction:
        return restriction_propose(
            council=council,
            actor=cqo,
            level=level,
            location=location,
            reasons=reasons,
            evidence=evidence,
            case=case,
        )

    # First attempt: the SRM agrees, the SM does not recommend, with a stipulation (18.2).
    first = propose("caution", "Criteria met: failing improvement plan")
    rec = first.recommendation
    assert blockers(recommendation=rec, user=hoc)  # waits for the SRM first
    decide(rec, srm, StepOutcome.FORWARDED, "Criteria met")
    rec.refresh_from_db()
    assert (rec.step, rec.status) == (1, Status.PENDING)
    stipulation = "Reconsider if the next review finds the falls actions unmet"
    decide(rec, sm, StepOutcome.DECLINED, "Not yet: the plan is new", stipulation=stipulation)
    rec.refresh_from_db()
    assert rec.status == Status.REJECTED
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
    first.refresh_from_db()
    assert first.status == RestrictionStatus.NOT_APPROVED
    assert stipulation in first.events.get(kind=EventKind.NOT_APPROVED).reason
    case.refresh_from_db()
    assert case.stage == Stage.INFORMAL
    assert not CaseMove.objects.filter(case=case).exists()
    assert not LetterRequest.objects.filter(case=case).exists()

    # Second attempt: SRM -> SM -> Head of Commissioning; an Embargo on this service (18.4).
    embargo = propose("suspended", "Plan failed again")
    rec = embargo.recommendation
    decide(rec, srm, StepOutcome.FORWARDED, "Criteria met")
    decide(rec, sm, StepOutcome.FORWARDED, "I recommend an Embargo")
    decide(
        rec,
        hoc,
        StepOutcome.APPROVED,
        "Embargo from today",
        decision_details={"scope": "This service only"},
    )
    rec.refresh_from_db()
    assert rec.status == Status.APPROVED
    assert rec.decision_details == {"scope": "This service only"}
    steps = list(DecisionStep.objects.filter(recommendation=rec).order_by("position"))
    assert [(s.position, s.label, s.actor_id) for s in steps] == [
        (0, "SRM agrees the criteria for a restriction are met", srm.pk),
        (1, "SM recommends the restriction to the Head of Commissioning in writing", sm.pk),
        (2, "Decision of the Head of Commissioning", hoc.pk),
    ]
    assert steps[2].acting_as == "Head of Commissioning"
    embargo.refresh_from_db()
    assert (embargo.status, embargo.level, embargo.location_id) == (
        RestrictionStatus.ACTIVE,
        "suspended",
        location.pk,
    )
    # The case follows (18.5): the automatic move, made with the decision behind it.
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.INFORMAL,
        to=Stage.FORMAL,
        key="put_restriction_in_place",
        reason="Embargo from today",
        actor=hoc,
        recommendation=rec,
        details={"restriction": embargo.reference, "level": "suspended"},
    )
    assert embargo.reference in record.reason
    # 19.1: the provider is told in writing within five working days, whatever the stage.
    letter = Notice.objects.get(restriction=embargo, when="imposed", audience="provider")
    assert letter.letter == "decision_letter"
    assert letter.due_on == working_days_on(today(), 5)
    notice = Timer.objects.get(
        kind=TELL_PROVIDER, subject_type="restrictions.restriction", subject_id=str(embargo.pk)
    )
    assert notice.due_on == working_days_on(today(), 5)
    assert notice.status == RUNNING

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
    assert notice.status == RUNNING  # 19.1 runs on whatever the stage

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

    # Lifting goes through the same chain (20.4, 20.5); the case goes back to the reactive
    # review and improvement plan (formal -> informal), then the CQT closes it.
    restriction_change(
        restriction=embargo,
        actor=cqo,
        level="none",
        reasons="No longer meets the criteria; improvement sustained",
        evidence=evidence,
    )
    rec = Recommendation.objects.get(
        kind="restriction_change", subject_id=str(embargo.pk), status=Status.PENDING
    )
    decide(rec, srm, StepOutcome.FORWARDED, "Agreed")
    decide(rec, sm, StepOutcome.FORWARDED, "I recommend lifting")
    decide(rec, hoc, StepOutcome.APPROVED, "Lifted")
    assert [s.label for s in DecisionStep.objects.filter(recommendation=rec)] == [
        "SRM and SM agree the criteria to lift the restriction are met",
        "SM recommends lifting the restriction to the Head of Commissioning in writing",
        "Decision of the Head of Commissioning",
    ]
    embargo.refresh_from_db()
    assert embargo.status == RestrictionStatus.LIFTED
    record = last_move(case)
    check_move(
        case,
        record,
        frm=Stage.FORMAL,
        to=Stage.INFORMAL,
        key="lift_restriction_keep_reviewing",
        reason="Lifted",
        actor=hoc,
        recommendation=rec,
        details={"restriction": embargo.reference, "level": "none"},
    )
    lifted = Notice.objects.get(restriction=embargo, when="lifted", audience="provider")
    assert lifted.letter == "restriction_lifted_letter"  # 20.6
    record = case_move(
        case=case, actor=cqo, move="close_informal", reason="Improvement plan met and sustained"
    )
    check_move(
        case,
        record,
        frm=Stage.INFORMAL,
        to=Stage.CLOSED,
        key="close_informal",
        reason="Improvement plan met",
        actor=cqo,
    )
    check_path(
        case,
        [
            (Stage.INFORMAL, Stage.FORMAL),
            (Stage.FORMAL, Stage.RECTIFICATION),
            (Stage.RECTIFICATION, Stage.FINAL_WARNING),
            (Stage.FINAL_WARNING, Stage.FORMAL),
            (Stage.FORMAL, Stage.INFORMAL),
            (Stage.INFORMAL, Stage.CLOSED),
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
    assert deadlines(move=record).get().due_on == working_days_on(today(), 5)
    case_move(case=case, actor=cqo, move="close_after_termination", reason="Contract ended")
    check_path(case, [(Stage.INFORMAL, Stage.TERMINATED), (Stage.TERMINATED, Stage.CLOSED)])
