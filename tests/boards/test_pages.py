"""The boards pages (issue 12): a board's page (members, attendance over the year, meetings),
a meeting's page (agenda, attendance, quorum with its reasons)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from boards.services import attendance_record, meeting_schedule
from councils.models import Role
from tests.boards.test_meetings import BOARD, somerset  # noqa: F401

pytestmark = pytest.mark.django_db


def _held(council, officer, people, days_ago, *who):
    meeting = meeting_schedule(
        council=council,
        actor=officer,
        board=BOARD,
        meets_on=timezone.localdate() - dt.timedelta(days=days_ago),
    )
    return attendance_record(meeting=meeting, actor=officer, present=[people[w].pk for w in who])


def test_a_member_below_three_of_four_shows_on_the_boards_page(somerset, signed_in):  # noqa: F811
    council, _, officer, people = somerset  # 003 Appendix 4 ToR 3
    for days in (150, 100, 60, 10):
        _held(council, officer, people, days, "ccg", "qp", "sc")
    page = signed_in(officer).get(f"/boards/{BOARD}/").content.decode()
    assert "Sam Jones" in page and "Below 3 of 4" in page
    assert page.count("Below 3 of 4") == 1  # the nurse: 0 of 4; the others 4 of 4


def test_the_boards_page_runs_the_same_queries_for_a_year_of_meetings(somerset, signed_in):  # noqa: F811
    council, _, officer, people = somerset
    client = signed_in(officer)
    _held(council, officer, people, 20, "ccg", "qp", "sc")
    client.get(f"/boards/{BOARD}/")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/boards/{BOARD}/")
    for days in range(30, 190, 15):
        _held(council, officer, people, days, "ccg", "qp")
    with CaptureQueriesContext(connection) as many:
        client.get(f"/boards/{BOARD}/")
    assert len(many.captured_queries) == len(one.captured_queries)


def test_attendance_recorded_on_the_meetings_page_shows_the_quorum(somerset, signed_in):  # noqa: F811
    council, _, officer, people = somerset
    meeting = meeting_schedule(
        council=council, actor=officer, board=BOARD, meets_on=timezone.localdate()
    )
    client = signed_in(officer)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    answer = client.post(
        f"/meetings/{meeting.pk}/",
        {f"present_{people['ccg'].pk}": "on", f"present_{people['sc'].pk}": "on"},
    )
    assert answer.status_code == 302
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Not quorate" in page and "Only 2 members present" in page
    assert "notes, not minutes" in page


def test_who_sees_and_who_records(somerset, member, signed_in, load_pack, client):  # noqa: F811
    council, _, officer, people = somerset
    meeting = meeting_schedule(
        council=council, actor=officer, board=BOARD, meets_on=timezone.localdate()
    )
    placement = signed_in(member(council, Role.PLACEMENT))
    assert placement.get(f"/meetings/{meeting.pk}/").status_code == 200
    assert placement.post(f"/meetings/{meeting.pk}/", {}).status_code == 403
    client.logout()
    other = signed_in(member(load_pack("bromley"), Role.OFFICER))
    assert other.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert other.get(f"/boards/{BOARD}/").status_code == 404


def test_papers_recorded_late_show_on_the_meetings_page(somerset, signed_in):  # noqa: F811
    council, _, officer, _ = somerset
    meeting = meeting_schedule(
        council=council, actor=officer, board=BOARD,
        meets_on=timezone.localdate() + dt.timedelta(days=6),
    )  # fmt: skip
    client = signed_in(officer)
    answer = client.post(
        f"/meetings/{meeting.pk}/",
        {"action": "papers", "papers-issued_on": timezone.localdate().isoformat()},
    )
    assert answer.status_code == 302
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Late" in page and "The papers went out 6 days before the meeting" in page
