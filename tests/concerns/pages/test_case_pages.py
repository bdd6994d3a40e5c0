"""Escalation pages: who may see them, the case page's ladder and moves, the move form."""

import re

import pytest

from concerns.models import CaseMove, Stage
from concerns.pack import Ladder
from concerns.services import case_move, safeguarding_open
from core.models import AuditEntry
from councils.models import Role
from decisions.models import Recommendation
from tests.concerns.pages.helpers import at_formal, by_testid, html, open_case, propose_termination
from tests.factories import LocationFactory

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
RECTIFICATION_EVIDENCE = [
    {"kind": "meeting_notes", "note": "QIM 3 notes"},
    {"kind": "board_decision", "note": "Board of 1 May"},
]


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_pages_per_role(role, sm, member, signed_in):
    """concerns.view_case, as for the API: not for placement staff, who see only the inbox
    and their own requests (000 5 family choice)."""
    case = at_formal(sm)
    rec = case_move(
        case=case,
        actor=sm.officer,
        move="issue_rectification_notice",
        reason="Not improving",
        evidence=RECTIFICATION_EVIDENCE,
    )
    track = safeguarding_open(case=case, actor=sm.officer, reason="Allegations")
    client = signed_in(member(sm.council, role))
    expected = 200 if role in READERS else 403
    for url in ["/cases/", f"/cases/{case.pk}/", "/alerts/", f"/safeguarding/{track.pk}/"]:
        assert client.get(url).status_code == expected, url
    assert client.get("/decisions/").status_code == (403 if role == Role.EXTERNAL else 200)
    assert client.get(f"/decisions/{rec.pk}/").status_code == (
        200 if role in READERS else 403 if role == Role.EXTERNAL else 404
    )


def test_pages_send_visitors_to_sign_in(sm, client):
    case = open_case(sm.council)
    for url in ["/cases/", f"/cases/{case.pk}/", "/decisions/", "/alerts/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_move_page_per_role(role, sm, member, signed_in):
    """Somerset's informal -> formal move is for Contract Managers and designated managers:
    others see why it is not open to them (403); placement staff may not see cases at all."""
    case = open_case(sm.council)
    client = signed_in(member(sm.council, role))
    response = client.get(f"/cases/{case.pk}/moves/invoke_quality_improvement/")
    if role in (Role.OFFICER, Role.MANAGER):
        page = html(response)
        assert 'name="reason"' in page
        assert f'name="expected_stage" value="{Stage.INFORMAL}"' in page
        return
    assert response.status_code == 403
    if role not in (Role.PLACEMENT, Role.EXTERNAL):
        page = response.content.decode()
        assert "not open to you now" in page
        assert "may make this move." in page
        assert 'name="reason"' not in page


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_new_case_page_per_role(role, sm, member, signed_in):
    location = LocationFactory()
    response = signed_in(member(sm.council, role)).get(f"/cases/new/?location={location.pk}")
    expected = 200 if role in (Role.OFFICER, Role.MANAGER, Role.DECISION_MAKER) else 403
    assert response.status_code == expected


def test_a_move_not_from_the_stage_is_409_and_an_unknown_move_404(sm, signed_in):
    case = open_case(sm.council)
    client = signed_in(sm.officer)
    response = client.get(f"/cases/{case.pk}/moves/issue_rectification_notice/")
    assert response.status_code == 409
    assert "This move does not start from here." in response.content.decode()
    assert client.get(f"/cases/{case.pk}/moves/demolish/").status_code == 404
    assert client.get("/cases/999999/").status_code == 404


# --- the case page ---------------------------------------------------------------------------


def test_the_case_page_marks_the_current_stage_on_the_ladder(sm, signed_in):
    case = at_formal(sm)
    page = html(signed_in(sm.officer).get(f"/cases/{case.pk}/"))
    start = page.index('<ol class="app-ladder"')
    ladder = page[start : page.index("</ol>", start)]
    name = r'>\s*<span class="app-ladder__name">([^<]+)'
    stages = re.findall(r'<li class="app-ladder__stage[^"]*"[^>]*' + name, ladder)
    assert [s.strip() for s in stages] == [
        "Informal stage",
        "Formal stage (Quality Improvement)",
        "Rectification Notice",
        "Final Warning Notice",
        "Contract terminated",
        "Closed",
    ]
    current = re.findall(r'<li [^>]*aria-current="step"[^>]*' + name, ladder)
    assert [c.strip() for c in current] == ["Formal stage (Quality Improvement)"]
    assert ladder.count('aria-current="step"') == 1
    assert "Formal stage (Quality Improvement)" in by_testid(page, "case-stage")


def test_the_case_page_shows_open_moves_as_buttons_and_closed_ones_with_why(wb, signed_in):
    """West Berkshire at the informal stage: only a CQO closes the case; the SRM may still
    recommend termination; nobody puts a restriction in place by hand (004 18.5: the case
    follows the restriction the Head of Commissioning decides)."""
    case = open_case(wb.council)
    put = Ladder.of(wb.council).move("put_restriction_in_place")
    by_hand = f"“{put.label}” is not made by hand: {put.description}"
    page = html(signed_in(wb.srm).get(f"/cases/{case.pk}/"))
    moves = by_testid(page, "moves")
    assert f'href="/cases/{case.pk}/moves/terminate_commissioning/"' in moves
    assert f'href="/cases/{case.pk}/moves/put_restriction_in_place/"' not in moves
    assert f'href="/cases/{case.pk}/moves/close_informal/"' not in moves
    closed = re.findall(
        r'<span class="app-moves__closed">([^<]+)</span>.*?Not open to you: ([^<]+)</p>',
        moves,
        re.S,
    )
    assert [(label.strip(), why.strip()) for label, why in closed] == [
        ("Restriction put in place", by_hand),
        ("Close the case", "Only Care Quality Officer (CQO) may make this move."),
    ]
    assert "Decided by the Head of Commissioning after SRM agrees" in moves

    officer_moves = by_testid(html(signed_in(wb.officer).get(f"/cases/{case.pk}/")), "moves")
    # The CQO: terminate or close; the restriction's move is still not theirs to make.
    assert f'href="/cases/{case.pk}/moves/put_restriction_in_place/"' not in officer_moves
    assert officer_moves.count("Not open to you") == 1
    assert f"Not open to you: {by_hand}" in officer_moves
    assert officer_moves.count('class="govuk-button') == 2


def test_the_case_page_shows_the_waiting_recommendation_and_blocks_moves(wb, signed_in):
    case = open_case(wb.council)
    rec = propose_termination(wb, case)
    client = signed_in(wb.officer)
    page = html(client.get(f"/cases/{case.pk}/"))
    assert "Waiting for a decision" in page
    assert f'href="/decisions/{rec.pk}/"' in page
    assert "Now with: SRM agrees the criteria for termination are met." in page
    moves = by_testid(page, "moves")
    assert 'class="govuk-button' not in moves
    assert f"{rec.reference} (Terminate commissioning with the provider" in moves
    # The page refuses the move it shows as blocked (so does the API: test_escalation_api).
    response = client.get(f"/cases/{case.pk}/moves/close_informal/")
    assert response.status_code == 409
    assert "waits for a decision" in response.content.decode()


def test_the_case_page_shows_the_record(sm, signed_in):
    case = at_formal(sm)
    page = html(signed_in(sm.officer).get(f"/cases/{case.pk}/"))
    record = by_testid(page, "case-record")
    assert f"{case.reference} opened for" in record
    assert "Informal stage → Formal stage (Quality Improvement)" in record
    assert f"policy v{sm.council.active_policy.number}" in record
    assert "Quality Improvement Notice" in page  # the letter the move asked for


# --- the move form ---------------------------------------------------------------------------


def error_summary(page: str) -> list[tuple[str, str]]:
    """(link target, message) of each item in the GOV.UK error summary."""
    start = page.index('class="govuk-error-summary"')
    body = page[start : page.index("</ul>", start)]
    return [
        (href, text.strip()) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', body)
    ]


def test_posting_the_move_form_without_a_reason_names_the_field_and_saves_nothing(sm, signed_in):
    case = open_case(sm.council)
    response = signed_in(sm.officer).post(
        f"/cases/{case.pk}/moves/invoke_quality_improvement/",
        {"reason": "", "expected_stage": "informal"},
    )
    page = html(response)
    assert "<title>Error: " in page
    assert error_summary(page) == [("#id_reason", "Give the reason for this move")]
    assert 'class="govuk-textarea govuk-textarea--error"' in page
    assert 'aria-describedby="id_reason-error"' in page
    case.refresh_from_db()
    assert case.stage == Stage.INFORMAL
    assert not CaseMove.objects.exists()
    assert not AuditEntry.objects.filter(action="case.moved").exists()


def test_posting_a_move_without_its_evidence_names_the_evidence(sm, signed_in):
    """003 2.5: a Rectification Notice goes to the Board with the QIM's notes; missing, they
    are named. The Board's decision is not asked for: the Board has not met yet (issue 13)."""
    case = at_formal(sm)
    response = signed_in(sm.officer).post(
        f"/cases/{case.pk}/moves/issue_rectification_notice/",
        {"reason": "Not improving after three QIMs"},
    )
    page = html(response)
    assert error_summary(page) == [
        (
            "#id_ev_meeting_notes_note",
            "Add “QIM notes and actions”: say what it shows, give its address or attach it",
        ),
    ]
    assert "#id_ev_board_decision_note" not in page
    assert not Recommendation.objects.exists()


def test_posting_a_move_without_an_answer_names_the_question(bromley, signed_in):
    """Bromley's referral to the DASS asks why the DASS must decide (000 3.ii), a required
    question: left unanswered, it is named and nothing is recommended; answered, the answers
    go with the recommendation."""
    case = open_case(bromley.council)
    client = signed_in(bromley.officer)
    url = f"/cases/{case.pk}/moves/refer_to_dass/"
    answers = {
        "reason": "Rated Inadequate",
        "ev_compliance_guidance_note": "Guidance of 5 January",
        "q_recommendation": "Suspend new placements",
    }
    page = html(client.post(url, answers))
    assert [href for href, _ in error_summary(page)] == ["#id_q_reason_0"]
    assert not Recommendation.objects.exists()
    response = client.post(url, {**answers, "q_reason": "Inspection rating below Good published"})
    assert response.status_code == 302
    rec = Recommendation.objects.get()
    assert {k: rec.details[k] for k in ("reason", "recommendation")} == {
        "reason": "Inspection rating below Good published",
        "recommendation": "Suspend new placements",
    }


def test_posting_the_move_form_makes_the_move(sm, signed_in):
    case = open_case(sm.council)
    client = signed_in(sm.officer)
    response = client.post(
        f"/cases/{case.pk}/moves/invoke_quality_improvement/",
        {"reason": "Rated Requires Improvement", "expected_stage": "informal"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    page = html(client.get(response["Location"]))
    assert "invoke the quality improvement process done" in page


def test_posting_on_a_stale_page_says_the_case_moved(sm, signed_in):
    case = at_formal(sm)
    response = signed_in(sm.officer).post(
        f"/cases/{case.pk}/moves/formal_to_informal/",
        {"reason": "Better", "expected_stage": "informal"},
    )
    page = html(response)
    assert "meanwhile" in page
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL


def test_posting_a_recommendation_says_who_it_waits_for(wb, signed_in):
    case = open_case(wb.council)
    response = signed_in(wb.officer).post(
        f"/cases/{case.pk}/moves/terminate_commissioning/",
        {
            "reason": "Continuing risk of significant harm",
            "ev_legal_advice_note": "Legal Services advice of 5 January",
        },
        follow=True,
    )
    page = html(response)
    rec = Recommendation.objects.get()
    assert rec.key == "terminate_commissioning"
    assert [(e["kind"], e["note"]) for e in rec.evidence] == [
        ("legal_advice", "Legal Services advice of 5 January")
    ]
    assert f"{rec.reference} recommended. Next: SRM agrees" in page
    case.refresh_from_db()
    assert case.stage == Stage.INFORMAL


def test_the_move_page_refuses_a_restriction_put_in_place_by_hand(wb, signed_in):
    """004 18.5: the case reaches "Restriction on commissioning" only when the restriction the
    Head of Commissioning decided is put in place: its move page says so, and a post moves
    nothing, even for the CQO."""
    case = open_case(wb.council)
    put = Ladder.of(wb.council).move("put_restriction_in_place")
    client = signed_in(wb.officer)
    url = f"/cases/{case.pk}/moves/put_restriction_in_place/"
    for response in (client.get(url), client.post(url, {"reason": "Rated Inadequate"})):
        page = response.content.decode()
        assert response.status_code == 409  # as the API says (api/test_access.py)
        assert f"“{put.label}” is not made by hand" in page
        assert 'name="reason"' not in page
    case.refresh_from_db()
    assert case.stage == Stage.INFORMAL
    assert not CaseMove.objects.exists()
    assert not Recommendation.objects.exists()
