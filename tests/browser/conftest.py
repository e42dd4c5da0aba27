"""Browser-test fixtures: the app served over real HTTP, headless Chromium, CSP-checked pages.

Browser tests run with the production form and cookie settings (CSRF on, ``Secure`` cookies):
Chromium treats http://127.0.0.1 as a secure context, so it stores and sends ``Secure`` cookies
there, and a passing browser test shows that the real sign-in and form round-trips work.

Every page opened through ``page`` or ``open_page`` records console messages and uncaught page
errors; at teardown the test fails on any Content-Security-Policy violation or page error, so
each browser test also proves the pages satisfy the CSP (no inline scripts or styles).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, expect, sync_playwright

from tests.conftest import running_app

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000  # generous: the machine running the suite may be busy
# Besides Chromium's own console message, log each violation event in a fixed wording, so the
# check does not depend on how a Chromium version phrases its message. Playwright injects this
# script over DevTools, so the page's CSP does not block it.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const blocked = event.blockedURI || "inline";
  console.error(`Content Security Policy violation: ${event.violatedDirective} blocked ${blocked}`);
});
"""

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
def browser_app(app_config, profile):
    """The app with the real CSRF check and ``Secure`` cookies, unlike the fast ``app`` of other tests."""
    yield from running_app({**app_config, "WTF_CSRF_ENABLED": True, "SECURE_COOKIES": True}, profile)


@pytest.fixture
def app(browser_app):
    """In browser tests ``app`` (and so ``users``, ``make_user``, ``live_server``) is ``browser_app``."""
    return browser_app


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright, shared by the session."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not shutil.which(executable):
        pytest.fail(
            f"Chromium is not installed (looked for `chromium` on PATH and {executable}). "
            "`make test` installs it (apt-get install chromium); browser tests are never skipped.",
            pytrace=False,
        )
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    except Error as exc:
        playwright.stop()
        pytest.fail(f"Chromium at {executable} did not start: {exc}", pytrace=False)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@dataclass
class PageLog:
    """What one page reported: console messages and uncaught errors."""

    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [line for line in self.console if "Content Security Policy" in line]


@pytest.fixture
def open_page(browser, live_server) -> Iterator[Callable[[], Page]]:
    """Open a page in a new, empty browser context (its own cookies: a separate visitor).

    Keyword arguments are the browser context's options (``locale="hy-AM"``, ``viewport=...``).
    Relative URLs resolve against the live server. At teardown, fails if any page opened
    this way logged a Content-Security-Policy violation or raised an uncaught error.
    """
    opened: list[tuple[BrowserContext, PageLog]] = []

    def factory(**options) -> Page:
        context = browser.new_context(**{"base_url": live_server, **options})
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        log = PageLog()
        opened.append((context, log))
        new_page = context.new_page()
        new_page.on("console", lambda message: _record_console(log, message))
        new_page.on("pageerror", lambda error: log.errors.append(str(error)))
        return new_page

    yield factory

    problems = []
    for context, log in opened:
        context.close()
        problems += [f"CSP violation: {line}" for line in log.csp_violations()]
        problems += [f"page error: {line}" for line in log.errors]
    assert not problems, "The browser reported:\n" + "\n".join(problems)


def _record_console(log: PageLog, message: ConsoleMessage) -> None:
    location = message.location
    where = f" ({location.get('url')}:{location.get('lineNumber')})" if location and location.get("url") else ""
    log.console.append(f"[{message.type}] {message.text}{where}")


@pytest.fixture
def page(open_page) -> Page:
    """A page in a fresh browser context, checked for CSP violations and page errors at teardown."""
    return open_page()
