"""Browser tests: Debian's chromium through Playwright, one browser for this package's tests.

Every page a test opens is checked the same way (`Visit.check`): no console errors (CSP
violations included), no failed or 4xx/5xx requests, no sideways scrolling, and no serious
or critical axe-core violations. Skipped where chromium or playwright is missing (`.ci/run`
installs chromium)."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
VIEWPORTS = {"laptop": LAPTOP, "phone": PHONE}

playwright_api = pytest.importorskip("playwright.sync_api")


def pytest_collection_modifyitems(items):
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(
                pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium")
            )
            item.add_marker(pytest.mark.django_db(transaction=True))


# One browser for this package's tests, closed after them: Playwright's sync API runs an
# event loop in this thread, and other packages' browser tests start their own.
@pytest.fixture(scope="package")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are
    # still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class Visit:
    """One browser context (its own cookies) at one viewport, collecting what went wrong."""

    def __init__(self, browser, base_url: str, viewport: dict):
        self.base_url = base_url
        self.context = browser.new_context(viewport=viewport)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        page = self.page
        page.on(
            "console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None
        )
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on(
            "response",
            lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
        )

    def go(self, path: str, *, check: bool = True, axe: bool = True, expect_status: int | None = None):
        response = self.page.goto(self.base_url + path)
        if expect_status is not None:
            assert response.status == expect_status, (path, response.status)
            self.problems = [p for p in self.problems if not p.startswith(f"HTTP {expect_status}")]
        if check:
            self.check(path, axe=axe)
        return response

    def overflow(self) -> int:
        """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
        return self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )

    def too_wide(self) -> list[str]:
        """The innermost elements reaching past the window's right edge (to say what overflows)."""
        return self.page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth + 0.5;
                const past = e => e.getBoundingClientRect().right > width;
                return [...document.querySelectorAll("body *")]
                    .filter(e => past(e) && ![...e.children].some(past))
                    .slice(0, 5)
                    .map(e => e.tagName + "." + e.className + " " + e.textContent.trim().slice(0, 40));
            }"""
        )

    def axe_violations(self) -> list[str]:
        self.page.evaluate(AXE + "\n;undefined")  # through DevTools: the page's CSP stays as it is
        found = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ["violations"]});
                return r.violations
                    .filter(v => v.impact === "serious" || v.impact === "critical")
                    .map(v => v.id + " (" + v.impact + "): "
                              + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
            }"""
        )
        return found

    def check(self, where: str = "", *, axe: bool = True) -> None:
        """Fail on anything collected so far, sideways overflow, or serious axe violations."""
        self.page.wait_for_load_state("networkidle")
        where = where or self.page.url
        assert self.problems == [], (where, self.problems)
        assert self.overflow() <= 0, (where, f"{self.overflow()} px wider than the window", self.too_wide())
        if axe:
            violations = self.axe_violations()
            assert violations == [], (where, violations)

    def login(self, member, password: str) -> None:
        self.page.goto(self.base_url + "/login/")
        self.page.fill("#id_username", member.user.username)
        self.page.fill("#id_password", password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, live_server):
    """visit(viewport) -> a fresh Visit; all are closed after the test."""
    opened = []

    def make(viewport=LAPTOP) -> Visit:
        v = Visit(browser, live_server.url, viewport)
        opened.append(v)
        return v

    yield make
    for v in opened:
        v.close()
