"""The letters' pages: those waiting and issued, one letter to check, correct and issue, its
PDF; what waits for each person counted on the start page and beside the navigation, in a
fixed number of queries; the time limits pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.sweep import timers_advance
from notices.models import IssuedLetter, LetterStatus
from restrictions.services import restriction_propose
from tests.factories import LocationFactory
from tests.notices.conftest import restriction_letter
from tests.restrictions.conftest import CONTACT, answers_for, evidence_for

pytestmark = pytest.mark.django_db


def test_letters_waiting_and_one_to_check_and_issue(wb, willow, signed_in):
    letter = restriction_letter(wb, willow)
    client = signed_in(wb.officer)
    listed = client.get("/letters/").content.decode()
    assert letter.reference in listed and "Ready to issue" in listed
    page = client.get(f"/letters/{letter.pk}/").content.decode()
    assert "Jane Owner" in page and "Preview the letter" in page and "None" not in page
    pdf = client.get(f"/letters/{letter.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf["Cache-Control"] == "no-store"
    saved = client.post(
        f"/letters/{letter.pk}/",
        {
            "action": "save",
            "addressee_organisation": "Willow Care Ltd",
            "address": "",
            "addressee_name": "Jane Owner",
        },
    )
    assert saved.status_code == 302
    refused = client.post(f"/letters/{letter.pk}/", {"action": "issue"})
    assert refused.status_code == 400
    assert "Enter the postal address" in refused.content.decode()
    client.post(
        f"/letters/{letter.pk}/",
        {"action": "save", "addressee_organisation": "Willow Care Ltd",
         "address": "1 High Street\nNewbury", "email": "owner@willow.example"},
    )  # fmt: skip
    assert client.post(f"/letters/{letter.pk}/", {"action": "issue"}).status_code == 302
    issued = client.get(f"/letters/{letter.pk}/").content.decode()
    assert "Download the PDF" in issued and "SHA-256" in issued
    assert "owner@willow.example" in issued


def test_people_who_may_not_issue_get_403(wb, willow, signed_in):
    letter = restriction_letter(wb, willow)
    auditor = signed_in(wb.auditor)
    assert auditor.get(f"/letters/{letter.pk}/").status_code == 200
    assert auditor.post(f"/letters/{letter.pk}/", {"action": "issue"}).status_code == 403
    assert not IssuedLetter.objects.exists()
    placement = signed_in(wb.placement)
    assert placement.get("/letters/").status_code == 403
    assert placement.get(f"/letters/{letter.pk}/pdf/").status_code == 403
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT


def _waiting(html: str) -> dict[str, int]:
    section = html.split('data-testid="waiting"', 1)[1].split("</section>", 1)[0]
    return {
        label.strip(): int(n)
        for n, label in re.findall(r'app-waiting__count">(\d+)</strong>([^<]+)</a>', section)
    }


def test_the_start_page_opens_with_what_waits_counted_in_the_navigation(wb, willow, signed_in):
    restriction_letter(wb, willow)
    page = signed_in(wb.officer).get("/").content.decode()
    waiting = _waiting(page)
    assert waiting["letter to check and issue"] == 1
    assert re.search(r'Letters <span class="app-nav-count">1', page)
    # The Head of Commissioning who decides restrictions sees what waits for their decision.
    restriction_propose(
        council=wb.council,
        actor=wb.officer,
        level="caution",
        location=None,
        provider=willow.provider,
        reasons="Concerns",
        evidence=evidence_for(wb.pack, "impose"),
        details=answers_for(wb.pack, "impose"),
        contact=CONTACT,
    )
    assert any(
        "waiting for you" in " ".join(_waiting(signed_in(u).get("/").content.decode()))
        for u in wb.posts.values()
    )


def test_the_start_page_counts_in_a_fixed_number_of_queries(wb, signed_in):

    client = signed_in(wb.officer)
    client.get("/")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(15):
        restriction_letter(wb, LocationFactory(name=f"Home {i}"))
    timers_advance(now=timezone.now() + dt.timedelta(days=40))
    assert count() == few


def test_my_time_limits_and_the_overdue_list(wb, willow, signed_in):
    restriction_letter(wb, willow)  # the provider to be told within 5 working days
    timers_advance(now=timezone.now() + dt.timedelta(days=30))
    overdue = signed_in(wb.manager).get("/timers/overdue/").content.decode()
    assert "Overdue" in overdue and "provider" in overdue.lower()
    assert signed_in(wb.placement).get("/timers/overdue/").status_code == 403
    mine = signed_in(wb.officer).get("/timers/")
    assert mine.status_code == 200


def test_the_account_page_chooses_how_one_is_told(wb, signed_in):
    client = signed_in(wb.officer)
    assert "daily" in client.get("/account/").content.decode().lower()
    assert client.post("/account/", {"notify_by": "daily"}).status_code == 302
    wb.officer.refresh_from_db()
    assert wb.officer.notify_by == "daily"
    assert client.post("/account/", {"notify_by": "hourly"}).status_code == 200
