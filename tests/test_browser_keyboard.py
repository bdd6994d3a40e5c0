"""Issue 13: a keyboard-only walk of a case move. An officer, with Tab, Shift+Tab, Enter, Space,
the arrow keys and typing only (no click, and no address typed after signing in), goes from the
start page to a case, escalates it one step up the council's ladder (000 3.i c: the decision on
new placements goes to the DASS), sends the move's form empty first (focus moves to the GOV.UK
error summary, whose links move focus to their field), then fills it in and sends it, and sees
the decision waiting. At each step the element with focus shows it in GOV.UK's focus colour."""

import datetime as dt
import re

import pytest

from councils.models import Role
from tests import browser_support
from tests.browser_support import _fill_date, _focused, _shot, _tab_to
from tests.factories import PASSWORD, LocationFactory, RatingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The browser fixtures this module uses (pytest finds fixtures among a module's names).
_async_unsafe_allowed = browser_support._async_unsafe_allowed
_fresh_cache = browser_support._fresh_cache
browser = browser_support.browser
page = browser_support.page

FOCUS_COLOUR = "rgb(255, 221, 0)"  # GOV.UK's focus colour, #ffdd00


def _focus_shown(page) -> str:
    """How the element with focus shows it in GOV.UK's focus colour (its outline, background,
    box shadow or border; a radio or checkbox on its label's box), or "" if it does not."""
    return page.evaluate(
        """(yellow) => {
            const el = document.activeElement;
            if (!el || el === document.body) return "";
            for (const target of [el, ...(el.labels || [])]) {
                for (const pseudo of [null, "::before", "::after"]) {
                    const s = getComputedStyle(target, pseudo);
                    const where = `${target.tagName.toLowerCase()}${pseudo || ""}`;
                    if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
                        && s.outlineColor === yellow) return `${where}: outline`;
                    if (s.backgroundColor === yellow) return `${where}: background`;
                    if (s.boxShadow.includes(yellow)) return `${where}: box shadow`;
                    if (s.borderTopColor === yellow) return `${where}: border`;
                }
            }
            return "";
        }""",
        FOCUS_COLOUR,
    )


def _has_visible_focus(page, locator) -> None:
    from playwright.sync_api import expect

    expect(locator).to_be_focused()
    assert _focus_shown(page), f"{locator} has focus but does not show it in the focus colour"


def _fill_on(page, answers: dict, until) -> None:
    """Tab on through the form until `until` has focus, answering each field named in
    `answers` as a person would: typing into a box (or a list, whose option the typing picks),
    the arrow keys to the wanted radio (Space for the first), a date box by box."""
    keyboard = page.keyboard
    for _ in range(80):
        keyboard.press("Tab")
        if _focused(page, until):
            return
        field = page.evaluate(
            """() => {
                const el = document.activeElement;
                return {name: el.name || "", type: el.type || "", value: el.value || ""};
            }"""
        )
        name = field["name"].removesuffix("_day")
        if name not in answers:
            continue
        wanted = answers.pop(name)
        if isinstance(wanted, dt.date):
            _fill_date(page, name, wanted, keyboard=True)
        elif field["type"] == "radio":
            keyboard.press("Space")
            for _ in range(10):
                if page.evaluate("() => document.activeElement.value") == wanted:
                    break
                keyboard.press("ArrowDown")  # moves to the next radio, and chooses it
        else:
            keyboard.type(wanted)
        _has_visible_focus(page, page.locator(":focus"))
    raise AssertionError(f"{until} not reached; not answered: {answers}")


def test_an_officer_escalates_a_case_with_the_keyboard_only(page, live_server, load_pack, member):
    from playwright.sync_api import expect

    from concerns.services import case_open

    council = load_pack("bromley")
    officer = member(council, Role.OFFICER)
    member(council, Role.DECISION_MAKER, title="Director of Adult Social Services (DASS)")
    home = LocationFactory(name="Hayes Court", local_authority="Bromley")
    RatingFactory(location=home, overall="Requires improvement", well_led="Inadequate")
    case = case_open(
        council=council, actor=officer, location=home,
        summary="Medicines errors reported by the district nurses.",
    )  # fmt: skip
    base = live_server.url
    keyboard = page.keyboard

    page.goto(f"{base}/accounts/login/")
    _tab_to(page, page.get_by_label("Username"))
    _has_visible_focus(page, page.get_by_label("Username"))
    keyboard.type(officer.username)
    keyboard.press("Tab")
    _has_visible_focus(page, page.get_by_label("Password"))
    keyboard.type(PASSWORD)
    keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/")

    # The start page: the skip link first, then on to the officer's case.
    keyboard.press("Tab")
    _has_visible_focus(page, page.get_by_role("link", name="Skip to main content"))
    to_case = page.get_by_role("link", name=case.reference)
    _tab_to(page, to_case, most=80)
    _has_visible_focus(page, to_case)
    _shot(page, "40-keyboard-start-page.png")
    keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Hayes Court")
    expect(page.get_by_test_id("case-stage")).to_contain_text("Contract compliance monitoring")
    escalate = page.get_by_test_id("moves").get_by_role(
        "link", name="Refer the decision on new placements to the DASS"
    )
    _tab_to(page, escalate, most=80)
    _has_visible_focus(page, escalate)
    _shot(page, "41-keyboard-case.png")
    keyboard.press("Enter")

    # The move's form, sent empty: focus goes to the error summary.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Refer the decision on new placements to the DASS"
    )
    send = page.get_by_role("button", name="Send the recommendation")
    _tab_to(page, send, most=80)
    _has_visible_focus(page, send)
    keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    _has_visible_focus(page, summary)
    _shot(page, "42-keyboard-move-errors.png")

    # Its first link moves focus to the field it names.
    keyboard.press("Tab")
    first = summary.get_by_role("link").first
    expect(first).to_have_text("Give the reason for this move")
    _has_visible_focus(page, first)
    keyboard.press("Enter")
    reason = page.get_by_label("Reason for this move")
    _has_visible_focus(page, reason)
    keyboard.type("Medicines actions not met at two plan reviews; the provider is not engaging.")

    # On through the form to the button, answering what the move asks; past it to Cancel
    # and back with Shift+Tab; then Enter sends it.
    _fill_on(
        page,
        {
            "ev_compliance_guidance_note": "Contract Compliance report of 3 November.",
            "q_reason": "Short term concerns",
            "q_recommendation": "Suspend new placements",
        },
        until=send,
    )
    _has_visible_focus(page, send)
    keyboard.press("Tab")
    _has_visible_focus(page, page.get_by_role("link", name="Cancel"))
    keyboard.press("Shift+Tab")
    _has_visible_focus(page, send)
    _shot(page, "43-keyboard-move-filled.png")
    keyboard.press("Enter")

    # Back on the case: the success banner has focus; the decision waits for the DASS.
    expect(page).to_have_url(f"{base}/cases/{case.pk}/")
    done = page.get_by_role("alert").filter(has_text="Success")
    expect(done).to_contain_text("recommended")
    _has_visible_focus(page, done)
    waiting = page.get_by_role("region", name="Waiting for a decision")
    expect(waiting).to_contain_text("Director of Adult Social Services")
    to_decision = waiting.get_by_role("link", name=re.compile("^REC-"))
    _tab_to(page, to_decision)
    _has_visible_focus(page, to_decision)
    _shot(page, "44-keyboard-decision-waiting.png")
    keyboard.press("Enter")
    expect(page.get_by_test_id("rec-status")).to_have_text("Waiting")
    expect(page.locator("main")).to_contain_text("Suspend new placements")
