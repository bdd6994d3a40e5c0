"""Every list for daily work downloads as CSV and Excel with the filters it shows (issue 13,
item 1): the same rows as the page, the council's words rather than codes, and text that
would run as a spreadsheet formula kept as text."""

import csv
import io

import openpyxl
import pytest

from councils.models import Role
from monitoring.models import Source
from tests.concerns.api.helpers import open_case
from tests.factories import LocationFactory
from tests.monitoring.helpers import log

pytestmark = pytest.mark.django_db


def _csv(answer) -> list[list[str]]:
    body = b"".join(answer.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def officer_client(client, load_pack, member):
    council = load_pack("west-berkshire")
    officer = member(council, Role.OFFICER)
    client.force_login(officer)
    client.council, client.officer = council, officer
    return client


def test_cases_download_with_the_pages_filters(officer_client):
    c = officer_client
    mine = open_case(
        c.council, location=LocationFactory(name="=HYPERLINK(1)"), lead_officer=c.officer
    )
    open_case(c.council, location=LocationFactory(name="Other Home"))
    rows = _csv(c.get("/cases/?mine=1&format=csv"))
    assert rows[0][:5] == ["Case", "Location", "Postcode", "Provider", "Stage"]
    assert [r[0] for r in rows[1:]] == [mine.reference]
    assert rows[1][1] == "'=HYPERLINK(1)"  # a formula is kept as text
    assert rows[1][4] != "informal" and rows[1][4]  # the stage in the council's words
    everyone = _csv(c.get("/cases/?format=csv"))
    assert len(everyone) == 3


def test_the_page_links_its_downloads_keeping_the_filters(officer_client):
    c = officer_client
    open_case(c.council, lead_officer=c.officer)
    page = c.get("/cases/?mine=1&page=1").content.decode()
    assert 'href="?mine=1&amp;format=csv"' in page
    assert 'href="?mine=1&amp;format=xlsx"' in page


def test_intelligence_downloads_as_excel_in_the_councils_words(officer_client):
    c = officer_client
    log(c.council, c.officer, source=Source.COMPLAINT, severity="high")
    log(c.council, c.officer, source=Source.WHISTLEBLOWING)
    answer = c.get(f"/intelligence/?source={Source.COMPLAINT}&format=xlsx")
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Reference" and len(rows) == 2
    assert rows[1][4] == Source.COMPLAINT.label
    assert rows[1][6] not in ("high", "")  # the pack's label for the severity


def test_reviews_alerts_and_restrictions_download(officer_client):
    c = officer_client
    for url in ("/reviews/", "/alerts/?status=all", "/restrictions/?status=all"):
        answer = c.get(f"{url}{'&' if '?' in url else '?'}format=csv")
        assert answer.status_code == 200, url
        assert answer["Content-Disposition"].startswith("attachment;"), url
        assert len(_csv(answer)) >= 1, url


def test_another_councils_rows_are_not_in_a_download(officer_client, load_pack):
    c = officer_client
    other = load_pack("bromley")
    open_case(other)
    assert len(_csv(c.get("/cases/?format=csv"))) == 1
