"""Issue 13: axe-core finds no WCAG 2.2 A or AA violation on every page, at 1280 px and at
320 px, and nothing on a page is wider than a 320 px window. Every HTML page of the app is
opened here in headless Chromium, as a person whose role may see it, over the demo's five
councils (so lists have rows, a case has a decision waiting, a board has its meetings, a
restriction is in force), with the pages for a refusal, a thing not found and a move not open
now; then forms sent empty, to check their error states too. A guard test reads the URL
resolver: a named page that is neither visited here nor in SKIPPED, with its reason, fails it,
so a new page cannot escape the check. Screenshots of each page at both widths go to
test-artifacts/every-*.png."""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from tests import browser_support
from tests.browser_support import (
    WIDTHS,
    _axe_violations,
    _new_tab,
    _overflow,
    _shot,
    _sign_in,
    _widest,
)

# The browser fixtures this module uses (pytest finds fixtures among a module's names).
_async_unsafe_allowed = browser_support._async_unsafe_allowed
_fresh_cache = browser_support._fresh_cache
browser = browser_support.browser

# Synthetic register locations in the demo: enough for every council to commission the eight
# locations its restrictions demo needs (300, `make run`'s number, takes longer to load).
DEMO_LOCATIONS = 100


@dataclass(frozen=True)
class Page:
    """A page to open: its URL name, who opens it (a demo username; "" for nobody signed in),
    its path, from the data the test made, and the status it answers with."""

    name: str
    user: str
    path: Callable[[dict], str]
    shot: str  # the screenshot's name: every-<shot>.png and every-<shot>-320.png
    status: int = 200


def _to(name: str, *args, query: str = "") -> Callable[[dict], str]:
    """The path of a URL name whose arguments are keys of the data (or fixed values)."""

    def path(data: dict) -> str:
        values = [data[a] if isinstance(a, str) and a in data else a for a in args]
        return reverse(name, args=values) + (f"?{query.format(**data)}" if query else "")

    return path


OFFICER = "bromley-officer"
MANAGER = "bromley-manager"
DASS = "bromley-decision-maker"
PLACEMENT = "bromley-placement-staff"
ADMIN = "bromley-council-admin"
AUDITOR = "bromley-auditor"
BOARD_MEMBER = "bromley-board-member"
SOMERSET = "somerset-officer"
PARTNER = "somerset-external-member"
WB_OFFICER = "west-berkshire-officer"
TWO_FACTOR = "bradford-auditor"  # has an authenticator app: sign-in asks for its code
KEEPER = "register-keeper"

# Grouped by person: each signs in once.
PAGES = [
    Page("login", "", _to("login"), "sign-in"),
    # Bromley's officer: the day's work on a location with a case, a decision waiting and a
    # restriction in force.
    Page("home", OFFICER, _to("home"), "start-officer"),
    Page("location-search", OFFICER, _to("location-search"), "locations"),
    Page("location-detail", OFFICER, _to("location-detail", "location"), "location"),
    Page("location-by-cqc", OFFICER, _to("location-by-cqc", "cqc_id"), "location-by-cqc"),
    Page("provider-detail", OFFICER, _to("provider-detail", "provider"), "provider"),
    Page("location-timeline", OFFICER, _to("location-timeline", "location"), "timeline"),
    Page("commissioning-edit", OFFICER, _to("commissioning-edit", "location"), "commissioning"),
    Page("intelligence-list", OFFICER, _to("intelligence-list"), "intelligence-list"),
    Page("intelligence-detail", OFFICER, _to("intelligence-detail", "intelligence"), "intel"),
    Page("intelligence-new", OFFICER, _to("intelligence-new", "location"), "intelligence-new"),
    Page("risk-matrix", OFFICER, _to("risk-matrix"), "risk-matrix"),
    Page("reviews-list", OFFICER, _to("reviews-list"), "reviews"),
    Page("review-detail", OFFICER, _to("review-detail", "review"), "review"),
    Page("review-new", OFFICER, _to("review-new", "location"), "review-new"),
    Page("plans-list", OFFICER, _to("plans-list"), "plans"),
    Page("plan-detail", OFFICER, _to("plan-detail", "plan"), "plan"),
    Page("plan-new", OFFICER, _to("plan-new", "location"), "plan-new"),
    Page("case-list", OFFICER, _to("case-list"), "cases"),
    Page("case-detail", OFFICER, _to("case-detail", "case_waiting"), "case-waiting"),
    Page("case-detail", OFFICER, _to("case-detail", "case"), "case"),
    Page("case-move", OFFICER, _to("case-move", "case", "move"), "case-move"),
    Page("case-new", OFFICER, _to("case-new", query="location={uncased}"), "case-new"),
    # A move not open now (the case's decision is waiting) says why, with 409 Conflict.
    Page("case-move", OFFICER, _to("case-move", "case_waiting", "move"), "move-closed", 409),
    # The pages for a thing that is not there, and for one that is not yours to see.
    Page("location-detail", OFFICER, _to("location-detail", 999_999), "not-found", 404),
    Page("safeguarding-detail", OFFICER, _to("safeguarding-detail", "track"), "safeguarding"),
    Page("inbox", OFFICER, _to("inbox"), "inbox-officer"),
    Page("recommendation-detail", OFFICER, _to("recommendation-detail", "rec"), "rec-officer"),
    Page("alert-list", OFFICER, _to("alert-list"), "alerts"),
    Page("alert-detail", OFFICER, _to("alert-detail", "alert"), "alert"),
    Page("placement-check", OFFICER, _to("placement-check"), "placement-start"),
    Page("restriction-list", OFFICER, _to("restriction-list"), "restrictions"),
    Page("restriction-detail", OFFICER, _to("restriction-detail", "restriction"), "restriction"),
    Page("restriction-change", OFFICER, _to("restriction-change", "restriction"), "res-change"),
    Page("restriction-new", OFFICER, _to("restriction-new", query="location={uncased}"), "res-new"),
    Page("restriction-lists", OFFICER, _to("restriction-lists"), "restriction-lists"),
    Page("list-issue", OFFICER, _to("list-issue", "issue"), "list-issue"),
    Page("import-list", OFFICER, _to("import-list"), "imports"),
    Page("import-detail", OFFICER, _to("import-detail", "import"), "import"),
    Page("board-list", OFFICER, _to("board-list"), "boards-bromley"),
    Page("report-index", OFFICER, _to("report-index"), "reports"),
    Page("report", OFFICER, _to("report", "market"), "report-market"),
    Page("report", OFFICER, _to("report", "work"), "report-work"),
    Page("report-board", OFFICER, _to("report-board"), "report-board"),
    Page("my-timers", OFFICER, _to("my-timers"), "timers"),
    Page("account", OFFICER, _to("account"), "account"),
    Page("policy", OFFICER, _to("policy"), "policy"),
    Page("people", OFFICER, _to("people"), "people-officer"),
    Page("help", OFFICER, _to("help"), "help"),
    Page("accessibility", OFFICER, _to("accessibility"), "accessibility"),
    Page("privacy", OFFICER, _to("privacy"), "privacy"),
    Page("two-factor-set-up", OFFICER, _to("two-factor-set-up"), "two-factor-set-up"),
    # Bromley's manager: mappings, the placement checks made, the team's overdue limits.
    Page("home", MANAGER, _to("home"), "start-manager"),
    Page("mapping-list", MANAGER, _to("mapping-list"), "mappings"),
    Page("mapping-new", MANAGER, _to("mapping-new"), "mapping-new"),
    Page("mapping-edit", MANAGER, _to("mapping-edit", "mapping"), "mapping"),
    Page("placement-checks", MANAGER, _to("placement-checks"), "placement-checks"),
    Page("overdue-timers", MANAGER, _to("overdue-timers"), "overdue-timers"),
    # The DASS decides the move waiting for them.
    Page("inbox", DASS, _to("inbox"), "inbox-dass"),
    Page("recommendation-detail", DASS, _to("recommendation-detail", "rec"), "rec-decide"),
    # Placement staff: the check with its results, a family's choice and its letter.
    Page("home", PLACEMENT, _to("home"), "start-placement"),
    Page("placement-check", PLACEMENT, _to("placement-check", query="q={restricted}"), "check"),
    Page("exception-new", PLACEMENT, _to("exception-new", "location", "family_choice"), "exc"),
    Page("letter-new", PLACEMENT, _to("letter-new", query="location={location}"), "letter-new"),
    # The council admin: tokens, webhooks, people and the policy's versions.
    Page("home", ADMIN, _to("home"), "start-admin"),
    Page("tokens", ADMIN, _to("tokens"), "tokens"),
    Page("webhook-list", ADMIN, _to("webhook-list"), "webhooks"),
    Page("webhook-detail", ADMIN, _to("webhook-detail", "webhook"), "webhook"),
    Page("people", ADMIN, _to("people"), "people-admin"),
    Page("policy-diff", ADMIN, _to("policy-diff", query="from=1&to=2"), "policy-diff"),
    # Read-only: the auditor and a board member.
    Page("home", AUDITOR, _to("home"), "start-auditor"),
    Page("home", BOARD_MEMBER, _to("home"), "start-board-member"),
    # Somerset's officer: letters, the Board, its meetings and their record.
    Page("home", SOMERSET, _to("home"), "start-somerset"),
    Page("letter-list", SOMERSET, _to("letter-list"), "letters"),
    Page("letter-detail", SOMERSET, _to("letter-detail", "draft"), "letter-draft"),
    Page("letter-detail", SOMERSET, _to("letter-detail", "issued"), "letter-issued"),
    Page("board-list", SOMERSET, _to("board-list"), "boards"),
    Page("board-detail", SOMERSET, _to("board-detail", "board"), "board"),
    Page("my-meetings", SOMERSET, _to("my-meetings"), "meetings"),
    Page("meeting-detail", SOMERSET, _to("meeting-detail", "held"), "meeting-held"),
    Page("meeting-detail", SOMERSET, _to("meeting-detail", "thin"), "meeting-not-quorate"),
    Page("meeting-detail", SOMERSET, _to("meeting-detail", "next"), "meeting-next"),
    Page("meeting-detail", SOMERSET, _to("meeting-detail", "qim"), "meeting-qim"),
    Page("meeting-record", SOMERSET, _to("meeting-record", "held"), "meeting-record"),
    # A partner on Somerset's Board sees its papers and nothing else.
    Page("home", PARTNER, _to("home"), "start-partner"),
    Page("my-meetings", PARTNER, _to("my-meetings"), "meetings-partner"),
    Page("meeting-detail", PARTNER, _to("meeting-detail", "next"), "meeting-partner"),
    Page("location-search", PARTNER, _to("location-search"), "forbidden", 403),
    # West Berkshire's policy has appeals (004 18.6).
    Page("appeal-new", WB_OFFICER, _to("appeal-new", "wb_restriction"), "appeal-new"),
    # The second step of signing in, for someone with an authenticator app.
    Page("two-factor", TWO_FACTOR, _to("two-factor"), "two-factor"),
    # The national register's keeper.
    Page("register-home", KEEPER, _to("register-home"), "register"),
    Page("register-import", KEEPER, _to("register-import", "national_import"), "register-import"),
]

# Named URL patterns that are not an HTML page to open, each with the reason.
SKIPPED = {
    # Not HTML: health checks, Prometheus metrics, downloads.
    "healthz": "health check (plain text)",
    "readyz": "readiness check (plain text)",
    "metrics": "Prometheus metrics (plain text)",
    "intelligence-attachment": "a download of the file attached",
    "evidence-file": "a download of the evidence file attached",
    "list-issue-csv": "CSV download",
    "list-issue-pdf": "PDF",
    "letter-pdf": "PDF",
    "meeting-pdf": "PDF",
    "report-board-pdf": "PDF",
    # POST only: each answers a form on a page visited here, and redirects back to it.
    "logout": "POST only (the header's Sign out button)",
    "council-switch": "POST only (the header's council switcher)",
    "token-revoke": "POST only (a button on the tokens page)",
    "risk-override": "POST only (a form on the location page)",
    "case-assign": "POST only (a form on the case page)",
    "safeguarding-open": "POST only (a form on the case page)",
    "alerts-handle": "POST only (the alerts page's bulk actions)",
    "alert-handle": "POST only (a form on the alert page)",
    # Sign-in through the council's identity provider: redirects there and back, no page.
    "oidc_authentication_init": "redirects to the identity provider",
    "oidc_authentication_callback": "the identity provider's redirect back",
    "oidc_logout": "signs out at the identity provider",
}
# The API (JSON), its schema and Swagger UI's documentation page, and Django's admin: not the
# service's own pages.
SKIPPED_PREFIXES = ("api/", "admin/")

# Forms sent empty (or wrong): the GOV.UK error summary, focused, with the page still passing
# axe at both widths. (who, data -> path, the submit button's name, screenshot)
ERRORS = [
    ("", _to("login"), "Sign in", "sign-in"),
    (OFFICER, _to("case-new", query="location={uncased}"), "Open the case", "case-new"),
    (OFFICER, _to("case-move", "case", "move"), "Send the recommendation", "case-move"),
    (OFFICER, _to("intelligence-new", "location"), "Log it", "intelligence-new"),
    (OFFICER, _to("review-new", "location"), "Plan it", "review-new"),
    (OFFICER, _to("plan-new", "location"), "Start the plan", "plan-new"),
    (OFFICER, _to("restriction-new", query="location={uncased}"), "Send for a decision", "res"),
    (OFFICER, _to("report", "work", query="from=2026-13"), None, "report-period"),
    (MANAGER, _to("mapping-new"), "Save mapping", "mapping-new"),
    (DASS, _to("recommendation-detail", "rec"), "Record the decision", "decide"),
    (PLACEMENT, _to("exception-new", "location", "family_choice"), "Send for a decision", "exc"),
    (ADMIN, _to("tokens"), "Create token", "tokens"),
    (ADMIN, _to("webhook-list"), "Add the webhook", "webhooks"),
    (SOMERSET, _to("board-detail", "board"), "Arrange the meeting", "board"),
]


def _named_patterns(patterns=None, prefix=""):
    """(URL name, route) of every named pattern the resolver knows, outside the API and the
    admin."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(p, URLResolver):
            yield from _named_patterns(p.url_patterns, route)
        elif isinstance(p, URLPattern) and p.name:
            yield p.name, route


def test_every_named_page_is_visited_or_skipped_with_a_reason():
    """A new page must be added to PAGES (or, if it is no HTML page, to SKIPPED)."""
    found = dict(_named_patterns())
    visited = {p.name for p in PAGES if p.status == 200}
    missing = sorted(set(found) - visited - set(SKIPPED))
    assert not missing, (
        "Pages that axe-core does not check (add them to PAGES in "
        f"tests/test_browser_every_page.py, or to SKIPPED with the reason): {missing}"
    )
    assert not visited & set(SKIPPED)
    gone = (visited | set(SKIPPED)) - set(found)
    assert not gone, f"names that no longer exist: {sorted(gone)}"
    assert len({p.shot for p in PAGES}) == len(PAGES), "each page its own screenshot"


# --- the data: the demo's five councils, and a few things the demo does not make ------------


def _demo_data(settings, tmp_path) -> dict:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from boards.models import Meeting
    from concerns.models import Alert, Case
    from concerns.pack import Ladder
    from concerns.services.safeguarding import safeguarding_open
    from core.demo import demo_load
    from councils.models import Council, User
    from councils.services import policy_load, token_create
    from decisions.models import Recommendation
    from monitoring.models import ImprovementPlan, Intelligence, Review
    from monitoring.selectors import commissioned_locations
    from notices.models import Letter, LetterStatus
    from notices.services import subscription_create
    from providers.models import ColumnMapping, ImportRun
    from restrictions.models import ListIssue, Restriction, Status
    from tests.factories import policy_text

    settings.VAR_DIR = tmp_path  # the demo's files (pytest-django's settings: put back after)
    demo_load(echo=lambda *_: None, synthetic_locations=DEMO_LOCATIONS)

    bromley = Council.objects.get(code="bromley")
    officer = User.objects.get(username=OFFICER)
    admin = User.objects.get(username=ADMIN)
    # A second version of Bromley's policy, for the page of differences.
    policy_load(
        text=policy_text("bromley").replace("amount: 6", "amount: 7", 1),
        source_name="bromley.yaml",
    )
    token_create(council=bromley, name="Mosaic", scopes=["register:read"])
    webhook, _ = subscription_create(
        council=bromley, actor=admin, name="Mosaic", url="https://mosaic.example.com/hooks",
        event_types=["restriction.changed", "case.moved"],
    )  # fmt: skip
    TOTPDevice.objects.create(
        user=User.objects.get(username=TWO_FACTOR), name="Authenticator app", confirmed=True
    )

    rec = Recommendation.objects.get(council=bromley, kind="move", status="pending")
    waiting = Case.objects.get(council=bromley, pk=rec.subject_id)
    case = Case.objects.filter(council=bromley).exclude(pk=waiting.pk).get()
    ladder = Ladder.of(bromley)
    move = next(m for m in ladder.moves_from(case.stage) if m.is_up)
    track = safeguarding_open(case=case, actor=officer, reason="Two allegations of neglect")
    location = waiting.location
    cased = set(Case.objects.filter(council=bromley).values_list("location_id", flat=True))
    restricted = set(
        Restriction.objects.filter(council=bromley).values_list("location_id", flat=True)
    )
    uncased = next(
        loc for loc in commissioned_locations(council=bromley)
        if loc.pk not in cased | restricted
    )  # fmt: skip
    restriction = Restriction.objects.get(council=bromley, status=Status.ACTIVE)
    somerset = Council.objects.get(code="somerset")
    meetings = Meeting.objects.filter(council=somerset, board="commissioning_quality_board")
    today = dt.date.today()
    return {
        "location": location.pk,
        "cqc_id": location.cqc_location_id,
        "provider": location.provider_id,
        "case_waiting": waiting.pk,
        "case": case.pk,
        "move": move.key,
        "rec": rec.pk,
        "track": track.pk,
        "uncased": uncased.pk,
        "restricted": restriction.location.name,
        "restriction": restriction.pk,
        "intelligence": Intelligence.objects.filter(council=bromley).first().pk,
        "review": Review.objects.filter(council=bromley).exclude(findings="").first().pk,
        "plan": ImprovementPlan.objects.filter(council=bromley).first().pk,
        "alert": Alert.objects.filter(council=bromley).first().pk,
        "issue": ListIssue.objects.filter(council=bromley).order_by("-pk").first().pk,
        "import": ImportRun.objects.filter(council=bromley).first().pk,
        "national_import": ImportRun.objects.filter(council=None).first().pk,
        "mapping": ColumnMapping.objects.filter(council=bromley).first().pk,
        "webhook": webhook.pk,
        "market": "market",
        "work": "work",
        "family_choice": "family_choice",
        "draft": Letter.objects.filter(council=somerset, status=LetterStatus.DRAFT).first().pk,
        "issued": Letter.objects.filter(council=somerset, status=LetterStatus.ISSUED).first().pk,
        "board": "commissioning_quality_board",
        "held": meetings.filter(meets_on__lt=today - dt.timedelta(days=7)).get().pk,
        "thin": meetings.filter(meets_on__range=(today - dt.timedelta(days=7), today)).get().pk,
        "next": meetings.filter(meets_on__gt=today).get().pk,
        "qim": Meeting.objects.get(council=somerset, board="quality_improvement_meeting").pk,
        "wb_restriction": Restriction.objects.get(
            council__code="west-berkshire", status=Status.ACTIVE
        ).pk,
    }


# --- the checks ---------------------------------------------------------------------------------


def _check(tab, problems: list[str], what: str, shot: str) -> None:
    """axe-core on the page as it is at 1280 px, then at 320 px (the same page, the window
    made narrow), where nothing may be wider than the window; a screenshot at each."""
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900})
        violations = _axe_violations(tab)
        if violations:
            problems.append(f"{what} at {width} px: axe-core found {violations}")
        if width == 320 and _overflow(tab) > 0:
            problems.append(f"{what} at 320 px: {_overflow(tab)} px too wide: {_widest(tab)}")
        _shot(tab, f"every-{shot}.png" if width == 1280 else f"every-{shot}-320.png")
    tab.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _people(browser, base: str, items, key):
    """(person, their tab, their items): each person signs in once, in a tab of their own."""
    from django.conf import settings
    from playwright.sync_api import expect

    for user, theirs in groupby(items, key=key):
        context, tab = _new_tab(browser)
        try:
            if user:
                _sign_in(tab, base, user, password=settings.DEMO_PASSWORD)
                expect(tab.get_by_role("button", name="Sign out")).to_be_attached()
            yield user, tab, list(theirs)
        finally:
            context.close()


def _pages(browser, base: str, data: dict, problems: list[str]) -> None:
    for user, tab, pages in _people(browser, base, PAGES, key=lambda p: p.user):
        for spec in pages:
            path = spec.path(data)
            assert resolve(urlsplit(path).path).url_name == spec.name, path
            what = f"{spec.name} ({path}) as {user or 'nobody signed in'}"
            response = tab.goto(f"{base}{path}")
            if response is None or response.status != spec.status:
                problems.append(f"{what}: status {response and response.status}, not {spec.status}")
                continue
            _check(tab, problems, what, spec.shot)


def _errors(browser, base: str, data: dict, problems: list[str]) -> None:
    """Each form sent empty: the page says "Error:" in its title, and the GOV.UK error
    summary is shown and has focus (GOV.UK Frontend moves it there)."""
    from playwright.sync_api import expect

    for user, tab, forms in _people(browser, base, ERRORS, key=lambda e: e[0]):
        for _, path_of, button, shot in forms:
            path = path_of(data)
            what = f"{path} sent empty as {user or 'nobody signed in'}"
            tab.goto(f"{base}{path}")
            if button:
                tab.locator("main").get_by_role("button", name=button, exact=True).click()
            summary = tab.locator(".govuk-error-summary")
            try:
                expect(summary).to_be_focused()
            except AssertionError:
                problems.append(f"{what}: no error summary with focus")
                continue
            if not tab.title().startswith("Error: "):
                problems.append(f"{what}: the title does not begin 'Error: ': {tab.title()}")
            _check(tab, problems, what, f"error-{shot}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_page_and_its_errors_pass_axe_at_1280_and_320(
    browser, live_server, settings, tmp_path
):
    """One test, so that the demo loads once (the live server's database is emptied after
    each test)."""
    started = time.monotonic()
    data = _demo_data(settings, tmp_path)
    loaded = time.monotonic()
    problems: list[str] = []
    _pages(browser, live_server.url, data, problems)
    shown = time.monotonic()
    _errors(browser, live_server.url, data, problems)
    print(
        f"\nThe demo loaded in {loaded - started:.1f} s; {len(PAGES)} pages checked in "
        f"{shown - loaded:.1f} s, {len(ERRORS)} forms sent empty in "
        f"{time.monotonic() - shown:.1f} s"
    )
    assert not problems, "\n".join(problems)
