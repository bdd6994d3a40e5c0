"""The API for what a meeting leaves behind (issue 12), per role: 401 for nobody signed in, 403
for a role that does not run meetings, 404 for another council's meeting, 400 naming the
field, 409 when the meeting's state forbids it, and the happy path."""

import pytest
from django.utils import timezone

from boards.models import Action, Meeting
from boards.records import action_add, minutes_approve
from core.models import Timer
from councils.models import Role
from tests.boards.test_meetings import BOARD, somerset  # noqa: F401
from tests.boards.test_records import (  # noqa: F401  (fixtures)
    QIM,
    QUORATE,
    SCM,
    bedford,
    days,
    held,
    qim,
    willow,
)

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/meetings/"
ACTIONS = "/api/v1/board-actions/"


def posts(meeting: Meeting, action: Action | None = None) -> list[tuple[str, dict]]:
    """Every write on a meeting's record, each with a body that would do."""
    item = meeting.agenda.first()
    url = f"{MEETINGS}{meeting.pk}/"
    out = [
        (f"{url}record/", {"items": [{"item": item.pk, "discussion": "Heard"}]}),
        (
            f"{url}actions/",
            {"what": "Audit", "action_by": "Provider", "due_on": days(7).isoformat()},
        ),
        (f"{url}approve/", {"at": meeting.pk}),
        (f"{url}report/", {}),
        (f"{url}provider-notes/", {}),
    ]
    if action is not None:
        out.append((f"{ACTIONS}{action.pk}/done/", {"note": "Done"}))
    return out


@pytest.fixture
def record(somerset):  # noqa: F811
    """A held, quorate meeting of the Board with one action agreed."""
    council, _, officer, _ = somerset
    meeting = held(somerset, *QUORATE)
    action = action_add(
        meeting=meeting, actor=officer, what="Ask for the CQC report", action_by="QA",
        due_on=days(10),
    )  # fmt: skip
    return meeting, action


def test_nobody_signed_in_is_told_to_sign_in(record, api):
    meeting, action = record
    for url, body in posts(meeting, action):
        assert api.post(url, body, format="json").status_code == 401, url
    assert api.get(ACTIONS).status_code == 401


def test_a_role_that_does_not_run_meetings_is_refused(record, somerset, member, api_as):  # noqa: F811
    council, *_ = somerset
    meeting, action = record
    for role in (Role.PLACEMENT, Role.AUDITOR):
        client = api_as(member(council, role))
        assert client.get(f"{MEETINGS}{meeting.pk}/").status_code == 200  # sees it
        for url, body in posts(meeting, action):
            assert client.post(url, body, format="json").status_code == 403, (role, url)
    meeting.refresh_from_db()
    action.refresh_from_db()
    assert meeting.approved_at is None and action.done_on is None


def test_another_councils_meeting_is_not_there(record, member, load_pack, api_as):
    meeting, action = record
    client = api_as(member(load_pack("bromley"), Role.OFFICER))
    for url, body in posts(meeting, action):
        assert client.post(url, body, format="json").status_code == 404, url
    assert client.get(f"{ACTIONS}{action.pk}/").status_code == 404
    assert client.get(ACTIONS).json()["results"] == []


def test_the_minutes_by_the_api(record, somerset, api_as):  # noqa: F811
    council, _, officer, _ = somerset
    meeting, _ = record
    client = api_as(officer)
    first, second = meeting.agenda.all()[:2]
    answer = client.post(
        f"{MEETINGS}{meeting.pk}/record/",
        {
            "items": [
                {"item": first.pk, "discussion": "History read", "outcome": "Noted"},
                {"item": second.pk, "discussion": "Concerns", "for_provider": True},
            ]
        },
        format="json",
    )
    assert answer.status_code == 200, answer.content
    agenda = {i["id"]: i for i in answer.json()["agenda"]}
    assert (agenda[first.pk]["discussion"], agenda[first.pk]["outcome"]) == (
        "History read",
        "Noted",
    )
    assert agenda[second.pk]["for_provider"] is True
    assert answer.json()["record"] == "minutes"


def test_the_minutes_refused_with_the_field_named(record, somerset, api_as):  # noqa: F811
    council, _, officer, _ = somerset
    meeting, _ = record
    client = api_as(officer)
    url = f"{MEETINGS}{meeting.pk}/record/"
    other = held(somerset, *QUORATE, on=-3).agenda.first()
    for body, field in (
        ({"items": [{"item": other.pk, "discussion": "x"}]}, "items"),
        ({}, "items"),
        ({"items": [{"discussion": "x"}]}, "items.0.item"),
        (
            {"items": [{"item": other.pk, "discussion": "x" * 20_001}]},
            "items",
        ),  # the request limits
    ):
        answer = client.post(url, body, format="json")
        assert answer.status_code == 400, body
        assert field in answer.json()["errors"], answer.json()


def test_no_minutes_of_a_meeting_not_held_or_approved(record, somerset, api_as):  # noqa: F811
    council, _, officer, _ = somerset
    meeting, _ = record
    client = api_as(officer)
    planned = client.post(
        MEETINGS, {"board": BOARD, "meets_on": days(5).isoformat()}, format="json"
    ).json()
    body = {"items": [{"item": planned["agenda"][0]["id"], "discussion": "Early"}]}
    early = client.post(f"{MEETINGS}{planned['id']}/record/", body, format="json")
    assert early.status_code == 409 and "has not been held" in early.json()["detail"]
    minutes_approve(meeting=meeting, actor=officer, at=held(somerset, *QUORATE))
    for url, body in posts(meeting)[:2]:
        closed = client.post(url, body, format="json")
        assert closed.status_code == 409 and "approved" in closed.json()["detail"], url


def test_an_action_by_the_api(record, somerset, member, api_as):  # noqa: F811
    council, manager, officer, _ = somerset
    meeting, _ = record
    client = api_as(officer)
    item = meeting.agenda.first()
    answer = client.post(
        f"{MEETINGS}{meeting.pk}/actions/",
        {
            "what": "Weekly medicines audit",
            "action_by": "Registered manager",
            "owner": manager.pk,
            "monitored_by": "Quality officer",
            "due_on": days(14).isoformat(),
            "item": item.pk,
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    (added,) = [a for a in answer.json()["actions"] if a["what"] == "Weekly medicines audit"]
    assert (added["owner"], added["item"], added["due_on"]) == (
        manager.pk,
        item.pk,
        days(14).isoformat(),
    )
    assert Timer.objects.get(kind="boards.action", subject_id=str(added["id"])).owner == manager


def test_an_action_refused_with_the_field_named(record, somerset, member, load_pack, api_as):  # noqa: F811
    council, _, officer, _ = somerset
    meeting, _ = record
    client = api_as(officer)
    url = f"{MEETINGS}{meeting.pk}/actions/"
    good = {"what": "Audit", "action_by": "Provider", "due_on": days(7).isoformat()}
    outsider = member(load_pack("bromley"), Role.OFFICER)
    for changes, field in (
        ({"what": ""}, "what"),
        ({"due_on": "2026-13-01"}, "due_on"),
        ({"due_on": days(-1).isoformat()}, "due_on"),
        ({"owner": outsider.pk}, "owner"),
        ({"owner": 99_999_999}, "owner"),
        ({"item": 99_999_999}, "item"),
        ({"action_by": "x" * 201}, "action_by"),
    ):
        answer = client.post(url, {**good, **changes}, format="json")
        assert answer.status_code == 400, changes
        assert field in answer.json()["errors"], (changes, answer.json())


def test_an_action_done_by_its_owner_or_the_secretariat(record, somerset, member, api_as):  # noqa: F811
    council, manager, officer, _ = somerset
    meeting, mine = record
    owner = member(council, Role.PLACEMENT)
    theirs = action_add(
        meeting=meeting, actor=officer, what="Check rotas", action_by="Provider",
        due_on=days(3), owner=owner,
    )  # fmt: skip
    own = api_as(owner)
    assert [a["id"] for a in own.get(f"{ACTIONS}?mine=1").json()["results"]] == [theirs.pk]
    assert own.post(f"{ACTIONS}{mine.pk}/done/", {}, format="json").status_code == 403
    long = own.post(f"{ACTIONS}{theirs.pk}/done/", {"note": "n" * 1001}, format="json")
    assert long.status_code == 400 and "note" in long.json()["errors"]
    done = own.post(f"{ACTIONS}{theirs.pk}/done/", {"note": "Rotas seen"}, format="json")
    assert done.status_code == 200, done.content
    assert (done.json()["done_on"], done.json()["done_note"]) == (
        timezone.localdate().isoformat(),
        "Rotas seen",
    )
    again = own.post(f"{ACTIONS}{theirs.pk}/done/", {}, format="json")
    assert again.status_code == 409
    secretariat = api_as(officer)
    assert secretariat.post(f"{ACTIONS}{mine.pk}/done/", {}, format="json").status_code == 200
    assert secretariat.get(f"{ACTIONS}?open=1").json()["results"] == []
    assert len(secretariat.get(ACTIONS).json()["results"]) == 2


def test_the_record_approved_at_a_later_meeting(record, somerset, api_as):  # noqa: F811
    council, _, officer, _ = somerset
    meeting, _ = record
    client = api_as(officer)
    url = f"{MEETINGS}{meeting.pk}/approve/"
    for body, field in (({}, "at"), ({"at": 99_999_999}, "at"), ({"at": meeting.pk}, "at")):
        answer = client.post(url, body, format="json")
        assert answer.status_code == 400 and field in answer.json()["errors"], body
    later = held(somerset, *QUORATE, on=0)
    approved = client.post(url, {"at": later.pk}, format="json")
    assert approved.status_code == 200 and approved.json()["approved_at"] == later.pk
    assert client.post(url, {"at": later.pk}, format="json").status_code == 409


def test_the_report_to_the_sab(bedford, somerset, api_as):  # noqa: F811
    """001 Appendix 3: the SAB is told each time the Serious Concerns procedure is used."""
    from tests.boards.test_records import serious_concerns

    b = bedford
    meeting = serious_concerns(b, on=-4)
    client = api_as(b.officer)
    url = f"{MEETINGS}{meeting.pk}/report/"
    future = client.post(url, {"reported_on": days(2).isoformat()}, format="json")
    assert future.status_code == 400 and "reported_on" in future.json()["errors"]
    before = client.post(url, {"reported_on": days(-5).isoformat()}, format="json")
    assert before.status_code == 400 and "reported_on" in before.json()["errors"]
    reported = client.post(url, {}, format="json")
    assert reported.status_code == 200 and reported.json()["reported_on"] == days(0).isoformat()
    assert client.post(url, {}, format="json").status_code == 409  # reported once
    council, _, officer, _ = somerset
    board = held(somerset, *QUORATE)
    assert api_as(officer).post(f"{MEETINGS}{board.pk}/report/", {}).status_code == 409


def test_the_providers_notes_asked_for(somerset, qim, api_as, django_capture_on_commit_callbacks):  # noqa: F811
    from notices.models import Letter

    council, _, officer, _ = somerset
    client = api_as(officer)
    url = f"{MEETINGS}{qim.pk}/provider-notes/"
    unmarked = client.post(url, {}, format="json")
    assert unmarked.status_code == 400 and "for_provider" in unmarked.json()["errors"]
    action_add(
        meeting=qim, actor=officer, what="Audit", action_by="Provider", due_on=days(7),
        for_provider=True,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(url, {}, format="json")
    assert asked.status_code == 200, asked.content
    assert Letter.objects.filter(council=council, source="boards.record", source_id=qim.pk)
    assert client.post(url, {}, format="json").status_code == 409  # waiting in letters
    board = held(somerset, *QUORATE)
    assert client.post(f"{MEETINGS}{board.pk}/provider-notes/", {}).status_code == 409


def test_a_serious_concerns_meeting_called_by_the_api(bedford, api_as):  # noqa: F811
    """001 Appendix 3, Instigating Serious Concerns Meeting: an officer may not call one."""
    b = bedford
    body = {"board": SCM, "meets_on": days(3).isoformat(), "location": b.location.pk}
    officer = api_as(b.officer).post(MEETINGS, body, format="json")
    assert (
        officer.status_code == 403
        and "may call a Serious Concerns Meeting" in (officer.json()["detail"])
    )
    nowhere = api_as(b.manager).post(MEETINGS, {**body, "location": None}, format="json")
    assert nowhere.status_code == 400 and "provider" in nowhere.json()["errors"]
    made = api_as(b.dass).post(MEETINGS, body, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["called_by"].endswith("(Director of Adult Social Services)")
    assert made.json()["provider"] == b.location.provider_id
    follow = api_as(b.manager).post(
        MEETINGS,
        {"board": SCM, "meets_on": days(30).isoformat(), "follows": made.json()["id"]},
        format="json",
    )
    assert follow.status_code == 201 and follow.json()["location"] == b.location.pk
    stranger = api_as(b.manager).post(MEETINGS, {**body, "follows": 99_999_999}, format="json")
    assert stranger.status_code == 400 and "follows" in stranger.json()["errors"]


def test_responses_only_at_a_virtual_meeting(somerset, api_as):  # noqa: F811
    council, _, officer, people = somerset
    client = api_as(officer)
    meeting = client.post(
        MEETINGS, {"board": BOARD, "meets_on": days(0).isoformat()}, format="json"
    ).json()
    answer = client.post(
        f"{MEETINGS}{meeting['id']}/attendance/",
        {"present": [people["ccg"].pk], "responses": {str(people["ccg"].pk): "Agree"}},
        format="json",
    )
    assert answer.status_code == 400 and "responses" in answer.json()["errors"]
    bad = client.post(
        f"{MEETINGS}{meeting['id']}/attendance/",
        {"present": [people["ccg"].pk], "responses": {"ann": "Agree"}},
        format="json",
    )
    assert bad.status_code == 400 and "responses" in bad.json()["errors"]


def test_a_systems_token_owns_no_actions(load_pack, api_token):
    """Found by Schemathesis: `?mine=true` with a token (no person) answered 500."""
    council = load_pack("somerset")
    client = api_token(council, ["boards:read"])
    answer = client.get(f"{ACTIONS}?mine=true&open=true")
    assert answer.status_code == 200 and answer.json()["results"] == []
