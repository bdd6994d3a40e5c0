"""What the browser tests share: headless Chromium through Playwright (skipped when it is not
installed, unless REQUIRE_BROWSER=1), signing in, screenshots into test-artifacts/, axe-core's
WCAG 2.2 A and AA rules, the check that nothing is wider than a 320 px window, and filling a
date field. A test module names the fixtures it uses (`browser = browser_support.browser`:
pytest finds fixtures among a module's names), so each module gets its own browser."""

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TIMEOUT_MS = 10_000
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1280, 320)


@pytest.fixture(scope="module", autouse=True)
def _async_unsafe_allowed():
    """Playwright's sync API keeps an event loop running in this thread; without this,
    Django refuses the test's own database access."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed):
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (run `make browser`)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)  # CI must walk the pages, never skip them
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _new_tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    context, tab = _new_tab(browser)
    yield tab
    context.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Search's filter options are cached; a flushed database must not see stale ones."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _shot(page, name):
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _sign_in(page, base_url, user, password=PASSWORD):
    """Sign in on the sign-in page; `user` is a user or a username."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(getattr(user, "username", user))
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _focused(page, locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def _tab_to(page, locator, most=40) -> int:
    """Press Tab until the locator has focus; the number of presses it took."""
    for presses in range(most + 1):
        if _focused(page, locator):
            return presses
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} not reached in {most} presses of Tab")


def _axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.2 A and AA rules on the page as it is now: each violation with the
    elements it found."""
    if not AXE.exists():
        message = f"axe-core is not installed at {AXE} (run `make assets`: npm ci)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the browser's debugging protocol: the page's Content-Security-Policy
        # allows no inline script, and rightly blocks a <script> tag added to it.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ")),
            }));
        }""",
        AXE_TAGS,
    )


def _overflow(page) -> int:
    """How far the page is wider than the window (0: it fits; wide tables scroll in their
    own region)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _widest(page) -> list[str]:
    """The elements that stick out past the window, or whose text spills out of them (to
    say what overflows): the last few in the document's order, the innermost."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const out = [];
          for (const e of document.querySelectorAll('body *')) {
            const box = e.getBoundingClientRect();
            const style = getComputedStyle(e);
            const spills = style.overflowX === 'visible' && e.clientWidth > 0
              && e.scrollWidth > e.clientWidth && box.left + e.scrollWidth > width;
            if (box.right > width || spills) {
              out.push(`${e.tagName}.${e.className} ${Math.round(box.right)}`
                + (style.position === 'absolute' ? ' (absolute)' : '')
                + (spills ? ' (its content spills out)' : ''));
            }
          }
          return out.slice(-6);
        }"""
    )


def _at_both_widths(page, name: str, show) -> None:
    """Show the page at 1280 and at 320 px: no axe violation, nothing wider than the window
    at 320, and a screenshot of each (`<name>.png`, `<name>-320.png`)."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        show()
        assert _axe_violations(page) == [], (name, width)
        if width == 320:
            assert _overflow(page) <= 0, (name, _overflow(page), _widest(page))
        _shot(page, f"{name}.png" if width == 1280 else f"{name}-320.png")


def _fill_date(page, name: str, value: dt.date, *, keyboard: bool = False) -> None:
    """Fill the date field `name` of the form on the page: the GOV.UK date input's three
    boxes (`id_<name>_0/1/2`: day, month, year) where the form has them, else the one
    `<input type=date>` (`id_<name>`) with the ISO date. With `keyboard`, it is typed into
    whichever box has focus now and the ones after it, moving on with Tab, as a person would:
    focus must be on the first box (or the one date input) when it is called."""
    boxes = page.locator(f"#id_{name}_0")
    three = boxes.count() > 0
    if keyboard:
        if three:
            for n, part in enumerate((str(value.day), str(value.month), str(value.year))):
                if n:
                    page.keyboard.press("Tab")
                page.keyboard.type(part)
        else:
            # Chromium's date input takes its parts typed in the locale's order (en-GB:
            # day, month, year), moving on to the next part by itself.
            page.keyboard.type(value.strftime("%d%m%Y"))
        return
    if three:
        page.locator(f"#id_{name}_0").fill(str(value.day))
        page.locator(f"#id_{name}_1").fill(str(value.month))
        page.locator(f"#id_{name}_2").fill(str(value.year))
    else:
        page.locator(f"#id_{name}").fill(value.isoformat())


def _date_in(page, legend: str, value: dt.date) -> None:
    """Fill the GOV.UK date input whose question (legend) is `legend`, as a person reads it:
    its Day, Month and Year boxes."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def _choose(page, question: str, answer: str) -> None:
    """Choose `answer` among the radios asking `question`."""
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
