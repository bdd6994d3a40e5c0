"""A partner's seat on a board (issue 12: CCG/ICB, police, CQC, Healthwatch): an external member
signs in with a limited role and sees the boards they sit on, their meetings and papers, and
nothing else of the council (003 Appendix 4 Appendix 1: the CCG's members of the Board)."""

import datetime as dt

import pytest
from django.utils import timezone

from boards.models import Action, Member
from boards.records import action_add
from councils.models import Role
from tests.boards.test_meetings import BOARD, CCG, somerset  # noqa: F401
from tests.boards.test_records import QIM, QUORATE, days, held, qim, willow  # noqa: F401

pytestmark = pytest.mark.django_db

# The council's own pages and lists: none is a partner's to see.
PAGES = [
    "/locations/",
    "/cases/",
    "/alerts/",
    "/restrictions/",
    "/restriction-lists/",
    "/placements/",
    "/decisions/",
    "/letters/",
    "/timers/",
    "/reviews/",
    "/intelligence/",
    "/risk/",
    "/council/people/",
    "/council/policy/",
]
API = [
    "/api/v1/cases/",
    "/api/v1/alerts/",
    "/api/v1/locations/",
    "/api/v1/providers/",
    "/api/v1/restrictions/",
    "/api/v1/recommendations/",
    "/api/v1/letters/",
    "/api/v1/timers/",
    "/api/v1/intelligence/",
    "/api/v1/delegations/",
    "/api/v1/council/",
]


@pytest.fixture
def partner(somerset, qim, member):  # noqa: F811
    """The CCG's representative on the Board, with an account; the Board's meeting (held, with
    an action) and a QIM they do not sit on, with an action of its own."""
    council, manager, officer, people = somerset
    user = member(council, Role.EXTERNAL)
    Member.objects.filter(pk=people["ccg"].pk).update(user=user)
    Member.objects.create(
        council=council, board=QIM, name="QIM member", posts=[], joined_on=days(-10)
    )
    meeting = held(somerset, *QUORATE)
    action_add(meeting=meeting, actor=officer, what="Board action", action_by="QA", due_on=days(9))
    action_add(meeting=qim, actor=officer, what="QIM action", action_by="QA", due_on=days(9))
    return user, meeting


def test_a_partner_sees_their_boards_pages_and_papers(partner, signed_in, qim):  # noqa: F811
    user, meeting = partner
    client = signed_in(user)
    boards = client.get("/boards/")
    assert boards.status_code == 200
    page = boards.content.decode()
    assert f'href="/boards/{BOARD}/"' in page and f'href="/boards/{QIM}/"' not in page
    board = client.get(f"/boards/{BOARD}/")
    assert board.status_code == 200 and meeting.reference in board.content.decode()
    shown = client.get(f"/meetings/{meeting.pk}/")
    assert shown.status_code == 200
    assert 'name="action" value="record"' not in shown.content.decode()  # reads, never writes
    for part in ("papers", "record"):
        pdf = client.get(f"/meetings/{meeting.pk}/{part}.pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf", part
    assert client.get(f"/meetings/{meeting.pk}/report.pdf").status_code == 404  # none asked
    mine = client.get("/meetings/")
    assert mine.status_code == 200
    assert meeting.reference in mine.content.decode()
    assert qim.reference not in mine.content.decode()


def test_a_partner_does_not_see_a_board_they_do_not_sit_on(partner, signed_in, qim):  # noqa: F811
    user, _ = partner
    client = signed_in(user)
    assert client.get(f"/boards/{QIM}/").status_code == 404
    assert client.get(f"/meetings/{qim.pk}/").status_code == 404
    assert client.get(f"/meetings/{qim.pk}/papers.pdf").status_code == 404


def test_a_partner_sees_nothing_else_of_the_council(partner, signed_in):
    user, meeting = partner
    client = signed_in(user)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/meetings/{meeting.pk}/", {"action": "papers"}).status_code == 403


def test_the_api_lists_only_the_partners_boards(partner, api_as, qim):  # noqa: F811
    user, meeting = partner
    client = api_as(user)
    assert [b["key"] for b in client.get("/api/v1/boards/").json()] == [BOARD]
    members = client.get("/api/v1/board-members/").json()["results"]
    assert {m["board"] for m in members} == {BOARD} and len(members) == 4
    meetings = client.get("/api/v1/meetings/").json()["results"]
    assert [m["id"] for m in meetings] == [meeting.pk]
    actions = client.get("/api/v1/board-actions/").json()["results"]
    assert [a["what"] for a in actions] == ["Board action"]
    assert client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 200
    assert client.get(f"/api/v1/meetings/{qim.pk}/").status_code == 404
    qim_action = Action.objects.get(meeting=qim)
    assert client.get(f"/api/v1/board-actions/{qim_action.pk}/").status_code == 404
    assert client.get(f"/api/v1/board-members/?board={QIM}").json()["results"] == []


def test_the_api_gives_a_partner_nothing_else(partner, api_as):
    user, meeting = partner
    client = api_as(user)
    for url in API:
        assert client.get(url).status_code == 403, url
    action = Action.objects.get(meeting=meeting)
    for url, body in (
        (f"/api/v1/meetings/{meeting.pk}/record/", {"items": []}),
        (f"/api/v1/meetings/{meeting.pk}/approve/", {"at": meeting.pk}),
        ("/api/v1/meetings/", {"board": BOARD, "meets_on": days(3).isoformat()}),
        (f"/api/v1/board-actions/{action.pk}/done/", {}),
    ):
        assert client.post(url, body, format="json").status_code == 403, url


def test_a_partner_who_left_the_board_sees_it_no_more(partner, somerset, signed_in, api_as):  # noqa: F811
    user, meeting = partner
    Member.objects.filter(user=user).update(left_on=timezone.localdate() - dt.timedelta(days=1))
    assert signed_in(user).get(f"/boards/{BOARD}/").status_code == 404
    assert signed_in(user).get(f"/meetings/{meeting.pk}/").status_code == 404
    assert api_as(user).get("/api/v1/meetings/").json()["results"] == []
    assert api_as(user).get("/api/v1/boards/").json() == []


def test_a_partner_of_one_council_sees_no_other_councils_boards(partner, member, load_pack, api_as):
    user, _ = partner
    bromley = load_pack("bromley")
    stranger = member(bromley, Role.EXTERNAL)
    assert api_as(stranger).get("/api/v1/meetings/").json()["results"] == []
    assert api_as(stranger).get("/api/v1/boards/").json() == []


def test_the_councils_people_see_every_board(partner, somerset, api_as, member):  # noqa: F811
    council, *_ = somerset
    placement = api_as(member(council, Role.PLACEMENT))
    keys = {b["key"] for b in placement.get("/api/v1/boards/").json()}
    assert {BOARD, QIM} <= keys
    assert len(placement.get("/api/v1/board-actions/").json()["results"]) == 2
    assert CCG  # the partner's post
