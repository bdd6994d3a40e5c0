"""Browser walks in headless Chromium (Playwright): sign in, search, open a location,
import a file; with the GOV.UK error summary and keyboard-only use. Screenshots of each
page go to test-artifacts/ at the root of the repository, for people to look at."""

import datetime as dt
import json
import re

import pytest

from councils.models import Role
from providers.models import KEY_QUESTIONS
from tests import browser_support
from tests.browser_support import (
    _at_both_widths,
    _choose,
    _date_in,
    _shot,
    _sign_in,
    _tab_to,
)
from tests.factories import PASSWORD, LocationFactory, ProviderFactory, RatingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The browser fixtures this module uses (pytest finds fixtures among a module's names); they
# and the helpers are shared with the other browser walks (tests/browser_support.py).
_async_unsafe_allowed = browser_support._async_unsafe_allowed
_fresh_cache = browser_support._fresh_cache
browser = browser_support.browser
page = browser_support.page


@pytest.fixture
def bromley(load_pack):
    return load_pack("bromley")


@pytest.fixture
def officer(bromley, member):
    return member(bromley, Role.OFFICER)


def _rated_location(name, history, **fields):
    """A location with its ratings, oldest first; its row carries the latest one."""
    location = LocationFactory(name=name, **fields)
    for report_date, overall, key_questions in history:
        RatingFactory(
            location=location,
            report_date=report_date,
            overall=overall,
            **dict(zip([field for field, _ in KEY_QUESTIONS], key_questions, strict=True)),
        )
    latest = location.ratings.order_by("-report_date").first()
    location.overall_rating = latest.overall if latest else ""
    location.rating_date = latest.report_date if latest else None
    location.save(update_fields=["overall_rating", "rating_date"])
    return location


@pytest.fixture
def register(bromley):
    provider = ProviderFactory(name="Shortlands Care Ltd", name_key="shortlands care ltd")
    good = "Good"
    ri = "Requires improvement"
    meadow = _rated_location(
        "Meadow View Care Home",
        [
            (dt.date(2019, 6, 3), good, [good] * 5),
            (dt.date(2022, 9, 14), ri, [ri, good, good, good, ri]),
            (dt.date(2025, 2, 20), "Inadequate", ["Inadequate", ri, good, ri, "Inadequate"]),
        ],
        provider=provider,
        postcode="BR2 0AB",
        postcode_key="BR20AB",
        address_line1="12 Meadow Lane",
        town="Bromley",
    )
    _rated_location(
        "Oak Lodge",
        [(dt.date(2023, 4, 1), "Outstanding", ["Good", "Outstanding", "Outstanding", good, good])],
        provider=provider,
    )
    _rated_location("Elm House", [(dt.date(2024, 11, 5), good, [good] * 5)])
    _rated_location("Birch Court", [])
    return {"meadow": meadow, "provider": provider}


def test_sign_in_search_and_open_a_location(page, live_server, bromley, officer, register):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page).to_have_title("Sign in – Oversight")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Oversight")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    _shot(page, "01-sign-in.png")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("current-council")).to_contain_text(bromley.name)
    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Providers and locations").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Providers and locations")
    expect(page.get_by_role("link", name="Providers and locations")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("#result-count")).to_have_text("4 locations")
    page.get_by_label("Name", exact=True).fill("Meadow")
    page.get_by_role("button", name="Search").click()

    expect(page.locator("#result-count")).to_have_text("1 location found")
    expect(page).to_have_url(re.compile(r"/locations/\?q=Meadow(&|$)"))  # hx-push-url
    results = page.locator("#results table")
    expect(results.locator("tbody tr")).to_have_count(1)
    row = results.locator("tbody tr").first
    expect(row).to_contain_text("Shortlands Care Ltd")
    expect(row).to_contain_text("BR2 0AB")
    expect(row.locator(".app-rating")).to_have_text("Inadequate")  # beside the placement status
    expect(page.locator("#results")).not_to_contain_text("Oak Lodge")
    _shot(page, "02-search.png")

    row.get_by_role("link", name="Meadow View Care Home").click()
    expect(page).to_have_url(f"{live_server.url}/locations/{register['meadow'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meadow View Care Home")
    expect(page.get_by_role("heading", name="Current ratings")).to_be_visible()
    current = page.get_by_test_id("current-ratings")
    expect(current.locator(".govuk-summary-list__row").first).to_contain_text("Inadequate")
    expect(current).to_contain_text("Requires improvement")
    expect(current).to_contain_text("20 February 2025")
    expect(page.get_by_role("heading", name="Rating history")).to_be_visible()
    history = page.get_by_test_id("rating-history").locator("tbody tr")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("20 Feb 2025")
    expect(history.nth(0)).to_contain_text("Inadequate")
    expect(history.nth(1)).to_contain_text("14 Sep 2022")
    expect(history.nth(1)).to_contain_text("Requires improvement")
    expect(history.nth(2)).to_contain_text("3 Jun 2019")
    expect(history.nth(2)).to_contain_text("Good")
    _shot(page, "03-location.png")


def test_failed_sign_in_shows_the_error_summary(page, live_server, officer):
    from playwright.sync_api import expect

    _sign_in(page, live_server.url, officer, password="not-the-password")

    expect(page).to_have_title("Error: Sign in – Oversight")
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    link = summary.get_by_role("link", name="Enter a correct username and password")
    expect(link).to_have_attribute("href", "#id_password")
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-describedby", "id_password-error")
    expect(page.locator("#id_password-error")).to_contain_text(
        "Enter a correct username and password"
    )
    expect(page.get_by_label("Username")).to_have_value(officer.username)
    link.click()
    expect(password).to_be_focused()
    _shot(page, "04-sign-in-error.png")

    # Both fields empty: one error each, each linked to its field.
    page.get_by_label("Username").fill("")
    page.get_by_label("Password").fill("")
    page.get_by_role("button", name="Sign in").click()
    expect(summary.locator("a")).to_have_text(["Enter your username", "Enter your password"])
    summary.get_by_role("link", name="Enter your username").click()
    expect(page.get_by_label("Username")).to_be_focused()


def test_skip_link_is_the_first_tab_stop_on_sign_in(page, live_server):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/accounts/login/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused(timeout=1000)


def test_keyboard_only(page, live_server, officer, register):
    from playwright.sync_api import expect

    keyboard = page.keyboard
    page.goto(f"{live_server.url}/accounts/login/")
    _tab_to(page, page.get_by_label("Username"))
    keyboard.type(officer.username)
    keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    keyboard.type(PASSWORD)
    keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/")

    # Signed in: the skip link is the first tab stop, and it moves focus to the content.
    page.goto(f"{live_server.url}/locations/")
    keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()

    name = page.get_by_label("Name", exact=True)
    assert _tab_to(page, name) == 1  # the first field of the filters
    keyboard.type("Meadow")
    keyboard.press("Enter")
    expect(page.locator("#result-count")).to_have_text("1 location found")

    # On through the filters to the result, which opens with Enter.
    result = page.get_by_role("link", name="Meadow View Care Home")
    _tab_to(page, result)
    _shot(page, "06-keyboard-focus.png")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meadow View Care Home")


def _cqc_record(location_id, provider_id, name, postcode, rating, report_date):
    return {
        "locationId": location_id,
        "providerId": provider_id,
        "name": name,
        "postalCode": postcode,
        "currentRatings": {"overall": {"rating": rating, "reportDate": report_date}},
    }


def test_the_keeper_brings_in_a_cqc_file_and_a_council_its_own_list(
    page, live_server, bromley, officer
):
    """The national register changes only from CQC's files (issue 11): its keeper brings one
    in at /register/; Bromley's officer then imports Bromley's own list, which gives Bromley's
    contract reference on the location's page and changes nothing of the register's."""
    from playwright.sync_api import expect

    from councils.models import User
    from providers.services import mapping_save

    keeper = User.objects.create(username="register-keeper", keeps_register=True)
    keeper.set_password(PASSWORD)
    keeper.save()
    mapping_save(
        council=bromley,
        name="Bromley commissioned services",
        columns={
            "cqc_location_id": "CQC ID",
            "name": "Service",
            "provider_name": "Provider",
            "contract_reference": "Contract ref",
            "overall_rating": "Our rating",
            "rating_date": "Rated on",
        },
    )
    records = [
        _cqc_record(
            "1-100000001", "1-200000001", "Willow Gardens", "BR1 3AA", "Good", "2025-03-01"
        ),
        _cqc_record(
            "1-100000002",
            "1-200000001",
            "Hawthorn House",
            "BR6 7BB",
            "Requires improvement",
            "2024-10-12",
        ),
    ]
    base = live_server.url
    _sign_in(page, base, keeper)
    expect(page).to_have_url(f"{base}/register/")  # the keeper's start page
    expect(page.get_by_role("heading", level=1)).to_have_text("The national register")
    _at_both_widths(page, "05-national-register", lambda: page.goto(f"{base}/register/"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("CQC API records (JSON)").check()
    page.get_by_label("File", exact=True).set_input_files(
        {
            "name": "cqc-locations.json",
            "mimeType": "application/json",
            "buffer": json.dumps(records).encode(),
        }
    )
    page.get_by_role("button", name="Start import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of cqc-locations.json")
    expect(page.get_by_test_id("import-status")).to_have_text("Done", timeout=20_000)
    added = page.locator(".govuk-summary-list__row").filter(has_text="Locations added")
    expect(added.locator("dd")).to_have_text("2")
    expect(page.get_by_role("progressbar", name="Import progress")).to_have_count(0)
    _shot(page, "05-import.png")
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, base, officer)
    page.goto(f"{base}/imports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports")
    expect(page.get_by_label("Kind of file")).to_have_count(0)
    page.get_by_label("Column mapping").select_option(label="Bromley commissioned services")
    page.get_by_label("Spreadsheet", exact=True).set_input_files(
        {
            "name": "our-list.csv",
            "mimeType": "text/csv",
            "buffer": b"CQC ID,Service,Provider,Contract ref,Our rating,Rated on\r\n"
            b"1-100000002,Hawthorn,,LBB-ASC-7,Inadequate,2026-10-01\r\n",
        }
    )
    _shot(page, "05-council-import-form.png")
    page.get_by_role("button", name="Start import").click()
    expect(page.get_by_test_id("import-status")).to_have_text("Done", timeout=20_000)
    changed = page.locator(".govuk-summary-list__row").filter(
        has_text="Your records of locations added or changed"
    )
    expect(changed.locator("dd")).to_have_text("1")
    page.goto(f"{base}/locations/?q=Hawthorn")
    # On Bromley's own list: first, under "Your council's services", and marked "Ours".
    ours = page.get_by_role("region", name="Your council's services")
    expect(ours.locator("tbody tr")).to_have_count(1)
    expect(ours.locator(".app-ours")).to_have_text("Ours")
    expect(page.get_by_role("region", name="Locations found").locator("tbody tr")).to_have_count(1)
    # CQC's rating stays; Bromley's assessment is shown as Bromley's.
    expect(ours.locator(".app-rating")).to_have_text("Requires improvement")
    page.locator("#results tbody tr a").first.click()
    record = page.get_by_test_id("local-record")
    expect(record).to_contain_text("LBB-ASC-7")
    expect(record).to_contain_text("Known to you as")
    expect(record).to_contain_text("not a CQC rating")
    _at_both_widths(page, "05-location-own-details", lambda: page.reload())


def test_admin_pages_policy_mapping_and_tokens(page, live_server, bromley, member):
    """A council admin reads the policy, adds a column mapping and issues an API token."""
    from playwright.sync_api import expect

    admin = member(bromley, Role.COUNCIL_ADMIN)
    member(bromley, Role.MANAGER, user=admin)
    _sign_in(page, live_server.url, admin)

    page.get_by_role("link", name="Policy").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The policy in force")
    expect(page.get_by_text("Director of Adult Social Services").first).to_be_visible()
    _shot(page, "07-policy.png")

    page.goto(f"{live_server.url}/imports/mappings/new/")
    page.get_by_label("Name of the mapping").fill("Our list")
    page.get_by_label("Location name").fill("Home")
    page.get_by_role("button", name="Save mapping").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    _shot(page, "08-mapping-error.png")
    page.get_by_label("Provider name").fill("Operator")
    page.get_by_role("button", name="Save mapping").click()
    expect(page.get_by_role("alert").filter(has_text="Success")).to_contain_text("Our list")

    page.goto(f"{live_server.url}/council/tokens/")
    page.get_by_label("Which system is this for?").fill("Mosaic")
    page.get_by_label("Read the register of providers and locations").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("new-key")).to_be_visible()
    _shot(page, "09-tokens.png")


def test_officer_logs_intelligence_and_records_its_outcome(
    page, live_server, bromley, member, register
):
    """The officer's daily work: the location page shows the council's record; an officer
    logs intelligence, then records that the provider was not liable (004 11.1)."""
    from playwright.sync_api import expect

    from monitoring.services import commissioning_save
    from providers.models import Location

    officer = member(bromley, Role.OFFICER)
    location = Location.objects.get(name="Meadow View Care Home")
    commissioning_save(
        council=bromley,
        location=location,
        actor=None,
        contract_type="block",
        in_area=True,
        beds=30,
        people=45,
        annual_spend=640000,
    )
    _sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/locations/{location.pk}/")
    expect(page.get_by_test_id("market-position")).to_contain_text("High impact")
    expect(page.get_by_test_id("market-position")).to_contain_text("Block contract")
    page.get_by_role("link", name="Log intelligence").click()
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    _shot(page, "10-intelligence-error.png")
    page.get_by_label("Where did it come from?").select_option("complaint")
    _date_in(page, "Date received", dt.date(2026, 1, 12))
    _choose(page, "Severity", "Medium")
    page.get_by_label("Medication").check()
    page.get_by_label("What was reported").fill("Evening medicines given two hours late.")
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("INT-2026-")
    _choose(page, "Outcome", "Provider not liable")
    page.get_by_label("Reason").first.fill("Pharmacy delivered late; home not at fault.")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_text("no longer counts in the risk figures")).to_be_visible()
    _shot(page, "11-intelligence-item.png")
    page.goto(f"{live_server.url}/locations/{location.pk}/")
    expect(page.get_by_test_id("intelligence")).to_contain_text("Not counted")
    expect(page.get_by_test_id("intelligence").get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_test_id("market-position")).to_contain_text("the threshold is 10%")
    _shot(page, "12-location-council-record.png")


def test_risk_matrix_explains_and_overrides(page, live_server, bromley, member, register):
    """The matrix lists the council's locations by RAG; a location says why, and an officer
    overrides the RAG with a reason and an end date."""
    import datetime as dt

    from playwright.sync_api import expect

    from monitoring.services.risk import risk_recompute
    from providers.models import Location

    Location.objects.update(local_authority="Bromley")
    risk_recompute(council=bromley)
    officer = member(bromley, Role.OFFICER)
    _sign_in(page, live_server.url, officer)
    expect(page.get_by_test_id("dashboard")).to_be_visible()
    _shot(page, "00-start-page.png")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Risk matrix").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk matrix")
    expect(page.get_by_role("status")).to_contain_text("4 locations")
    _shot(page, "13-risk-matrix.png")
    page.get_by_role("link", name="Meadow View Care Home").click()
    expect(page.get_by_test_id("risk-factors")).to_contain_text("CQC overall rating")
    page.get_by_text("Override the RAG").click()
    _choose(page, "RAG to use", "Amber")
    _date_in(page, "Until", dt.date.today() + dt.timedelta(days=14))
    page.get_by_label("Why", exact=True).fill("Action plan agreed at today's visit")
    page.get_by_role("button", name="Save override").click()
    expect(page.get_by_test_id("risk")).to_contain_text("Overridden by")
    _shot(page, "14-location-risk.png")


def test_case_moves_up_the_ladder_through_the_decision_chain(page, live_server, load_pack, member):
    """004 18: the officer recommends a restriction on the service with its evidence; the SRM
    and the SM check it; the Head of Commissioning decides from the inbox, choosing which
    services it covers (18.4); the restriction is in place and the case, which follows it, is
    at "Restriction on commissioning" with the record of who decided."""
    from playwright.sync_api import expect

    council = load_pack("west-berkshire")
    officer = member(council, Role.OFFICER)
    srm = member(council, Role.MANAGER, title="Supplier Relationship Manager")
    sm = member(council, Role.MANAGER, title="Service Manager")
    head = member(council, Role.DECISION_MAKER, title="Head of Commissioning")
    location = LocationFactory(name="Kennet View Nursing Home", local_authority="West Berkshire")
    RatingFactory(location=location, overall="Inadequate", safe="Inadequate")

    _sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/locations/{location.pk}/")
    page.get_by_test_id("case-panel").get_by_role("link", name="Open a case").click()
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the case")
    _shot(page, "20-case-open-error.png")
    page.get_by_label("Why is the case being opened?").fill(
        "CQC rated the home Inadequate in Safe; two safeguarding alerts this month."
    )
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_test_id("case-stage")).to_contain_text("Reactive review")
    expect(page.locator("[aria-current=step]")).to_contain_text("Current stage")
    page.goto(f"{live_server.url}/locations/{location.pk}/")
    page.get_by_role("link", name="Put a restriction in place").click()
    page.get_by_label("Embargo", exact=True).check()
    page.get_by_label("This service only").check()
    page.get_by_label("Reasons, in writing").fill("Inadequate in Safe (004 16.2).")
    page.locator("textarea[name=ev_cqc_report_note]").fill("Report of 2 November: Safe inadequate")
    page.locator("input[name=ev_cqc_report_url]").fill("https://www.cqc.org.uk/location/1-123")
    page.locator("textarea[name=ev_improvement_plan_note]").fill("Plan agreed 1 October, failing")
    page.get_by_label("Name").fill("Sam Taylor")
    page.get_by_label("Telephone").fill("01635 519 000")
    _shot(page, "21-move-form.png")
    page.get_by_role("button", name="Send for a decision").click()
    expect(page.get_by_test_id("restriction-status")).to_have_text("Waiting for a decision")
    _shot(page, "22-case-waiting.png")

    for person, outcome in ((srm, "Agree and forward"), (sm, "Agree and forward")):
        page.context.clear_cookies()
        _sign_in(page, live_server.url, person)
        page.goto(f"{live_server.url}/decisions/")
        page.get_by_test_id("inbox").get_by_role("link").first.click()
        page.get_by_label(outcome, exact=True).check()
        page.get_by_label("Reasons, in writing").fill("The criteria for an Embargo are met.")
        page.get_by_role("button", name="Record the check").click()
        expect(page.get_by_role("heading", level=2, name="In writing")).to_be_visible()

    page.context.clear_cookies()
    _sign_in(page, live_server.url, head)
    page.goto(f"{live_server.url}/decisions/")
    expect(page.get_by_test_id("inbox")).to_contain_text("Decision of the Head of Commissioning")
    _shot(page, "23-inbox.png")
    page.get_by_test_id("inbox").get_by_role("link").first.click()
    page.locator("input[name=act-outcome][value=approved]").check()
    _choose(page, "Apply it to", "This service only")
    page.get_by_label("Reasons, in writing").fill("Embargo agreed until the plan is met.")
    page.get_by_label("When should it be reconsidered?", exact=False).fill("At the next review")
    _shot(page, "24-decide.png")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("rec-status")).to_have_text("Approved")
    page.get_by_role("link", name=re.compile("RES-")).first.click()
    expect(page.get_by_test_id("restriction-status")).to_have_text("In place")
    page.get_by_role("link", name=re.compile("CASE-")).first.click()
    expect(page.get_by_test_id("case-stage")).to_contain_text("Restriction")
    expect(page.get_by_test_id("case-record")).to_contain_text("Restriction put in place")
    _shot(page, "25-case-after-decision.png")


def test_bromley_rule_alert_and_a_family_choice_decided_by_the_dass(
    page, live_server, load_pack, member
):
    """000 3.ii c: a rating below Good puts the decision to the DASS (an alert in the
    officers' queue). 000 5: the Placement Officer records the written advice and the family's
    request; the DASS agrees; both are recorded."""
    from playwright.sync_api import expect

    from concerns.triggers import sweep_ratings

    council = load_pack("bromley")
    officer = member(council, Role.OFFICER)
    placement = member(council, Role.PLACEMENT)
    dass = member(council, Role.DECISION_MAKER, title="Director of Adult Social Services (DASS)")
    location = LocationFactory(name="Hayes Court", local_authority="Bromley")
    RatingFactory(location=location, overall="Requires improvement", well_led="Inadequate")
    sweep_ratings(council=council)

    _sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/alerts/")
    expect(page.get_by_test_id("alert")).to_contain_text("Hayes Court")
    _shot(page, "26-alerts.png")

    page.context.clear_cookies()
    _sign_in(page, live_server.url, placement)
    page.goto(f"{live_server.url}/locations/{location.pk}/")
    page.get_by_role("link", name="Family choice of a provider rated below Good").click()
    expect(page.get_by_label("Provider's rating")).to_have_value(re.compile("Requires improvement"))
    page.get_by_role("button", name="Send for a decision").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.get_by_label("What is asked, and why").fill("Mrs A's family want Hayes Court, near them.")
    _date_in(page, "Date the family was advised in writing", dt.date.today())
    page.get_by_label("Reasons given to the family").fill("Rated Requires improvement; Well-led")
    _choose(page, "The family has asked in writing", "Yes")
    page.get_by_label("Client's Carefirst record reference").fill("CF-123456")
    _shot(page, "27-family-choice.png")
    page.get_by_role("button", name="Send for a decision").click()
    expect(page.get_by_test_id("rec-status")).to_have_text("Waiting")

    page.context.clear_cookies()
    _sign_in(page, live_server.url, dass)
    page.goto(f"{live_server.url}/decisions/")
    page.get_by_test_id("inbox").get_by_role("link").first.click()
    page.locator("input[name=act-outcome][value=approved]").check()
    page.get_by_label("Reasons, in writing").fill("Agreed: the family understand the rating.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("rec-status")).to_have_text("Approved")
    expect(page.locator("main")).to_contain_text("CF-123456")
    _shot(page, "28-family-choice-agreed.png")


# --- restrictions: the placement check and the restriction pages, checked by axe-core ---------


@pytest.fixture
def restricted(load_pack, member):
    """West Berkshire's Embargo on all of Kennet Care Group's services (004 18.4), decided
    through its chain and told to the provider; Bedford's shared sanction on one of them (001
    Appendix 3); an issue of West Berkshire's Providers with Restrictions List (004 19.3)."""
    from restrictions.services import list_issue
    from tests.restrictions.conftest import put_in_place, team_of

    wb = team_of(load_pack("west-berkshire"), member)
    bedford = team_of(load_pack("bedford"), member)
    provider = ProviderFactory(name="Kennet Care Group Ltd", name_key="kennet care group ltd")
    inadequate = "Inadequate"
    ri = "Requires improvement"
    view = _rated_location(
        "Kennet View Nursing Home",
        [(dt.date(2025, 11, 2), inadequate, [inadequate, ri, "Good", ri, inadequate])],
        provider=provider,
        postcode="RG14 1AA",
        postcode_key="RG141AA",
        address_line1="1 Kennet Road",
        town="Newbury",
        local_authority="West Berkshire",
        cqc_location_id="1-101641361",
    )
    lodge = _rated_location(
        "Kennet Lodge",
        [(dt.date(2024, 6, 3), ri, [ri, "Good", "Good", "Good", ri])],
        provider=provider,
        postcode="RG14 2BB",
        postcode_key="RG142BB",
        local_authority="West Berkshire",
    )
    embargo = put_in_place(wb, location=view, whole_provider=True, told=True)
    put_in_place(bedford, location=lodge, level="caution")
    issue = list_issue(council=wb.council, actor=wb.officer, list_key="providers_with_restrictions")
    other = LocationFactory(name="Thatcham House", local_authority="West Berkshire")
    return {
        "wb": wb,
        "embargo": embargo,
        "view": view,
        "lodge": lodge,
        "issue": issue,
        "other": other,
    }


def test_placement_check_and_restriction_pages_are_accessible_at_1280_and_320(
    page, live_server, restricted
):
    """Placement staff start with the check (issue 9, 4): each match's status in the council's
    words and colour, whom to call first, the CQC rating and what other councils share; the
    banner on the location page. Then the quality team's pages: the restriction, proposing one
    (with its error summary) and an issue of the list."""
    from playwright.sync_api import expect

    wb, embargo = restricted["wb"], restricted["embargo"]
    base = live_server.url
    _sign_in(page, base, wb.placement)
    expect(page.get_by_role("heading", name="May I place someone here?")).to_be_visible()
    page.get_by_label("Name, postcode or CQC ID").first.fill("Kennet")
    page.get_by_role("button", name="Check").first.click()
    expect(page).to_have_url(re.compile(r"/placements/\?q=Kennet"))
    rows = page.get_by_test_id("placement-row")
    expect(rows).to_have_count(2)
    view_row = rows.filter(has_text="Kennet View Nursing Home")
    expect(view_row.locator(".govuk-tag--red")).to_have_text("Embargo")
    expect(view_row).to_contain_text("Sam Taylor")
    expect(view_row).to_contain_text("Inadequate")
    lodge_row = rows.filter(has_text="Kennet Lodge")
    expect(lodge_row.locator(".govuk-tag--red")).to_have_text("Embargo")
    expect(lodge_row.get_by_test_id("shared")).to_contain_text("Bedford Borough")
    expect(lodge_row.get_by_test_id("shared")).to_contain_text("New placements restricted")

    check_url = page.url
    _at_both_widths(page, "30-placement-check", lambda: page.goto(check_url))

    page.set_viewport_size({"width": 1280, "height": 900})
    view_row.get_by_role("link", name="Kennet View Nursing Home").click()
    banner = page.get_by_test_id("placement-banner")
    expect(banner).to_contain_text("Embargo")
    expect(banner).to_contain_text("on all of the provider's services")
    expect(banner).to_contain_text("Sam Taylor")
    location_url = page.url
    _at_both_widths(page, "31-location-banner", lambda: page.goto(location_url))

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, base, wb.officer)
    restriction_url = f"{base}/restrictions/{embargo.pk}/"

    def restriction_page():
        page.goto(restriction_url)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Embargo: all of Kennet Care Group Ltd's services"
        )
        expect(page.get_by_test_id("restriction-status")).to_have_text("In place")

    _at_both_widths(page, "32-restriction", restriction_page)

    propose_url = f"{base}/restrictions/new/?location={restricted['other'].pk}"

    def propose_page():
        page.goto(propose_url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Put a restriction in place")

    _at_both_widths(page, "33-propose", propose_page)

    def propose_error():
        page.goto(propose_url)
        page.get_by_role("button", name="Send for a decision").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("link", name="Give the reasons")).to_have_attribute(
            "href", "#id_reasons"
        )
        expect(page).to_have_title(re.compile("^Error: "))

    _at_both_widths(page, "34-propose-error", propose_error)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Embargo").check()
    page.get_by_label("Reasons, in writing").fill("Rated Inadequate in Safe; the plan is failing.")
    page.locator("textarea[name=ev_cqc_report_note]").fill("Report of 2 November")
    page.locator("textarea[name=ev_improvement_plan_note]").fill("Plan of 5 January, failing")
    page.get_by_role("button", name="Send for a decision").click()
    expect(page.get_by_test_id("restriction-status")).to_have_text("Waiting for a decision")

    issue_url = f"{base}/restriction-lists/issues/{restricted['issue'].pk}/"

    def list_issue_page():
        page.goto(issue_url)
        expect(page.get_by_test_id("marking")).to_contain_text("freedom of information")
        expect(page.get_by_role("region", name="Embargo").first).to_contain_text("Kennet Lodge")

    _at_both_widths(page, "35-list-issue", list_issue_page)


def test_a_local_account_sets_up_two_factor_and_signs_in_with_a_code(
    page, live_server, officer, settings
):
    """Production asks local accounts for an authenticator code (issue 11): the set-up page
    (QR code and key) and the code page, checked by axe-core at 1280 and 320 px."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    settings.TWO_FACTOR_REQUIRED = True
    base = live_server.url
    _sign_in(page, base, officer)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    _at_both_widths(page, "06-two-factor-set-up", lambda: page.reload())
    page.set_viewport_size({"width": 1280, "height": 900})
    device = TOTPDevice.objects.get(user=officer, confirmed=False)

    def code() -> str:
        return f"{totp(device.bin_key):06d}"

    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("6-digit")
    page.get_by_label("Security code").fill(code())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_test_id("waiting")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    _sign_in(page, base, officer)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    _at_both_widths(page, "07-two-factor-code", lambda: page.reload())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Security code").fill(code())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("waiting")).to_be_visible()
    _at_both_widths(page, "08-account-signing-in", lambda: page.goto(f"{base}/account/"))
    expect(page.get_by_test_id("signing-in")).to_contain_text("On: a code from your authenticator")


def test_a_board_and_its_meeting(page, live_server, load_pack, member):
    """Somerset's Commissioning & Quality Board (issue 12): its page (members by post, quorum
    rule, attendance), a meeting arranged, its attendance recorded and the quorum shown with
    its reasons; axe-core at 1280 and 320 px."""
    import datetime as dt

    from django.utils import timezone
    from playwright.sync_api import expect

    from boards.services import agenda_refer, member_add
    from concerns.services import case_move, case_open

    council = load_pack("somerset")
    manager = member(council, Role.MANAGER)
    officer = member(council, Role.OFFICER)
    board_maker = member(
        council, Role.DECISION_MAKER, title="Strategic Manager, Quality & Performance"
    )
    joined = timezone.localdate() - dt.timedelta(days=30)
    case = case_open(council=council, actor=officer, summary="Concerns", location=LocationFactory())
    case_move(case=case, actor=officer, move="invoke_quality_improvement", reason="RI")
    rec = case_move(
        case=case, actor=officer, move="issue_rectification_notice", reason="Not improving",
        evidence=[
            {"kind": "meeting_notes", "note": "QIM 3 notes"},
            {"kind": "board_decision", "note": "Board of 1 May"},
        ],
    )  # fmt: skip
    for name, posts in [
        ("Dr Ann Hale", ["ccg_safeguarding_commissioning", "deputy_director_quality"]),
        ("Raj Patel", ["la_quality_performance_manager"]),
        ("Li Chen", ["la_strategic_commissioner"]),
        ("Sam Jones", ["safeguarding_lead_nurse"]),
    ]:
        member_add(
            council=council, actor=manager, board="commissioning_quality_board", name=name,
            posts=posts, joined_on=joined,
        )  # fmt: skip
    base = live_server.url
    _sign_in(page, base, officer)
    page.get_by_role("link", name="Boards").first.click()
    page.get_by_role("link", name="Care Provider Commissioning & Quality Board").click()
    expect(page.get_by_test_id("board-rules")).to_contain_text("At least 3 members")
    _date_in(page, "Date of the meeting", timezone.localdate())
    page.get_by_role("button", name="Arrange the meeting").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("CQC compliance history")
    from boards.models import Meeting

    agenda_refer(meeting=Meeting.objects.get(council=council), actor=officer, recommendation=rec)
    page.reload()
    page.get_by_label("Dr Ann Hale: Present").check()
    page.get_by_label("Raj Patel: Present").check()
    page.get_by_label("Sam Jones: Apologies").check()
    page.get_by_role("button", name="Record the attendance").click()
    expect(page.get_by_test_id("quorum")).to_contain_text("Not quorate")
    expect(page.get_by_test_id("quorum")).to_contain_text("No Strategic Commissioner present")
    url = page.url
    _at_both_widths(page, "09-meeting", lambda: page.goto(url))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_text("Correct the attendance").click()
    page.get_by_label("Li Chen: Present").check()
    page.get_by_role("button", name="Record the attendance").click()
    expect(page.get_by_test_id("quorum")).to_contain_text("Quorate")
    _at_both_widths(
        page, "10-board", lambda: page.goto(f"{base}/boards/commissioning_quality_board/")
    )
    # Its minutes and an action (003 Appendix 1 Table 3), then the decision taken at it.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    page.get_by_role("link", name="Write the minutes").click()
    page.locator("textarea[name^=record-discussion_]").first.fill("Providers of concern reviewed.")
    page.get_by_role("button", name="Save the minutes").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("Providers of concern reviewed.")
    page.get_by_text("Add an action").click()
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what is to be done")
    page.get_by_label("What is to be done").fill("Bring the CQC inspection dates")
    page.get_by_label("Who does it").fill("Quality & Performance")
    _date_in(page, "By when", timezone.localdate() + dt.timedelta(days=14))
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_test_id("actions")).to_contain_text("Bring the CQC inspection dates")
    _at_both_widths(page, "11-meeting-record", lambda: page.goto(url))
    page.context.clear_cookies()
    _sign_in(page, base, board_maker)
    page.goto(f"{base}/decisions/{rec.pk}/")
    page.locator("input[name=act-outcome][value=approved]").check()
    page.get_by_label("Reasons, in writing").fill("The Board agreed the Rectification Notice.")
    page.get_by_label("The meeting that decided").select_option(index=1)
    _at_both_widths(page, "12-decide-at-meeting", lambda: None)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("rec-status")).to_have_text("Approved")
    expect(page.get_by_text("Independent scrutiny")).to_be_visible()


def test_an_external_member_sees_their_boards_papers_only(page, live_server, load_pack, member):
    """A partner's seat on a board (issue 12): the CCG's member sees the Board and its meeting,
    and nothing else of the council; axe-core at 1280 and 320 px."""
    import datetime as dt

    from django.utils import timezone
    from playwright.sync_api import expect

    from boards.services import meeting_schedule, member_add

    council = load_pack("somerset")
    manager = member(council, Role.MANAGER)
    partner = member(council, Role.EXTERNAL)
    member_add(
        council=council, actor=manager, board="commissioning_quality_board", name="Dr Ann Hale",
        posts=["ccg_safeguarding_commissioning"], user=partner,
    )  # fmt: skip
    meeting = meeting_schedule(
        council=council, actor=manager, board="commissioning_quality_board",
        meets_on=timezone.localdate() + dt.timedelta(days=9),
    )  # fmt: skip
    base = live_server.url
    _sign_in(page, base, partner)
    _at_both_widths(page, "13-external-start", lambda: page.goto(f"{base}/"))
    expect(page.get_by_role("link", name=meeting.reference)).to_be_visible()
    expect(page.get_by_role("link", name="Providers and locations")).to_have_count(0)
    page.get_by_role("link", name=meeting.reference).click()
    expect(page.get_by_test_id("agenda")).to_contain_text("CQC compliance history")
    expect(page.get_by_role("link", name="Papers pack (PDF)")).to_be_visible()
    assert page.goto(f"{base}/locations/").status == 403


def test_reports_alerts_and_the_footer_pages(page, live_server, load_pack, member):
    """Issue 13: the reports (charts with their numbers beside them), the alerts table with
    its bulk actions, the decision page's facts, and the footer's help, accessibility and
    privacy pages; axe-core at 1280 and 320 px, nothing wider than the window."""
    from playwright.sync_api import expect

    from concerns.triggers import check_rating
    from monitoring.models import Source
    from tests.monitoring.helpers import log

    council = load_pack("bromley")
    officer = member(council, Role.OFFICER)
    for n, name in enumerate(("Ash House", "Elm Court", "Oak Lodge")):
        home = LocationFactory(name=name, local_authority="Bromley", region="London")
        rating = RatingFactory(location=home, overall="Inadequate" if n else "Good")
        check_rating(council=council, rating=rating)
        log(council, officer, location=home, source=Source.COMPLAINT)
    base = live_server.url
    _sign_in(page, base, officer)
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("link", name="The quality of the care market").click()
    share = page.get_by_test_id("figure-good_share")
    expect(share.locator("svg[role=img] title")).to_have_count(1)
    expect(share.get_by_role("region")).to_contain_text("England")
    _at_both_widths(page, "30-report-market", lambda: page.reload())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/reports/work/")
    expect(page.get_by_test_id("figure-intelligence_sources")).to_contain_text("Complaint")
    _at_both_widths(page, "31-report-work", lambda: page.reload())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/reports/work/?from=2026-13")
    expect(page.locator(".govuk-error-summary")).to_contain_text("YYYY-MM")
    page.goto(f"{base}/reports/board/")
    _at_both_widths(page, "32-report-board", lambda: page.reload())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/alerts/")
    expect(page.get_by_test_id("alert")).to_have_count(2)
    _at_both_widths(page, "33-alerts", lambda: page.reload())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Select Inspection rating below Good published: Elm Court").check()
    page.get_by_label("What was done, or why they are dismissed").fill("Visit booked")
    page.get_by_role("button", name="Mark as acted on").click()
    expect(page.get_by_test_id("alert")).to_have_count(1)
    page.get_by_test_id("alert").get_by_role("link").first.click()
    _at_both_widths(page, "34-alert", lambda: page.reload())
    for name, url in (("35-help", "/help/"), ("36-accessibility", "/accessibility/")):
        _at_both_widths(page, name, lambda url=url: page.goto(f"{base}{url}"))
    _at_both_widths(page, "37-privacy", lambda: page.goto(f"{base}/privacy/"))
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(f"{base}/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("link", name="Reports")).to_be_visible()
