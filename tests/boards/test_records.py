"""What a meeting leaves behind (issue 12): minutes (or notes) per agenda item, actions tracked
as timers, the record approved at the next meeting and closed, the provider's part sent as a
letter (003 Appendix 1 Table 3), the report to the Safeguarding Adults Board (001 Appendix 3);
who may call a Serious Concerns meeting and what a meeting about one provider needs; each
member's response at an urgent virtual meeting (003 Appendix 4 ToR 5)."""

# ruff: noqa: F811  (the fixtures imported from the other boards tests)
import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from boards.models import AgendaItem, Meeting, MeetingKind
from boards.records import (
    action_add,
    action_done,
    minutes_approve,
    minutes_write,
    provider_notes_send,
    report_record,
)
from boards.services import attendance_record, meeting_schedule, member_add
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry, Timer, TimerStatus
from councils.models import Delegation, Membership, Role
from tests.boards.test_meetings import BOARD, somerset  # noqa: F401
from tests.factories import LocationFactory, ProviderFactory, RatingFactory

pytestmark = pytest.mark.django_db

QIM = "quality_improvement_meeting"
SCM = "serious_concerns_meeting"
DASS = "Director of Adult Social Services"
SAB_CHAIR = "Chair of the Safeguarding Adults Board"
SC_CHAIR = "Assistant Director of Adult Social Care (Chief Officer)"
TODAY = timezone.localdate


def days(n: int) -> dt.date:
    return TODAY() + dt.timedelta(days=n)


def held(somerset, *who, on: int = 0, interests=None):  # noqa: F811
    """A meeting of Somerset's Commissioning & Quality Board held `on` days from today with
    these members present (003 Appendix 4 ToR 5: the three named posts make it quorate)."""
    council, _, officer, people = somerset
    meeting = meeting_schedule(council=council, actor=officer, board=BOARD, meets_on=days(on))
    return attendance_record(
        meeting=meeting,
        actor=officer,
        present=[people[w].pk for w in who],
        interests={people[k].pk: v for k, v in (interests or {}).items()},
    )


QUORATE = ("ccg", "qp", "sc")


@pytest.fixture
def willow(db):
    """A home with its owner and postal address in the register."""
    provider = ProviderFactory(
        name="Willow Care Ltd",
        nominated_individual="Jane Owner",
        address="1 High Street, Taunton",
        postcode="TA1 1AA",
    )
    location = LocationFactory(
        provider=provider,
        name="Willow Gardens",
        address_line1="2 Mill Lane",
        town="Taunton",
        postcode="TA1 2BB",
        local_authority="Somerset",
    )
    RatingFactory(location=location, report_date=TODAY().replace(day=1), overall="Inadequate")
    return location


@pytest.fixture
def qim(somerset, willow):  # noqa: F811
    """A Quality Improvement Meeting with Willow Gardens, held today (003 2.5, Table 2)."""
    council, _, officer, _ = somerset
    meeting = meeting_schedule(
        council=council, actor=officer, board=QIM, meets_on=TODAY(), location=willow
    )
    return attendance_record(meeting=meeting, actor=officer, present=[])


@pytest.fixture
def bedford(load_pack, member):
    """Bedford's people around a Serious Concerns meeting (001 Appendix 3)."""
    council = load_pack("bedford")
    people = SimpleNamespace(
        council=council,
        officer=member(council, Role.OFFICER),
        manager=member(council, Role.MANAGER),
        dass=member(council, Role.DECISION_MAKER, title=DASS),
        sab_chair=member(council, Role.DECISION_MAKER, title=SAB_CHAIR),
        chair=member(
            council,
            Role.DECISION_MAKER,
            title="Assistant Director of Adult Social Care (Chief Officer)",
        ),
        placement=member(council, Role.PLACEMENT),
        location=LocationFactory(local_authority="Bedford"),
    )
    return people


def serious_concerns(b, *, actor=None, on: int = 0) -> Meeting:
    meeting = meeting_schedule(
        council=b.council, actor=actor or b.manager, board=SCM, meets_on=days(on),
        location=b.location,
    )  # fmt: skip
    if on <= 0:
        meeting = attendance_record(meeting=meeting, actor=b.officer, present=[])
    return meeting


# --- minutes or notes ------------------------------------------------------------------------


def test_the_minutes_keep_each_items_discussion_and_what_was_agreed(somerset):  # noqa: F811
    """003 Appendix 4 ToR 1: "All meetings will be formally minuted"; 003 Table 3: each
    agenda item's key discussion points."""
    council, _, officer, _ = somerset
    meeting = held(somerset, *QUORATE)
    first, second = AgendaItem.objects.filter(meeting=meeting)[:2]
    minutes_write(
        meeting=meeting,
        actor=officer,
        items={
            first.pk: {"discussion": "  Five years of CQC reports  ", "outcome": "Noted"},
            str(second.pk): {"discussion": "Two concerns upheld", "for_provider": True},
        },
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.discussion, first.outcome, first.for_provider) == (
        "Five years of CQC reports",
        "Noted",
        False,
    )
    assert (second.discussion, second.outcome, second.for_provider) == (
        "Two concerns upheld",
        "",
        True,
    )
    entry = AuditEntry.objects.get(action="board.record_written")
    assert entry.summary == f"{meeting.reference}: minutes written for 2 item(s)"


def test_a_meeting_that_was_not_quorate_keeps_notes(somerset):  # noqa: F811
    """003 Appendix 4 ToR 5: "any record ... should be clearly indicated as notes rather than
    formal minutes"."""
    council, _, officer, _ = somerset
    meeting = held(somerset, "ccg", "qp")
    item = meeting.agenda.first()
    minutes_write(meeting=meeting, actor=officer, items={item.pk: {"discussion": "Heard"}})
    assert meeting.record == "notes"
    assert AuditEntry.objects.get(action="board.record_written").summary.endswith(
        "notes written for 1 item(s)"
    )


def test_no_minutes_before_the_meeting_is_held(somerset):  # noqa: F811
    council, _, officer, _ = somerset
    planned = meeting_schedule(council=council, actor=officer, board=BOARD, meets_on=days(3))
    item = planned.agenda.first()
    with pytest.raises(Conflict, match="has not been held"):
        minutes_write(meeting=planned, actor=officer, items={item.pk: {"discussion": "Early"}})


def test_the_minutes_are_only_about_this_meetings_items(somerset):  # noqa: F811
    council, _, officer, _ = somerset
    meeting = held(somerset, *QUORATE)
    other = held(somerset, *QUORATE, on=-7)
    stranger = other.agenda.first()
    with pytest.raises(ValidationFailed) as refused:
        minutes_write(meeting=meeting, actor=officer, items={stranger.pk: {"discussion": "X"}})
    assert set(refused.value.errors) == {"items"}
    item = meeting.agenda.first()
    with pytest.raises(ValidationFailed) as refused:
        minutes_write(meeting=meeting, actor=officer, items={item.pk: {"outcome": "x" * 20_001}})
    assert set(refused.value.errors) == {f"outcome_{item.pk}"}
    assert not AgendaItem.objects.exclude(outcome="").exists()


def test_only_quality_staff_write_the_minutes(somerset, member):  # noqa: F811
    council, *_ = somerset
    meeting = held(somerset, *QUORATE)
    for role in (Role.PLACEMENT, Role.AUDITOR, Role.BOARD_MEMBER, Role.EXTERNAL):
        with pytest.raises(NotAllowed):
            minutes_write(meeting=meeting, actor=member(council, role), items={})


# --- actions ---------------------------------------------------------------------------------


def test_an_action_is_a_timer_owned_by_who_sees_it_through(somerset, member):  # noqa: F811
    """003 Appendix 1 Table 3: actions, by whom and by when; 001 Appendix 3: who improves,
    who monitors. Its owner is the person named, else the person who recorded it."""
    council, manager, officer, _ = somerset
    meeting = held(somerset, *QUORATE)
    item = meeting.agenda.first()
    named = action_add(
        meeting=meeting, actor=officer, what="  Send the medicines audit  ",
        action_by="Registered manager", due_on=days(14), item=item.pk, owner=manager,
        monitored_by="Quality officer", for_provider=True,
    )  # fmt: skip
    assert (named.what, named.item, named.owner, named.created_by) == (
        "Send the medicines audit",
        item,
        manager,
        officer,
    )
    mine = action_add(
        meeting=meeting, actor=officer, what="Book the follow-up", action_by="Secretary",
        due_on=days(30),
    )  # fmt: skip
    timers = {t.subject_id: t for t in Timer.objects.filter(kind="boards.action")}
    assert timers[str(named.pk)].owner == manager and timers[str(mine.pk)].owner == officer
    assert timers[str(named.pk)].due_on == days(14)
    assert timers[str(named.pk)].seed == "003 Appendix 4 ToR 1"
    assert timers[str(named.pk)].label.startswith(f"{meeting.reference} action: Send the")
    assert timers[str(named.pk)].status == TimerStatus.RUNNING
    assert AuditEntry.objects.filter(action="board.action_added").count() == 2


def test_an_action_says_what_who_and_by_when(somerset, member, load_pack):  # noqa: F811
    council, _, officer, _ = somerset
    meeting = held(somerset, *QUORATE, on=-10)
    other = held(somerset, *QUORATE, on=-20).agenda.first()
    outsider = member(load_pack("bromley"), Role.OFFICER)
    with pytest.raises(ValidationFailed) as refused:
        action_add(
            meeting=meeting, actor=officer, what=" ", action_by="", due_on=days(-11),
            item=other.pk, owner=outsider, monitored_by="m" * 201,
        )  # fmt: skip
    assert set(refused.value.errors) == {
        "what",
        "action_by",
        "due_on",
        "item",
        "owner",
        "monitored_by",
    }
    assert refused.value.errors["due_on"] == ["The date is on or after the meeting."]
    with pytest.raises(ValidationFailed) as refused:
        action_add(meeting=meeting, actor=officer, what="x", action_by="y", due_on=days(365 * 3))
    assert set(refused.value.errors) == {"due_on"}
    assert not Timer.objects.filter(kind="boards.action").exists()


def test_an_action_is_owned_by_someone_who_works_for_the_council(somerset, member):  # noqa: F811
    """A partner's seat on a board (issue 12) sees only its board's papers: it cannot own a
    council's timer it would never see."""
    council, _, officer, _ = somerset
    meeting = held(somerset, *QUORATE)
    partner = member(council, Role.EXTERNAL)
    with pytest.raises(ValidationFailed) as refused:
        action_add(
            meeting=meeting, actor=officer, what="x", action_by="CCG", due_on=days(7),
            owner=partner,
        )  # fmt: skip
    assert set(refused.value.errors) == {"owner"}


def test_an_action_done_by_its_owner_meets_its_timer(somerset, member):  # noqa: F811
    council, _, officer, _ = somerset
    owner = member(council, Role.PLACEMENT)  # no right to run meetings: owns this one
    meeting = held(somerset, *QUORATE, on=-30)
    action = action_add(
        meeting=meeting, actor=officer, what="Re-train night staff", action_by="Provider",
        due_on=days(-20), owner=owner,
    )  # fmt: skip
    with pytest.raises(NotAllowed):
        action_done(action=action, actor=member(council, Role.PLACEMENT))
    with pytest.raises(ValidationFailed) as refused:
        action_done(action=action, actor=owner, done_on=days(-31))
    assert refused.value.errors["done_on"] == [
        "The date is on or after the meeting that agreed it."
    ]
    with pytest.raises(ValidationFailed) as refused:
        action_done(action=action, actor=owner, done_on=days(1))
    assert set(refused.value.errors) == {"done_on"}
    with pytest.raises(ValidationFailed) as refused:
        action_done(action=action, actor=owner, note="n" * 1001)
    assert set(refused.value.errors) == {"note"}
    done = action_done(action=action, actor=owner, note=" Training records seen ")
    assert (done.done_on, done.done_note) == (TODAY(), "Training records seen")
    timer = Timer.objects.get(kind="boards.action", subject_id=str(action.pk))
    late = f"Done on {TODAY():%-d %B %Y} (after its date)"
    assert (timer.status, timer.outcome) == (TimerStatus.MET, late)
    with pytest.raises(Conflict, match="recorded as done"):
        action_done(action=action, actor=officer)


def test_the_secretariat_records_an_action_done_in_time(somerset):  # noqa: F811
    council, manager, officer, _ = somerset
    meeting = held(somerset, *QUORATE, on=-3)
    action = action_add(
        meeting=meeting, actor=officer, what="Visit", action_by="Officer", due_on=days(10),
        owner=manager,
    )  # fmt: skip
    action_done(action=action, actor=officer, done_on=days(-1))
    timer = Timer.objects.get(kind="boards.action", subject_id=str(action.pk))
    assert timer.outcome == f"Done on {days(-1):%-d %B %Y}"


# --- approval at the next meeting ------------------------------------------------------------


def test_the_record_is_approved_at_the_next_meeting_and_then_closed(somerset):  # noqa: F811
    """003 Appendix 4 ToR 1: formally minuted; the minutes approved at the next meeting, then
    they and the actions agreed are closed."""
    council, _, officer, _ = somerset
    meeting = held(somerset, *QUORATE, on=-40)
    item = meeting.agenda.first()
    action = action_add(
        meeting=meeting, actor=officer, what="Report back", action_by="QA", due_on=days(5)
    )
    following = held(somerset, *QUORATE, on=-10)
    approved = minutes_approve(meeting=meeting, actor=officer, at=following)
    assert approved.approved_at == following
    assert AuditEntry.objects.get(action="board.record_approved").summary == (
        f"{meeting.reference}: minutes approved at {following.reference}"
    )
    with pytest.raises(Conflict, match="have been approved"):
        minutes_write(meeting=meeting, actor=officer, items={item.pk: {"discussion": "Late"}})
    with pytest.raises(Conflict, match="have been approved"):
        action_add(meeting=meeting, actor=officer, what="x", action_by="y", due_on=days(5))
    with pytest.raises(Conflict):
        minutes_approve(meeting=meeting, actor=officer, at=following)
    # Who attended is part of the record: the quorum cannot change under approved minutes.
    with pytest.raises(Conflict, match="have been approved"):
        attendance_record(meeting=meeting, actor=officer, present=[])
    meeting.refresh_from_db()
    assert meeting.quorate is True and meeting.attendance.count() == 3
    # Its actions are still tracked to the end.
    assert action_done(action=action, actor=officer).done_on == TODAY()


def test_approval_is_at_a_later_held_quorate_meeting_of_the_same_board(somerset, qim):  # noqa: F811
    council, _, officer, _ = somerset
    earlier = held(somerset, *QUORATE, on=-60)
    meeting = held(somerset, *QUORATE, on=-30)
    not_quorate = held(somerset, "ccg", "qp", on=-20)
    planned = meeting_schedule(council=council, actor=officer, board=BOARD, meets_on=days(9))
    for at, words in (
        (earlier, "was before"),
        (meeting, "Choose a later meeting of the same board."),
        (qim, "Choose a later meeting of the same board."),
        (planned, "has not been held yet"),
        (not_quorate, "was not quorate: it approves no minutes"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            minutes_approve(meeting=meeting, actor=officer, at=at)
        assert words in refused.value.errors["at"][0], at
    with pytest.raises(Conflict):
        minutes_approve(meeting=planned, actor=officer, at=meeting)
    meeting.refresh_from_db()
    assert meeting.approved_at is None


def test_notes_of_a_meeting_that_was_not_quorate_are_approved_too(somerset):  # noqa: F811
    council, _, officer, _ = somerset
    notes = held(somerset, "ccg", on=-30)
    approved = minutes_approve(meeting=notes, actor=officer, at=held(somerset, *QUORATE))
    assert approved.record == "notes" and approved.approved_at_id


# --- the provider's part (003 Appendix 1 Table 3) --------------------------------------------


def test_the_providers_part_needs_the_packs_letter_and_a_provider(somerset, qim):  # noqa: F811
    council, _, officer, _ = somerset
    board = held(somerset, *QUORATE)
    board.agenda.update(for_provider=True)
    with pytest.raises(Conflict, match="sends no letter to a provider"):
        provider_notes_send(meeting=board, actor=officer)  # the Board writes to nobody
    Meeting.objects.filter(pk=qim.pk).update(provider=None, location=None)
    qim.refresh_from_db()
    qim.agenda.update(for_provider=True)
    with pytest.raises(Conflict, match="sends no letter to a provider"):
        provider_notes_send(meeting=qim, actor=officer)


def test_the_provider_is_sent_only_what_is_marked_for_it(somerset, qim):  # noqa: F811
    council, _, officer, _ = somerset
    with pytest.raises(ValidationFailed) as refused:
        provider_notes_send(meeting=qim, actor=officer)
    assert set(refused.value.errors) == {"for_provider"}
    qim.refresh_from_db()
    assert qim.provider_letter_requested_at is None


def test_a_planned_qim_sends_nothing(somerset, willow):  # noqa: F811
    council, _, officer, _ = somerset
    planned = meeting_schedule(
        council=council, actor=officer, board=QIM, meets_on=days(5), location=willow
    )
    with pytest.raises(Conflict, match="has not been held"):
        provider_notes_send(meeting=planned, actor=officer)


def test_the_providers_part_is_asked_of_letters_once(
    somerset,
    qim,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    from core.letters import letter_requested

    council, _, officer, _ = somerset
    action_add(
        meeting=qim, actor=officer, what="Medicines audit", action_by="Registered manager",
        due_on=days(28), for_provider=True,
    )  # fmt: skip
    heard = []

    def receiver(**kwargs):
        heard.append(kwargs)

    letter_requested.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sent = provider_notes_send(meeting=qim, actor=officer)
    finally:
        letter_requested.disconnect(receiver)
    assert heard == [{"council_id": council.pk, "source": "boards.record", "request_id": qim.pk}]
    assert sent.provider_letter_requested_at is not None and sent.provider_letter == ""
    assert AuditEntry.objects.filter(action="board.provider_notes_requested").count() == 1
    with pytest.raises(Conflict, match="waiting in letters"):
        provider_notes_send(meeting=qim, actor=officer)


# --- the report to the Safeguarding Adults Board (001 Appendix 3) ----------------------------


def test_a_serious_concerns_meeting_is_reported_to_the_sab(bedford):
    """001 Appendix 3, Monitoring of Serious Concerns: "The Safeguarding Adults Board will be
    informed each time the Serious Concerns procedure is implemented"."""
    b = bedford
    meeting = serious_concerns(b, on=-5)
    with pytest.raises(ValidationFailed) as refused:
        report_record(meeting=meeting, actor=b.officer, reported_on=days(-6))
    assert refused.value.errors["reported_on"] == ["The date is on or after the meeting."]
    with pytest.raises(ValidationFailed) as refused:
        report_record(meeting=meeting, actor=b.officer, reported_on=days(1))
    assert set(refused.value.errors) == {"reported_on"}
    with pytest.raises(NotAllowed):
        report_record(meeting=meeting, actor=b.placement)
    reported = report_record(meeting=meeting, actor=b.officer, reported_on=days(-2))
    assert reported.reported_on == days(-2)
    with pytest.raises(Conflict, match="was reported on"):  # once a meeting, as the page offers
        report_record(meeting=meeting, actor=b.officer, reported_on=days(-1))
    entry = AuditEntry.objects.get(action="board.reported")
    assert entry.summary == f"{meeting.reference}: reported to The Safeguarding Adults Board"


def test_only_a_held_meeting_the_pack_asks_a_report_of_is_reported(bedford, somerset):  # noqa: F811
    b = bedford
    planned = serious_concerns(b, on=3)
    with pytest.raises(Conflict, match="has not been held"):
        report_record(meeting=planned, actor=b.officer)
    council, _, officer, _ = somerset
    with pytest.raises(Conflict, match="asks no report"):
        report_record(meeting=held(somerset, *QUORATE), actor=officer)


# --- meetings about a provider, and who may call one -----------------------------------------


def test_a_meeting_about_a_provider_names_it(somerset, willow):  # noqa: F811
    """003 2.5: a QIM is held with the provider; 001 Appendix 3: a Serious Concerns meeting is
    about a provider."""
    council, _, officer, _ = somerset
    with pytest.raises(ValidationFailed) as refused:
        meeting_schedule(council=council, actor=officer, board=QIM, meets_on=TODAY())
    assert set(refused.value.errors) == {"provider"}
    elsewhere = LocationFactory()
    with pytest.raises(ValidationFailed) as refused:
        meeting_schedule(
            council=council, actor=officer, board=QIM, meets_on=TODAY(),
            provider=willow.provider, location=elsewhere,
        )  # fmt: skip
    assert set(refused.value.errors) == {"location"}
    by_location = meeting_schedule(
        council=council, actor=officer, board=QIM, meets_on=TODAY(), location=willow
    )
    assert (by_location.provider, by_location.location) == (willow.provider, willow)
    by_provider = meeting_schedule(
        council=council, actor=officer, board=QIM, meets_on=TODAY(), provider=willow.provider
    )
    assert (by_provider.provider, by_provider.location, by_provider.called_by) == (
        willow.provider,
        None,
        "",
    )
    board = meeting_schedule(council=council, actor=officer, board=BOARD, meets_on=TODAY())
    assert board.provider is None  # the Board meets about many


def test_a_follow_up_meeting_is_about_the_same_provider(somerset, qim, willow):  # noqa: F811
    """001 Appendix 3: the follow-up case conference; 003 Table 2: follow-up QIM."""
    council, _, officer, _ = somerset
    follow = meeting_schedule(
        council=council, actor=officer, board=QIM, meets_on=days(30), follows=qim
    )
    assert (follow.follows, follow.provider, follow.location) == (qim, willow.provider, willow)
    assert list(qim.follow_ups.all()) == [follow]
    with pytest.raises(ValidationFailed) as refused:
        meeting_schedule(
            council=council, actor=officer, board=BOARD, meets_on=days(30), follows=qim
        )
    assert set(refused.value.errors) == {"follows"}


def test_who_may_call_a_serious_concerns_meeting(bedford, member):
    """001 Appendix 3, Instigating Serious Concerns Meeting: the Chair of the Safeguarding
    Adults Board, the DASS or a delegated manager; nobody else (403)."""
    b = bedford
    for who in (b.officer, b.chair):
        with pytest.raises(NotAllowed, match="may call a Serious Concerns Meeting"):
            serious_concerns(b, actor=who)
    called = {
        "dass": serious_concerns(b, actor=b.dass).called_by,
        "sab_chair": serious_concerns(b, actor=b.sab_chair).called_by,
        "manager": serious_concerns(b, actor=b.manager).called_by,
    }
    assert called == {
        "dass": f"{b.dass.get_full_name()} ({DASS})",
        "sab_chair": f"{b.sab_chair.get_full_name()} ({SAB_CHAIR})",
        "manager": f"{b.manager.get_full_name()} (Delegated manager)",  # the pack's words
    }
    assert Meeting.objects.filter(council=b.council, board=SCM).count() == 3


def test_the_dass_delegate_may_call_one_while_the_delegation_lasts(bedford):
    """001 Appendix 3: "or a delegated manager" (the DASS's nominated representative)."""
    b = bedford
    holder = Membership.objects.get(user=b.dass, council=b.council)
    delegation = Delegation.objects.create(
        council=b.council, delegator=holder, delegate=b.officer,
        starts_on=days(-1), ends_on=days(5),
    )  # fmt: skip
    meeting = serious_concerns(b, actor=b.officer)
    assert meeting.called_by == f"{b.officer.get_full_name()} ({DASS})"
    delegation.ends_on = days(-1)
    delegation.starts_on = days(-3)
    delegation.save()
    with pytest.raises(NotAllowed):
        serious_concerns(b, actor=b.officer)


def test_a_provider_of_concern_meeting_is_called_by_the_care_standards_team(bedford):
    """001 Appendix 2: the pack names no one who alone may call it, nor a provider."""
    b = bedford
    meeting = meeting_schedule(
        council=b.council, actor=b.officer, board="provider_of_concern_meeting", meets_on=TODAY()
    )
    assert meeting.called_by == ""


# --- urgent decisions taken virtually (003 Appendix 4 ToR 5) ---------------------------------


def test_each_members_response_is_kept_at_an_urgent_virtual_meeting(somerset):  # noqa: F811
    council, _, officer, people = somerset
    ordinary = meeting_schedule(council=council, actor=officer, board=BOARD, meets_on=TODAY())
    with pytest.raises(ValidationFailed) as refused:
        attendance_record(
            meeting=ordinary, actor=officer, present=[people["ccg"].pk],
            responses={people["ccg"].pk: "Agree"},
        )  # fmt: skip
    assert set(refused.value.errors) == {"responses"}
    virtual = meeting_schedule(
        council=council, actor=officer, board=BOARD, meets_on=TODAY(),
        kind=MeetingKind.URGENT, virtual=True,
    )  # fmt: skip
    present = [people[w].pk for w in QUORATE]
    with pytest.raises(ValidationFailed) as refused:
        attendance_record(
            meeting=virtual, actor=officer, present=present,
            apologies=[people["nurse"].pk], responses={people["nurse"].pk: "Agree"},
        )  # fmt: skip
    assert set(refused.value.errors) == {"responses"}
    done = attendance_record(
        meeting=virtual, actor=officer, present=present,
        responses={
            str(people["ccg"].pk): " Agree by email ",
            people["qp"].pk: "Agree",
            people["sc"].pk: " ",
        },
    )  # fmt: skip
    assert done.quorate is True
    responses = {a.member.name: a.response for a in done.attendance.select_related("member")}
    assert responses == {"Dr Ann Hale": "Agree by email", "Raj Patel": "Agree", "Li Chen": ""}
    assert AuditEntry.objects.get(action="board.attendance_recorded").data["responses"] == {
        str(people["ccg"].pk): "Agree by email",
        str(people["qp"].pk): "Agree",
    }


def test_members_joined_after_the_meeting_are_not_its_attendees(somerset):  # noqa: F811
    council, manager, officer, _ = somerset
    later = member_add(
        council=council, actor=manager, board=BOARD, name="New", posts=["business_support"],
        joined_on=TODAY(),
    )  # fmt: skip
    meeting = meeting_schedule(council=council, actor=officer, board=BOARD, meets_on=days(-2))
    with pytest.raises(ValidationFailed):
        attendance_record(meeting=meeting, actor=officer, present=[later.pk])


# --- the QIM notes as a letter, end to end (003 Appendix 1 Table 3) --------------------------


def qim_record(somerset, qim):  # noqa: F811
    """The QIM's record: who came, one item and one action for the provider, one of each not."""
    from boards.models import Member

    council, _, officer, _ = somerset
    came = Member.objects.create(
        council=council, board=QIM, name="Jane Owner", organisation="Willow Care Ltd",
        posts=[], joined_on=days(-30),
    )  # fmt: skip
    away = Member.objects.create(
        council=council, board=QIM, name="Kim Lee", posts=[], joined_on=days(-30)
    )
    attendance_record(meeting=qim, actor=officer, present=[came.pk], apologies=[away.pk])
    reasons, training, *_ = qim.agenda.all()
    minutes_write(
        meeting=qim,
        actor=officer,
        items={
            reasons.pk: {"discussion": "Medicines errors on two units", "outcome": "Audit",
                         "for_provider": True},
            training.pk: {"discussion": "Internal: commissioning view", "for_provider": False},
        },
    )  # fmt: skip
    action_add(
        meeting=qim, actor=officer, what="Weekly medicines audit", action_by="Registered manager",
        monitored_by="Quality officer", due_on=days(28), for_provider=True,
    )  # fmt: skip
    action_add(
        meeting=qim, actor=officer, what="Brief the commissioners", action_by="QA team",
        due_on=days(7),
    )  # fmt: skip
    return reasons


def test_the_qim_notes_are_written_issued_and_recorded_on_the_meeting(
    somerset,
    qim,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    """003 Appendix 1 Table 3, Template for QIM Notes and Actions: asked for from the record,
    written by the letters app as a draft, issued by a person; the meeting then names it."""
    from notices.models import Letter, LetterStatus
    from notices.services import letter_issue

    council, _, officer, _ = somerset
    reasons = qim_record(somerset, qim)
    with django_capture_on_commit_callbacks(execute=True):
        provider_notes_send(meeting=qim, actor=officer)
    letter = Letter.objects.get(council=council, source="boards.record")
    assert letter.status == LetterStatus.DRAFT, letter.problem
    assert (letter.kind, letter.source_id, letter.provider, letter.location) == (
        "qim_notes",
        qim.pk,
        qim.provider,
        qim.location,
    )
    assert (letter.subject_type, letter.subject_id) == ("boards.meeting", str(qim.pk))
    assert letter.addressee_organisation == "Willow Care Ltd"
    facts = letter.facts
    assert facts["meeting"]["reference"] == qim.reference
    assert facts["meeting"]["attendees"] == ["Jane Owner (Willow Care Ltd)"]
    assert facts["meeting"]["apologies"] == ["Kim Lee"]
    # Only what is marked for the provider leaves the council.
    assert facts["meeting"]["items"] == [
        {"title": reasons.title, "discussion": "Medicines errors on two units", "outcome": "Audit"}
    ]
    assert [a["what"] for a in facts["plan"]["actions"]] == ["Weekly medicines audit"]
    assert facts["plan"]["actions"][0]["who_monitors"] == "Quality officer"
    issued = letter_issue(letter=letter, actor=officer)
    qim.refresh_from_db()
    assert qim.provider_letter == letter.reference == issued.reference
    assert AuditEntry.objects.filter(action="board.provider_notes_sent").count() == 1
    from boards.letters import SOURCE

    assert SOURCE.pending(council=council) == []


def test_the_qim_notes_letter_shows_the_meetings_items_and_actions(
    somerset,
    qim,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    from notices.data import letter_data
    from notices.models import Letter
    from notices.pack import Letters
    from notices.render import letter_html

    council, _, officer, _ = somerset
    qim_record(somerset, qim)
    with django_capture_on_commit_callbacks(execute=True):
        provider_notes_send(meeting=qim, actor=officer)
    letter = Letter.objects.get(council=council, source="boards.record")
    letters = Letters.of(council)
    template = letters.template(letter.kind)
    html = letter_html(template.template, letter_data(letter, letters=letters, template=template))
    assert "Medicines errors on two units" in html
    assert "Weekly medicines audit" in html and "Jane Owner" in html
    assert "Internal: commissioning view" not in html and "Brief the commissioners" not in html


def test_notes_sent_are_not_asked_for_again(
    somerset,
    qim,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    """Sent once: a second request would wait in letters for ever (the letter is written once
    per request)."""
    from notices.models import Letter
    from notices.services import letter_issue

    council, _, officer, _ = somerset
    qim_record(somerset, qim)
    with django_capture_on_commit_callbacks(execute=True):
        provider_notes_send(meeting=qim, actor=officer)
    letter_issue(letter=Letter.objects.get(source="boards.record"), actor=officer)
    qim.refresh_from_db()
    with pytest.raises(Conflict):
        provider_notes_send(meeting=qim, actor=officer)
    qim.refresh_from_db()
    assert qim.provider_letter
