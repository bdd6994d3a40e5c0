"""The meeting page's forms for its record (issue 12), each posted by its hidden `action`: done,
it redirects to the page; a bad input shows the page again (400) with the error summary. And
the pages run a fixed number of queries however many items, actions and meetings they show
(issue 12, Performance)."""

# ruff: noqa: F811  (the fixtures imported from the other boards tests)
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards.models import Action, AgendaItem, Meeting, MeetingStatus, Member
from boards.records import action_add, action_done
from boards.services import meeting_schedule
from councils.models import Role
from tests.boards.test_meetings import BOARD, somerset  # noqa: F401
from tests.boards.test_records import (  # noqa: F401  (fixtures)
    QIM,
    QUORATE,
    SCM,
    TODAY,
    bedford,
    days,
    held,
    qim,
    serious_concerns,
    willow,
)
from tests.decisions.conftest import permit  # noqa: F401  (fixture)
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

SUMMARY = "govuk-error-summary"


def page_of(meeting: Meeting) -> str:
    return f"/meetings/{meeting.pk}/"


def refused(answer, *words: str) -> str:
    """The page shown again with its error summary, naming the problem."""
    assert answer.status_code == 400, answer.status_code
    page = answer.content.decode()
    assert SUMMARY in page and "<title>Error:" in page
    for w in words:
        assert w in page, w
    return page


def test_the_minutes_written_on_the_page(somerset, signed_in):  # noqa: F811
    council, _, officer, _ = somerset
    meeting = held(somerset, *QUORATE)
    first, second = meeting.agenda.all()[:2]
    client = signed_in(officer)
    record = f"/meetings/{meeting.pk}/record/"
    assert "Write the minutes" in client.get(record).content.decode()
    answer = client.post(
        record,
        {
            f"record-discussion_{first.pk}": "Five years of reports read",
            f"record-outcome_{first.pk}": "Noted",
            f"record-discussion_{second.pk}": "Two concerns",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == page_of(meeting)
    first.refresh_from_db()
    assert (first.discussion, first.outcome) == ("Five years of reports read", "Noted")
    page = client.get(page_of(meeting)).content.decode()
    assert "Five years of reports read" in page and "The minutes are saved." in page
    too_long = client.post(record, {f"record-discussion_{first.pk}": "x" * 20_001})
    refused(too_long, "20,000 characters or fewer")
    first.refresh_from_db()
    assert first.discussion == "Five years of reports read"


def test_an_action_added_on_the_page(somerset, signed_in):  # noqa: F811
    council, manager, officer, _ = somerset
    meeting = held(somerset, *QUORATE)
    client = signed_in(officer)
    item = meeting.agenda.first()
    good = {
        "action": "action_add",
        "action-what": "Ask the CQC for its report",
        "action-action_by": "Quality officer",
        "action-owner": "",
        "action-monitored_by": "",
        "action-due_on": days(14).isoformat(),
        "action-item": str(item.pk),
    }
    answer = client.post(page_of(meeting), good)
    assert answer.status_code == 302
    action = Action.objects.get(meeting=meeting)
    assert (action.what, action.item, action.owner) == ("Ask the CQC for its report", item, None)
    refused(client.post(page_of(meeting), {**good, "action-what": ""}), "Enter what is to be done")
    refused(
        client.post(page_of(meeting), {**good, "action-due_on": days(-1).isoformat()}),
        "The date is on or after the meeting.",
    )  # the service's reason, on its field
    assert Action.objects.filter(meeting=meeting).count() == 1


def test_an_action_recorded_done_on_the_page(somerset, signed_in, member, client):  # noqa: F811
    council, _, officer, _ = somerset
    meeting = held(somerset, *QUORATE)
    owner = member(council, Role.PLACEMENT)
    action = action_add(
        meeting=meeting, actor=officer, what="Check the rotas", action_by="Provider",
        due_on=days(7), owner=owner,
    )  # fmt: skip
    body = {"action": "action_done", "done-action_id": str(action.pk), "done-note": "Seen"}
    other = signed_in(member(council, Role.PLACEMENT))
    assert other.post(page_of(meeting), body).status_code == 403
    client.logout()
    theirs = signed_in(owner)  # its owner, who does not run meetings
    assert 'value="action_done"' in theirs.get(page_of(meeting)).content.decode()
    answer = theirs.post(page_of(meeting), body)
    assert answer.status_code == 302
    action.refresh_from_db()
    assert (action.done_on, action.done_note) == (TODAY(), "Seen")
    refused(theirs.post(page_of(meeting), body), "recorded as done on")
    refused(theirs.post(page_of(meeting), {"action": "action_done", "done-note": "x"}))
    stranger = {**body, "done-action_id": "99999999"}
    assert theirs.post(page_of(meeting), stranger).status_code == 404


def test_the_record_approved_on_the_page(somerset, signed_in):  # noqa: F811
    council, _, officer, _ = somerset
    meeting = held(somerset, *QUORATE, on=-30)
    later = held(somerset, *QUORATE)
    client = signed_in(officer)
    refused(client.post(page_of(meeting), {"action": "approve", "approve-at": str(meeting.pk)}))
    refused(client.post(page_of(meeting), {"action": "approve"}), "Choose the meeting")
    answer = client.post(page_of(meeting), {"action": "approve", "approve-at": str(later.pk)})
    assert answer.status_code == 302
    meeting.refresh_from_db()
    assert meeting.approved_at == later
    page = client.get(page_of(meeting)).content.decode()
    assert "Approved at" in page and "/record/" not in page  # closed
    assert client.get(f"/meetings/{meeting.pk}/record/").status_code == 409
    # The attendance with it: its quorum stands as approved.
    closed = client.post(page_of(meeting), {"action": "attendance"})
    assert closed.status_code == 409 and "have been approved" in closed.content.decode()
    meeting.refresh_from_db()
    assert meeting.quorate is True


def test_the_report_recorded_on_the_page(bedford, signed_in):  # noqa: F811
    """001 Appendix 3: the SAB is told each time the Serious Concerns procedure is used."""
    b = bedford
    meeting = serious_concerns(b, on=-3)
    client = signed_in(b.officer)
    assert "Not yet reported" in client.get(page_of(meeting)).content.decode()
    refused(
        client.post(
            page_of(meeting), {"action": "report", "report-reported_on": days(-4).isoformat()}
        ),
        "The date is on or after the meeting.",
    )
    refused(client.post(page_of(meeting), {"action": "report"}), "Enter the date it was reported")
    answer = client.post(
        page_of(meeting), {"action": "report", "report-reported_on": days(-1).isoformat()}
    )
    assert answer.status_code == 302
    meeting.refresh_from_db()
    assert meeting.reported_on == days(-1)


def test_a_follow_up_arranged_on_the_page(somerset, qim, signed_in):  # noqa: F811
    """003 Table 2: the next meeting, a follow-up QIM; 001 Appendix 3: the follow-up
    conference."""
    council, _, officer, _ = somerset
    client = signed_in(officer)
    refused(
        client.post(page_of(qim), {"action": "follow_up"}),
        "Enter the date of the follow-up meeting",
    )
    answer = client.post(
        page_of(qim), {"action": "follow_up", "follow-meets_on": days(42).isoformat()}
    )
    assert answer.status_code == 302
    follow = Meeting.objects.get(follows=qim)
    assert answer["Location"] == page_of(follow)
    assert (follow.board, follow.location, follow.meets_on) == (QIM, qim.location, days(42))


def test_a_follow_up_the_officer_may_not_call(bedford, signed_in):  # noqa: F811
    """001 Appendix 3: a Serious Concerns meeting, its follow-up too, is called by the SAB's
    Chair, the DASS or a delegated manager: an officer who runs meetings is refused (403)."""
    b = bedford
    meeting = serious_concerns(b, on=-1)
    answer = signed_in(b.officer).post(
        page_of(meeting), {"action": "follow_up", "follow-meets_on": days(20).isoformat()}
    )
    assert answer.status_code == 403
    assert not Meeting.objects.filter(follows=meeting).exists()


def test_the_providers_notes_asked_for_on_the_page(somerset, qim, signed_in):  # noqa: F811
    council, _, officer, _ = somerset
    action_add(
        meeting=qim, actor=officer, what="Audit", action_by="Provider", due_on=days(7),
        for_provider=True,
    )  # fmt: skip
    client = signed_in(officer)
    assert 'value="provider_notes"' in client.get(page_of(qim)).content.decode()
    answer = client.post(page_of(qim), {"action": "provider_notes"})
    assert answer.status_code == 302
    qim.refresh_from_db()
    assert qim.provider_letter_requested_at is not None
    assert "Waiting in letters" in client.get(page_of(qim)).content.decode()


def test_the_providers_notes_refused_on_the_page(somerset, qim, signed_in):  # noqa: F811
    council, _, officer, _ = somerset
    answer = signed_in(officer).post(page_of(qim), {"action": "provider_notes"})
    refused(answer, "Mark the items or actions the provider is sent.")


# --- a fixed number of queries ---------------------------------------------------------------


def _queries(client, url: str) -> int:
    assert client.get(url).status_code == 200  # warm: sessions, the pack
    with CaptureQueriesContext(connection) as run:
        assert client.get(url).status_code == 200
    return len(run.captured_queries)


def _fill(meeting: Meeting, n: int, rec=None) -> None:
    """`n` agenda items (the first for `rec`), each with an action owned by someone new, and
    `n` attendees."""
    council = meeting.council
    AgendaItem.objects.filter(meeting=meeting).delete()
    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            council=council,
            meeting=meeting,
            position=i,
            title=f"Item {i}",
            discussion=f"Discussed {i}",
            for_provider=i % 2 == 0,
            recommendation=rec if i == 1 else None,
        )  # fmt: skip
        for i in range(1, n + 1)
    )
    Action.objects.bulk_create(
        Action(
            council=council,
            meeting=meeting,
            item=item,
            what=f"Action {item.position}",
            action_by="Provider",
            owner=UserFactory(),
            due_on=days(item.position),
            done_on=TODAY() if item.position % 3 == 0 else None,
        )  # fmt: skip
        for item in items
    )
    members = Member.objects.bulk_create(
        Member(
            council=council,
            board=meeting.board,
            name=f"M {meeting.pk}-{i}",
            posts=[],
            joined_on=days(-60),
        )  # fmt: skip
        for i in range(n)
    )
    from boards.models import Attendance

    Attendance.objects.bulk_create(
        Attendance(council=council, meeting=meeting, member=m, declared_interest="x" * (i % 2))
        for i, m in enumerate(members)
    )


def test_the_meeting_page_runs_the_same_queries_for_3_items_as_for_30(
    somerset,
    willow,
    signed_in,
    permit,  # noqa: F811
):
    from tests.decisions.permits.kind import propose

    council, _, officer, _ = somerset
    rec = propose(permit(council), officer, approval={"decided_by": "commissioning_quality_board"})
    client = signed_in(officer)
    counts = []
    for n in (3, 30):
        meeting = meeting_schedule(
            council=council, actor=officer, board=QIM, meets_on=days(-n), location=willow
        )
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD, quorate=True)
        _fill(meeting, n, rec)
        meeting_schedule(
            council=council, actor=officer, board=QIM, meets_on=days(5), follows=meeting
        )
        counts.append(_queries(client, page_of(meeting)))
        page = client.get(page_of(meeting)).content.decode()
        assert f"Item {n}" in page and f"Action {n}" in page
    assert counts[0] == counts[1], counts


def test_the_board_page_runs_the_same_queries_for_3_meetings_as_for_30(somerset, signed_in):  # noqa: F811
    """A QIM's page lists its meetings, each about a service, and their open actions."""
    council, _, officer, _ = somerset
    client = signed_in(officer)
    url = f"/boards/{QIM}/"

    def meetings(n):
        for i in range(n):
            m = meeting_schedule(
                council=council, actor=officer, board=QIM, meets_on=days(-i),
                location=LocationFactory(),
            )  # fmt: skip
            Meeting.objects.filter(pk=m.pk).update(status=MeetingStatus.HELD, quorate=True)
            Action.objects.create(
                council=council, meeting=m, what="A", action_by="P", owner=UserFactory(),
                due_on=days(3),
            )  # fmt: skip

    meetings(3)
    few = _queries(client, url)
    meetings(27)
    assert _queries(client, url) == few


def test_my_meetings_runs_the_same_queries_for_3_meetings_as_for_30(somerset, signed_in):  # noqa: F811
    council, manager, officer, people = somerset
    Member.objects.filter(pk=people["qp"].pk).update(user=officer)
    client = signed_in(officer)

    def meetings(n):
        for i in range(n):
            m = meeting_schedule(
                council=council, actor=manager, board=BOARD, meets_on=days(i - n // 2)
            )
            Action.objects.create(
                council=council, meeting=m, what=f"Mine {i}", action_by="P", owner=officer,
                due_on=days(10),
            )  # fmt: skip

    meetings(3)
    few = _queries(client, "/meetings/")
    meetings(27)
    assert _queries(client, "/meetings/") == few
    page = client.get("/meetings/").content.decode()
    assert "Mine 26" in page


def test_actions_done_are_not_on_my_meetings(somerset, signed_in):  # noqa: F811
    council, manager, officer, _ = somerset
    meeting = held(somerset, *QUORATE)
    action = action_add(
        meeting=meeting, actor=manager, what="Call the provider", action_by="QA",
        due_on=days(3), owner=officer,
    )  # fmt: skip
    client = signed_in(officer)
    assert "Call the provider" in client.get("/meetings/").content.decode()
    action_done(action=action, actor=officer)
    assert "Call the provider" not in client.get("/meetings/").content.decode()
