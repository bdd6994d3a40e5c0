"""The boards API per role (issue 12): 401, 403, 404, 400, 409 and the happy path; the quorum
comes from the attendance, never from the caller."""

import pytest
from django.utils import timezone

from councils.models import Role
from tests.boards.test_meetings import BOARD, CCG, QP, SC, somerset  # noqa: F401

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_boards_come_from_the_pack(somerset, api_as):  # noqa: F811
    council, _, officer, _ = somerset
    boards = api_as(officer).get("/api/v1/boards/").json()
    cqb = next(b for b in boards if b["key"] == BOARD)
    assert cqb["quorum"]["min_members"] == 3 and cqb["quorum"]["must_include"] == [CCG, QP, SC]
    assert cqb["papers_days_before"] == 7 and cqb["urgent_virtual"] is True


def test_a_meeting_arranged_attended_and_quorate(somerset, api_as):  # noqa: F811
    council, _, officer, people = somerset
    client = api_as(officer)
    made = client.post(
        "/api/v1/meetings/", {"board": BOARD, "meets_on": TODAY().isoformat()}, format="json"
    )
    assert made.status_code == 201, made.content
    meeting = made.json()
    assert meeting["agenda"][0]["standing"] is True and meeting["quorate"] is None
    held = client.post(
        f"/api/v1/meetings/{meeting['id']}/attendance/",
        {
            "present": [people["ccg"].pk, people["qp"].pk, people["sc"].pk],
            "apologies": [people["nurse"].pk],
            "interests": {str(people["sc"].pk): "Commissions from the provider"},
            "quorate": False,  # not the caller's to say: ignored
        },
        format="json",
    )
    assert held.status_code == 200, held.content
    body = held.json()
    assert body["status"] == "held" and body["quorate"] is True and body["record"] == "minutes"
    assert {a["name"]: a["declared_interest"] for a in body["attendance"]}["Li Chen"]


def test_two_members_make_notes_not_minutes(somerset, api_as):  # noqa: F811
    council, _, officer, people = somerset
    client = api_as(officer)
    meeting = client.post(
        "/api/v1/meetings/", {"board": BOARD, "meets_on": TODAY().isoformat()}, format="json"
    ).json()
    body = client.post(
        f"/api/v1/meetings/{meeting['id']}/attendance/",
        {"present": [people["ccg"].pk, people["qp"].pk]},
        format="json",
    ).json()
    assert body["quorate"] is False and body["record"] == "notes"
    assert "Only 2 members present: at least 3 are needed" in body["quorum_reasons"]


def test_answers_per_role(somerset, api, api_as, member, load_pack):  # noqa: F811
    council, _, officer, people = somerset
    url = "/api/v1/meetings/"
    body = {"board": BOARD, "meets_on": TODAY().isoformat()}
    assert api.post(url, body, format="json").status_code == 401
    placement = api_as(member(council, Role.PLACEMENT))
    assert placement.get(url).status_code == 200  # everyone in the council sees the boards
    assert placement.post(url, body, format="json").status_code == 403
    bad = api_as(officer).post(url, {"board": "nope", "meets_on": "2026-13-01"}, format="json")
    assert bad.status_code == 400 and "meets_on" in bad.json()["errors"]
    unknown = api_as(officer).post(url, {**body, "board": "nope"}, format="json")
    assert unknown.status_code == 400 and "board" in unknown.json()["errors"]
    later = (
        api_as(officer)
        .post(
            url,
            {**body, "meets_on": (TODAY() + timezone.timedelta(days=9)).isoformat()},
            format="json",
        )
        .json()
    )
    early = api_as(officer).post(
        f"{url}{later['id']}/attendance/", {"present": [people["ccg"].pk]}, format="json"
    )
    assert early.status_code == 409
    other = api_as(member(load_pack("bromley"), Role.OFFICER))
    assert other.get(f"{url}{later['id']}/").status_code == 404
    assert (
        api_as(officer)
        .post(
            "/api/v1/board-members/", {"board": BOARD, "name": "X", "posts": [CCG]}, format="json"
        )
        .status_code
        == 403
    )  # an officer runs meetings; managers keep the membership


def test_a_token_reads_the_boards(somerset, api_token):  # noqa: F811
    council, *_ = somerset
    client = api_token(council, ["boards:read"])
    assert client.get("/api/v1/meetings/").status_code == 200
    assert len(client.get("/api/v1/board-members/").json()["results"]) == 4
