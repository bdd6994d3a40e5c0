"""Escalation pages: who may see them, the case page's ladder (current stage marked for
screen readers) and its moves (open ones as buttons, closed ones with why), the move form's
errors, the approvals inbox (oldest first), the location page's case panel, and a constant
number of queries whatever the number of cases or moves."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concerns.models import Alert, Case, CaseMove, Recommendation, Stage
from concerns.services import (
    case_move,
    case_open,
    recommendation_act,
    recommendation_withdraw,
    safeguarding_open,
)
from concerns.triggers import check_rating
from core.models import AuditEntry
from councils.models import Role
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
RECTIFICATION_EVIDENCE = [
    {"kind": "meeting_notes", "note": "QIM 3 notes"},
    {"kind": "board_decision", "note": "Board of 1 May"},
]


def open_case(council, location=None) -> Case:
    return case_open(
        council=council,
        actor=None,
        summary="Concerns about care",
        location=location or LocationFactory(),
    )


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def by_testid(page: str, name: str) -> str:
    """The element with data-testid=name, up to the end of its first closing tag of the
    same kind (enough for the lists and tables these pages mark)."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{name}"[^>]*>', page)
    assert match, f"no data-testid={name}"
    tag = match.group(1)
    end = page.find(f"</{tag}>", match.end())
    return page[match.start() : end]


@pytest.fixture
def sm(load_pack, member):
    council = load_pack("somerset")
    return SimpleNamespace(
        council=council,
        officer=member(council, Role.OFFICER),
        manager=member(council, Role.MANAGER),
        board=member(council, Role.DECISION_MAKER, title="Strategic Commissioning Manager"),
    )


@pytest.fixture
def wb(council_b, member):
    return SimpleNamespace(
        council=council_b,
        officer=member(council_b, Role.OFFICER),
        srm=member(council_b, Role.MANAGER, title="Supplier Relationship Manager"),
        sm=member(council_b, Role.MANAGER, title="Service Manager"),
        head=member(council_b, Role.DECISION_MAKER, title="Head of Commissioning"),
    )


def propose_restriction(wb, case=None) -> Recommendation:
    return case_move(
        case=case or open_case(wb.council),
        actor=wb.officer,
        move="put_restriction_in_place",
        reason="Rated Inadequate in Safe",
        evidence=[
            {"kind": "cqc_report", "url": "https://www.cqc.org.uk/location/1"},
            {"kind": "improvement_plan", "note": "Plan of 5 January"},
        ],
        details={"restriction_type": "Embargo"},
    )


def at_formal(sm) -> Case:
    case = open_case(sm.council)
    case_move(case=case, actor=sm.officer, move="invoke_quality_improvement", reason="RI")
    case.refresh_from_db()
    return case


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
    assert client.get("/decisions/").status_code == 200
    assert client.get(f"/decisions/{rec.pk}/").status_code == (200 if role in READERS else 404)


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
    if role != Role.PLACEMENT:
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
    """West Berkshire at the informal stage: only a CQO proposes a restriction or closes the
    case; the SRM may still recommend termination."""
    case = open_case(wb.council)
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
        (
            "Put a restriction in place (Embargo or Place with Caution)",
            "Only Care Quality Officer (CQO) may make this move.",
        ),
        ("Close the case", "Only Care Quality Officer (CQO) may make this move."),
    ]
    assert "Decided by the Head of Commissioning after SRM agrees" in moves

    officer_moves = by_testid(html(signed_in(wb.officer).get(f"/cases/{case.pk}/")), "moves")
    assert "Not open to you" not in officer_moves
    assert officer_moves.count('class="govuk-button') == 3


def test_the_case_page_shows_the_waiting_recommendation_and_blocks_moves(wb, signed_in):
    case = open_case(wb.council)
    rec = propose_restriction(wb, case)
    client = signed_in(wb.officer)
    page = html(client.get(f"/cases/{case.pk}/"))
    assert "Waiting for a decision" in page
    assert f'href="/decisions/{rec.pk}/"' in page
    assert "Now with: SRM agrees the criteria for a restriction are met." in page
    moves = by_testid(page, "moves")
    assert 'class="govuk-button' not in moves
    assert f"{rec.reference} (Put a restriction in place" in moves
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


def test_posting_a_move_without_its_evidence_names_the_evidence(wb, signed_in):
    case = open_case(wb.council)
    response = signed_in(wb.officer).post(
        f"/cases/{case.pk}/moves/put_restriction_in_place/",
        {"reason": "Rated Inadequate in Safe", "q_restriction_type": "Embargo"},
    )
    page = html(response)
    assert error_summary(page) == [
        (
            "#id_ev_cqc_report_note",
            "Add “Link to the CQC report”: say what it shows or give its address",
        ),
        (
            "#id_ev_improvement_plan_note",
            "Add “Improvement plan”: say what it shows or give its address",
        ),
    ]
    assert not Recommendation.objects.exists()


def test_posting_a_move_without_an_answer_names_the_question(wb, signed_in):
    case = open_case(wb.council)
    response = signed_in(wb.officer).post(
        f"/cases/{case.pk}/moves/put_restriction_in_place/",
        {
            "reason": "Rated Inadequate in Safe",
            "ev_cqc_report_url": "https://www.cqc.org.uk/location/1",
            "ev_improvement_plan_note": "Plan of 5 January",
        },
    )
    page = html(response)
    assert [href for href, _ in error_summary(page)] == ["#id_q_restriction_type"]
    assert not Recommendation.objects.exists()


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
        f"/cases/{case.pk}/moves/put_restriction_in_place/",
        {
            "reason": "Rated Inadequate in Safe",
            "ev_cqc_report_url": "https://www.cqc.org.uk/location/1",
            "ev_improvement_plan_note": "Plan of 5 January",
            "q_restriction_type": "Embargo",
        },
        follow=True,
    )
    page = html(response)
    rec = Recommendation.objects.get()
    assert rec.details == {"restriction_type": "Embargo"}
    assert f"{rec.reference} recommended. Next: SRM agrees" in page
    case.refresh_from_db()
    assert case.stage == Stage.INFORMAL


# --- the approvals inbox ---------------------------------------------------------------------


def test_the_inbox_lists_what_waits_for_me_oldest_first(wb, signed_in):
    first, second, third = (propose_restriction(wb) for _ in range(3))
    now = timezone.now()
    for rec, days in [(first, 2), (second, 9), (third, 5)]:
        Recommendation.objects.filter(pk=rec.pk).update(waiting_since=now - dt.timedelta(days))
    page = html(signed_in(wb.srm).get("/decisions/"))
    table = by_testid(page, "inbox")
    assert re.findall(r"(REC-\d{4}-\d{4}):", table) == [
        second.reference,
        third.reference,
        first.reference,
    ]
    assert table.count("SRM agrees the criteria for a restriction are met") == 3
    assert "Nothing waits for you." in html(signed_in(wb.head).get("/decisions/"))
    mine = html(signed_in(wb.officer).get("/decisions/"))
    assert "Nothing waits for you." in mine
    # My recommendations waiting for others, oldest first too.
    assert re.findall(r'href="/decisions/(\d+)/"', mine) == [
        str(r.pk) for r in (second, third, first)
    ]


def test_deciding_on_the_recommendation_page(wb, signed_in):
    rec = propose_restriction(wb)
    for manager in (wb.srm, wb.sm):
        recommendation_act(recommendation=rec, actor=manager, outcome="forwarded", reasons="OK")
    client = signed_in(wb.head)
    url = f"/decisions/{rec.pk}/"
    page = html(client.get(url))
    assert 'value="approved"' in page and 'value="forwarded"' not in page
    missing = html(client.post(url, {"action": "act", "act-outcome": "approved"}))
    assert "Give the reasons" in missing
    rec.refresh_from_db()
    assert rec.status == "pending"
    response = client.post(
        url, {"action": "act", "act-outcome": "approved", "act-reasons": "Embargo agreed"}
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    rec.case.refresh_from_db()
    assert (rec.status, rec.case.stage) == ("approved", Stage.FORMAL)


# --- alerts ----------------------------------------------------------------------------------


def test_the_alerts_page_lists_and_handles(council_a, member, signed_in):
    officer = member(council_a, Role.OFFICER)
    check_rating(council=council_a, rating=RatingFactory(overall="Inadequate"))
    alert = Alert.objects.get()
    client = signed_in(officer)
    page = html(client.get("/alerts/"))
    assert alert.label in page
    response = client.post(f"/alerts/{alert.pk}/handle/", {"note": "Referred to the DASS"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "acted"
    auditor = signed_in(member(council_a, Role.AUDITOR))
    assert auditor.post(f"/alerts/{alert.pk}/handle/", {"note": "x"}).status_code == 403


# --- the location page's case panel ----------------------------------------------------------


def test_the_location_page_shows_the_open_case(sm, signed_in):
    case = at_formal(sm)
    page = html(signed_in(sm.officer).get(f"/locations/{case.location_id}/"))
    panel = by_testid(page, "case-panel")
    assert f'href="/cases/{case.pk}/"' in panel
    assert case.reference in panel
    assert "Formal stage (Quality Improvement)" in panel


def test_the_location_page_offers_to_open_a_case(sm, signed_in):
    location = LocationFactory()
    panel = by_testid(html(signed_in(sm.officer).get(f"/locations/{location.pk}/")), "case-panel")
    assert "No case is open." in panel
    assert f'href="/cases/new/?location={location.pk}"' in panel


def test_the_location_page_shows_a_whole_provider_case(sm, signed_in):
    provider = ProviderFactory()
    location = LocationFactory(provider=provider)
    case = case_open(council=sm.council, actor=None, summary="Group", provider=provider)
    panel = by_testid(html(signed_in(sm.officer).get(f"/locations/{location.pk}/")), "case-panel")
    assert case.reference in panel
    assert "for all of the provider's services" in panel


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        (Role.OFFICER, ["critical_provider", "resume_placements"]),
        (Role.PLACEMENT, ["family_choice"]),
        (Role.AUDITOR, []),
    ],
)
def test_the_location_page_lists_the_exceptions_the_role_may_ask_for(
    role, offered, council_a, member, signed_in
):
    location = LocationFactory()
    page = html(signed_in(member(council_a, role)).get(f"/locations/{location.pk}/"))
    links = re.findall(rf'href="/locations/{location.pk}/exceptions/([a-z_]+)/"', page)
    assert links == offered
    if role == Role.PLACEMENT:
        panel = by_testid(page, "case-panel")
        assert "No case is open." not in panel and "/cases/" not in panel


def test_placement_staff_ask_for_a_family_choice_exception_on_the_page(
    council_a, member, signed_in
):
    """000 5.i: the Placement Officer asks; the page (concerns.request_exception) lets them."""
    location = LocationFactory()
    RatingFactory(location=location, overall="Inadequate")
    client = signed_in(member(council_a, Role.PLACEMENT))
    url = f"/locations/{location.pk}/exceptions/family_choice/"
    page = html(client.get(url))
    assert "Overall Inadequate" in page  # prefilled from the rating
    response = client.post(
        url,
        {
            "reason": "The family wishes to proceed",
            "q_advice_date": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
            "q_reasons_given": "Rated Inadequate",
            "q_family_request": "yes",
            "q_carefirst_reference": "CF123456",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rec = Recommendation.objects.get()
    assert (rec.kind, rec.key) == ("exception", "family_choice")
    assert rec.details["family_request"] is True
    assert response["Location"] == f"/decisions/{rec.pk}/"
    assert html(client.get(response["Location"]))  # their own request, not a case
    mine = html(client.get("/decisions/"))
    assert f'href="/decisions/{rec.pk}/"' in mine


# --- a constant number of queries ------------------------------------------------------------


def _queries(client, url) -> int:
    client.get(url)  # warm anything cached once
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/cases/", "/cases/?all=1", "/cases/?q=Location"])
def test_the_case_list_runs_a_constant_number_of_queries(url, sm, signed_in):
    client = signed_in(sm.officer)
    for _ in range(2):
        at_formal(sm)
    few = _queries(client, url)
    for _ in range(18):
        at_formal(sm)
    assert _queries(client, url) == few


def test_the_case_page_runs_a_constant_number_of_queries(sm, signed_in):
    client = signed_in(sm.officer)
    case = at_formal(sm)  # 1 move
    url = f"/cases/{case.pk}/"
    one = _queries(client, url)
    for i in range(9):
        case.refresh_from_db()
        move = "formal_to_informal" if i % 2 == 0 else "invoke_quality_improvement"
        case_move(case=case, actor=sm.officer, move=move, reason=f"Move {i}")
    assert CaseMove.objects.filter(case=case).count() == 10
    assert _queries(client, url) == one


def test_the_case_page_with_decisions_runs_a_constant_number_of_queries(wb, signed_in):
    client = signed_in(wb.officer)
    case = open_case(wb.council)
    rec = propose_restriction(wb, case)
    url = f"/cases/{case.pk}/"
    few = _queries(client, url)
    for _ in range(4):
        recommendation_withdraw(recommendation=rec, actor=wb.officer, reason="Again")
        rec = propose_restriction(wb, case)
        recommendation_act(recommendation=rec, actor=wb.srm, outcome="forwarded", reasons="OK")
    assert Recommendation.objects.filter(case=case).count() == 5
    assert _queries(client, url) == few


def test_the_inbox_runs_a_constant_number_of_queries(wb, signed_in):
    client = signed_in(wb.srm)
    for _ in range(2):
        propose_restriction(wb)
    few = _queries(client, "/decisions/")
    for _ in range(18):
        propose_restriction(wb)
    assert _queries(client, "/decisions/") == few


def test_the_alerts_page_runs_a_constant_number_of_queries(council_a, member, signed_in):
    client = signed_in(member(council_a, Role.OFFICER))
    for _ in range(2):
        check_rating(council=council_a, rating=RatingFactory(overall="Inadequate"))
    few = _queries(client, "/alerts/")
    for _ in range(18):
        check_rating(council=council_a, rating=RatingFactory(overall="Inadequate"))
    assert _queries(client, "/alerts/") == few


# --- guards added after review -----------------------------------------------------------------


@pytest.mark.django_db
def test_an_exception_form_is_only_for_the_roles_that_may_ask(load_pack, member, signed_in):
    """000 5: the Placement Officer writes to the family; the resume-placements form (000 8,
    pre-filled with the RAG and safeguarding status) is the Contract Compliance team's."""
    council = load_pack("bromley")
    location = LocationFactory(local_authority="Bromley")
    client = signed_in(member(council, Role.PLACEMENT))
    assert client.get(f"/locations/{location.pk}/exceptions/family_choice/").status_code == 200
    resume = f"/locations/{location.pk}/exceptions/resume_placements/"
    assert client.get(resume).status_code == 403
    assert client.post(resume, {"reason": "x"}).status_code == 403
    assert not Recommendation.objects.exists()


@pytest.mark.django_db
def test_a_location_that_is_not_a_number_is_not_found(load_pack, member, signed_in):
    council = load_pack("bromley")
    client = signed_in(member(council, Role.OFFICER))
    assert client.get("/cases/new/?location=abc").status_code == 404
    assert client.get("/cases/new/").status_code == 404


@pytest.mark.django_db
def test_a_policy_without_a_ladder_answers_not_found_not_an_error(load_pack, member, signed_in):
    """A council whose policy in force predates escalation: the pages say so (404)."""
    from councils.models import PolicyVersion

    council = load_pack("bromley")
    content = dict(council.active_policy.content)
    content.pop("escalation")
    old = PolicyVersion.objects.create(
        council=council,
        number=99,
        content=content,
        source_text="",
        source_name="old.yaml",
        sha256="0" * 64,
    )
    council.active_policy = old
    council.save(update_fields=["active_policy"])
    client = signed_in(member(council, Role.OFFICER))
    response = client.get("/cases/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_alert_handled_without_a_note_says_so_on_the_page(load_pack, member, signed_in):
    council = load_pack("bromley")
    location = LocationFactory(local_authority="Bromley")
    check_rating(council=council, rating=RatingFactory(location=location, overall="Inadequate"))
    alert = Alert.objects.get(council=council)
    client = signed_in(member(council, Role.OFFICER))
    response = client.post(f"/alerts/{alert.pk}/handle/", {"note": "", "dismiss": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and f'href="#note-{alert.pk}"' in page
    alert.refresh_from_db()
    assert alert.status == "new"


@pytest.mark.django_db
def test_a_required_evidence_kind_left_empty_is_named_on_its_own_field(
    load_pack, member, signed_in
):
    council = load_pack("somerset")
    officer = member(council, Role.OFFICER)
    case = open_case(council)
    client = signed_in(officer)
    client.post(f"/cases/{case.pk}/moves/invoke_quality_improvement/", {"reason": "Rated RI"})
    response = client.post(
        f"/cases/{case.pk}/moves/issue_rectification_notice/",
        {"reason": "Not improving", "ev_meeting_notes_note": "QIM notes"},
    )
    page = html(response)
    assert 'href="#id_ev_board_decision_note"' in page
    assert "say what it shows or give its address" in page
    assert not Recommendation.objects.exists()
