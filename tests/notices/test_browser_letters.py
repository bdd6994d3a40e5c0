"""Browser walk of the letters, time limits, account and webhooks pages in headless Chromium:
each checked by axe-core (WCAG 2.2 A and AA) at 1280 and 320 px wide, nothing wider than the
window at 320, and screenshots in test-artifacts/ for people to look at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.sweep import timers_advance
from tests.notices.conftest import case_letter, restriction_letter
from tests.test_browser import _at_both_widths, _shot, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_checks_issues_and_follows_up_a_letter(page, live_server, wb, willow):
    """What waits opens the start page; the letter is checked, corrected (the address) and
    issued; its PDF downloads; its receipt is recorded; the time limits show as they are."""
    from playwright.sync_api import expect

    letter = restriction_letter(wb, willow)
    timers_advance(now=timezone.now() + dt.timedelta(days=3))
    base = live_server.url
    refused = []  # the Content-Security-Policy blocks nothing the pages need (issue 11, 9)
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
    _sign_in(page, base, wb.officer)
    _at_both_widths(page, "40-start-waiting", lambda: page.goto(f"{base}/"))
    expect(page.get_by_test_id("waiting")).to_contain_text("letter to check and issue")
    page.get_by_role("link", name="1 letter to check and issue").click()
    _at_both_widths(page, "41-letters-waiting", lambda: page.goto(f"{base}/letters/"))
    page.get_by_role("link", name=letter.title).click()
    expect(page.get_by_test_id("letter-status")).to_contain_text("Ready to issue")
    _at_both_widths(page, "42-letter-draft", lambda: page.goto(f"{base}/letters/{letter.pk}/"))
    page.get_by_label("Postal address").fill("")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_test_id("issue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the postal address")
    _shot(page, "43-letter-refused.png")
    page.get_by_label("Postal address").fill("1 High Street\nNewbury\nRG14 1AA")
    page.get_by_label("Email address to send it to").fill("owner@willow.example")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("letter-status")).to_contain_text("Issued")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_text("Record that the provider confirmed receipt").click()
    today = timezone.localdate()
    confirmed = page.get_by_role("group", name="Date the provider confirmed receipt")
    confirmed.get_by_label("Day").fill(str(today.day))
    confirmed.get_by_label("Month").fill(str(today.month))
    confirmed.get_by_label("Year").fill(str(today.year))
    page.get_by_label("How they confirmed it").fill("Email from the owner")
    page.get_by_role("button", name="Record it").last.click()
    expect(page.get_by_test_id("letter-summary")).to_contain_text("Confirmed")
    _at_both_widths(page, "44-letter-issued", lambda: page.goto(f"{base}/letters/{letter.pk}/"))
    _at_both_widths(page, "45-my-time-limits", lambda: page.goto(f"{base}/timers/"))
    _at_both_widths(page, "46-account", lambda: page.goto(f"{base}/account/"))
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert refused == []


def test_managers_see_what_is_overdue_and_the_letters_of_a_case(
    page, live_server, somerset, willow
):
    from playwright.sync_api import expect

    letter = case_letter(somerset, willow, "rectification_notice")
    from concerns.models import Case
    from core.timers import timer_start

    timer_start(
        council=somerset.council,
        kind="concerns.deadline",
        subject=Case.objects.get(pk=letter.case_id),
        due_on=timezone.localdate() + dt.timedelta(days=14),
        label="Evidence sustained improvement to the Board",
        seed="003 Appendix 1 Table 4",
        owner=somerset.officer,
    )
    timers_advance(now=timezone.now() + dt.timedelta(days=40))
    base = live_server.url
    _sign_in(page, base, somerset.manager)
    _at_both_widths(page, "47-overdue", lambda: page.goto(f"{base}/timers/overdue/"))
    _at_both_widths(page, "48-case-letters", lambda: page.goto(f"{base}/cases/{letter.case_id}/"))
    expect(page.get_by_test_id("object-letters")).to_contain_text("Rectification Notice")
    page.goto(f"{base}/timers/overdue/")
    expect(page.get_by_test_id("timers")).to_contain_text("Evidence sustained improvement")


def test_an_admin_adds_a_webhook_and_reads_its_log(page, live_server, wb):
    from playwright.sync_api import expect

    base = live_server.url
    _sign_in(page, base, wb.admin)
    _at_both_widths(page, "49-webhooks", lambda: page.goto(f"{base}/webhooks/"))
    page.get_by_role("button", name="Add the webhook").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Name the system")
    page.get_by_label("Which system").fill("Mosaic")
    page.get_by_label("Address to send to").fill("https://mosaic.example.gov.uk/hooks/oversight")
    page.get_by_label("A restriction on placements changed").check()
    page.get_by_role("button", name="Add the webhook").click()
    expect(page.get_by_test_id("secret")).to_be_visible()
    _shot(page, "50-webhook-secret.png")
    page.get_by_role("link", name="Mosaic").click()
    _at_both_widths(page, "51-webhook-log", lambda: page.reload())


def test_the_forbidden_and_locked_out_pages(page, live_server, wb):
    """A role that may not see letters gets a GOV.UK 403 page; too many wrong passwords get the
    lockout page (issue 11)."""
    from playwright.sync_api import expect

    base = live_server.url
    _sign_in(page, base, wb.placement)
    _at_both_widths(page, "52-forbidden", lambda: page.goto(f"{base}/letters/"))
    expect(page.get_by_role("heading", name="You cannot do this")).to_be_visible()
    page.context.clear_cookies()
    for _ in range(6):
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Username").fill(wb.officer.username)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign-in is locked for now")).to_be_visible()
    _shot(page, "53-locked-out.png")
