"""Browser tests: Debian's Chromium driven by Playwright against a real ASGI server."""

import contextlib
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, ViewportSize
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE: ViewportSize = {"width": 360, "height": 740}


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # (and pytest-django's database set-up) make beside it are ordinary blocking calls.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


# What Chromium writes to the console when either policy stops something ("Refused to
# execute inline script because it violates the following Content Security Policy
# directive: …", "[Violation] Permissions policy violation: camera is not allowed …").
POLICY_MESSAGE = re.compile(r"Content Security Policy|Permissions policy violation", re.I)

# Runs in every document before its own scripts, whatever its CSP, and hands each
# violation to Python as it happens, so a page closed before teardown still counts.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__policyViolation(
    event.documentURI, event.effectiveDirective, event.blockedURI, event.sample || ""
  );
}, true);
"""


class PolicyViolations:
    """Every CSP or Permissions-Policy violation in every page of one test: from the
    console and from the securitypolicyviolation event, in contexts opened by the
    `context` and `page` fixtures and by browser.new_context() or browser.new_page()."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.contexts: list[BrowserContext] = []

    def watch(self, context: BrowserContext) -> BrowserContext:
        if context in self.contexts:
            return context
        self.contexts.append(context)
        context.expose_binding("__policyViolation", self._reported)
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", self._console)
        return context

    def _reported(
        self, source: dict[str, Any], url: str, directive: str, blocked: str, sample: str
    ) -> None:
        said = f"{url}: {directive} blocked {blocked or 'inline'}"
        self.seen.append(said + (f" ({sample})" if sample else ""))

    def _console(self, message: ConsoleMessage) -> None:
        if POLICY_MESSAGE.search(message.text):
            url = message.page.url if message.page else message.location["url"]
            self.seen.append(f"{url}: {message.text}")

    def settle(self) -> None:
        """Close what the test left open (a second phone's page, say), which hands over
        any report still on its way."""
        for context in self.contexts:
            # ValueError: pytest-playwright's own context, closed and forgotten already.
            with contextlib.suppress(ValueError, PlaywrightError):
                context.close()


@pytest.fixture(autouse=True)
def policy_violations(monkeypatch: pytest.MonkeyPatch) -> Iterator[PolicyViolations]:
    """Fails a browser test whose pages broke the CSP or the Permissions-Policy: every
    context the test opens is watched, however it was opened."""
    violations = PolicyViolations()
    new_context, new_page = Browser.new_context, Browser.new_page

    def watched_context(self: Browser, *args: Any, **kwargs: Any) -> BrowserContext:
        return violations.watch(new_context(self, *args, **kwargs))

    def watched_page(self: Browser, *args: Any, **kwargs: Any) -> Page:
        page = new_page(self, *args, **kwargs)  # still on about:blank
        violations.watch(page.context)
        return page

    monkeypatch.setattr(Browser, "new_context", watched_context)
    monkeypatch.setattr(Browser, "new_page", watched_page)
    yield violations
    violations.settle()
    assert violations.seen == [], "policy violations:\n" + "\n".join(violations.seen)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but Chromium is not at {CHROMIUM}: browser tests must run")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    return {"viewport": PHONE, "locale": "en-GB", "timezone_id": "Europe/London"}


def off_the_loop(work: Callable[[], object]) -> None:
    """Run work that sends over the channel layer outside Playwright's event-loop thread,
    as a view or a Celery task would."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            # This thread's own connection, closed now: left to the garbage collector, it
            # can still hold the test database when pytest-django comes to drop it.
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=300)  # the demo town, with its year of history, takes most
    assert not thread.is_alive(), "the work off the loop took over five minutes"
    if errors:
        raise errors[0]


class Checks:
    """What every page must pass: axe (WCAG 2.2 AA) and no sideways scrolling at its width
    (360 px unless the test says)."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.seen: list[str] = []

    def page(self, page: Page, name: str, width: int = PHONE["width"]) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
        assert results.violations_count == 0, f"{name}: {results.generate_report()}"
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{name} scrolls sideways: {wide}px"
        self.seen.append(name)


@pytest.fixture
def checks() -> Checks:
    return Checks()
