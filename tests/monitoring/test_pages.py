"""Monitoring pages: commissioning and intelligence on the location page, the log's forms."""

import datetime as dt
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import Role
from monitoring.models import (
    Commissioning,
    Intelligence,
    IntelligenceAttachment,
    IntelligenceCorrection,
    Outcome,
    Source,
)
from monitoring.services import attachment_add, intelligence_set_outcome
from tests.factories import LocationFactory, ProviderFactory
from tests.monitoring.helpers import commission, log, today

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return html.unescape(response.content.decode())


# === Pages ==============================================================================


@pytest.fixture
def oak(council_a):
    """A Bromley location the council commissions on a block contract, all its beds."""
    location = LocationFactory(name="Oak Lodge")
    commission(council_a, location, contract_type="block", beds=30, people=30)
    commission(council_a, beds=70, people=70)
    return location


def test_location_page_shows_the_councils_commissioning_and_position(oak, officer_a, signed_in):
    text = page(signed_in(officer_a).get(f"/locations/{oak.pk}/"))
    assert "Bromley’s record" in text
    assert "High impact" in text and "Market risk" in text
    assert "30% of the council's beds (30 of 100); the threshold is 10% (001 3.1)" in text
    assert "30% of the council's people funded (30 of 100)" in text
    assert "Block contract (000 3.i)" in text
    assert "Block, in the council's area" in text
    assert "Change commissioning" in text and "Log intelligence" in text


def test_location_page_without_commissioning(council_a, officer_a, signed_in):
    location = LocationFactory()
    text = page(signed_in(officer_a).get(f"/locations/{location.pk}/"))
    assert "has not recorded commissioning here" in text
    assert "High impact" not in text and "Market risk" not in text
    assert "Record commissioning" in text
    assert "No intelligence logged." in text


def test_location_page_shows_the_councils_own_items_only(
    oak, council_a, council_b, officer_a, signed_in
):
    mine = log(council_a, location=oak)
    whole = log(council_a, provider=oak.provider, source=Source.WHISTLEBLOWING)
    theirs = log(council_b, location=oak)
    theirs.reference = "INT-THEIRS"
    theirs.save()
    settled = log(council_a, location=oak)
    intelligence_set_outcome(item=settled, actor=None, outcome=Outcome.NOT_LIABLE, reason="r")
    text = page(signed_in(officer_a).get(f"/locations/{oak.pk}/"))
    assert mine.reference in text and whole.reference in text
    assert "(all the provider's services)" in text
    assert "INT-THEIRS" not in text
    assert "Not counted" in text


def test_placement_staff_see_commissioning_but_not_intelligence(oak, council_a, member, signed_in):
    item = log(council_a, location=oak)
    client = signed_in(member(council_a, Role.PLACEMENT))
    text = page(client.get(f"/locations/{oak.pk}/"))
    assert "High impact" in text and "Block contract (000 3.i)" in text
    assert "Change commissioning" not in text
    assert "Log intelligence" not in text and item.reference not in text
    assert client.get("/intelligence/").status_code == 403
    assert client.get(f"/intelligence/{item.pk}/").status_code == 403
    assert client.get(f"/locations/{oak.pk}/intelligence/new/").status_code == 403
    assert client.get(f"/locations/{oak.pk}/commissioning/").status_code == 403


def test_commissioning_form(council_a, officer_a, signed_in):
    location = LocationFactory()
    client = signed_in(officer_a)
    url = f"/locations/{location.pk}/commissioning/"
    assert client.get(url).status_code == 200
    data = {
        "contract_type": "block",
        "in_area": "True",
        "annual_spend": "120000",
        "beds": "-1",
        "home_care_hours": "0",
        "people": "12",
        "specialist_service": "",
        "contact_officer": "",
    }
    bad = page(client.post(url, data))
    assert "There is a problem" in bad and 'href="#id_beds"' in bad
    assert not Commissioning.objects.exists()
    response = client.post(url, {**data, "beds": "12", "contact_officer": officer_a.pk})
    assert response.status_code == 302 and response["Location"] == f"/locations/{location.pk}/"
    saved = Commissioning.objects.get()
    assert (saved.council, saved.beds, saved.contact_officer) == (council_a, 12, officer_a)
    assert 'value="120000.00"' in client.get(url).content.decode()  # the form shows it again


LOG_FORM = {
    "source": "complaint",
    "severity": "medium",
    "themes": ["medication"],
    "narrative": "Missed medication",
    "allocated_to": "",
}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"received_on": "tomorrow"}, "received_on_0"),
        ({"received_on": "31/02/2025"}, "received_on_0"),
        ({"narrative": ""}, "narrative"),
        ({"severity": "apocalyptic"}, "severity_0"),
    ],
)
def test_log_intelligence_form_errors_link_to_the_field(
    changes, field, council_a, officer_a, signed_in
):
    location = LocationFactory()
    if changes.get("received_on") == "tomorrow":
        changes = {"received_on": (today() + dt.timedelta(days=1)).isoformat()}
    data = {**LOG_FORM, "received_on": today().isoformat(), **changes}
    response = signed_in(officer_a).post(f"/locations/{location.pk}/intelligence/new/", data)
    assert response.status_code == 200
    text = page(response)
    assert "<title>Error: Log intelligence" in text
    assert "There is a problem" in text and f'href="#id_{field}"' in text
    assert not Intelligence.objects.exists()


def test_a_theme_error_links_to_the_checkboxes(council_a, officer_a, signed_in):
    location = LocationFactory()
    data = {**LOG_FORM, "received_on": today().isoformat(), "themes": ["gardening"]}
    response = signed_in(officer_a).post(f"/locations/{location.pk}/intelligence/new/", data)
    text = page(response)
    assert "There is a problem" in text and "gardening is not one of" in text
    assert not Intelligence.objects.exists()
    assert 'href="#id_themes_0"' in text


def test_logging_intelligence_redirects_to_the_item(council_a, officer_a, signed_in):
    location = LocationFactory(name="Oak Lodge")
    client = signed_in(officer_a)
    response = client.post(
        f"/locations/{location.pk}/intelligence/new/",
        {**LOG_FORM, "received_on": today().isoformat(), "allocated_to": officer_a.pk},
    )
    item = Intelligence.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/intelligence/{item.pk}/"
    assert (item.location, item.allocated_to, item.themes) == (location, officer_a, ["medication"])
    text = page(client.get(response["Location"]))
    assert item.reference in text and "Medication" in text and "Missed medication" in text
    whole = client.post(
        f"/locations/{location.pk}/intelligence/new/",
        {**LOG_FORM, "received_on": today().isoformat(), "whole_provider": "on"},
    )
    assert whole.status_code == 302
    assert Intelligence.objects.get(location__isnull=True).provider == location.provider


def test_outcome_form_on_the_item_page(item, officer_a, signed_in):
    client = signed_in(officer_a)
    url = f"/intelligence/{item.pk}/"
    bad = client.post(
        url,
        {
            "action": "outcome",
            "outcome-outcome": "upheld",
            "outcome-reason": "r",
            "outcome-outcome_on": (today() - dt.timedelta(days=5)).isoformat(),
        },
    )
    text = page(bad)
    assert bad.status_code == 200 and "There is a problem" in text
    assert 'href="#id_outcome-outcome_on_0"' in text
    assert "The outcome cannot come before the item was received." in text
    missing = page(client.post(url, {"action": "outcome", "outcome-outcome": "upheld"}))
    assert 'href="#id_outcome-reason"' in missing
    done = client.post(
        url,
        {
            "action": "outcome",
            "outcome-outcome": "provider_not_liable",
            "outcome-reason": "CQ1 letter",
        },
    )
    assert done.status_code == 302 and done["Location"] == url
    item.refresh_from_db()
    assert item.outcome == Outcome.NOT_LIABLE and item.counts_toward_risk is False
    text = page(client.get(url))
    assert "no longer counts in the risk figures" in text
    assert "CQ1 letter" in text  # the outcome's reason, in the corrections table


def test_correction_form_on_the_item_page(item, officer_a, signed_in):
    client = signed_in(officer_a)
    url = f"/intelligence/{item.pk}/"
    data = {
        "action": "correct",
        "correct-source": item.source,
        "correct-received_on": item.received_on.isoformat(),
        "correct-severity": "high",
        "correct-themes": ["medication", "staffing"],
        "correct-narrative": item.narrative,
        "correct-allocated_to": "",
        "correct-reason": "Manager's review",
    }
    no_reason = page(client.post(url, {**data, "correct-reason": ""}))
    assert "There is a problem" in no_reason and "Say why the item is being corrected" in no_reason
    assert '<details class="govuk-details" open>' in no_reason
    future = page(
        client.post(
            url, {**data, "correct-received_on": (today() + dt.timedelta(days=2)).isoformat()}
        )
    )
    assert 'href="#id_correct-received_on_0"' in future
    assert "The date received must be today or in the past." in future
    assert not IntelligenceCorrection.objects.exists()
    done = client.post(url, data)
    assert done.status_code == 302
    rows = IntelligenceCorrection.objects.filter(item=item).order_by("field")
    assert [(r.field, r.new_value) for r in rows] == [
        ("severity", "high"),
        ("themes", "medication, staffing"),
    ]
    text = page(client.get(url))
    assert "Manager's review" in text and "medication, staffing" in text


def test_item_page_ids_are_unique(item, officer_a, signed_in):
    text = signed_in(officer_a).get(f"/intelligence/{item.pk}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert [i for i in set(ids) if ids.count(i) > 1] == []


def test_attachment_form_and_download(item, officer_a, signed_in):
    client = signed_in(officer_a)
    url = f"/intelligence/{item.pk}/"
    bad = page(
        client.post(
            url, {"action": "attach", "attach-file": SimpleUploadedFile("payload.exe", b"MZ")}
        )
    )
    assert "There is a problem" in bad and 'href="#id_attach-file"' in bad
    empty = page(
        client.post(url, {"action": "attach", "attach-file": SimpleUploadedFile("e.txt", b"")})
    )
    assert 'href="#id_attach-file"' in empty
    nothing = page(client.post(url, {"action": "attach"}))
    assert "Select a file to attach" in nothing
    assert not IntelligenceAttachment.objects.exists()
    done = client.post(
        url, {"action": "attach", "attach-file": SimpleUploadedFile("notes.txt", b"visit notes")}
    )
    assert done.status_code == 302
    attachment = IntelligenceAttachment.objects.get()
    assert "notes.txt" in page(client.get(url))
    download = client.get(f"/intelligence/{item.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"visit notes"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="notes.txt"' in download["Content-Disposition"]


def test_another_councils_item_and_attachment_are_404(item, council_b, officer_a, signed_in):
    theirs = log(council_b)
    attachment = attachment_add(item=theirs, actor=None, filename="theirs.txt", content=b"secret")
    mine = attachment_add(item=item, actor=None, filename="mine.txt", content=b"mine")
    client = signed_in(officer_a)
    assert client.get(f"/intelligence/{theirs.pk}/").status_code == 404
    assert client.get(f"/intelligence/{theirs.pk}/attachments/{attachment.pk}/").status_code == 404
    # the attachment's id under one of my items is no way in either
    assert client.get(f"/intelligence/{item.pk}/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/intelligence/{theirs.pk}/attachments/{mine.pk}/").status_code == 404
    assert client.get(f"/intelligence/{item.pk}/attachments/{mine.pk}/").status_code == 200
    assert client.get("/intelligence/999999/").status_code == 404


def test_auditor_reads_items_but_cannot_change_them(item, council_a, member, signed_in):
    client = signed_in(member(council_a, Role.AUDITOR))
    text = page(client.get(f"/intelligence/{item.pk}/"))
    assert item.reference in text
    assert "Record the outcome" not in text and "Correct this item" not in text
    response = client.post(
        f"/intelligence/{item.pk}/", {"action": "outcome", "outcome": "upheld", "reason": "r"}
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.outcome == Outcome.OPEN
    assert "Log intelligence" not in page(client.get(f"/locations/{item.location_id}/"))


def test_intelligence_list_filters(council_a, council_b, officer_a, signed_in):
    oak = LocationFactory(name="Oak Lodge")
    mine = log(council_a, location=oak, allocated_to=officer_a, source=Source.WHISTLEBLOWING)
    other = log(council_a, location=LocationFactory(name="Elm House"))
    log(council_b, location=oak)
    client = signed_in(officer_a)
    everything = page(client.get("/intelligence/"))
    assert "2 items" in everything
    assert page(client.get("/intelligence/", {"q": "oak"})).count("Oak Lodge") == 1
    by_source = page(client.get("/intelligence/", {"source": "whistleblowing"}))
    assert mine.reference in by_source and other.reference not in by_source
    assert other.reference not in page(client.get("/intelligence/", {"mine": "on"}))
    by_ref = page(client.get("/intelligence/", {"q": other.reference}))
    assert "1 item" in by_ref and other.reference in by_ref


def _queries(client, url):
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/intelligence/", "/intelligence/?q=Location", "/intelligence/?outcome=upheld"]
)
def test_intelligence_list_runs_a_constant_number_of_queries(
    url, council_a, officer_a, member, signed_in
):
    client = signed_in(officer_a)
    people = [officer_a, member(council_a), member(council_a, Role.MANAGER)]

    def make(n):
        for i in range(n):
            made = log(
                council_a,
                location=LocationFactory() if i % 3 else None,
                provider=ProviderFactory() if not i % 3 else None,
                allocated_to=people[i % 3],
            )
            if i % 2:
                intelligence_set_outcome(item=made, actor=None, outcome="upheld", reason="r")

    make(3)
    few = _queries(client, url)
    make(24)
    assert _queries(client, url) == few


def test_location_page_runs_a_constant_number_of_queries(oak, council_a, officer_a, signed_in):
    client = signed_in(officer_a)
    url = f"/locations/{oak.pk}/"
    for _ in range(11):  # more than the ten shown: the page also counts them
        log(council_a, location=oak)
    few = _queries(client, url)
    for _ in range(20):
        log(council_a, location=oak, allocated_to=officer_a)
        log(council_a, provider=oak.provider)
    assert _queries(client, url) == few


def test_a_correction_keeps_the_allocation_of_someone_who_has_left(
    council_a, officer_a, member, signed_in
):
    """Correcting the severity of an item allocated to a former officer leaves the
    allocation alone."""
    from councils.models import Membership, Role

    leaver = member(council_a, Role.OFFICER)
    item = log(council_a, allocated_to=leaver)
    Membership.objects.filter(user=leaver).update(is_active=False)
    client = signed_in(officer_a)
    response = client.post(
        f"/intelligence/{item.pk}/",
        {
            "action": "correct",
            "correct-source": item.source,
            "correct-received_on": item.received_on.isoformat(),
            "correct-severity": "high",
            "correct-themes": item.themes,
            "correct-narrative": item.narrative,
            "correct-allocated_to": leaver.pk,
            "correct-reason": "Reassessed",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.severity, item.allocated_to) == ("high", leaver)
    assert [c.field for c in item.corrections.all()] == ["severity"]
