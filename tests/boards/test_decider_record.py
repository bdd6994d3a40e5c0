"""What the decision step records of the meeting that decided (issue 12): the members present,
those counted (not those who declared an interest), the interests, who had a part in the case
and who gave independent scrutiny, and each response at an urgent virtual meeting (003
Appendix 4 ToR 3 and 5). Without the members who declared an interest the meeting must still
be quorate, or the decision is refused."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from boards.decider import BoardMeetingDecider
from boards.models import MeetingKind
from boards.services import agenda_refer, attendance_record, meeting_schedule, member_add
from core.errors import ValidationFailed
from core.models import AuditEntry
from councils.models import Role
from decisions.models import DecisionStep, Status, StepOutcome
from decisions.services import recommendation_act
from tests.boards.test_meetings import BOARD, CCG, QP, SC
from tests.decisions.conftest import permit  # noqa: F401  (fixture)
from tests.decisions.permits.kind import propose

pytestmark = pytest.mark.django_db

TITLE = "Care Provider Commissioning and Quality Board"
# 003 Appendix 5: the Board decides; a Strategic Manager checks it first, so that a step is
# taken on it by someone who may also sit on the Board.
CHECKED_THEN_BOARD = {
    "decided_by": "commissioning_quality_board",
    "seed": "003 ToR 5",
    "chain": [{"role": "manager", "label": "The Strategic Manager checks"}],
}


@pytest.fixture
def cqb(load_pack, member):
    """Somerset's Board with members who are also the council's people: the officer who
    proposes, the manager who checks, and two who had no part in it."""
    council = load_pack("somerset")
    officer = member(council, Role.OFFICER)
    manager = member(council, Role.MANAGER)
    decider = member(council, Role.DECISION_MAKER, title=TITLE)
    joined = timezone.localdate() - dt.timedelta(days=100)

    def seat(name, *posts, user=None):
        return member_add(
            council=council, actor=manager, board=BOARD, name=name, posts=list(posts),
            user=user, joined_on=joined,
        )  # fmt: skip

    return SimpleNamespace(
        council=council,
        officer=officer,
        manager=manager,
        decider=decider,
        seats={
            "ccg": seat("Dr Ann Hale", CCG),
            "qp": seat("Raj Patel", QP, user=manager),  # checked the recommendation
            "qp2": seat("Zoe Quinn", QP),
            "sc": seat("Li Chen", SC, user=officer),  # proposed it
            "nurse": seat("Sam Jones", "safeguarding_lead_nurse"),
        },
    )


def checked(cqb, permit):  # noqa: F811
    rec = propose(permit(cqb.council), cqb.officer, approval=CHECKED_THEN_BOARD)
    return recommendation_act(
        recommendation=rec, actor=cqb.manager, outcome=StepOutcome.FORWARDED, reasons="Checked"
    )


def meeting_on(cqb, rec, *who, interests=None, responses=None, virtual=False):
    meeting = meeting_schedule(
        council=cqb.council, actor=cqb.officer, board=BOARD, meets_on=timezone.localdate(),
        kind=MeetingKind.URGENT if virtual else MeetingKind.SCHEDULED, virtual=virtual,
    )  # fmt: skip
    agenda_refer(meeting=meeting, actor=cqb.officer, recommendation=rec)
    s = cqb.seats
    return attendance_record(
        meeting=meeting,
        actor=cqb.officer,
        present=[s[w].pk for w in who],
        interests={s[k].pk: v for k, v in (interests or {}).items()},
        responses={s[k].pk: v for k, v in (responses or {}).items()},
    )


def decide(cqb, rec, meeting, **kwargs):
    return recommendation_act(
        recommendation=rec,
        actor=cqb.decider,
        outcome=StepOutcome.APPROVED,
        reasons="Agreed by the Board",
        meeting=meeting.pk,
        **kwargs,
    )


def test_the_decision_records_who_was_present_counted_and_independent(cqb, permit):  # noqa: F811
    """003 Appendix 4 ToR 3: staff "who have not been involved in the quality improvement
    process" give independent oversight and scrutiny; those who were are flagged."""
    rec = checked(cqb, permit)
    meeting = meeting_on(cqb, rec, "ccg", "qp", "sc", "nurse")
    rec = decide(cqb, rec, meeting)
    assert rec.status == Status.APPROVED
    step = DecisionStep.objects.get(recommendation=rec, outcome=StepOutcome.APPROVED)
    assert step.meeting_ref == meeting.reference
    everyone = ["Dr Ann Hale", "Li Chen", "Raj Patel", "Sam Jones"]
    assert step.board_record == {
        "present": everyone,
        "counted": everyone,
        "interests": [],
        "part_in_case": ["Li Chen", "Raj Patel"],  # proposed it; checked it
        "independent": ["Dr Ann Hale", "Sam Jones"],
        "responses": [],
    }
    audit = AuditEntry.objects.get(action="recommendation.approved")
    assert audit.data["board"] == step.board_record


def test_a_member_with_an_interest_is_recorded_and_not_counted(cqb, permit):  # noqa: F811
    """003 Appendix 4 ToR 5 and issue 12: a member who declares an interest is recorded and
    does not count towards the decision; the others are still quorate."""
    rec = checked(cqb, permit)
    meeting = meeting_on(
        cqb, rec, "ccg", "qp", "qp2", "sc", interests={"qp": "Was the provider's consultant"}
    )
    decide(cqb, rec, meeting)
    record = DecisionStep.objects.get(recommendation=rec, outcome="approved").board_record
    assert record["present"] == ["Dr Ann Hale", "Li Chen", "Raj Patel", "Zoe Quinn"]
    assert record["counted"] == ["Dr Ann Hale", "Li Chen", "Zoe Quinn"]
    assert record["interests"] == [
        {"name": "Raj Patel", "interest": "Was the provider's consultant"}
    ]
    assert record["part_in_case"] == ["Li Chen"]  # Raj Patel is not counted at all
    assert record["independent"] == ["Dr Ann Hale", "Zoe Quinn"]


def test_without_those_who_declared_an_interest_the_meeting_is_not_quorate(cqb, permit):  # noqa: F811
    """003 Appendix 4 ToR 5: "no decisions may be taken by the non-quorate meeting of the
    Board": the only Strategic Commissioner declared an interest, so it cannot decide."""
    rec = checked(cqb, permit)
    meeting = meeting_on(cqb, rec, "ccg", "qp", "sc", "nurse", interests={"sc": "Family member"})
    assert meeting.quorate is True  # the meeting itself was
    with pytest.raises(ValidationFailed) as refused:
        decide(cqb, rec, meeting)
    assert set(refused.value.errors) == {"meeting"}
    (message,) = refused.value.errors["meeting"]
    assert message.startswith(
        f"Without Li Chen, who declared an interest, {meeting.reference} is not quorate"
    )
    assert "No Strategic Commissioner present" in message
    rec.refresh_from_db()
    assert rec.status == Status.PENDING
    assert not DecisionStep.objects.filter(recommendation=rec, outcome="approved").exists()


def test_an_interest_that_leaves_too_few_members_refuses_the_decision(cqb, permit):  # noqa: F811
    rec = checked(cqb, permit)
    meeting = meeting_on(cqb, rec, "ccg", "qp", "qp2", "sc", interests={"qp2": "x", "ccg": "y"})
    with pytest.raises(ValidationFailed) as refused:
        decide(cqb, rec, meeting)
    (message,) = refused.value.errors["meeting"]
    assert "Without Dr Ann Hale, Zoe Quinn" in message
    assert "Only 2 members present: at least 3 are needed" in message


def test_a_meeting_that_was_not_quorate_is_refused_for_that_reason_alone(cqb, permit):  # noqa: F811
    rec = checked(cqb, permit)
    meeting = meeting_on(cqb, rec, "ccg", "qp", interests={"qp": "x"})
    with pytest.raises(ValidationFailed) as refused:
        decide(cqb, rec, meeting)
    (message,) = refused.value.errors["meeting"]
    assert message.startswith(f"{meeting.reference} was not quorate (")


def test_each_response_at_an_urgent_virtual_meeting_is_recorded(cqb, permit):  # noqa: F811
    """003 Appendix 4 ToR 5: urgent decisions via virtual meetings, each member's response
    recorded."""
    rec = checked(cqb, permit)
    meeting = meeting_on(
        cqb, rec, "ccg", "qp2", "sc", virtual=True,
        responses={"ccg": "Agree", "qp2": "Agree, with a review in 3 months"},
    )  # fmt: skip
    decide(cqb, rec, meeting, urgent=True, virtual=True)
    step = DecisionStep.objects.get(recommendation=rec, outcome="approved")
    assert step.virtual and step.board_record["responses"] == [
        {"name": "Dr Ann Hale", "response": "Agree"},
        {"name": "Zoe Quinn", "response": "Agree, with a review in 3 months"},
    ]


def test_the_cases_lead_officer_has_a_part_in_it(load_pack, member):
    """003 Appendix 4 ToR 3: the lead officer of the case worked on the quality improvement
    process: flagged, not independent."""
    from concerns.services import case_move, case_open
    from tests.concerns.api.helpers import RECTIFICATION_EVIDENCE
    from tests.factories import LocationFactory

    council = load_pack("somerset")
    officer = member(council, Role.OFFICER)
    lead = member(council, Role.OFFICER)
    manager = member(council, Role.MANAGER)
    case = case_open(
        council=council, actor=officer, summary="Medicines", location=LocationFactory(),
        lead_officer=lead,
    )  # fmt: skip
    case_move(case=case, actor=officer, move="invoke_quality_improvement", reason="RI")
    case.refresh_from_db()
    rec = case_move(
        case=case, actor=officer, move="issue_rectification_notice", reason="Not improving",
        evidence=RECTIFICATION_EVIDENCE,
    )  # fmt: skip
    assert rec.subject_type == "concerns.case"
    joined = timezone.localdate() - dt.timedelta(days=10)
    seats = [
        member_add(
            council=council,
            actor=manager,
            board=BOARD,
            name=name,
            posts=[post],
            user=user,
            joined_on=joined,
        )  # fmt: skip
        for name, post, user in (
            ("Ann", CCG, None),
            ("Lead", QP, lead),
            ("Chen", SC, None),
        )
    ]
    meeting = meeting_schedule(
        council=council, actor=officer, board=BOARD, meets_on=timezone.localdate()
    )
    agenda_refer(meeting=meeting, actor=officer, recommendation=rec)
    meeting = attendance_record(meeting=meeting, actor=officer, present=[s.pk for s in seats])
    record = BoardMeetingDecider.board_record(rec=rec, meeting=meeting, errors={})
    assert record["part_in_case"] == ["Lead"]
    assert record["independent"] == ["Ann", "Chen"]


def test_only_quorate_meetings_with_the_item_are_offered(cqb, permit):  # noqa: F811
    rec = checked(cqb, permit)
    quorate = meeting_on(cqb, rec, "ccg", "qp", "sc")
    meeting_on(cqb, rec, "ccg", "qp")  # not quorate
    meeting_schedule(
        council=cqb.council, actor=cqb.officer, board=BOARD, meets_on=timezone.localdate()
    )  # the item is not on its agenda
    choices = BoardMeetingDecider().choices("meeting", rec=rec)
    assert [pk for pk, _ in choices] == [quorate.pk]
