"""The basic member flow in a real browser (Debian's chromium through Playwright).

Skipped where chromium or playwright is missing; `.ci/run` installs both."""

import os
import shutil

import pytest

from serendip.presence.services import checkin_create

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser_page(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        yield page, problems
        browser.close()


def test_a_member_signs_up_fills_the_passport_checks_in_and_sees_whom_to_meet(
    live_server, browser_page, make_member, make_space
):
    page, problems = browser_page
    space = make_space(name="Utrecht CS", slug="utrecht-cs", seats=5, seat_price=5)
    fiona = make_member(display_name="Fiona Funds", offers=["fundraising"], needs=["python"])
    checkin_create(member=fiona, space_id=space.pk, date=space.local_today())

    page.goto(f"{live_server.url}/signup/")
    page.fill("#id_username", "newbie")
    page.fill("#id_display_name", "New Bie")
    page.fill("#id_password", "a-long-test-password")
    page.click("button[type=submit]")
    assert page.url.endswith("/passport/")

    page.fill("#id_offers", "Python:3, Django")
    page.fill("#id_needs", "fundraising")
    page.click("form.stack button[type=submit]")
    assert "Passport saved" in page.content()

    page.goto(f"{live_server.url}/spaces/utrecht-cs/")
    page.fill("#id_focus", "raising a seed round")
    page.click("form.card button[type=submit]")
    body = page.inner_text("main")
    assert "You're reserved here today" in body
    assert "Fiona Funds" in body and "fundraising" in body
    page.goto(f"{live_server.url}/passport/balance/")
    assert "Seat at Utrecht CS" in page.inner_text("main")
    assert problems == [], problems  # no CSP violations or script errors
