"""Escalation rules, one focused service test each: where a move may start, who may make it,
what it needs in writing, who may check and decide it, one open case and one pending move at
a time, triggers raised once, the append-only records and the decision maker's inbox."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concerns.ladder import Ladder
from concerns.models import (
    Alert,
    Case,
    CaseMove,
    DecisionStep,
    LetterRequest,
    Recommendation,
    RecommendationStatus,
    Stage,
    StepOutcome,
)
from concerns.selectors import inbox
from concerns.services import (
    alert_raise,
    case_move,
    case_open,
    recommendation_act,
    recommendation_withdraw,
    step_blockers,
)
from concerns.triggers import check_rating
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry
from councils.models import Council, Membership, Role, User
from councils.services import delegation_create
from monitoring.services import plan_create, plan_review_record
from tests.factories import LocationFactory, ProviderFactory, RatingFactory

pytestmark = pytest.mark.django_db

DASS = "Director of Adult Social Services (DASS)"


def today() -> dt.date:
    return timezone.localdate()


def ev(kind: str, note: str = "", url: str = "") -> dict:
    return {"kind": kind, "note": note or f"The {kind.replace('_', ' ')}", "url": url}


BOARD_EVIDENCE = [ev("meeting_notes", "QIM notes"), ev("board_decision", "Board minutes")]


def written(council) -> dict[str, int]:
    """What the services write, counted, to show that a refused call wrote nothing."""
    return {
        "moves": CaseMove.objects.filter(council=council).count(),
        "recommendations": Recommendation.objects.filter(council=council).count(),
        "steps": DecisionStep.objects.filter(council=council).count(),
        "letters": LetterRequest.objects.filter(council=council).count(),
        "audit": AuditEntry.objects.filter(council=council).count(),
    }


@pytest.fixture
def somerset(load_pack, member):
    council = load_pack("somerset")
    s = SimpleNamespace(
        council=council,
        officer=member(council, Role.OFFICER),
        other_officer=member(council, Role.OFFICER),
        board=member(council, Role.DECISION_MAKER, title="Strategic Commissioning Manager"),
        location=LocationFactory(local_authority="Somerset"),
    )
    s.case = case_open(council=council, actor=s.officer, summary="Concerns", location=s.location)
    return s


def _to_formal(s):
    case_move(case=s.case, actor=s.officer, move="invoke_quality_improvement", reason="RI")
    s.case.refresh_from_db()
    return s.case


def _propose_rectification(s, actor=None):
    return case_move(
        case=s.case,
        actor=actor or s.officer,
        move="issue_rectification_notice",
        reason="Not improving after the QIM",
        evidence=BOARD_EVIDENCE,
    )


@pytest.fixture
def west_berkshire(load_pack, member):
    council = load_pack("west-berkshire")
    return SimpleNamespace(
        council=council,
        cqo=member(council, Role.OFFICER),
        other_officer=member(council, Role.OFFICER),
        srm=member(council, Role.MANAGER, title="Supplier Relationship Manager"),
        sm=member(council, Role.MANAGER, title="Service Manager"),
        hoc=member(council, Role.DECISION_MAKER, title="Head of Commissioning"),
        untitled=member(council, Role.DECISION_MAKER),
    )


def _restriction(wb, location=None):
    location = location or LocationFactory(local_authority="West Berkshire")
    case = case_open(council=wb.council, actor=wb.cqo, summary="Concerns", location=location)
    return case_move(
        case=case,
        actor=wb.cqo,
        move="put_restriction_in_place",
        reason="Criteria met",
        evidence=[ev("cqc_report", url="https://www.cqc.org.uk/x"), ev("improvement_plan")],
        details={"restriction_type": "Embargo"},
    )


def _act(rec, actor, outcome, reasons="In writing", **kw):
    return recommendation_act(
        recommendation=rec, actor=actor, outcome=outcome, reasons=reasons, **kw
    )


# --- where a move may start ------------------------------------------------------------------


def test_a_move_not_from_the_current_stage_is_a_conflict_with_the_reason(somerset):
    """003: the Board's Rectification Notice follows the formal stage ("Following the QIM if
    improvements are not sustained a referral will be made to the Board")."""
    before = written(somerset.council)
    with pytest.raises(Conflict) as caught:
        _propose_rectification(somerset)
    assert caught.value.status_code == 409
    assert str(caught.value) == (
        "The case is at “Informal stage”; this move starts from "
        "“Formal stage (Quality Improvement)”."
    )
    assert written(somerset.council) == before
    somerset.case.refresh_from_db()
    assert somerset.case.stage == Stage.INFORMAL


def test_a_move_on_a_closed_case_or_a_stale_stage_is_a_conflict(somerset):
    with pytest.raises(Conflict, match="moved to “Informal stage” meanwhile"):
        case_move(
            case=somerset.case,
            actor=somerset.officer,
            move="close_informal",
            reason="x",
            expected_stage=Stage.FORMAL,
        )
    case_move(case=somerset.case, actor=somerset.officer, move="close_informal", reason="Done")
    before = written(somerset.council)
    with pytest.raises(Conflict, match="The case is closed"):
        case_move(
            case=somerset.case,
            actor=somerset.officer,
            move="invoke_quality_improvement",
            reason="Again",
        )
    assert written(somerset.council) == before


# --- who may make a move ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "role", "move"),
    [
        pytest.param("somerset", Role.PLACEMENT, "invoke_quality_improvement", id="003 placement"),
        pytest.param("west-berkshire", Role.MANAGER, "put_restriction_in_place", id="004 SM"),
        pytest.param("bromley", Role.BOARD_MEMBER, "refer_to_dass", id="000 CSIG member"),
        pytest.param("bedford", Role.MANAGER, "close_monitoring", id="001 manager"),
        pytest.param("bradford", Role.AUDITOR, "close_case", id="002 auditor"),
    ],
)
def test_a_role_the_pack_does_not_allow_is_refused(load_pack, member, code, role, move):
    council = load_pack(code)
    officer = member(council, Role.OFFICER)
    someone = member(council, role)
    case = case_open(council=council, actor=officer, summary="x", location=LocationFactory())
    before = written(council)
    with pytest.raises(NotAllowed) as caught:
        case_move(case=case, actor=someone, move=move, reason="Because")
    assert caught.value.status_code == 403
    assert str(caught.value).startswith("Only ") and "may make this move" in str(caught.value)
    assert written(council) == before


def test_a_member_of_another_council_may_not_move_the_case(somerset, load_pack, member):
    stranger = member(load_pack("bromley"), Role.OFFICER)
    before = written(somerset.council)
    with pytest.raises(NotAllowed):
        case_move(case=somerset.case, actor=stranger, move="invoke_quality_improvement", reason="x")
    assert written(somerset.council) == before


def test_a_check_needs_its_role_and_a_decision_needs_the_title(west_berkshire):
    """004 18.1: the SRM and SM check; 004 18.5: "The Head of Commissioning will decide"."""
    wb = west_berkshire
    rec = _restriction(wb)
    before = written(wb.council)
    with pytest.raises(NotAllowed, match="It waits for"):
        _act(rec, wb.other_officer, StepOutcome.FORWARDED)  # the SRM's step, not an officer's
    assert written(wb.council) == before
    _act(rec, wb.srm, StepOutcome.FORWARDED)
    _act(rec, wb.sm, StepOutcome.FORWARDED)
    before = written(wb.council)
    with pytest.raises(NotAllowed, match="It waits for the Head of Commissioning"):
        _act(rec, wb.untitled, StepOutcome.APPROVED)  # a decision maker, not the HoC
    assert written(wb.council) == before
    _act(rec, wb.hoc, StepOutcome.APPROVED)
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.APPROVED


def test_a_step_is_in_writing_with_the_outcome_its_position_allows(west_berkshire):
    wb = west_berkshire
    rec = _restriction(wb)
    before = written(wb.council)
    with pytest.raises(ValidationFailed) as caught:
        _act(rec, wb.srm, StepOutcome.APPROVED, reasons="  ")  # a check cannot approve
    assert set(caught.value.errors) == {"outcome", "reasons"}
    assert written(wb.council) == before


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
            {"reason": "x", "evidence": [ev("meeting_notes")]},
            "evidence",
            "board meeting decision",
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
    assert step_blockers(recommendation=rec, user=both) == [
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
    rec = _restriction(wb)
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
    assert rec.status == RecommendationStatus.APPROVED


# --- the Board decides only when quorate -----------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"meeting_on": -1, "quorate": False}, "quorate", id="not quorate"),
        pytest.param({"meeting_on": -1, "quorate": None}, "quorate", id="quorum not said"),
        pytest.param({"meeting_on": None, "quorate": True}, "meeting_on", id="no meeting"),
        pytest.param({"meeting_on": 1, "quorate": True}, "meeting_on", id="future meeting"),
    ],
)
def test_a_board_decision_needs_a_quorate_meeting(somerset, kwargs, field):
    """003 Appendix 4 ToR 5: "If the quorum has not been reached then the meeting may proceed
    if those attending agree, but any record of the meeting should be clearly indicated as
    notes rather than formal minutes and no decisions may be taken by the non-quorate meeting
    of the Board." """
    _to_formal(somerset)
    rec = _propose_rectification(somerset)
    offset = kwargs["meeting_on"]
    meeting_on = None if offset is None else today() + dt.timedelta(days=offset)
    before = written(somerset.council)
    with pytest.raises(ValidationFailed) as caught:
        _act(
            rec,
            somerset.board,
            StepOutcome.APPROVED,
            meeting_on=meeting_on,
            quorate=kwargs["quorate"],
        )
    assert set(caught.value.errors) == {field}
    assert written(somerset.council) == before
    rec.refresh_from_db()
    somerset.case.refresh_from_db()
    assert rec.status == RecommendationStatus.PENDING
    assert somerset.case.stage == Stage.FORMAL


def test_an_urgent_board_decision_may_be_taken_virtually(somerset):
    """003 Appendix 4 ToR 5: "In situations where major issues occurs requiring urgent
    decisions outside of regular, scheduled meetings, decision-making via virtual meetings,
    email and/ or teleconference will be undertaken." """
    _to_formal(somerset)
    rec = _propose_rectification(somerset)
    _act(rec, somerset.board, StepOutcome.APPROVED, virtual=True, urgent=True)
    step = DecisionStep.objects.get(recommendation=rec)
    assert step.virtual and step.urgent and step.meeting_on is None
    somerset.case.refresh_from_db()
    assert somerset.case.stage == Stage.RECTIFICATION


# --- one case, one pending move --------------------------------------------------------------


def test_one_open_case_per_location_and_whole_provider(somerset, load_pack, member):
    """004 18.4: "If the Provider operates more than one service, the Head of Commissioning will
    consider whether the restriction or termination should apply to those other services
    also." A whole-provider case covers every location of the provider."""
    s = somerset
    with pytest.raises(Conflict, match=s.case.reference) as caught:
        case_open(council=s.council, actor=s.officer, summary="Again", location=s.location)
    assert caught.value.status_code == 409
    with pytest.raises(Conflict):  # the location's case blocks one for the whole provider
        case_open(council=s.council, actor=s.officer, summary="All", provider=s.location.provider)

    provider = ProviderFactory()
    branch = LocationFactory(provider=provider)
    whole = case_open(council=s.council, actor=s.officer, summary="All", provider=provider)
    before = written(s.council)
    with pytest.raises(Conflict, match=whole.reference):
        case_open(council=s.council, actor=s.officer, summary="One", location=branch)
    with pytest.raises(Conflict):
        case_open(council=s.council, actor=s.officer, summary="All", provider=provider)
    assert written(s.council) == before
    assert Case.objects.filter(council=s.council).count() == 2

    # The database holds the same line.
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            council=s.council,
            reference="CASE-X",
            provider=s.location.provider,
            location=s.location,
            stage_since=timezone.now(),
            summary="x",
        )
    # Another council keeps its own case for the same location.
    wb = load_pack("west-berkshire")
    assert case_open(council=wb, actor=member(wb), summary="x", location=s.location).is_open
    # Once closed, a new case may open.
    case_move(case=s.case, actor=s.officer, move="close_informal", reason="Resolved")
    again = case_open(council=s.council, actor=s.officer, summary="New", location=s.location)
    assert again.is_open and again.reference != s.case.reference


def test_only_one_pending_move_recommendation_per_case(somerset):
    s = somerset
    _to_formal(s)
    first = _propose_rectification(s)
    before = written(s.council)
    with pytest.raises(Conflict, match="waits for a decision"):
        case_move(
            case=s.case,
            actor=s.other_officer,
            move="issue_final_warning",
            reason="Worse",
            evidence=BOARD_EVIDENCE,
        )
    assert written(s.council) == before
    with pytest.raises(IntegrityError), transaction.atomic():
        Recommendation.objects.create(
            council=s.council,
            reference="REC-X",
            kind="move",
            key="issue_final_warning",
            label="x",
            case=s.case,
            provider=s.case.provider,
            proposed_by=s.officer,
            waiting_since=timezone.now(),
            reason="x",
        )
    recommendation_withdraw(recommendation=first, actor=s.officer, reason="Wrong notice")
    second = case_move(
        case=s.case,
        actor=s.other_officer,
        move="issue_final_warning",
        reason="Worse",
        evidence=BOARD_EVIDENCE,
    )
    assert second.status == RecommendationStatus.PENDING


def test_an_approval_after_the_case_moved_meanwhile_is_a_conflict(somerset):
    s = somerset
    _to_formal(s)
    rec = _propose_rectification(s)
    with pytest.raises(Conflict, match="waits for a decision"):
        case_move(case=s.case, actor=s.other_officer, move="formal_to_informal", reason="Better")
    # Only a change outside the services (a system move, an operator's fix) can get here:
    # the decision must still refuse to apply a move from a stage the case has left.
    Case.objects.filter(pk=s.case.pk).update(stage=Stage.INFORMAL)
    before = written(s.council)
    with pytest.raises(Conflict, match="has moved since this was recommended"):
        _act(
            rec,
            s.board,
            StepOutcome.APPROVED,
            meeting_on=today() - dt.timedelta(days=1),
            quorate=True,
        )
    assert written(s.council) == before
    rec.refresh_from_db()
    s.case.refresh_from_db()
    assert rec.status == RecommendationStatus.PENDING and rec.decided_at is None
    assert s.case.stage == Stage.INFORMAL
    assert not CaseMove.objects.filter(case=s.case, to_stage=Stage.RECTIFICATION).exists()
    assert not LetterRequest.objects.filter(case=s.case, letter="rectification_notice").exists()
    assert not AuditEntry.objects.filter(
        action="recommendation.approved", object_id=str(rec.pk)
    ).exists()


def test_only_the_proposer_may_withdraw(somerset):
    s = somerset
    _to_formal(s)
    rec = _propose_rectification(s)
    before = written(s.council)
    with pytest.raises(NotAllowed, match="Only the person who made a recommendation"):
        recommendation_withdraw(recommendation=rec, actor=s.other_officer, reason="Mine now")
    with pytest.raises(NotAllowed):
        recommendation_withdraw(recommendation=rec, actor=s.board, reason="No")
    with pytest.raises(ValidationFailed) as caught:
        recommendation_withdraw(recommendation=rec, actor=s.officer, reason="")
    assert set(caught.value.errors) == {"reason"}
    assert written(s.council) == before
    recommendation_withdraw(recommendation=rec, actor=s.officer, reason="Improving after all")
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.WITHDRAWN
    step = DecisionStep.objects.get(recommendation=rec)
    assert (step.outcome, step.actor) == (StepOutcome.WITHDRAWN, s.officer)
    assert AuditEntry.objects.filter(
        action="recommendation.withdrawn", object_id=str(rec.pk)
    ).exists()
    with pytest.raises(Conflict):
        recommendation_withdraw(recommendation=rec, actor=s.officer, reason="Again")
    with pytest.raises(Conflict):
        _act(rec, s.board, StepOutcome.APPROVED, virtual=True)


# --- triggers raise once per cause -----------------------------------------------------------


def test_alert_raise_twice_for_the_same_cause_raises_once(west_berkshire):
    """004 16.2: "A Provider is rated as inadequate in the ‘safe’ domain by the CQC"."""
    council = west_berkshire.council
    trigger = next(t for t in Ladder.of(council).triggers if t.key == "inadequate_safe")
    location = LocationFactory()
    kwargs = dict(
        council=council,
        trigger=trigger,
        cause="rating:42",
        detail="Safe inadequate",
        location=location,
        provider=location.provider,
    )
    first = alert_raise(**kwargs)
    assert first is not None and first.suggestion.startswith("Recommend an Embargo")
    assert alert_raise(**kwargs) is None
    assert Alert.objects.filter(council=council).count() == 1
    assert AuditEntry.objects.filter(council=council, action="alert.raised").count() == 1


def test_check_rating_twice_raises_once(load_pack, west_berkshire):
    """003 Key principles 1 opens one case; 004 16.2 queues one alert per rule."""
    somerset = load_pack("somerset")
    location = LocationFactory()
    rating = RatingFactory(
        location=location,
        overall="Inadequate",
        safe="Inadequate",
        effective="Inadequate",
        well_led="Inadequate",
    )
    assert len(check_rating(council=somerset, rating=rating)) == 1
    assert check_rating(council=somerset, rating=rating) == []
    assert Alert.objects.filter(council=somerset).count() == 1
    assert CaseMove.objects.filter(council=somerset).count() == 1

    wb = west_berkshire.council
    raised = check_rating(council=wb, rating=rating)
    assert sorted(a.trigger for a in raised) == ["inadequate_in_three_or_more", "inadequate_safe"]
    assert check_rating(council=wb, rating=rating) == []
    assert Alert.objects.filter(council=wb).count() == 2
    assert not Case.objects.filter(council=wb).exists()  # queued, not opened


def test_a_failing_improvement_plan_queues_an_alert_once(
    west_berkshire, django_capture_on_commit_callbacks
):
    """004 16.2: "The Provider has failed to meet the majority of the requirements of an
    Improvement plan on more than 3 reviews"."""
    wb = west_berkshire
    start = today() - dt.timedelta(days=100)
    location = LocationFactory(local_authority="West Berkshire")
    plan = plan_create(
        council=wb.council,
        location=location,
        actor=wb.cqo,
        title="Falls and medicines",
        started_on=start,
        actions=[
            {
                "what": what,
                "provider_lead": "Registered manager",
                "council_monitor": wb.cqo,
                "due_on": start + dt.timedelta(days=30),
            }
            for what in ("Falls audits", "MAR charts", "Night staffing")
        ],
    )
    alerts = []
    for n in range(1, 6):
        with django_capture_on_commit_callbacks(execute=True):
            plan_review_record(
                plan=plan,
                actor=wb.cqo,
                reviewed_on=start + dt.timedelta(days=10 * n),
                results={a.pk: False for a in plan.actions.all()},
            )
        alerts.append(Alert.objects.filter(council=wb.council).count())
    plan.refresh_from_db()
    assert plan.failed_reviews == 5
    assert alerts == [0, 0, 0, 1, 1]
    alert = Alert.objects.get(council=wb.council)
    assert (alert.trigger, alert.cause) == ("improvement_plan_failing", f"plan:{plan.pk}")
    assert alert.status == "new" and alert.case is None
    assert alert.suggestion == "Recommend an Embargo to the Head of Commissioning"


# --- records are append-only -----------------------------------------------------------------


def _a_move_and_a_step(somerset):
    record = case_move(
        case=somerset.case,
        actor=somerset.officer,
        move="invoke_quality_improvement",
        reason="RI",
    )
    rec = _propose_rectification(somerset)
    recommendation_withdraw(recommendation=rec, actor=somerset.officer, reason="Not yet")
    return record, DecisionStep.objects.get(recommendation=rec)


def test_case_moves_and_decision_steps_cannot_change_or_be_deleted(somerset):
    record, step = _a_move_and_a_step(somerset)
    record.reason = "Forged"
    step.reasons = "Forged"
    for row in (record, step):
        with pytest.raises(PermissionError):
            row.save()
        with pytest.raises(PermissionError):
            row.delete()
    assert CaseMove.objects.get(pk=record.pk).reason == "RI"
    assert DecisionStep.objects.get(pk=step.pk).reasons == "Not yet"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_raw_changes_to_moves_and_steps(somerset):
    record, step = _a_move_and_a_step(somerset)
    for table, pk, column in (
        ("concerns_casemove", record.pk, "reason"),
        ("concerns_decisionstep", step.pk, "reasons"),
    ):
        for sql in (
            f"UPDATE {table} SET {column} = 'forged' WHERE id = %s",
            f"DELETE FROM {table} WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="is a record"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [pk])
    assert CaseMove.objects.get(pk=record.pk).reason == "RI"
    assert DecisionStep.objects.get(pk=step.pk).reasons == "Not yet"


# --- the decision maker's inbox --------------------------------------------------------------


def test_the_inbox_lists_for_the_right_person_oldest_first(west_berkshire, load_pack, member):
    """004 18: each recommendation waits for the SRM, then the SM, then the Head of
    Commissioning (or the Head of Adult Social Care standing in: 004 21.3)."""
    wb = west_berkshire
    # The SM also sits on Somerset's Board: Somerset's recommendations stay in Somerset.
    somerset = load_pack("somerset")
    member(somerset, Role.DECISION_MAKER, user=wb.sm)
    s_officer = member(somerset, Role.OFFICER)
    s_case = case_open(council=somerset, actor=s_officer, summary="x", location=LocationFactory())
    case_move(case=s_case, actor=s_officer, move="invoke_quality_improvement", reason="RI")
    s_rec = case_move(
        case=s_case,
        actor=s_officer,
        move="issue_rectification_notice",
        reason="x",
        evidence=BOARD_EVIDENCE,
    )
    assert [i.recommendation.pk for i in inbox(council=somerset, user=wb.sm)] == [s_rec.pk]
    hasc = member(wb.council, Role.DECISION_MAKER, title="Head of Adult Social Care")
    lapsed = member(wb.council, Role.OFFICER, title="Former stand-in")
    delegator = Membership.objects.get(user=wb.hoc, council=wb.council, role=Role.DECISION_MAKER)
    for delegate, starts, ends in ((hasc, -1, 1), (lapsed, -9, -1)):
        delegation_create(
            council=wb.council,
            delegator=delegator,
            delegate=delegate,
            starts_on=today() + dt.timedelta(days=starts),
            ends_on=today() + dt.timedelta(days=ends),
            actor=wb.hoc,
        )
    at_srm = _restriction(wb)
    at_sm = _restriction(wb)
    _act(at_sm, wb.srm, StepOutcome.FORWARDED)
    at_hoc = _restriction(wb)
    _act(at_hoc, wb.srm, StepOutcome.FORWARDED)
    _act(at_hoc, wb.sm, StepOutcome.FORWARDED)
    at_srm_too = _restriction(wb)
    now = timezone.now()
    for rec, days in ((at_srm, 1), (at_sm, 5), (at_hoc, 2), (at_srm_too, 3)):
        Recommendation.objects.filter(pk=rec.pk).update(waiting_since=now - dt.timedelta(days=days))

    def listed(user):
        return [i.recommendation.pk for i in inbox(council=wb.council, user=user)]

    assert listed(wb.srm) == [at_srm_too.pk, at_srm.pk]
    assert listed(wb.sm) == [at_sm.pk]  # 004 18.1-18.3: each post takes its own step
    assert listed(wb.hoc) == [at_hoc.pk]
    assert listed(hasc) == [at_hoc.pk]
    for nobody in (wb.cqo, wb.other_officer, wb.untitled, lapsed):
        assert listed(nobody) == []
    items = inbox(council=wb.council, user=wb.sm)
    assert items[0].awaiting == (
        "SM recommends the restriction to the Head of Commissioning in writing"
    )
    assert items[0].waited_days == 5
    assert inbox(council=wb.council, user=wb.hoc)[0].awaiting == (
        "Decision of the Head of Commissioning"
    )
    # Each listed item is one the person may act on, and only those.
    for user in (wb.srm, wb.sm, wb.hoc, hasc, wb.cqo):
        pending = Recommendation.objects.filter(
            council=wb.council, status=RecommendationStatus.PENDING
        )
        for rec in pending:
            assert (rec.pk in listed(user)) == (not step_blockers(recommendation=rec, user=user))


def test_the_inbox_runs_a_constant_number_of_queries(west_berkshire):
    wb = west_berkshire

    def add(n):
        for _ in range(n):
            _act(_restriction(wb), wb.srm, StepOutcome.FORWARDED)  # now the SM's step

    def measure():
        council = Council.objects.get(pk=wb.council.pk)
        user = User.objects.get(pk=wb.sm.pk)  # nothing cached on the person
        with CaptureQueriesContext(connection) as queries:
            items = inbox(council=council, user=user)
        return len(items), len(queries)

    add(3)
    listed3, queries3 = measure()
    add(27)
    listed30, queries30 = measure()
    assert (listed3, listed30) == (3, 30)
    assert queries30 == queries3, f"{queries3} queries for 3, {queries30} for 30"


# --- guards added after review -----------------------------------------------------------------


def test_a_check_posted_from_a_stale_page_is_a_conflict(west_berkshire):
    """004 18.1-18.3: the SRM's check then the SM's; a second "forwarded" for a step someone
    already took must not be written as the next step."""
    wb = west_berkshire
    rec = _restriction(wb)
    _act(rec, wb.srm, StepOutcome.FORWARDED, expected_step=0)
    before = written(wb.council)
    with pytest.raises(Conflict, match="has moved on"):
        _act(rec, wb.sm, StepOutcome.FORWARDED, expected_step=0)
    assert written(wb.council) == before


def test_each_chain_step_is_taken_by_its_own_post(west_berkshire, member):
    """004 18.1: "If the SRM considers the criteria is met"; 18.3: "SM will make a
    recommendation": a manager without the post takes neither step."""
    wb = west_berkshire
    untitled_manager = member(wb.council, Role.MANAGER)
    rec = _restriction(wb)
    with pytest.raises(NotAllowed, match="Supplier Relationship Manager"):
        _act(rec, untitled_manager, StepOutcome.FORWARDED)
    with pytest.raises(NotAllowed, match="Supplier Relationship Manager"):
        _act(rec, wb.sm, StepOutcome.FORWARDED)
    _act(rec, wb.srm, StepOutcome.FORWARDED)
    with pytest.raises(NotAllowed, match="Service Manager"):
        _act(rec, untitled_manager, StepOutcome.FORWARDED)


def test_a_post_title_alone_does_not_make_an_auditor_a_decision_maker(west_berkshire, member):
    wb = west_berkshire
    auditor = member(wb.council, Role.AUDITOR, title="Head of Commissioning")
    rec = _restriction(wb)
    _act(rec, wb.srm, StepOutcome.FORWARDED)
    _act(rec, wb.sm, StepOutcome.FORWARDED)
    with pytest.raises(NotAllowed):
        _act(rec, auditor, StepOutcome.APPROVED)


def test_a_virtual_board_decision_must_be_urgent(somerset):
    """003 ToR 5: "In situations where major issues occurs requiring urgent decisions outside
    of regular, scheduled meetings, decision-making via virtual meetings ..."."""
    _to_formal(somerset)
    rec = _propose_rectification(somerset)
    with pytest.raises(ValidationFailed) as caught:
        _act(rec, somerset.board, StepOutcome.APPROVED, virtual=True)
    assert "urgent" in caught.value.errors
    _act(rec, somerset.board, StepOutcome.APPROVED, virtual=True, urgent=True)
    somerset.case.refresh_from_db()
    assert somerset.case.stage == Stage.RECTIFICATION


def test_other_evidence_never_stands_in_for_a_required_kind(somerset):
    _to_formal(somerset)
    with pytest.raises(ValidationFailed) as caught:
        case_move(
            case=somerset.case,
            actor=somerset.officer,
            move="issue_rectification_notice",
            reason="Not improving",
            evidence=[ev("meeting_notes"), {"kind": "other", "note": "The Board said yes"}],
        )
    assert "evidence" in caught.value.errors


def test_a_decision_is_judged_by_the_policy_it_was_made_under(somerset):
    """A pack reloaded while a recommendation waits does not change its chain."""
    from councils.services import policy_load
    from tests.factories import policy_text

    _to_formal(somerset)
    rec = _propose_rectification(somerset)
    text = policy_text("somerset").replace(
        "key: issue_rectification_notice", "key: issue_rectification_notice_v2"
    )
    assert policy_load(text=text, source_name="somerset.yaml").created
    _act(
        rec,
        somerset.board,
        StepOutcome.APPROVED,
        meeting_on=today() - dt.timedelta(days=1),
        quorate=True,
    )
    somerset.case.refresh_from_db()
    assert somerset.case.stage == Stage.RECTIFICATION


def test_the_nightly_sweep_catches_a_failing_plan_whose_task_was_lost(west_berkshire):
    """004 16.2: a plan failed at more than 3 reviews is raised even if the task queued when
    its review was recorded never ran; and only once."""
    from concerns.tasks import triggers_sweep
    from monitoring.models import ImprovementPlan

    wb = west_berkshire
    location = LocationFactory(local_authority="West Berkshire")
    plan = plan_create(
        council=wb.council,
        location=location,
        actor=wb.cqo,
        title="Medicines",
        started_on=today() - dt.timedelta(days=200),
    )
    ImprovementPlan.objects.filter(pk=plan.pk).update(failed_reviews=4)  # no task ran
    assert triggers_sweep() >= 1
    assert Alert.objects.filter(council=wb.council, cause=f"plan:{plan.pk}").count() == 1
    triggers_sweep()
    assert Alert.objects.filter(council=wb.council, cause=f"plan:{plan.pk}").count() == 1


def test_references_keep_counting_past_9999(somerset):
    from concerns.models import Case

    year = timezone.localdate().year
    Case.objects.filter(pk=somerset.case.pk).update(reference=f"CASE-{year}-9999")
    other = case_open(
        council=somerset.council,
        actor=somerset.officer,
        summary="More",
        location=LocationFactory(local_authority="Somerset"),
    )
    assert other.reference == f"CASE-{year}-10000"
    third = case_open(
        council=somerset.council,
        actor=somerset.officer,
        summary="More",
        location=LocationFactory(local_authority="Somerset"),
    )
    assert third.reference == f"CASE-{year}-10001"


def test_a_serious_concerns_track_has_one_action_plan(load_pack, member):
    """001 App. 3: "Chairs of Serious Concerns meetings must ensure that there is a Serious
    Concerns action plan in place at the earliest point" - the improvement plan structure."""
    from concerns.services import safeguarding_open, safeguarding_plan_start
    from monitoring.models import PlanKind

    council = load_pack("bedford")
    officer = member(council, Role.OFFICER)
    case = case_open(
        council=council,
        actor=officer,
        summary="Concerns",
        location=LocationFactory(local_authority="Bedford"),
    )
    track = safeguarding_open(case=case, actor=officer, reason="Several alerts this month")
    plan = safeguarding_plan_start(
        track=track, actor=officer, title="Pressure care", started_on=today()
    )
    track.refresh_from_db()
    assert track.plan == plan and plan.kind == PlanKind.SERIOUS_CONCERNS
    assert plan.location == case.location
    with pytest.raises(Conflict, match="already has its action plan"):
        safeguarding_plan_start(track=track, actor=officer, title="Again", started_on=today())
