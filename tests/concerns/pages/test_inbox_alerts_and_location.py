"""Escalation pages: the approvals inbox, alerts, the location page's case panel, queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concerns.models import Alert, Case, CaseMove, Stage
from concerns.services import case_move, case_open
from concerns.triggers import check_rating
from councils.models import Role
from decisions.models import Recommendation
from decisions.selectors import subject_q
from decisions.services import recommendation_act, recommendation_withdraw
from tests.concerns.pages.helpers import at_formal, by_testid, html, open_case, propose_termination
from tests.factories import LocationFactory, ProviderFactory, RatingFactory

pytestmark = pytest.mark.django_db


# --- the approvals inbox ---------------------------------------------------------------------


def test_the_inbox_lists_what_waits_for_me_oldest_first(wb, signed_in):
    first, second, third = (propose_termination(wb) for _ in range(3))
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
    assert table.count("SRM agrees the criteria for termination are met") == 3
    assert "Nothing waits for you." in html(signed_in(wb.head).get("/decisions/"))
    mine = html(signed_in(wb.officer).get("/decisions/"))
    assert "Nothing waits for you." in mine
    # My recommendations waiting for others, oldest first too.
    assert re.findall(r'href="/decisions/(\d+)/"', mine) == [
        str(r.pk) for r in (second, third, first)
    ]


def test_deciding_on_the_recommendation_page(wb, signed_in):
    rec = propose_termination(wb)
    for manager in (wb.srm, wb.sm):
        recommendation_act(recommendation=rec, actor=manager, outcome="forwarded", reasons="OK")
    client = signed_in(wb.head)
    url = f"/decisions/{rec.pk}/"
    page = html(client.get(url))
    assert 'value="approved"' in page and 'value="forwarded"' not in page
    missing = client.post(url, {"action": "act", "act-outcome": "approved"})
    assert missing.status_code == 400  # the form's errors, on the page
    assert "Give the reasons" in missing.content.decode()
    rec.refresh_from_db()
    assert rec.status == "pending"
    response = client.post(
        url, {"action": "act", "act-outcome": "approved", "act-reasons": "Termination agreed"}
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert (rec.status, Case.objects.get(pk=rec.subject_id).stage) == (
        "approved",
        Stage.TERMINATED,
    )


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
    rec = propose_termination(wb, case)
    url = f"/cases/{case.pk}/"
    few = _queries(client, url)
    for _ in range(4):
        recommendation_withdraw(recommendation=rec, actor=wb.officer, reason="Again")
        rec = propose_termination(wb, case)
        recommendation_act(recommendation=rec, actor=wb.srm, outcome="forwarded", reasons="OK")
    assert Recommendation.objects.filter(subject_q(case)).count() == 5
    assert _queries(client, url) == few


def test_the_inbox_runs_a_constant_number_of_queries(wb, signed_in):
    client = signed_in(wb.srm)
    for _ in range(2):
        propose_termination(wb)
    few = _queries(client, "/decisions/")
    for _ in range(18):
        propose_termination(wb)
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
        {"reason": "Not improving", "ev_meeting_notes_note": ""},
    )
    page = html(response)
    assert 'href="#id_ev_meeting_notes_note"' in page
    assert "say what it shows, give its address or attach it" in page
    assert not Recommendation.objects.exists()
