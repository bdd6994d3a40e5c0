"""The reports' pages, downloads, board pack and API (issue 13, items 7-10): who may read
them, the period's errors, CSV and Excel equal to the figures, the PDF for a board (003 1.15),
tokens with `reports:read`, one council's rows never in another's report, a fixed number of
queries, and charts drawn as accessible SVG with no inline style (the CSP)."""

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import TimerStatus
from councils.models import Role
from decisions.models import Status as RecStatus
from monitoring.models import Rag, ReviewStatus, Source
from reporting.period import Period, period_of
from reporting.reports import market_figures, work_figures
from restrictions.models import Status
from tests.concerns.api.helpers import open_case
from tests.factories import LocationFactory, ProviderFactory
from tests.monitoring.helpers import log
from tests.reporting.helpers import (
    history,
    market_register,
    place,
    recommendation,
    restriction,
    review,
    timer,
)

pytestmark = pytest.mark.django_db

PAGES = ["/reports/", "/reports/market/", "/reports/work/", "/reports/board/"]
API = ["/api/v1/reports/market/", "/api/v1/reports/work/"]
SVG = "{http://www.w3.org/2000/svg}"


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


@pytest.fixture
def wb(load_pack):
    return load_pack("west-berkshire")


def own_work(council, who, n: int, *, start: int = 0, name: str = "Kennet"):
    """`n` of each of the council's own rows over the last months: risk history,
    intelligence, reviews, cases, restrictions, decisions and time limits."""
    rags = [Rag.RED, Rag.AMBER, Rag.GREEN]
    for i in range(start, start + n):
        provider = ProviderFactory(name=f"{name} {i} Care Ltd")
        loc = LocationFactory(provider=provider, name=f"{name} {i} House")
        history(council, loc, rags[i % 3], days_ago(3 + 17 * i % 300))
        log(
            council,
            location=loc,
            source=[Source.COMPLAINT, Source.CQC, Source.WHISTLEBLOWING][i % 3],
            received_on=today() - dt.timedelta(days=11 * i % 300),
            severity=["low", "high"][i % 2],
            themes=[["medication"], ["staffing", "falls"]][i % 2],
        )
        planned = today() - dt.timedelta(days=13 * i % 300)
        if i % 2:
            review(council, ReviewStatus.COMPLETED, planned, planned)
        else:
            review(council, ReviewStatus.PLANNED, planned)
        open_case(council, location=loc)
        imposed = today() - dt.timedelta(days=19 * i % 300)
        restriction(
            council,
            f"{council.code}-{i}",
            location=loc,
            level="suspended",
            status=Status.ACTIVE,
            decided_on=imposed,
            level_since=imposed,
        )
        recommendation(
            council,
            who,
            f"{council.code}-{i}",
            [RecStatus.APPROVED, RecStatus.REJECTED][i % 2],
            days_ago(40 + 7 * i % 250),
            days_ago(30 + 7 * i % 250),
            provider=provider,
        )
        timer(council, i, days_ago(5 + 23 * i % 300), TimerStatus.FIRED)


# Who may read the reports ---------------------------------------------------------------


def test_quality_staff_auditors_and_board_members_read_the_pages(wb, member, signed_in, client):
    client = signed_in(member(wb, Role.OFFICER))
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert b"Statistics for a board" in client.get("/reports/").content
    for role in (Role.MANAGER, Role.AUDITOR, Role.BOARD_MEMBER):
        client.logout()
        client = signed_in(member(wb, role))
        for url in ("/reports/", "/reports/work/"):
            assert client.get(url).status_code == 200, (role, url)


@pytest.mark.parametrize("role", [Role.PLACEMENT, Role.EXTERNAL])
def test_placement_staff_and_external_members_may_not(wb, member, signed_in, role):
    client = signed_in(member(wb, role))
    for url in [*PAGES, "/reports/board/pdf/", "/reports/work/?figure=rag&format=csv"]:
        assert client.get(url).status_code == 403, url


def test_someone_signed_out_is_asked_to_sign_in(wb, client):
    for url in [*PAGES, "/reports/board/pdf/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_an_unknown_report_is_not_found(wb, member, signed_in):
    assert signed_in(member(wb)).get("/reports/nope/").status_code == 404


# The period -------------------------------------------------------------------------------


PERIOD_ERRORS = [
    ("from=2024-13", "from", "Give a month as YYYY-MM"),
    ("from=April", "from", "Give a month as YYYY-MM"),
    ("to=2024-4", "to", "Give a month as YYYY-MM"),
    ("from=1998-12&to=2000-01", "from", "The period starts in 1999 or later."),
    ("to=2999-01", "to", "The period ends this month or earlier."),
    ("from=2024-06&to=2024-01", "from", "The period starts before it ends."),
    ("from=2010-01&to=2024-01", "from", "A report covers ten years at most."),
]


def test_a_period_that_cannot_be_read_is_400_naming_its_field_in_the_api(wb, api_as, member):
    api = api_as(member(wb))
    for query, field, message in PERIOD_ERRORS:
        for url in API:
            response = api.get(f"{url}?{query}")
            assert response.status_code == 400, (url, query)
            errors = response.json()["errors"]
            assert list(errors) == [field] and errors[field][0].startswith(message), query


def test_a_period_that_cannot_be_read_is_400_with_the_error_summary(wb, member, signed_in):
    """The GOV.UK error summary links to the field; the report shows the default period."""
    client = signed_in(member(wb))
    cases = [PERIOD_ERRORS[0], PERIOD_ERRORS[4], PERIOD_ERRORS[6]]
    pages = {"/reports/market/": cases, "/reports/work/": cases[:1], "/reports/board/": cases[1:2]}
    for url, wrong in pages.items():
        for query, field, message in wrong:
            response = client.get(f"{url}?{query}")
            assert response.status_code == 400, (url, query)
            page = response.content.decode()
            assert "govuk-error-summary" in page and "There is a problem" in page
            assert f'<a href="#period-{field}">{message}' in page, (url, query)
            assert f'id="period-{field}-error"' in page
            assert "<title>Error: " in page
    assert client.get("/reports/board/pdf/?to=2999-01").status_code == 400


def test_the_period_by_default_and_when_given(wb, api_as, member):
    body = api_as(member(wb)).get("/api/v1/reports/work/?from=2025-01&to=2025-03").json()
    assert (body["first"], body["last"]) == ("2025-01-01", "2025-03-31")
    default = period_of({}, default_months=12)
    assert default.last == today() and default.first == (
        dt.date(today().year - 1, today().month + 1, 1)
        if today().month < 12
        else dt.date(today().year, 1, 1)
    )


# Downloads --------------------------------------------------------------------------------


def _plain(value):
    """A cell as a spreadsheet reads it back: no value for empty, dates as dates."""
    if value in ("", None):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def test_each_figure_downloads_as_csv_and_excel_equal_to_its_rows(wb, member, signed_in):
    """Item 10: every report exports its figures to CSV and Excel."""
    officer = member(wb)
    market_register(wb)
    own_work(wb, officer, 4)
    client = signed_in(officer)
    wanted = {"market": ["good_share", "latest"], "work": ["rag", "intelligence_themes", "cases"]}
    for key, build, months in (("market", market_figures, 60), ("work", work_figures, 12)):
        period = period_of({}, default_months=months)
        for figure in build(council=wb, period=period):
            if figure.key not in wanted[key]:
                continue
            assert figure.rows, figure.key
            url = f"/reports/{key}/?figure={figure.key}"
            response = client.get(f"{url}&format=csv")
            assert response.status_code == 200, url
            assert response["Content-Type"].startswith("text/csv")
            assert f"{key}-{figure.key}-{wb.code}-" in response["Content-Disposition"]
            text = b"".join(response.streaming_content).decode("utf-8")
            assert text.startswith("\ufeff")
            got = list(csv.reader(io.StringIO(text[1:])))
            assert got[0] == figure.columns
            assert got[1:] == [[_csv_cell(v) for v in row] for row in figure.rows], figure.key
            response = client.get(f"{url}&format=xlsx")
            assert response.status_code == 200
            sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
            got = [list(r) for r in sheet.iter_rows(values_only=True)]
            assert got[0] == figure.columns
            assert [[_plain(v) for v in r] for r in got[1:]] == [
                [_plain(v) for v in row] for row in figure.rows
            ], figure.key
            # Dates (latest results), shares with None (no rating), words and numbers.
            wanted[key].remove(figure.key)
    assert wanted == {"market": [], "work": []}


def test_an_unknown_figure_is_not_found(wb, member, signed_in):
    client = signed_in(member(wb))
    for url in ["/reports/market/", "/reports/work/"]:
        assert client.get(f"{url}?figure=nope&format=csv").status_code == 404
        assert client.get(f"{url}?format=xlsx").status_code == 404
    # An unknown format is the page itself.
    assert client.get("/reports/work/?figure=rag&format=pdf").status_code == 200


# The board's pack (003 1.15) ----------------------------------------------------------------


def test_the_board_pack_as_a_pdf(load_pack, member, signed_in):
    """Item 9: the statistics pack for a chosen period, as a PDF through the letters app."""
    council = load_pack("somerset")
    officer = member(council)
    own_work(council, officer, 2, name="Quantock")
    response = signed_in(officer).get("/reports/board/pdf/?from=2026-01&to=2026-03")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    name = f"statistics-{council.code}-2026-01-2026-03.pdf"
    assert response["Content-Disposition"] == f'inline; filename="{name}"'


def test_somersets_board_pack_names_no_provider_and_west_berkshires_does(
    load_pack, member, signed_in, client
):
    """003 1.15: "This data does not identify specific providers or services" (Somerset's
    pack); West Berkshire's says nothing of it, so its pack names them. Both report pages
    name them."""
    somerset, west = load_pack("somerset"), load_pack("west-berkshire")
    for council, name in ((somerset, "Quantock"), (west, "Kennet")):
        officer = member(council)
        own_work(council, officer, 3, name=name)
        board = signed_in(officer).get("/reports/board/").content.decode()
        work = client.get("/reports/work/").content.decode()
        assert f"{name} 0 Care Ltd" in work
        if council == somerset:
            assert "Quantock" not in board and "Provider A" in board
            assert "Trend figures in this pack name no provider or service (" in board
        else:
            assert "Kennet 0 Care Ltd" in board and "Provider A" not in board
        client.logout()


# The API ------------------------------------------------------------------------------------


def test_the_api_per_role(wb, api, api_as, member):
    for url in API:
        assert api.get(url).status_code == 401
        for role in (Role.PLACEMENT, Role.EXTERNAL):
            assert api_as(member(wb, role)).get(url).status_code == 403
    officer = member(wb)
    own_work(wb, officer, 2)
    for role in (Role.OFFICER, Role.AUDITOR, Role.BOARD_MEMBER):
        body = api_as(member(wb, role)).get("/api/v1/reports/work/").json()
        assert body["report"] == "work" and len(body["figures"]) == 10
    body = api_as(officer).get("/api/v1/reports/market/?from=2024-01&to=2024-06").json()
    assert [f["key"] for f in body["figures"]] == ["good_share", "by_service", "latest", "map"]
    share = body["figures"][0]
    assert share["seed"] == "002 7" and share["columns"][0] == "Month"
    assert [r[0] for r in share["rows"]] == [
        f"{m} 2024" for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun")
    ]


def test_the_api_figures_equal_the_pages(wb, api_as, member):
    officer = member(wb)
    market_register(wb)
    own_work(wb, officer, 3)
    period = Period(dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    body = api_as(officer).get("/api/v1/reports/market/?from=2024-01&to=2024-06").json()
    assert body["figures"] == [f.as_dict() for f in market_figures(council=wb, period=period)]
    this = period_of({}, default_months=12)
    body = api_as(officer).get("/api/v1/reports/work/").json()
    assert body["figures"] == [f.as_dict() for f in work_figures(council=wb, period=this)]


def test_a_token_needs_reports_read(wb, api_token):
    reader = api_token(wb, ["reports:read"])
    for url in API:
        assert reader.get(url).status_code == 200, url
    other = api_token(wb, ["register:read"])
    for url in API:
        assert other.get(url).status_code == 403, url


# One council's rows never in another's report -------------------------------------------


def test_another_councils_rows_never_appear(wb, load_pack, member, signed_in, api_token, client):
    bromley = load_pack("bromley")
    own_work(wb, member(wb), 3, name="Kennet")
    own_work(bromley, member(bromley), 5, name="Ravensbourne")
    place(  # Bromley's own service, off the register, in West Berkshire
        "Ravensbourne Own Home",
        "West Berkshire",
        "South East",
        rated=[(today() - dt.timedelta(days=3), "Inadequate")],
        overall="Inadequate",
        owner=bromley,
        at=(-1.3, 51.4),
    )
    reader = api_token(wb, ["reports:read"])
    work = reader.get("/api/v1/reports/work/").json()
    market = reader.get("/api/v1/reports/market/").json()
    assert "Ravensbourne" not in repr(work) + repr(market)
    figures = {f["key"]: f for f in work["figures"]}
    assert sum(r[-1] for r in figures["intelligence_sources"]["rows"]) == 3
    assert sum(r[1] for r in figures["cases"]["rows"]) == 3
    assert sum(r[1] for r in figures["intelligence_providers"]["rows"]) == 3
    assert {f["key"]: f for f in market["figures"]}["map"]["rows"] == []
    client = signed_in(member(wb))
    for url in ["/reports/market/", "/reports/work/", "/reports/board/"]:
        assert "Ravensbourne" not in client.get(url).content.decode(), url
    theirs = api_token(bromley, ["reports:read"]).get("/api/v1/reports/work/").json()
    assert "Ravensbourne 0 Care Ltd" in repr(theirs) and "Kennet" not in repr(theirs)


# A fixed number of queries ------------------------------------------------------------------


def _register(n: int, start: int):
    for i in range(start, start + n):
        place(
            f"Register {i}",
            ["West Berkshire", "Reading", "Bromley"][i % 3],
            ["South East", "South East", "London"][i % 3],
            rated=[
                (today() - dt.timedelta(days=900 - 7 * i), "Requires improvement"),
                (today() - dt.timedelta(days=400 - 5 * i), "Good"),
                (today() - dt.timedelta(days=100 - i), ["Good", "Inadequate"][i % 2]),
            ],
            overall=["Good", "Inadequate"][i % 2],
            at=(-1.3 + i / 100, 51.4 + i / 100),
            types=[["Care home service with nursing"], ["Domiciliary care service"]][i % 2],
        )


@pytest.mark.parametrize("url", ["/reports/market/", "/reports/work/"])
def test_each_report_runs_the_same_queries_for_few_and_many_rows(wb, member, signed_in, url):
    officer = member(wb)
    client = signed_in(officer)
    _register(3, 0)
    own_work(wb, officer, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _register(18, 3)
    own_work(wb, officer, 14, start=2)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


# Charts: accessible SVG, no inline style ----------------------------------------------------


def _check_svg(text: str, where: str):
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg", where
    assert root.get("role") == "img", where
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and (title.text or "").strip(), where
    assert desc is not None and (desc.text or "").strip(), where
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}", where
    assert "style=" not in text, where
    for element in root.iter():
        assert "style" not in element.attrib, (where, element.tag)
        assert not element.tag.endswith("style"), where


def test_every_chart_is_accessible_svg_without_inline_style(wb, member, signed_in):
    """Item 10: charts drawn on the server with a title and a description, an image to
    assistive technology, and no `style` attribute (the Content-Security-Policy)."""
    officer = member(wb)
    market_register(wb)
    own_work(wb, officer, 6)
    period = period_of({}, default_months=60)
    figures = [
        *market_figures(council=wb, period=period),
        *work_figures(council=wb, period=period_of({}, default_months=12)),
    ]
    drawn = [f for f in figures if f.chart]
    assert {f.key for f in drawn} >= {"good_share", "by_service", "map", "rag", "cases"}
    for f in drawn:
        _check_svg(str(f.chart), f.key)
    client = signed_in(officer)
    for url in ["/reports/market/", "/reports/work/", "/reports/board/"]:
        page = client.get(url).content.decode()
        svgs = page.split("<svg")[1:]
        assert svgs, url
        ids = []
        for chunk in svgs:
            text = "<svg" + chunk[: chunk.index("</svg>") + len("</svg>")]
            _check_svg(text, url)
            ids.append(ET.fromstring(text).find(f"{SVG}title").get("id"))
        assert len(ids) == len(set(ids)), url  # each chart's title its own id on the page
