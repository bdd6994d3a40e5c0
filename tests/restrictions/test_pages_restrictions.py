"""The restriction pages: the council's restrictions, one restriction with what waits on it
(reviews, the contact, notices, withdrawing and dismissing), proposing (004 18.1), changing
and lifting (004 20.4), the provider's appeal (004 19.2), the lists and an issue of one (003
Managed Placements Memo; 004 19.3) with its CSV, and the checks made; every error page with
the GOV.UK error summary naming the field."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from councils.models import Role
from decisions.models import Recommendation
from restrictions.models import Appeal, ListIssue, Notice, Restriction, Status
from restrictions.services import list_issue, placement_check_log, restriction_suggest
from tests.concerns.pages.helpers import by_testid, html
from tests.factories import LocationFactory
from tests.restrictions.conftest import (
    CONTACT,
    lift,
    propose,
    put_in_place,
    tell_provider,
    two_services,
)

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role.values)
STAFF = [r for r in ALL_ROLES if r != Role.EXTERNAL]  # a partner on a board sees its board only
READERS = {
    Role.OFFICER,
    Role.MANAGER,
    Role.DECISION_MAKER,
    Role.COUNCIL_ADMIN,
    Role.AUDITOR,
    Role.BOARD_MEMBER,
}


def today():
    return timezone.localdate()


def error_summary(response) -> str:
    """The GOV.UK error summary of a page that failed (400), with "Error: " in its title."""
    assert response.status_code == 400, response.status_code
    page = response.content.decode()
    assert "<title>Error: " in page
    start = page.index('<div class="govuk-error-summary"')
    return page[start : page.index("</ul>", start)]


def propose_form(**changes) -> dict:
    """West Berkshire's proposal (004 18.1): reasons, the CQC report and the improvement
    plan, and whom to call first."""
    return {
        "level": "suspended",
        "scope": "location",
        "reasons": "Rated Inadequate in Safe; the improvement plan is failing.",
        "ev_cqc_report_note": "Report of 2 November",
        "ev_cqc_report_url": "https://www.cqc.org.uk/location/1-101641361",
        "ev_improvement_plan_note": "Plan of 5 January, failing",
        "contact_name": "Sam Taylor",
        "contact_phone": "01635 519 000",
        "contact_email": "sam@example.gov.uk",
        **changes,
    }


# --- the council's restrictions --------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_restrictions_page_per_role(role, wb, signed_in):
    r = put_in_place(wb, location=LocationFactory(name="Kennet View Nursing Home"))
    client = signed_in(wb.by_role[role])
    response = client.get("/restrictions/")
    detail = client.get(f"/restrictions/{r.pk}/")
    if role not in READERS:
        assert (response.status_code, detail.status_code) == (403, 403)
        return
    table = by_testid(html(response), "restrictions")
    assert r.reference in table and "Kennet View Nursing Home" in table
    assert '<strong class="govuk-tag govuk-tag--red">Embargo</strong>' in table
    assert "Shown to other councils" in table
    assert detail.status_code == 200


def test_the_restrictions_page_filters_by_status_and_search(wb, signed_in):
    active = put_in_place(wb, location=LocationFactory(name="Active House"))
    waiting = propose(wb, location=LocationFactory(name="Waiting House"))
    client = signed_in(wb.officer)
    suggested_page = html(client.get("/restrictions/?status=proposed"))
    assert waiting.reference in suggested_page and active.reference not in suggested_page
    found = html(client.get("/restrictions/?status=all&q=Active"))
    assert active.reference in found and waiting.reference not in found


# --- one restriction -------------------------------------------------------------------------


def test_the_restriction_page_shows_it_in_the_councils_words_with_what_waits(wb, signed_in):
    r = put_in_place(wb, location=LocationFactory(name="Kennet View Nursing Home"))
    page = html(signed_in(wb.officer).get(f"/restrictions/{r.pk}/"))
    assert '<h1 class="govuk-heading-l">Embargo: Kennet View Nursing Home</h1>' in page
    assert by_testid(page, "restriction-status").endswith("In place")
    assert f"{r.level_since:%-d %B %Y}, decided by" in page
    assert CONTACT["name"] in page and CONTACT["phone"] in page
    # Cited by the council's document, not the seed's number (issue 13).
    assert "Shown to other councils (West Berkshire Care Quality Team process, 19.3)" in page
    notices = by_testid(page, "notices")
    assert "Decision letter to the provider, with the reasons and the right to appeal" in notices
    assert "(West Berkshire Care Quality Team process, 19.1)" in notices
    timers = by_testid(page, "timers")
    assert "Tell the provider of the decision in writing" in timers
    history = by_testid(page, "history")
    assert "Proposed" in history and "Put in place" in history
    # The officer may ask to change or lift it (004 20.4) and review it (004 20.1).
    assert f'href="/restrictions/{r.pk}/change/"' in page
    assert f'href="/restrictions/{r.pk}/change/?lift=1"' in page
    assert "Record a review" in page


def test_an_unshared_councils_restriction_page_says_so(somerset, signed_in):
    r = put_in_place(somerset, location=LocationFactory())
    page = html(signed_in(somerset.officer).get(f"/restrictions/{r.pk}/"))
    assert "Not shared: the council&#x27;s policy shares no restrictions" in page or (
        "Not shared: the council's policy shares no restrictions" in page
    )


def test_an_auditor_reads_the_restriction_page_but_changes_nothing(wb, signed_in):
    r = put_in_place(wb, location=LocationFactory())
    client = signed_in(wb.auditor)
    page = html(client.get(f"/restrictions/{r.pk}/"))
    assert "Record a review" not in page and "/change/" not in page
    notice = r.notices.first()
    for data in (
        {"action": "review", "rv-note": "x", "rv-next_review_on": "2099-01-01"},
        {"action": "contact", "ct-contact_name": "x"},
        {"action": f"sent-{notice.pk}", f"n{notice.pk}-sent_on": today(), f"n{notice.pk}-how": "x"},
    ):
        assert client.post(f"/restrictions/{r.pk}/", data).status_code == 403
    r.refresh_from_db()
    notice.refresh_from_db()
    assert (r.contact_name, notice.status) == (CONTACT["name"], "requested")


def test_recording_a_review_on_the_page(wb, signed_in):
    r = put_in_place(wb, location=LocationFactory())
    client = signed_in(wb.officer)
    failed = client.post(f"/restrictions/{r.pk}/", {"action": "review", "rv-note": ""})
    summary = error_summary(failed)
    assert '<a href="#id_rv-note">Say what the review found</a>' in summary
    assert '<a href="#id_rv-next_review_on_0">Set the next review date</a>' in summary
    past = client.post(
        f"/restrictions/{r.pk}/",
        {"action": "review", "rv-note": "On track", "rv-next_review_on": "2020-01-01"},
    )
    assert "The review date cannot be in the past." in error_summary(past)
    next_review = today() + dt.timedelta(days=30)
    done = client.post(
        f"/restrictions/{r.pk}/",
        {"action": "review", "rv-note": "On track", "rv-next_review_on": next_review.isoformat()},
    )
    assert done.status_code == 302
    r.refresh_from_db()
    assert r.review_on == next_review


def test_changing_whom_to_call_on_the_page(wb, signed_in):
    r = put_in_place(wb, location=LocationFactory())
    client = signed_in(wb.manager)
    failed = client.post(
        f"/restrictions/{r.pk}/", {"action": "contact", "ct-contact_email": "not an email"}
    )
    assert 'href="#id_ct-contact_email"' in error_summary(failed)
    done = client.post(
        f"/restrictions/{r.pk}/",
        {
            "action": "contact",
            "ct-contact_name": "Jo Bloggs",
            "ct-contact_phone": "01635 000 111",
            "ct-exceptions": "Increases to existing packages",
        },
    )
    assert done.status_code == 302
    r.refresh_from_db()
    assert (r.contact_name, r.contact_phone, r.exceptions) == (
        "Jo Bloggs",
        "01635 000 111",
        "Increases to existing packages",
    )


def test_recording_the_decision_letter_sent_on_the_page(wb, signed_in):
    """004 19.1: "notify the Provider of such a decision in writing within five working
    days"."""
    r = put_in_place(wb, location=LocationFactory())
    letter = r.notices.get(audience="provider")
    client = signed_in(wb.officer)
    url = f"/restrictions/{r.pk}/"
    failed = client.post(url, {"action": f"sent-{letter.pk}", f"n{letter.pk}-sent_on": ""})
    summary = error_summary(failed)
    assert f'<a href="#id_n{letter.pk}-sent_on_0">Enter the date it was sent</a>' in summary
    assert f'<a href="#id_n{letter.pk}-how">Say how it was sent</a>' in summary
    done = client.post(
        url,
        {
            "action": f"sent-{letter.pk}",
            f"n{letter.pk}-sent_on": today().isoformat(),
            f"n{letter.pk}-how": "Letter by email",
        },
    )
    assert done.status_code == 302
    letter.refresh_from_db()
    assert (letter.status, letter.sent_how) == ("sent", "Letter by email")
    page = html(client.get(url))
    assert "The provider may appeal until" in page
    assert "Record the provider&#x27;s appeal" in page or "Record the provider's appeal" in page


def test_the_proposer_withdraws_on_the_page(wb, signed_in):
    r = propose(wb)
    client = signed_in(wb.officer)
    page = html(client.get(f"/restrictions/{r.pk}/"))
    assert "Withdraw this proposal" in page
    failed = client.post(f"/restrictions/{r.pk}/", {"action": "withdraw", "wd-reason": ""})
    assert '<a href="#id_wd-reason">Give the reason</a>' in error_summary(failed)
    done = client.post(f"/restrictions/{r.pk}/", {"action": "withdraw", "wd-reason": "Resolved"})
    assert done.status_code == 302
    r.refresh_from_db()
    assert r.status == Status.WITHDRAWN
    # Someone else sees no withdraw form, and may not.
    other = propose(wb, location=LocationFactory())
    assert "Withdraw this proposal" not in html(
        signed_in(wb.manager).get(f"/restrictions/{other.pk}/")
    )


def test_a_suggestion_is_taken_up_or_dismissed_on_the_page(wb, signed_in):
    location = LocationFactory(name="Kennet View Nursing Home")
    s = restriction_suggest(
        council=wb.council,
        level="suspended",
        location=location,
        provider=location.provider,
        reason="Inadequate in Safe",
        origin="Inadequate in Safe (004 16.2)",
    )
    client = signed_in(wb.officer)
    page = html(client.get(f"/restrictions/{s.pk}/"))
    assert "Suggested by a rule: Inadequate in Safe (004 16.2)" in page
    assert f'href="/restrictions/new/?suggestion={s.pk}"' in page
    assert "Dismiss this suggestion" in page
    new = html(client.get(f"/restrictions/new/?suggestion={s.pk}"))
    assert "Suggested by a rule: Inadequate in Safe (004 16.2)." in new
    done = client.post(f"/restrictions/new/?suggestion={s.pk}", propose_form())
    assert done.status_code == 302, error_summary(done)
    s.refresh_from_db()
    assert s.status == Status.PROPOSED
    assert client.get(f"/restrictions/new/?suggestion={s.pk}").status_code == 404


def test_dismissing_a_suggestion_on_the_page(wb, signed_in):
    location = LocationFactory()
    s = restriction_suggest(
        council=wb.council,
        level="caution",
        location=location,
        provider=location.provider,
        reason="RI in two key questions",
        origin="004 16.3",
    )
    client = signed_in(wb.officer)
    done = client.post(f"/restrictions/{s.pk}/", {"action": "dismiss", "wd-reason": "Appealed"})
    assert done.status_code == 302
    s.refresh_from_db()
    assert s.status == Status.WITHDRAWN


# --- proposing -------------------------------------------------------------------------------


def test_the_propose_page_offers_the_councils_levels_and_sends_for_a_decision(wb, signed_in):
    location = LocationFactory(name="Kennet View Nursing Home")
    client = signed_in(wb.officer)
    page = html(client.get(f"/restrictions/new/?location={location.pk}"))
    assert "Put a restriction in place" in page
    for label in ("Place with Caution", "Embargo", "Commissioning terminated"):
        assert label in page
    assert "No Restrictions on Placements" not in page
    assert "All of the provider&#x27;s services" in page or "All of the provider's services" in page
    response = client.post(f"/restrictions/new/?location={location.pk}", propose_form())
    assert response.status_code == 302
    r = Restriction.objects.get()
    assert response["Location"] == f"/restrictions/{r.pk}/"
    assert (r.status, r.level, r.location_id, r.contact_name) == (
        Status.PROPOSED,
        "suspended",
        location.pk,
        "Sam Taylor",
    )
    assert {e["kind"] for e in r.evidence} == {"cqc_report", "improvement_plan"}
    assert Recommendation.objects.get(pk=r.recommendation_id).is_pending


def test_proposing_for_all_the_providers_services_on_the_page(wb, signed_in):
    provider, first, second = two_services()
    response = signed_in(wb.officer).post(
        f"/restrictions/new/?location={first.pk}", propose_form(scope="provider")
    )
    assert response.status_code == 302
    r = Restriction.objects.get()
    assert (r.location_id, r.provider_id) == (None, provider.pk)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reasons": ""}, "reasons", "Give the reasons"),
        ({"level": ""}, "level", "Choose the restriction"),
        ({"ev_cqc_report_note": "", "ev_cqc_report_url": ""}, "ev_cqc_report_note", "Add “"),
        ({"contact_email": "not an email"}, "contact_email", ""),
        ({"contact_phone": "call me"}, "contact_phone", "Enter a telephone number"),
        ({"review_on": "2020-01-01"}, "review_on", "The review date cannot be in the past."),
    ],
)
def test_a_bad_proposal_shows_the_error_summary_naming_the_field(
    changes, field, message, wb, signed_in
):
    location = LocationFactory()
    response = signed_in(wb.officer).post(
        f"/restrictions/new/?location={location.pk}", propose_form(**changes)
    )
    summary = error_summary(response)
    assert f'href="#id_{field}' in summary, summary
    assert message in summary
    assert not Restriction.objects.exists()


def test_a_second_proposal_on_the_page_says_what_is_already_there(wb, signed_in):
    location = LocationFactory()
    first = propose(wb, location=location)
    response = signed_in(wb.officer).post(
        f"/restrictions/new/?location={location.pk}", propose_form()
    )
    summary = error_summary(response)
    assert first.reference in summary and "change its level instead" in summary
    assert Restriction.objects.count() == 1


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_propose_page_per_role(role, wb, signed_in):
    """The page is for those who may ask (restrictions.propose); West Berkshire's pack then
    says only the CQO asks (004 18.1)."""
    location = LocationFactory()
    client = signed_in(wb.by_role[role])
    response = client.post(f"/restrictions/new/?location={location.pk}", propose_form())
    if role == Role.OFFICER:
        assert response.status_code == 302
        assert Restriction.objects.count() == 1
    elif role in (Role.MANAGER, Role.DECISION_MAKER):
        # Issue 11, 11: what a role may not do is 403 on a page too, with the reason.
        assert response.status_code == 403
        page = response.content.decode()
        assert "Only " in page and " may put a restriction in place." in page
        assert not Restriction.objects.exists()
    else:
        assert response.status_code == 403
        assert not Restriction.objects.exists()


def test_the_propose_page_for_an_unknown_service_is_404(wb, signed_in):
    client = signed_in(wb.officer)
    assert client.get("/restrictions/new/?location=999999").status_code == 404
    assert client.get("/restrictions/new/").status_code == 404
    assert client.get("/restrictions/new/?suggestion=999999").status_code == 404


# --- changing and lifting --------------------------------------------------------------------


def test_the_change_page_sends_a_downgrade_for_a_decision(wb, signed_in):
    r = put_in_place(wb, location=LocationFactory())
    client = signed_in(wb.officer)
    page = html(client.get(f"/restrictions/{r.pk}/change/"))
    assert "Downgrade or change the restriction" in page
    assert "Place with Caution" in page
    failed = client.post(f"/restrictions/{r.pk}/change/", {"level": "caution", "reasons": ""})
    summary = error_summary(failed)
    assert '<a href="#id_reasons">Give the reasons</a>' in summary
    assert 'href="#id_ev_cqc_report_note"' in summary
    done = client.post(
        f"/restrictions/{r.pk}/change/",
        {
            "level": "caution",
            "reasons": "Improving: the plan is on track",
            "ev_cqc_report_url": "https://www.cqc.org.uk/location/1-1",
            "ev_improvement_plan_note": "Plan met in part",
        },
    )
    assert done.status_code == 302
    rec = Recommendation.objects.get(kind="restriction_change")
    assert (rec.key, rec.proposal["level"]) == ("change", "caution")


def test_the_lift_page(wb, signed_in):
    r = put_in_place(wb, location=LocationFactory())
    client = signed_in(wb.officer)
    page = html(client.get(f"/restrictions/{r.pk}/change/?lift=1"))
    assert '<h1 class="govuk-heading-l">Lift the restriction</h1>' in page
    assert 'type="radio" value="none" checked>' in page
    assert "No Restrictions on Placements" in page
    failed = client.post(f"/restrictions/{r.pk}/change/?lift=1", {"reasons": "Sustained"})
    assert '<a href="#id_level_0">Choose what to change it to</a>' in error_summary(failed)


def test_the_change_page_of_a_restriction_not_in_place_is_404(wb, signed_in):
    client = signed_in(wb.officer)
    assert client.get(f"/restrictions/{propose(wb).pk}/change/").status_code == 404
    lifted = lift(wb, put_in_place(wb, location=LocationFactory()))
    assert client.get(f"/restrictions/{lifted.pk}/change/").status_code == 404


def test_a_hold_refuses_lifting_on_the_change_page_naming_the_day(somerset, signed_in):
    """003 2.5: at least six months after compliance."""
    r = put_in_place(somerset, location=LocationFactory())
    hold_until = today() + dt.timedelta(days=120)
    Restriction.objects.filter(pk=r.pk).update(hold_until=hold_until)
    response = signed_in(somerset.officer).post(
        f"/restrictions/{r.pk}/change/?lift=1",
        {"level": "none", "reasons": "Compliant", "ev_meeting_notes_note": "QIM of today"},
    )
    summary = error_summary(response)
    assert f"{hold_until:%-d %B %Y}" in summary and "003 2.5" in summary


# --- appeals (004 19.2) ----------------------------------------------------------------------


def test_the_appeal_page_before_the_letter_says_to_record_it_first(wb, signed_in):
    r = put_in_place(wb, location=LocationFactory())
    page = html(signed_in(wb.officer).get(f"/restrictions/{r.pk}/appeal/"))
    assert "The decision letter is not recorded as sent" in page


def test_a_late_appeal_on_the_page_names_the_last_day(wb, signed_in):
    """004 19.2: "within 5 working days": a letter of Thursday 27 August 2026 may be appealed
    until Friday 4 September (Monday 31 August a bank holiday)."""
    r = put_in_place(wb, location=LocationFactory())
    Notice.objects.filter(restriction=r).update(
        requested_at=dt.datetime(2026, 8, 20, tzinfo=dt.UTC)
    )
    tell_provider(wb, r, on=dt.date(2026, 8, 27))
    client = signed_in(wb.officer)
    page = html(client.get(f"/restrictions/{r.pk}/appeal/"))
    assert "Friday 4 September 2026" in page
    assert "Service Director of Adult Social Care" in page
    late = client.post(
        f"/restrictions/{r.pk}/appeal/",
        {"received_on": "2026-09-07", "grounds": "The findings are out of date"},
    )
    summary = error_summary(late)
    assert 'href="#id_received_on_0"' in summary
    assert "The appeal is late: it was due by Friday 4 September 2026" in summary
    assert not Appeal.objects.exists()
    missing = client.post(f"/restrictions/{r.pk}/appeal/", {"received_on": "", "grounds": ""})
    summary = error_summary(missing)
    assert '<a href="#id_received_on_0">Enter the date the appeal was received</a>' in summary
    assert '<a href="#id_grounds">Give the provider&#x27;s reasons</a>' in summary or (
        "Give the provider's reasons" in summary
    )
    on_time = client.post(
        f"/restrictions/{r.pk}/appeal/",
        {"received_on": "2026-09-04", "grounds": "The findings are out of date"},
    )
    assert on_time.status_code == 302
    assert Appeal.objects.get().received_on == dt.date(2026, 9, 4)


def test_the_appeal_page_is_404_where_the_pack_has_no_appeals(bedford, signed_in):
    r = put_in_place(bedford, location=LocationFactory(), told=True)
    assert signed_in(bedford.officer).get(f"/restrictions/{r.pk}/appeal/").status_code == 404


def test_placement_staff_and_auditors_may_not_record_appeals(wb, signed_in):
    r = put_in_place(wb, location=LocationFactory(), told=True)
    for person in (wb.placement, wb.auditor, wb.board):
        response = signed_in(person).post(
            f"/restrictions/{r.pk}/appeal/", {"received_on": today().isoformat(), "grounds": "x"}
        )
        assert response.status_code == 403
    assert not Appeal.objects.exists()


# --- lists -----------------------------------------------------------------------------------


def test_issuing_a_list_on_the_lists_page_and_reading_the_issue(wb, signed_in):
    """004 19.3: the Providers with Restrictions List, subject to FOI and shared with the CQC
    and health."""
    provider, first, second = two_services()
    put_in_place(wb, location=first)
    put_in_place(wb, location=LocationFactory(name="Thatcham House"), level="caution")
    client = signed_in(wb.officer)
    page = html(client.get("/restriction-lists/"))
    assert "Providers with Restrictions List" in page and "Not issued yet." in page
    response = client.post("/restriction-lists/", {"list": "providers_with_restrictions"})
    assert response.status_code == 302
    issue = ListIssue.objects.get()
    assert response["Location"] == f"/restriction-lists/issues/{issue.pk}/"
    page = html(client.get(response["Location"]))
    assert "Subject to freedom of information requests" in by_testid(page, "marking")
    assert "Providers with Restrictions List (updated" in page
    assert "Kennet View Nursing Home" in by_testid(page, "section-suspended")
    assert "Thatcham House" in by_testid(page, "section-caution")
    assert CONTACT["name"] in page and CONTACT["phone"] in page
    assert "carequality@westberks.gov.uk" in page
    assert f'href="/restriction-lists/issues/{issue.pk}/csv/"' in page
    assert f"No. 1, {issue.issued_on:%-d %B %Y}" in html(client.get("/restriction-lists/"))


def test_the_issue_as_csv(somerset, signed_in):
    """003 memo: CONFIDENTIAL; by area; the service type code, name and address, the contact
    and telephone, the date added."""
    location = LocationFactory(
        name="Quantock House",
        postcode="TA1 2AB",
        postcode_key="TA12AB",
        address_line1="1 High Street",
        town="Taunton",
    )
    r = put_in_place(somerset, location=location)
    issue = list_issue(
        council=somerset.council, actor=somerset.officer, list_key="managed_placements_memo"
    )
    response = signed_in(somerset.placement).get(f"/restriction-lists/issues/{issue.pk}/csv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{issue.reference}.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["CONFIDENTIAL"]
    assert rows[1][0].startswith("Managed Placements Memo, no. 1")
    text = response.content.decode()
    for value in ("Quantock House", "Taunton", "RED - NOT CURRENTLY PLACING", CONTACT["phone"]):
        assert value in text
    assert r.level_since.isoformat() in text or f"{r.level_since:%-d %B %Y}" in text


def test_the_memos_green_section_lists_what_was_removed_since_the_last_issue(somerset, signed_in):
    """003 memo: "GREEN ... restrictions have been removed since the last published list"."""
    location = LocationFactory(name="Quantock House", postcode="TA1 2AB", postcode_key="TA12AB")
    r = put_in_place(somerset, location=location)
    list_issue(council=somerset.council, actor=somerset.officer, list_key="managed_placements_memo")
    lift(somerset, r)
    second = list_issue(
        council=somerset.council, actor=somerset.officer, list_key="managed_placements_memo"
    )
    page = html(signed_in(somerset.placement).get(f"/restriction-lists/issues/{second.pk}/"))
    green = page[page.index("GREEN – RESTRICTIONS REMOVED, SCC NOW PLACING") :]
    assert "Quantock House" in green
    red = page[page.index("RED - NOT CURRENTLY PLACING") : page.index("GREEN – RESTRICTIONS")]
    assert "Quantock House" not in red


@pytest.mark.parametrize("role", STAFF)
def test_the_lists_per_role(role, wb, signed_in):
    """Everyone reads the lists (004 19.3: "Care Managers and Commissioning will consult this
    list"); officers and managers issue them."""
    issue = list_issue(council=wb.council, actor=wb.officer, list_key="providers_with_restrictions")
    client = signed_in(wb.by_role[role])
    page = html(client.get("/restriction-lists/"))
    assert html(client.get(f"/restriction-lists/issues/{issue.pk}/"))
    assert client.get(f"/restriction-lists/issues/{issue.pk}/csv/").status_code == 200
    may_issue = role in (Role.OFFICER, Role.MANAGER)
    assert ("Issue the Providers with Restrictions List now" in page) == may_issue
    response = client.post("/restriction-lists/", {"list": "providers_with_restrictions"})
    assert response.status_code == (302 if may_issue else 403)
    assert ListIssue.objects.count() == (2 if may_issue else 1)


def test_issuing_a_list_the_pack_does_not_name_is_404(wb, signed_in):
    response = signed_in(wb.officer).post("/restriction-lists/", {"list": "no_such_list"})
    assert response.status_code == 404
    assert not ListIssue.objects.exists()


def test_a_list_issued_at_the_same_moment_shows_the_error_summary(wb, signed_in, monkeypatch):
    """Two officers issuing at once: the second is told to look again, on the page."""
    from core.errors import Conflict
    from restrictions import views_lists as views

    def clash(**kwargs):
        raise Conflict("Someone issued this list at the same moment: look again.")

    monkeypatch.setattr(views, "list_issue", clash)
    response = signed_in(wb.officer).post(
        "/restriction-lists/", {"list": "providers_with_restrictions"}
    )
    summary = error_summary(response)
    assert "Someone issued this list at the same moment: look again." in summary


# --- the checks made -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_checks_page_per_role(role, wb, signed_in):
    location = LocationFactory(name="Willow House")
    put_in_place(wb, location=location)
    placement_check_log(
        council=wb.council,
        actor=wb.placement,
        via="page",
        query="Willow",
        found=1,
        shown=[],
    )
    response = signed_in(wb.by_role[role]).get("/placements/checks/")
    if role in (Role.MANAGER, Role.AUDITOR, Role.COUNCIL_ADMIN):
        page = html(response)
        assert "Willow" in page
    else:
        assert response.status_code == 403


# --- another council's ------------------------------------------------------------------------


def test_another_councils_restriction_pages_are_404(wb, bedford, signed_in):
    r = put_in_place(bedford, location=LocationFactory(), told=True)
    client = signed_in(wb.officer)
    for url in [
        f"/restrictions/{r.pk}/",
        f"/restrictions/{r.pk}/change/",
        f"/restrictions/{r.pk}/appeal/",
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/restrictions/{r.pk}/", {"action": "withdraw", "wd-reason": "x"}).status_code
        == 404
    )
    r.refresh_from_db()
    assert r.status == Status.ACTIVE
