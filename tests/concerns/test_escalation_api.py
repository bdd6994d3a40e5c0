"""The escalation API, role by role and scope by scope: 401 without credentials, 403 for a role
or token scope that may not (and for a move the caller's role may not make), 404 for what is
not there (also another council's: see test_tenancy), 400 naming the bad field, 409 with the
reason for a move not open from the case's stage, and the happy paths: opening a case, the
moves open from its stage, moves made at once (200) or recommended (202) and decided through
the pack's chain, the inbox, alerts, Bromley's exceptions and the safeguarding track.

Councils: Somerset (moves made at once, and the Board's decisions), West Berkshire (council_b:
the SRM and SM check, the Head of Commissioning decides) and Bromley (council_a: the DASS
decides; exceptions)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concerns.ladder import Ladder
from concerns.models import (
    Alert,
    Case,
    CaseDeadline,
    CaseMove,
    DecisionStep,
    LetterRequest,
    Recommendation,
    SafeguardingMeeting,
    Stage,
)
from concerns.services import (
    alert_raise,
    case_move,
    case_open,
    recommendation_act,
    safeguarding_meeting_record,
    safeguarding_open,
)
from concerns.triggers import check_rating
from core.models import AuditEntry
from councils.models import Delegation, Membership, Role
from tests.factories import LocationFactory, ProviderFactory, RatingFactory

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role.values)
READERS = {
    Role.OFFICER,
    Role.MANAGER,
    Role.DECISION_MAKER,
    Role.COUNCIL_ADMIN,
    Role.AUDITOR,
    Role.BOARD_MEMBER,
}
OPENERS = {Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER}
CASES = "/api/v1/cases/"
RECS = "/api/v1/recommendations/"
EXCEPTIONS = "/api/v1/recommendations/exceptions/"
ALERTS = "/api/v1/alerts/"
TRACKS = "/api/v1/safeguarding-tracks/"

SOMERSET_BOARD = "Care Provider Commissioning and Quality Board"
HEAD_OF_COMMISSIONING = "Head of Commissioning"
DASS = "Director of Adult Social Services (DASS)"
RECTIFICATION_EVIDENCE = [
    {"kind": "meeting_notes", "note": "QIM 3 notes"},
    {"kind": "board_decision", "note": "Board of 1 May"},
]


def today() -> dt.date:
    return timezone.localdate()


def field_errors(response) -> dict:
    """Serializer errors come as the body; a service's as body["errors"]."""
    body = response.json()
    return body.get("errors", body)


def open_case(council, location=None, **kwargs) -> Case:
    return case_open(
        council=council,
        actor=None,
        summary="Concerns about care",
        location=location or LocationFactory(),
        **kwargs,
    )


def restriction(**changes) -> dict:
    """West Berkshire: recommend an Embargo (004 18.1), with the evidence and answer it needs."""
    return {
        "move": "put_restriction_in_place",
        "reason": "Rated Inadequate in Safe",
        "evidence": [
            {"kind": "cqc_report", "url": "https://www.cqc.org.uk/location/1-000000001"},
            {"kind": "improvement_plan", "note": "Improvement plan of 5 January"},
        ],
        "details": {"restriction_type": "Embargo"},
        **changes,
    }


def propose_restriction(people, case=None) -> Recommendation:
    payload = restriction()
    payload.pop("move")
    return case_move(
        case=case or open_case(people.council),
        actor=people.officer,
        move="put_restriction_in_place",
        **payload,
    )


def board_approval(**changes) -> dict:
    return {
        "outcome": "approved",
        "reasons": "Agreed by the quorate Board",
        "meeting_on": (today() - dt.timedelta(days=1)).isoformat(),
        "quorate": True,
        **changes,
    }


@pytest.fixture
def somerset(load_pack):
    return load_pack("somerset")


@pytest.fixture
def sm(somerset, member):
    """Somerset's people: officers make the informal -> formal move at once; the Board's
    decision makers decide the rest."""
    return SimpleNamespace(
        council=somerset,
        officer=member(somerset, Role.OFFICER),
        manager=member(somerset, Role.MANAGER),
        board=member(somerset, Role.DECISION_MAKER, title="Strategic Commissioning Manager"),
        auditor=member(somerset, Role.AUDITOR),
        placement=member(somerset, Role.PLACEMENT),
    )


@pytest.fixture
def wb(council_b, member):
    """West Berkshire's chain (004 18): the CQO proposes, the SRM and the SM check in turn,
    the Head of Commissioning decides."""
    return SimpleNamespace(
        council=council_b,
        officer=member(council_b, Role.OFFICER),
        srm=member(council_b, Role.MANAGER, title="Supplier Relationship Manager"),
        sm=member(council_b, Role.MANAGER, title="Service Manager"),
        head=member(council_b, Role.DECISION_MAKER, title=HEAD_OF_COMMISSIONING),
    )


@pytest.fixture
def bromley(council_a, member):
    return SimpleNamespace(
        council=council_a,
        officer=member(council_a, Role.OFFICER),
        placement=member(council_a, Role.PLACEMENT),
        dass=member(council_a, Role.DECISION_MAKER, title=DASS),
    )


def at_formal(sm) -> Case:
    case = open_case(sm.council)
    case_move(case=case, actor=sm.officer, move="invoke_quality_improvement", reason="RI")
    case.refresh_from_db()
    return case


def propose_rectification(sm, case):
    """003 2.5: the officer refers the provider to the Board for a Rectification Notice."""
    return case_move(
        case=case,
        actor=sm.officer,
        move="issue_rectification_notice",
        reason="Not improving",
        evidence=RECTIFICATION_EVIDENCE,
    )


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", CASES),
        ("post", CASES),
        ("get", f"{CASES}1/"),
        ("get", f"{CASES}1/moves/"),
        ("post", f"{CASES}1/moves/"),
        ("post", f"{CASES}1/safeguarding/"),
        ("get", RECS),
        ("get", f"{RECS}1/"),
        ("post", f"{RECS}1/act/"),
        ("post", f"{RECS}1/withdraw/"),
        ("post", EXCEPTIONS),
        ("get", ALERTS),
        ("get", f"{ALERTS}1/"),
        ("post", f"{ALERTS}1/handle/"),
        ("get", TRACKS),
        ("get", f"{TRACKS}1/"),
        ("post", f"{TRACKS}1/meetings/"),
        ("post", f"{TRACKS}1/close/"),
    ],
)
def test_401_without_credentials(method, url, api):
    response = getattr(api, method)(url, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_reading_per_role(role, sm, member, api_as):
    """concerns.view_case: the quality roles, the auditor and the Board's members; not
    placement staff."""
    case = at_formal(sm)
    rec = propose_rectification(sm, case)
    track = safeguarding_open(case=case, actor=sm.officer, reason="Allegations")
    check_rating(council=sm.council, rating=RatingFactory(overall="Inadequate"))
    alert = Alert.objects.get()
    client = api_as(member(sm.council, role))
    expected = 200 if role in READERS else 403
    for url in [
        CASES,
        f"{CASES}{case.pk}/",
        f"{CASES}{case.pk}/moves/",
        RECS,
        f"{RECS}{rec.pk}/",
        f"{RECS}?awaiting=me",
        ALERTS,
        f"{ALERTS}{alert.pk}/",
        TRACKS,
        f"{TRACKS}{track.pk}/",
    ]:
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role", ALL_ROLES)
def test_opening_a_case_per_role(role, sm, member, api_as):
    client = api_as(member(sm.council, role))
    response = client.post(
        CASES, {"location": LocationFactory().pk, "summary": "Concerns"}, format="json"
    )
    if role in OPENERS:
        assert response.status_code == 201, response.content
        assert Case.objects.count() == 1
    else:
        assert response.status_code == 403
        assert not Case.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_moving_per_role(role, sm, member, api_as):
    """Somerset's informal -> formal move is for the Contract Managers and the designated
    managers: the auditor is stopped at the door (no concerns.make_move), the others by the
    pack, with who may make it."""
    case = open_case(sm.council)
    client = api_as(member(sm.council, role))
    response = client.post(
        f"{CASES}{case.pk}/moves/",
        {"move": "invoke_quality_improvement", "reason": "Rated Requires Improvement"},
        format="json",
    )
    case.refresh_from_db()
    if role in (Role.OFFICER, Role.MANAGER):
        assert response.status_code == 200, response.content
        assert case.stage == Stage.FORMAL
        return
    assert response.status_code == 403
    assert case.stage == Stage.INFORMAL
    assert not CaseMove.objects.exists()
    assert not AuditEntry.objects.filter(action="case.moved").exists()
    if role not in (Role.AUDITOR, Role.PLACEMENT):  # those two may make no move at all
        body = response.json()
        assert body["code"] == "not_allowed"
        assert body["detail"].startswith("Only ")
        assert "Contract Manager (Quality Assurance team)" in body["detail"]
        assert body["detail"].endswith("may make this move.")


def test_a_move_the_callers_role_may_not_make_is_403_with_who_may(wb, api_as):
    """West Berkshire: only a CQO proposes a restriction (004 18.1); a manager may not."""
    case = open_case(wb.council)
    response = api_as(wb.srm).post(f"{CASES}{case.pk}/moves/", restriction(), format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only Care Quality Officer (CQO) may make this move."
    assert not Recommendation.objects.exists()
    options = api_as(wb.srm).get(f"{CASES}{case.pk}/moves/").json()
    put = next(o for o in options if o["key"] == "put_restriction_in_place")
    assert put["open"] is False
    assert put["blockers"] == ["Only Care Quality Officer (CQO) may make this move."]


@pytest.mark.parametrize(
    ("scope", "reads"),
    [("register:read", 403), ("cases:read", 200), ("monitoring:read", 403)],
)
def test_token_scopes_for_reading(scope, reads, sm, api_token):
    case = at_formal(sm)
    rec = propose_rectification(sm, case)
    track = safeguarding_open(case=case, actor=sm.officer, reason="Allegations")
    client = api_token(sm.council, [scope])
    for url in [
        CASES,
        f"{CASES}{case.pk}/",
        RECS,
        f"{RECS}{rec.pk}/",
        ALERTS,
        TRACKS,
        f"{TRACKS}{track.pk}/",
    ]:
        assert client.get(url).status_code == reads, url


def test_a_cases_read_token_lists_cases_but_may_not_write(sm, api_token):
    case = at_formal(sm)
    rec = propose_rectification(sm, case)
    track = safeguarding_open(case=case, actor=sm.officer, reason="Allegations")
    alert = alert_raise(
        council=sm.council,
        trigger=Ladder.of(sm.council).triggers[0],
        cause="test:1",
        detail="Rated Inadequate",
        location=case.location,
        provider=case.provider,
    )
    client = api_token(sm.council, ["cases:read"])
    listed = client.get(CASES)
    assert listed.status_code == 200
    assert [row["reference"] for row in listed.json()["results"]] == [case.reference]
    writes = [
        (CASES, {"location": LocationFactory().pk, "summary": "Concerns"}),
        (f"{CASES}{case.pk}/moves/", {"move": "formal_to_informal", "reason": "Better"}),
        (f"{CASES}{case.pk}/safeguarding/", {"reason": "Allegations"}),
        (f"{RECS}{rec.pk}/act/", board_approval()),
        (f"{RECS}{rec.pk}/withdraw/", {"reason": "Resolved"}),
        (f"{ALERTS}{alert.pk}/handle/", {"note": "Done"}),
        (
            f"{TRACKS}{track.pk}/meetings/",
            {"held_on": today().isoformat(), "attendees": "Police", "notes": "Agreed"},
        ),
        (f"{TRACKS}{track.pk}/close/", {"reason": "Concluded"}),
    ]
    for url, data in writes:
        assert client.post(url, data, format="json").status_code == 403, url
    case.refresh_from_db()
    rec.refresh_from_db()
    track.refresh_from_db()
    assert (case.stage, rec.status, track.is_open) == (Stage.FORMAL, "pending", True)
    assert Case.objects.count() == 1
    assert not SafeguardingMeeting.objects.exists()


def test_a_cases_read_token_may_read_the_moves_of_a_case(sm, api_token):
    case = open_case(sm.council)
    response = api_token(sm.council, ["cases:read"]).get(f"{CASES}{case.pk}/moves/")
    assert response.status_code == 200
    assert response.json() and not any(o["open"] for o in response.json())


def test_a_tokens_inbox_is_empty(sm, api_token):
    case = at_formal(sm)
    propose_rectification(sm, case)
    response = api_token(sm.council, ["cases:read"]).get(f"{RECS}?awaiting=me")
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_cases_read_token_may_not_ask_for_an_exception(bromley, api_token):
    response = api_token(bromley.council, ["cases:read"]).post(
        EXCEPTIONS,
        {
            "exception": "critical_provider",
            "location": LocationFactory().pk,
            "reason": "Critical provider",
            "details": {
                "remedial_action": "Appropriate action to address the concerns",
                "referral_decision": "Referrals may be made to the provider",
            },
        },
        format="json",
    )
    assert response.status_code == 403
    assert not Recommendation.objects.exists()


def test_404_for_an_unknown_id(sm, api_as):
    client = api_as(sm.manager)
    for method, url in [
        ("get", f"{CASES}999999/"),
        ("get", f"{CASES}999999/moves/"),
        ("post", f"{CASES}999999/moves/"),
        ("get", f"{RECS}999999/"),
        ("post", f"{RECS}999999/act/"),
        ("get", f"{ALERTS}999999/"),
        ("post", f"{ALERTS}999999/handle/"),
        ("get", f"{TRACKS}999999/"),
        ("post", f"{TRACKS}999999/meetings/"),
    ]:
        assert getattr(client, method)(url, {}, format="json").status_code == 404, url


# --- opening a case --------------------------------------------------------------------------


def test_opening_a_case(sm, api_as):
    location = LocationFactory(name="Meadow View")
    response = api_as(sm.officer).post(
        CASES, {"location": location.pk, "summary": "  Medicines errors  "}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == f"CASE-{today().year}-0001"
    assert (body["location"], body["provider"]) == (location.pk, location.provider_id)
    assert body["subject"] == "Meadow View"
    assert (body["stage"], body["stage_label"]) == ("informal", "Informal stage")
    assert body["summary"] == "Medicines errors"
    assert body["lead_officer"] == sm.officer.pk
    assert body["opened_by_label"] == sm.officer.get_full_name()
    case = Case.objects.get()
    entry = AuditEntry.objects.get(action="case.opened")
    assert (entry.object_id, entry.actor, entry.reason) == (
        str(case.pk),
        sm.officer,
        "Medicines errors",
    )
    assert entry.policy_version == sm.council.active_policy
    detail = api_as(sm.officer).get(f"{CASES}{case.pk}/").json()
    assert detail["moves"] == detail["deadlines"] == detail["letters"] == []


def test_opening_a_case_for_a_whole_provider(sm, api_as):
    """004 18.4: a case for all of a provider's services; its locations have it as their
    open case, so another for one of them is a conflict."""
    provider = ProviderFactory(name="Acorn Care Ltd")
    location = LocationFactory(provider=provider)
    client = api_as(sm.officer)
    response = client.post(
        CASES, {"provider": provider.pk, "summary": "Group-wide concerns"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["location"] is None
    assert response.json()["subject"] == "Acorn Care Ltd (all services)"
    again = client.post(CASES, {"location": location.pk, "summary": "x"}, format="json")
    assert again.status_code == 409
    assert response.json()["reference"] in again.json()["detail"]
    assert Case.objects.count() == 1


def test_one_open_case_per_location(sm, api_as):
    location = LocationFactory()
    client = api_as(sm.officer)
    first = client.post(CASES, {"location": location.pk, "summary": "One"}, format="json")
    second = client.post(CASES, {"location": location.pk, "summary": "Two"}, format="json")
    assert (first.status_code, second.status_code) == (201, 409)
    assert second.json()["code"] == "conflict"
    assert "a location has one open case at a time" in second.json()["detail"]
    case = Case.objects.get()
    case_move(case=case, actor=sm.officer, move="close_informal", reason="Resolved")
    third = client.post(CASES, {"location": location.pk, "summary": "Three"}, format="json")
    assert third.status_code == 201
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "summary"),
        ({"summary": "Concerns"}, "location"),
        ({"summary": "", "location": "L"}, "summary"),
        ({"summary": "   ", "location": "L"}, "summary"),
        ({"summary": "Concerns", "location": 999999}, "location"),
        ({"summary": "Concerns", "provider": 999999}, "provider"),
        ({"summary": "Concerns", "location": "L", "lead_officer": "other council"}, "lead_officer"),
    ],
)
def test_opening_400_names_the_field(payload, field, sm, wb, api_as):
    payload = dict(payload)
    if payload.get("location") == "L":
        payload["location"] = LocationFactory().pk
    if payload.get("lead_officer") == "other council":
        payload["lead_officer"] = wb.officer.pk
    response = api_as(sm.officer).post(CASES, payload, format="json")
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not Case.objects.exists()


# --- the moves open from a case's stage ------------------------------------------------------


def test_moves_lists_the_packs_moves_from_the_stage_with_blockers(sm, api_as):
    case = open_case(sm.council)
    mine = api_as(sm.officer).get(f"{CASES}{case.pk}/moves/")
    assert mine.status_code == 200
    assert [(o["key"], o["to"], o["open"], o["blockers"]) for o in mine.json()] == [
        ("invoke_quality_improvement", "formal", True, []),
        ("close_informal", "closed", True, []),
    ]
    assert mine.json()[0]["seed"] == "003 2.4"
    theirs = api_as(sm.board).get(f"{CASES}{case.pk}/moves/").json()
    assert [o["open"] for o in theirs] == [False, False]
    assert all(
        o["blockers"][0].startswith("Only ") and "may make this move" in o["blockers"][0]
        for o in theirs
    )


def test_moves_show_what_needs_a_decision_and_what_waits(sm, api_as):
    case = at_formal(sm)
    options = api_as(sm.officer).get(f"{CASES}{case.pk}/moves/").json()
    by_key = {o["key"]: o for o in options}
    assert set(by_key) == {
        "issue_rectification_notice",
        "issue_final_warning",
        "end_quality_improvement",
        "formal_to_informal",
    }
    rectify = by_key["issue_rectification_notice"]
    assert rectify["needs_decision"] == f"Decided by the {SOMERSET_BOARD}"
    assert rectify["evidence"] == ["meeting_notes", "board_decision"]
    assert by_key["end_quality_improvement"]["needs_decision"] == ""
    assert all(o["open"] for o in options)
    rec = propose_rectification(sm, case)
    waiting = api_as(sm.officer).get(f"{CASES}{case.pk}/moves/").json()
    assert not any(o["open"] for o in waiting)
    assert all(
        f"{rec.reference} (Issue a Rectification Notice) waits for a decision." in o["blockers"]
        for o in waiting
    )


def test_a_closed_case_has_no_moves(sm, api_as):
    case = open_case(sm.council)
    case_move(case=case, actor=sm.officer, move="close_informal", reason="Resolved")
    assert api_as(sm.officer).get(f"{CASES}{case.pk}/moves/").json() == []


# --- making moves ----------------------------------------------------------------------------


def test_a_move_without_a_decision_is_made_at_once(sm, api_as):
    case = open_case(sm.council)
    response = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/",
        {
            "move": "invoke_quality_improvement",
            "reason": "  Rated Requires Improvement  ",
            "evidence": [{"kind": "cqc_report", "url": "https://www.cqc.org.uk/x"}],
            "expected_stage": "informal",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["move_key"] == "invoke_quality_improvement"
    assert body["label"] == "Invoke the Quality Improvement process"
    assert (body["from_stage"], body["to_stage"]) == ("informal", "formal")
    assert body["reason"] == "Rated Requires Improvement"
    assert body["evidence"] == [
        {"kind": "cqc_report", "note": "", "url": "https://www.cqc.org.uk/x"}
    ]
    assert body["actor_label"] == sm.officer.get_full_name()
    assert body["recommendation"] is None
    assert body["policy_version"] == sm.council.active_policy.number
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    assert set(LetterRequest.objects.filter(case=case).values_list("letter", flat=True)) == {
        "quality_improvement_notice",
        "qim_invitation",
    }
    entry = AuditEntry.objects.get(action="case.moved")
    assert entry.object_id == str(case.pk)
    assert (entry.data["from"], entry.data["to"], entry.data["move"]) == (
        "informal",
        "formal",
        "invoke_quality_improvement",
    )
    detail = api_as(sm.auditor).get(f"{CASES}{case.pk}/").json()
    assert detail["stage"] == "formal"
    assert detail["stage_label"] == "Formal stage (Quality Improvement)"
    assert [m["move_key"] for m in detail["moves"]] == ["invoke_quality_improvement"]
    assert {lt["letter"] for lt in detail["letters"]} == {
        "quality_improvement_notice",
        "qim_invitation",
    }


def test_a_move_needing_a_decision_is_202_with_the_recommendation(sm, api_as):
    case = at_formal(sm)
    response = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/",
        {
            "move": "issue_rectification_notice",
            "reason": "Not improving after three QIMs",
            "evidence": RECTIFICATION_EVIDENCE,
            "urgent": True,
        },
        format="json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["reference"] == f"REC-{today().year}-0001"
    assert (body["kind"], body["key"], body["status"]) == (
        "move",
        "issue_rectification_notice",
        "pending",
    )
    assert (body["case"], body["from_stage"], body["to_stage"]) == (
        case.reference,
        "formal",
        "rectification",
    )
    assert body["awaiting"] == f"Decision of the {SOMERSET_BOARD}"
    assert body["urgent"] is True
    assert body["steps"] == []
    assert body["proposed_by_label"] == sm.officer.get_full_name()
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    assert CaseMove.objects.filter(case=case).count() == 1  # only the earlier move
    assert AuditEntry.objects.filter(action="recommendation.made").count() == 1


def test_the_board_decides_and_the_case_moves(sm, api_as):
    """003 Appendix 5: the quorate Board decides; the approved move is made at once with the
    decision's reasons and leaves the Rectification Notice and its time limit."""
    case = at_formal(sm)
    proposed = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/",
        {
            "move": "issue_rectification_notice",
            "reason": "Not improving",
            "evidence": RECTIFICATION_EVIDENCE,
        },
        format="json",
    )
    rec = proposed.json()
    response = api_as(sm.board).post(f"{RECS}{rec['id']}/act/", board_approval(), format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["awaiting"]) == ("approved", "")
    assert body["decided_by_label"] == sm.board.get_full_name()
    assert [(s["outcome"], s["label"], s["acting_as"]) for s in body["steps"]] == [
        ("approved", f"Decision of the {SOMERSET_BOARD}", f"Decision maker of the {SOMERSET_BOARD}")
    ]
    case.refresh_from_db()
    assert case.stage == Stage.RECTIFICATION
    made = CaseMove.objects.get(case=case, move_key="issue_rectification_notice")
    assert made.recommendation_id == rec["id"]
    assert made.actor == sm.board
    assert "Decision: Agreed by the quorate Board" in made.reason
    assert CaseDeadline.objects.filter(case=case, move=made, stage="rectification").count() == 1
    assert LetterRequest.objects.filter(move=made, letter="rectification_notice").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"meeting_on": None}, "meeting_on"),
        ({"meeting_on": "tomorrow"}, "meeting_on"),
        ({"quorate": False}, "quorate"),
        ({"quorate": None}, "quorate"),
        ({"reasons": "   "}, "reasons"),
        ({"outcome": "forwarded"}, "outcome"),
    ],
)
def test_a_board_decision_400_names_the_field(changes, field, sm, api_as):
    """003 ToR 5: no decisions may be taken by a non-quorate meeting of the Board."""
    case = at_formal(sm)
    rec = propose_rectification(sm, case)
    if changes.get("meeting_on") == "tomorrow":
        changes = {"meeting_on": (today() + dt.timedelta(days=1)).isoformat()}
    response = api_as(sm.board).post(
        f"{RECS}{rec.pk}/act/", board_approval(**changes), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    rec.refresh_from_db()
    case.refresh_from_db()
    assert (rec.status, case.stage) == ("pending", Stage.FORMAL)
    assert not DecisionStep.objects.exists()


def test_a_virtual_board_decision_needs_no_meeting(sm, api_as):
    case = at_formal(sm)
    rec = propose_rectification(sm, case)
    response = api_as(sm.board).post(
        f"{RECS}{rec.pk}/act/",
        {"outcome": "approved", "reasons": "Agreed by email", "virtual": True, "urgent": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["steps"][0]["virtual"] is True


def test_a_rejected_recommendation_leaves_the_case(sm, api_as):
    case = at_formal(sm)
    rec = propose_rectification(sm, case)
    response = api_as(sm.board).post(
        f"{RECS}{rec.pk}/act/",
        board_approval(outcome="rejected", reasons="Give the QIM more time"),
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["decision_reasons"] == "Give the QIM more time"
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    again = api_as(sm.board).post(f"{RECS}{rec.pk}/act/", board_approval(), format="json")
    assert again.status_code == 409
    assert "not approved" in again.json()["detail"]
    options = api_as(sm.officer).get(f"{CASES}{case.pk}/moves/").json()
    assert all(o["open"] for o in options)


def test_the_chain_a_manager_forwards_and_the_head_of_commissioning_decides(wb, api_as):
    """004 18: CQO -> SRM agrees -> SM recommends in writing -> Head of Commissioning
    decides; each person acts once; the case moves only on the decision."""
    case = open_case(wb.council)
    proposed = api_as(wb.officer).post(f"{CASES}{case.pk}/moves/", restriction(), format="json")
    assert proposed.status_code == 202, proposed.content
    rec_id = proposed.json()["id"]
    assert proposed.json()["awaiting"] == "SRM agrees the criteria for a restriction are met"
    act = f"{RECS}{rec_id}/act/"
    forward = {"outcome": "forwarded", "reasons": "Criteria met"}

    # Not yet: the proposer, the decision maker before the checks, a wrong outcome.
    own = api_as(wb.officer).post(act, forward, format="json")
    assert own.status_code == 403  # an officer takes no step in the chain, least of all here
    early = api_as(wb.head).post(act, {"outcome": "approved", "reasons": "x"}, format="json")
    assert early.status_code == 403
    assert early.json()["detail"].startswith("It waits for ")
    wrong = api_as(wb.srm).post(act, {"outcome": "approved", "reasons": "x"}, format="json")
    assert wrong.status_code == 400 and "outcome" in wrong.json()["errors"]

    first = api_as(wb.srm).post(act, forward, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["awaiting"] == (
        "SM recommends the restriction to the Head of Commissioning in writing"
    )
    twice = api_as(wb.srm).post(act, forward, format="json")
    assert twice.status_code == 403
    assert "already acted" in twice.json()["detail"]
    second = api_as(wb.sm).post(act, forward, format="json")
    assert second.status_code == 200
    assert second.json()["awaiting"] == f"Decision of the {HEAD_OF_COMMISSIONING}"
    case.refresh_from_db()
    assert case.stage == Stage.INFORMAL

    decided = api_as(wb.head).post(
        act,
        {"outcome": "approved", "reasons": "Embargo agreed", "stipulation": "Review in 3 months"},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert (body["status"], body["stipulation"]) == ("approved", "Review in 3 months")
    assert [(s["position"], s["outcome"]) for s in body["steps"]] == [
        (0, "forwarded"),
        (1, "forwarded"),
        (2, "approved"),
    ]
    assert body["steps"][2]["acting_as"] == HEAD_OF_COMMISSIONING
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    detail = api_as(wb.officer).get(f"{CASES}{case.pk}/").json()
    assert [(m["move_key"], m["recommendation"]) for m in detail["moves"]] == [
        ("put_restriction_in_place", body["reference"])
    ]
    assert [d["time_limit"] for d in detail["deadlines"]] == ["restriction_decision_notice"]
    assert [lt["letter"] for lt in detail["letters"]] == ["decision_letter"]
    assert AuditEntry.objects.filter(action="recommendation.forwarded").count() == 2
    assert AuditEntry.objects.filter(action="recommendation.approved").count() == 1


def test_a_delegate_decides_within_the_delegation_dates(bromley, member, api_as):
    """000 4.iv: the DASS's delegate decides within the delegation's dates, and says so."""
    case = open_case(bromley.council)
    rec = case_move(
        case=case,
        actor=bromley.officer,
        move="refer_to_dass",
        reason="Rated Inadequate",
        evidence=[{"kind": "compliance_guidance", "note": "Guidance of 5 January"}],
        details={
            "reason": "Inspection rating below Good published",
            "recommendation": "Suspend new placements",
        },
    )
    delegate = member(
        bromley.council, Role.DECISION_MAKER, title="Head of Assessment & Care Management"
    )
    holder = Membership.objects.get(user=bromley.dass, council=bromley.council)
    delegation = Delegation.objects.create(
        council=bromley.council,
        delegator=holder,
        delegate=delegate,
        starts_on=today() + dt.timedelta(days=1),
        ends_on=today() + dt.timedelta(days=10),
    )
    act = f"{RECS}{rec.pk}/act/"
    decision = {"outcome": "approved", "reasons": "Suspend new placements"}
    before = api_as(delegate).post(act, decision, format="json")
    assert before.status_code == 403
    assert before.json()["detail"] == f"It waits for the {DASS}."
    delegation.starts_on = today() - dt.timedelta(days=1)
    delegation.save()
    within = api_as(delegate).post(act, decision, format="json")
    assert within.status_code == 200, within.content
    assert within.json()["steps"][0]["acting_as"].startswith(f"Delegate of the {DASS} (")
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL


def test_withdrawing_a_recommendation(wb, api_as):
    case = open_case(wb.council)
    rec = propose_restriction(wb, case)
    other = api_as(wb.srm).post(f"{RECS}{rec.pk}/withdraw/", {"reason": "No"}, format="json")
    assert other.status_code == 403
    blank = api_as(wb.officer).post(f"{RECS}{rec.pk}/withdraw/", {"reason": " "}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    response = api_as(wb.officer).post(
        f"{RECS}{rec.pk}/withdraw/", {"reason": "Provider improved"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["steps"][-1]["outcome"] == "withdrawn"
    again = api_as(wb.officer).post(f"{RECS}{rec.pk}/withdraw/", {"reason": "Again"}, format="json")
    assert again.status_code == 409
    options = api_as(wb.officer).get(f"{CASES}{case.pk}/moves/").json()
    assert next(o for o in options if o["key"] == "put_restriction_in_place")["open"] is True


# --- 400: the field named --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": None}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"move": "demolish"}, "move"),
        ({"evidence": []}, "evidence"),
        ({"evidence": None}, "evidence"),
        ({"evidence": [{"kind": "cqc_report", "note": "Report"}]}, "evidence"),
        ({"evidence": [{"kind": "rumour", "note": "Heard"}]}, "evidence"),
        ({"evidence": [{"kind": "cqc_report", "url": "ftp://x"}]}, "evidence"),
        ({"evidence": [{"kind": "cqc_report"}, {"kind": "improvement_plan"}]}, "evidence"),
        ({"details": {}}, "details.restriction_type"),
        ({"details": {"restriction_type": "Ban"}}, "details.restriction_type"),
        ({"details": {"restriction_type": "Embargo", "colour": "red"}}, "details"),
        ({"expected_stage": "limbo"}, "expected_stage"),
    ],
)
def test_moving_400_names_the_field(changes, field, wb, api_as):
    case = open_case(wb.council)
    payload = restriction(**changes)
    payload = {k: v for k, v in payload.items() if v is not None}
    response = api_as(wb.officer).post(f"{CASES}{case.pk}/moves/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    case.refresh_from_db()
    assert case.stage == Stage.INFORMAL
    assert not Recommendation.objects.exists()
    assert not CaseMove.objects.exists()


def test_missing_evidence_for_a_move_made_at_once_is_400(wb, api_as):
    """West Berkshire's default warning is made at once by a manager, with the improvement
    plan as evidence."""
    case = open_case(wb.council)
    # Stage is a protected FSM field: put the case at the formal stage through the queryset.
    Case.objects.filter(pk=case.pk).update(stage=Stage.FORMAL)
    response = api_as(wb.srm).post(
        f"{CASES}{case.pk}/moves/",
        {"move": "warn_of_default", "reason": "No progress"},
        format="json",
    )
    assert response.status_code == 400
    needs = "Add the evidence this needs: improvement plan."
    assert response.json()["errors"]["evidence"] == [needs]
    assert not CaseMove.objects.exists()


# --- 409: not open from the case's stage ------------------------------------------------------


def test_a_move_not_open_from_the_stage_is_409_with_the_reason(sm, api_as):
    case = open_case(sm.council)
    response = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/",
        {"move": "issue_rectification_notice", "reason": "Skip ahead"},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["detail"] == (
        "The case is at “Informal stage”; this move starts from "
        "“Formal stage (Quality Improvement)”."
    )
    assert not Recommendation.objects.exists()


def test_a_move_on_a_closed_case_is_409(sm, api_as):
    case = open_case(sm.council)
    case_move(case=case, actor=sm.officer, move="close_informal", reason="Resolved")
    response = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/", {"move": "close_informal", "reason": "Again"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "The case is closed."


def test_a_move_on_a_stale_view_of_the_case_is_409(sm, api_as):
    case = at_formal(sm)
    response = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/",
        {"move": "formal_to_informal", "reason": "Better", "expected_stage": "informal"},
        format="json",
    )
    assert response.status_code == 409
    assert "meanwhile" in response.json()["detail"]
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL


def test_a_second_recommendation_while_one_waits_is_409(sm, api_as):
    case = at_formal(sm)
    first = api_as(sm.officer).post(
        f"{CASES}{case.pk}/moves/",
        {
            "move": "issue_rectification_notice",
            "reason": "Not improving",
            "evidence": RECTIFICATION_EVIDENCE,
        },
        format="json",
    )
    second = api_as(sm.manager).post(
        f"{CASES}{case.pk}/moves/",
        {"move": "issue_final_warning", "reason": "Worse", "evidence": RECTIFICATION_EVIDENCE},
        format="json",
    )
    assert (first.status_code, second.status_code) == (202, 409)
    assert second.json()["detail"] == (
        f"{first.json()['reference']} (Issue a Rectification Notice) waits for a decision: "
        "it is decided or withdrawn before the case moves again."
    )
    assert Recommendation.objects.count() == 1


def test_a_move_blocked_by_a_waiting_recommendation_is_409(wb, api_as):
    """The API refuses what GET moves/ and the case page show as blocked: no move while a
    recommendation on the case waits (else its decision could never be applied)."""
    case = open_case(wb.council)
    rec = propose_restriction(wb, case)
    options = api_as(wb.officer).get(f"{CASES}{case.pk}/moves/").json()
    close = next(o for o in options if o["key"] == "close_informal")
    assert close["open"] is False
    response = api_as(wb.officer).post(
        f"{CASES}{case.pk}/moves/", {"move": "close_informal", "reason": "Done"}, format="json"
    )
    assert response.status_code == 409, response.content
    assert rec.reference in response.json()["detail"]
    case.refresh_from_db()
    rec.refresh_from_db()
    assert (case.stage, rec.status) == (Stage.INFORMAL, "pending")
    assert not CaseMove.objects.exists()


def test_a_decision_on_a_case_that_moved_meanwhile_is_409_and_records_nothing(wb, api_as):
    """The services no longer move a case while a recommendation waits, but the decision
    still checks: if the stage changed underneath (here set directly), approving records
    nothing: no step, no move, still pending."""
    case = open_case(wb.council)
    rec = propose_restriction(wb, case)
    for manager in (wb.srm, wb.sm):
        recommendation_act(recommendation=rec, actor=manager, outcome="forwarded", reasons="OK")
    Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED)
    response = api_as(wb.head).post(
        f"{RECS}{rec.pk}/act/", {"outcome": "approved", "reasons": "Agreed"}, format="json"
    )
    assert response.status_code == 409
    assert "has moved since this was recommended" in response.json()["detail"]
    rec.refresh_from_db()
    assert (rec.status, rec.step, rec.steps.count()) == ("pending", 2, 2)
    assert not AuditEntry.objects.filter(action="recommendation.approved").exists()


# --- the inbox -------------------------------------------------------------------------------


def test_the_inbox_lists_what_waits_for_me_oldest_first(wb, api_as):
    newer, older = propose_restriction(wb), propose_restriction(wb)
    Recommendation.objects.filter(pk=older.pk).update(
        waiting_since=timezone.now() - dt.timedelta(days=9)
    )
    forwarded = propose_restriction(wb)
    recommendation_act(recommendation=forwarded, actor=wb.srm, outcome="forwarded", reasons="OK")
    done = propose_restriction(wb)
    for manager in (wb.srm, wb.sm):
        recommendation_act(recommendation=done, actor=manager, outcome="forwarded", reasons="OK")

    def inbox(user):
        response = api_as(user).get(f"{RECS}?awaiting=me")
        assert response.status_code == 200
        return [(r["reference"], r["awaiting"]) for r in response.json()["results"]]

    srm_check = "SRM agrees the criteria for a restriction are met"
    sm_check = "SM recommends the restriction to the Head of Commissioning in writing"
    assert inbox(wb.srm) == [(older.reference, srm_check), (newer.reference, srm_check)]
    # 004 18.1-18.3: the SRM's check, then the SM's: each post takes its own step.
    assert inbox(wb.sm) == [(forwarded.reference, sm_check)]
    assert inbox(wb.head) == [(done.reference, f"Decision of the {HEAD_OF_COMMISSIONING}")]
    assert inbox(wb.officer) == []
    everything = api_as(wb.officer).get(f"{RECS}?status=pending").json()["results"]
    assert [r["reference"] for r in everything][0] == older.reference
    assert len(everything) == 4


# --- alerts ----------------------------------------------------------------------------------


def test_alerts_list_and_handle(bromley, member, api_as):
    """000 3.ii c: a rating below Good is queued for an officer, once per cause."""
    rating = RatingFactory(overall="Inadequate")
    check_rating(council=bromley.council, rating=rating)
    check_rating(council=bromley.council, rating=rating)
    other = RatingFactory(overall="Requires improvement")
    check_rating(council=bromley.council, rating=other)
    first = Alert.objects.get(cause=f"rating:{rating.pk}")
    second = Alert.objects.get(cause=f"rating:{other.pk}")
    client = api_as(bromley.officer)
    listed = client.get(ALERTS).json()["results"]
    assert [a["id"] for a in listed] == [second.pk, first.pk]
    assert listed[1]["suggestion"].startswith("Refer the decision on new placements")
    assert listed[1]["status"] == "new" and listed[1]["case"] is None

    auditor = api_as(member(bromley.council, Role.AUDITOR))
    assert auditor.get(ALERTS).status_code == 200
    assert auditor.post(f"{ALERTS}{first.pk}/handle/", {"note": "x"}).status_code == 403
    blank = client.post(f"{ALERTS}{first.pk}/handle/", {"note": "  "}, format="json")
    assert blank.status_code == 400 and "note" in blank.json()["errors"]

    acted = client.post(
        f"{ALERTS}{first.pk}/handle/", {"note": "Referred to the DASS"}, format="json"
    )
    assert acted.status_code == 200, acted.content
    assert acted.json()["status"] == "acted"
    assert acted.json()["handled_by_label"] == bromley.officer.get_full_name()
    dismissed = client.post(
        f"{ALERTS}{second.pk}/handle/", {"dismiss": True, "note": "Re-rated Good"}, format="json"
    )
    assert dismissed.json()["status"] == "dismissed"
    again = client.post(f"{ALERTS}{first.pk}/handle/", {"note": "Again"}, format="json")
    assert again.status_code == 409
    assert client.get(ALERTS).json()["results"] == []
    assert len(client.get(f"{ALERTS}?status=").json()["results"]) == 2
    assert [a["id"] for a in client.get(f"{ALERTS}?status=acted").json()["results"]] == [first.pk]
    assert set(AuditEntry.objects.filter(action__startswith="alert.").values_list("action")) == {
        ("alert.raised",),
        ("alert.acted",),
        ("alert.dismissed",),
    }


# --- exceptions (Bromley) --------------------------------------------------------------------


def critical_provider(where, **changes) -> dict:
    return {
        "exception": "critical_provider",
        "location": where.pk,
        "reason": "Critical to the borough's market",
        "details": {
            "remedial_action": "Appropriate action to address the concerns",
            "referral_decision": "Referrals may be made to the provider",
        },
        **changes,
    }


def test_an_exception_request_goes_to_the_dass(bromley, api_as):
    """000 6: referrals to a critical provider rated Requires Improvement, decided by the
    DASS; outside the ladder, so no case moves."""
    location = LocationFactory()
    response = api_as(bromley.officer).post(EXCEPTIONS, critical_provider(location), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["key"], body["status"]) == (
        "exception",
        "critical_provider",
        "pending",
    )
    assert (body["case"], body["location"], body["provider"]) == (
        None,
        location.pk,
        location.provider_id,
    )
    assert body["awaiting"] == f"Decision of the {DASS}"
    assert body["details"]["remedial_action"] == "Appropriate action to address the concerns"
    inbox = api_as(bromley.dass).get(f"{RECS}?awaiting=me").json()["results"]
    assert [r["id"] for r in inbox] == [body["id"]]
    decided = api_as(bromley.dass).post(
        f"{RECS}{body['id']}/act/", {"outcome": "approved", "reasons": "Agreed"}, format="json"
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    assert not CaseMove.objects.exists()


def test_an_exception_request_names_the_open_case(bromley, api_as):
    case = open_case(bromley.council)
    response = api_as(bromley.officer).post(
        EXCEPTIONS, critical_provider(case.location), format="json"
    )
    assert response.status_code == 201
    assert response.json()["case"] == case.reference


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"exception": "free_pass"}, "exception"),
        ({"reason": "  "}, "reason"),
        ({"details": {}}, "details.remedial_action"),
        (
            {"details": {"remedial_action": "Fine", "referral_decision": "x"}},
            "details.referral_decision",
        ),
        ({"location": 999999}, "location"),
        ({"evidence": [{"kind": "rumour", "note": "x"}]}, "evidence"),
    ],
)
def test_an_exception_request_400_names_the_field(changes, field, bromley, api_as):
    response = api_as(bromley.officer).post(
        EXCEPTIONS, critical_provider(LocationFactory(), **changes), format="json"
    )
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not Recommendation.objects.exists()


def test_an_exception_only_placement_staff_ask_for_is_403_for_an_officer(bromley, api_as):
    response = api_as(bromley.officer).post(
        EXCEPTIONS,
        {
            "exception": "family_choice",
            "location": LocationFactory().pk,
            "reason": "The family's choice",
            "details": {},
        },
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only Placement Officer (Placements Team) may ask for this."


def test_placement_staff_ask_for_a_family_choice_exception(bromley, api_as):
    """000 5.i: only the Placement Officer asks; they may not read cases, but may ask."""
    response = api_as(bromley.placement).post(
        EXCEPTIONS,
        {
            "exception": "family_choice",
            "location": LocationFactory().pk,
            "reason": "The family wishes to proceed",
            "details": {
                "advice_date": (today() - dt.timedelta(days=3)).isoformat(),
                "reasons_given": "Rated Inadequate in Safe",
                "family_request": True,
                "carefirst_reference": "CF123456",
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["key"], body["status"]) == ("exception", "family_choice", "pending")
    assert body["details"]["family_request"] is True
    assert body["awaiting"] == f"Decision of the {DASS}"
    inbox = api_as(bromley.dass).get(f"{RECS}?awaiting=me").json()["results"]
    assert [r["id"] for r in inbox] == [body["id"]]
    assert api_as(bromley.placement).get(RECS).status_code == 403


def test_family_choice_400_names_the_question(bromley, api_as):
    response = api_as(bromley.placement).post(
        EXCEPTIONS,
        {
            "exception": "family_choice",
            "location": LocationFactory().pk,
            "reason": "The family wishes to proceed",
            "details": {"family_request": "yes please"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert {
        "details.advice_date",
        "details.reasons_given",
        "details.family_request",
        "details.carefirst_reference",
    } <= set(response.json()["errors"])
    assert not Recommendation.objects.exists()


# --- the safeguarding track ------------------------------------------------------------------


def test_the_safeguarding_track(bromley, member, api_as):
    """000 2.ii: CSIG and safeguarding beside the case's stage, with its meetings."""
    case = open_case(bromley.council)
    client = api_as(bromley.officer)
    opened = client.post(
        f"{CASES}{case.pk}/safeguarding/", {"reason": "Allegations of neglect"}, format="json"
    )
    assert opened.status_code == 201, opened.content
    track = opened.json()
    assert (track["case"], track["label"], track["reason"]) == (
        case.reference,
        "CSIG and safeguarding",
        "Allegations of neglect",
    )
    again = client.post(f"{CASES}{case.pk}/safeguarding/", {"reason": "More"}, format="json")
    assert again.status_code == 409
    blank = client.post(f"{CASES}{case.pk}/safeguarding/", {"reason": ""}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]

    meetings = f"{TRACKS}{track['id']}/meetings/"
    meeting = {
        "held_on": today().isoformat(),
        "attendees": "Police, CQC, ICB",
        "notes": "Enquiry continues",
        "next_meeting_on": (today() + dt.timedelta(days=14)).isoformat(),
    }
    recorded = client.post(meetings, meeting, format="json")
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["recorded_by_label"] == bromley.officer.get_full_name()
    placement = api_as(bromley.placement).post(meetings, meeting, format="json")
    assert placement.status_code == 403  # may move in principle, not in this pack's track
    shown = client.get(f"{TRACKS}{track['id']}/").json()
    assert [m["attendees"] for m in shown["meetings"]] == ["Police, CQC, ICB"]
    assert [t["id"] for t in client.get(TRACKS).json()["results"]] == [track["id"]]

    closed = client.post(
        f"{TRACKS}{track['id']}/close/", {"reason": "Enquiry concluded"}, format="json"
    )
    assert closed.status_code == 200
    assert closed.json()["closed_at"] is not None
    assert closed.json()["closed_reason"] == "Enquiry concluded"
    late = client.post(meetings, meeting, format="json")
    assert late.status_code == 409
    assert SafeguardingMeeting.objects.count() == 1
    reopened = client.post(
        f"{CASES}{case.pk}/safeguarding/", {"reason": "New allegations"}, format="json"
    )
    assert reopened.status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"held_on": "tomorrow"}, "held_on"),
        ({"held_on": "2026-02-30"}, "held_on"),
        ({"attendees": ""}, "attendees"),
        ({"notes": "   "}, "notes"),
        ({"next_meeting_on": "same day"}, "next_meeting_on"),
    ],
)
def test_a_meeting_400_names_the_field(changes, field, bromley, api_as):
    track = safeguarding_open(
        case=open_case(bromley.council), actor=bromley.officer, reason="Allegations"
    )
    meeting = {"held_on": today().isoformat(), "attendees": "Police", "notes": "Agreed"}
    meeting.update(changes)
    if meeting["held_on"] == "tomorrow":
        meeting["held_on"] = (today() + dt.timedelta(days=1)).isoformat()
    if meeting.get("next_meeting_on") == "same day":
        meeting["next_meeting_on"] = meeting["held_on"]
    response = api_as(bromley.officer).post(f"{TRACKS}{track.pk}/meetings/", meeting, format="json")
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not SafeguardingMeeting.objects.exists()


def test_a_whole_service_concern_is_a_default_in_somerset(
    sm, api_as, django_capture_on_commit_callbacks
):
    """003 Key principles 2: opening a Whole Service Concern raises the trigger, which brings
    the case up to the formal stage by the pack's own move."""
    case = open_case(sm.council)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(sm.officer).post(
            f"{CASES}{case.pk}/safeguarding/", {"reason": "Organisational abuse"}, format="json"
        )
    assert response.status_code == 201
    assert response.json()["label"] == "Whole Service Concern"
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    alert = Alert.objects.get(trigger="whole_service_concern")
    assert (alert.case_id, alert.status) == (case.pk, "acted")
    assert CaseMove.objects.get(case=case).actor_label == "System"


# --- the schema ------------------------------------------------------------------------------


def test_schema_lists_the_escalation_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in [
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/moves/",
        "/api/v1/cases/{id}/safeguarding/",
        "/api/v1/recommendations/",
        "/api/v1/recommendations/{id}/",
        "/api/v1/recommendations/{id}/act/",
        "/api/v1/recommendations/{id}/withdraw/",
        "/api/v1/recommendations/exceptions/",
        "/api/v1/alerts/",
        "/api/v1/alerts/{id}/",
        "/api/v1/alerts/{id}/handle/",
        "/api/v1/safeguarding-tracks/",
        "/api/v1/safeguarding-tracks/{id}/",
        "/api/v1/safeguarding-tracks/{id}/meetings/",
        "/api/v1/safeguarding-tracks/{id}/close/",
    ]:
        assert path in paths, path
    moves = paths["/api/v1/cases/{id}/moves/"]
    assert {"get", "post"} <= set(moves)
    assert {"200", "202"} <= set(moves["post"]["responses"])
    assert set(paths["/api/v1/cases/"]) >= {"get", "post"}


# --- a constant number of queries ------------------------------------------------------------


def _populate(wb, n):
    """n cases, each with a recommendation forwarded once, a safeguarding track with a
    meeting, and an alert."""
    trigger = Ladder.of(wb.council).triggers[0]
    for _ in range(n):
        case = open_case(wb.council)
        rec = propose_restriction(wb, case)
        recommendation_act(recommendation=rec, actor=wb.srm, outcome="forwarded", reasons="OK")
        track = safeguarding_open(case=case, actor=wb.officer, reason="Allegations")
        safeguarding_meeting_record(
            track=track, actor=wb.officer, held_on=today(), attendees="Police", notes="Agreed"
        )
        alert_raise(
            council=wb.council,
            trigger=trigger,
            cause=f"test:{case.pk}",
            detail="Rated Inadequate in Safe",
            location=case.location,
            provider=case.provider,
        )


def _queries(client, url) -> tuple[int, int]:
    client.get(url)  # warm anything cached once
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize(
    "url",
    [
        CASES,
        f"{CASES}?all=1&stage=informal",
        RECS,
        f"{RECS}?status=pending",
        f"{RECS}?awaiting=me",
        ALERTS,
        TRACKS,
    ],
)
def test_lists_run_a_constant_number_of_queries(url, wb, api_as):
    client = api_as(wb.sm)
    _populate(wb, 2)
    few, rows = _queries(client, url)
    assert rows == 2
    _populate(wb, 18)
    many, rows = _queries(client, url)
    assert rows == 20
    assert many == few
