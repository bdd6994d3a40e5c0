"""Escalation scenarios, 001 Bedford: PAMMS ratings, the ladder up and back down."""

import datetime as dt

import pytest
from django.utils import timezone

from concerns.models import Alert, AlertStatus, Stage
from concerns.services import alert_handle, case_move, case_open
from concerns.tasks import triggers_check
from concerns.triggers import RI_TIMER
from core.errors import NotAllowed
from core.models import Timer
from core.tasks import timers_sweep
from councils.models import Role
from monitoring.services import review_plan, review_record
from tests.concerns.scenarios.helpers import (
    check_move,
    check_path,
    decide,
    ev,
    last_move,
    letters_of,
    today,
)
from tests.deadlines import deadlines
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


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

    past = timezone.now() - dt.timedelta(hours=1)
    Timer.objects.filter(pk=timer.pk).update(due_at=past, next_at=past)
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
    assert Timer.objects.filter(council=council, kind=RI_TIMER).count() == 1

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
    assert not deadlines(case=case).exists()  # the pack sets none


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
        past = timezone.now() - dt.timedelta(minutes=1)
        Timer.objects.filter(council=council, fired_at__isnull=True).update(
            due_at=past, next_at=past
        )
        timers_sweep()
    assert Alert.objects.filter(council=council, trigger="pamms_requires_improvement").exists()
