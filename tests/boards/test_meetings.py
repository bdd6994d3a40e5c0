"""Meetings of Somerset's Commissioning & Quality Board (issue 12): attendance recorded, the
quorum computed from it by the pack's rule (003 Appendix 4 ToR 5), notes kept when it is not
quorate; members by post; urgent meetings virtual only."""

import datetime as dt

import pytest
from django.utils import timezone

from boards.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from boards.services import agenda_refer, attendance_record, meeting_schedule, member_add
from core.errors import Conflict, NotAllowed, ValidationFailed
from councils.models import Role

pytestmark = pytest.mark.django_db

BOARD = "commissioning_quality_board"
CCG, QP, SC = (
    "ccg_safeguarding_commissioning",
    "la_quality_performance_manager",
    "la_strategic_commissioner",
)


@pytest.fixture
def somerset(load_pack, member):
    council = load_pack("somerset")
    manager = member(council, Role.MANAGER)
    officer = member(council, Role.OFFICER)
    joined = timezone.localdate() - dt.timedelta(days=200)

    def seat(name, *posts):
        return member_add(
            council=council, actor=manager, board=BOARD, name=name, posts=list(posts),
            joined_on=joined,
        )  # fmt: skip

    people = {
        "ccg": seat("Dr Ann Hale", CCG, "deputy_director_quality"),
        "qp": seat("Raj Patel", QP, "strategic_manager_quality"),
        "sc": seat("Li Chen", SC, "strategic_commissioning_manager"),
        "nurse": seat("Sam Jones", "safeguarding_lead_nurse"),
    }
    return council, manager, officer, people


def _held(somerset, *who, interests=None):
    council, _, officer, people = somerset
    meeting = meeting_schedule(
        council=council, actor=officer, board=BOARD, meets_on=timezone.localdate()
    )
    return attendance_record(
        meeting=meeting,
        actor=officer,
        present=[people[w].pk for w in who],
        interests={people[k].pk: v for k, v in (interests or {}).items()},
    )


def test_the_three_named_posts_present_make_the_meeting_quorate(somerset):  # 003 ToR 5
    meeting = _held(somerset, "ccg", "qp", "sc")
    assert meeting.status == MeetingStatus.HELD
    assert meeting.quorate is True and meeting.record == "minutes"
    assert meeting.quorum_reasons[0] == "3 members present (at least 3 needed)"


def test_two_members_are_not_quorate_and_keep_notes(somerset):  # 003 ToR 5
    meeting = _held(somerset, "ccg", "qp")
    assert meeting.quorate is False and meeting.record == "notes"
    assert "Only 2 members present: at least 3 are needed" in meeting.quorum_reasons


def test_three_without_the_quality_and_performance_manager_are_not_quorate(somerset):
    meeting = _held(somerset, "ccg", "sc", "nurse")
    assert meeting.quorate is False
    assert "No Manager from the Quality & Performance Service present" in meeting.quorum_reasons


def test_an_interest_is_recorded_with_the_member(somerset):
    meeting = _held(somerset, "ccg", "qp", "sc", interests={"sc": "Commissions from the provider"})
    row = meeting.attendance.get(member__name="Li Chen")
    assert row.declared_interest == "Commissions from the provider"


def test_the_standing_agenda_opens_each_meeting(somerset):
    council, _, officer, _ = somerset
    meeting = meeting_schedule(
        council=council, actor=officer, board=BOARD, meets_on=timezone.localdate()
    )
    titles = list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True))
    assert titles[0] == "CQC compliance history over the past 3-4 years"
    assert meeting.reference.startswith("MTG-")


def test_only_an_urgent_meeting_is_virtual(somerset):  # 003 ToR 5
    council, _, officer, _ = somerset
    with pytest.raises(ValidationFailed) as caught:
        meeting_schedule(
            council=council, actor=officer, board=BOARD, meets_on=timezone.localdate(),
            virtual=True,
        )  # fmt: skip
    assert "virtual" in caught.value.errors
    urgent = meeting_schedule(
        council=council, actor=officer, board=BOARD, meets_on=timezone.localdate(),
        kind=MeetingKind.URGENT, virtual=True,
    )  # fmt: skip
    assert urgent.virtual


def test_a_member_holds_posts_of_the_board_only(somerset):
    council, manager, _, _ = somerset
    with pytest.raises(ValidationFailed) as caught:
        member_add(council=council, actor=manager, board=BOARD, name="X", posts=["mayor"])
    assert "posts" in caught.value.errors


def test_attendance_is_for_the_boards_members_and_a_held_meeting(somerset, load_pack, member):
    council, _, officer, people = somerset
    later = meeting_schedule(
        council=council, actor=officer, board=BOARD,
        meets_on=timezone.localdate() + dt.timedelta(days=7),
    )  # fmt: skip
    with pytest.raises(Conflict):
        attendance_record(meeting=later, actor=officer, present=[people["ccg"].pk])
    today = meeting_schedule(
        council=council, actor=officer, board=BOARD, meets_on=timezone.localdate()
    )
    with pytest.raises(ValidationFailed):
        attendance_record(meeting=today, actor=officer, present=[999999])


def test_who_may_run_meetings_and_keep_the_membership(somerset, member):
    council, _, _, _ = somerset
    placement = member(council, Role.PLACEMENT)
    officer = member(council, Role.OFFICER)
    with pytest.raises(NotAllowed):
        meeting_schedule(
            council=council, actor=placement, board=BOARD, meets_on=timezone.localdate()
        )
    with pytest.raises(NotAllowed):
        member_add(council=council, actor=officer, board=BOARD, name="X", posts=[CCG])


def test_a_decided_recommendation_is_not_referred(somerset):
    from decisions.models import Recommendation

    council, _, officer, _ = somerset
    meeting = meeting_schedule(
        council=council, actor=officer, board=BOARD, meets_on=timezone.localdate()
    )
    rec = Recommendation(council=council, reference="REC-1", status="approved", label="x")
    with pytest.raises(ValidationFailed):
        agenda_refer(meeting=meeting, actor=officer, recommendation=rec)
    assert Meeting.objects.count() == 1


# --- papers at least a week before (003 Appendix 4 ToR 2) ---------------------------------------


def test_papers_six_days_before_the_meeting_raise_the_warning(somerset):
    from boards.services import papers_issue
    from core.models import Timer

    council, _, officer, _ = somerset
    meets_on = timezone.localdate() + dt.timedelta(days=10)
    meeting = meeting_schedule(council=council, actor=officer, board=BOARD, meets_on=meets_on)
    timer = Timer.objects.get(kind="boards.papers", subject_id=str(meeting.pk))
    assert timer.due_on == meets_on - dt.timedelta(days=7) and timer.owner == officer
    assert timer.seed == "003 Appendix 4 ToR 2"
    late = papers_issue(meeting=meeting, actor=officer, issued_on=timezone.localdate())
    assert late == ""  # 10 days before: in time
    meeting.papers_issued_on = None
    meeting.save()
    second = meeting_schedule(
        council=council, actor=officer, board=BOARD,
        meets_on=timezone.localdate() + dt.timedelta(days=6),
    )  # fmt: skip
    warning = papers_issue(meeting=second, actor=officer)
    assert warning.startswith("The papers went out 6 days before the meeting")
    assert "at least 7 (003 Appendix 4 ToR 2)" in warning
    met = Timer.objects.get(kind="boards.papers", subject_id=str(second.pk))
    assert met.status == "met" and met.outcome == warning


def test_papers_go_out_before_the_meeting(somerset):
    from boards.services import papers_issue

    council, _, officer, _ = somerset
    meeting = meeting_schedule(
        council=council, actor=officer, board=BOARD,
        meets_on=timezone.localdate() - dt.timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        papers_issue(meeting=meeting, actor=officer, issued_on=timezone.localdate())
    assert "issued_on" in caught.value.errors
