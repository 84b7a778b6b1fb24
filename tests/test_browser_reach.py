"""Reach in a real browser: ada asks; a member the question was routed to sees the bell rise
without a reload, finds the email in the demo outbox, follows its link and answers. At a
laptop's and a phone's size, failing on console errors, failed requests and sideways scrolling."""

import os
import re
import shutil

import pytest

from serendip.exchange.models import Answer
from serendip.notifications.models import OutboundEmail
from serendip.notifications.services import email_mark_verified
from serendip.reach.worker import run_pumps
from tests.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
    pytest.mark.django_db(transaction=True),
]


def watch(page, problems):
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # A poll still in flight when the page navigates away is aborted by the browser: not a failure.
    def failed(request):
        if "ERR_ABORTED" not in (request.failure or ""):
            problems.append(f"failed: {request.url} {request.failure}")

    page.on("requestfailed", failed)
    page.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)


def no_sideways_scroll(page):
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"


def log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["laptop", "phone"])
def test_a_routed_member_sees_the_bell_rise_gets_the_email_and_answers(
    live_server, make_member, settings, viewport, browser
):
    settings.SITE_URL = live_server.url
    settings.EMAIL_OUTBOX_PAGE = True
    settings.BELL_POLL_SECONDS = 1
    make_member("ada", display_name="Ada", needs=["kubernetes"])
    bob = make_member("bob", display_name="Bob", offers=["kubernetes"])
    bob.user.email = "bob@example.org"
    bob.user.save()
    email_mark_verified(member=bob)
    problems: list[str] = []
    size = {"width": viewport[0], "height": viewport[1]}
    contexts = [browser.new_context(viewport=size) for _ in range(2)]  # the session's browser
    ada_page, bob_page = (c.new_page() for c in contexts)
    for page in (ada_page, bob_page):
        watch(page, problems)
    log_in(bob_page, live_server.url, "bob")
    bob_page.goto(f"{live_server.url}/questions/")
    assert bob_page.inner_text("#bell .bell-count") == "0"
    no_sideways_scroll(bob_page)

    log_in(ada_page, live_server.url, "ada")
    ada_page.goto(f"{live_server.url}/questions/ask")
    ada_page.fill("#id_title", "How do I size a Kubernetes cluster?")
    ada_page.fill("#id_tags", "kubernetes")
    ada_page.click("main button[type=submit]")
    ada_page.wait_for_url(re.compile(r".*/questions/\d+/$"))

    # Bob's page, not reloaded, polls the bell: it rises to 1.
    playwright.expect(bob_page.locator("#bell .bell-count")).to_have_text("1", timeout=10_000)
    playwright.expect(bob_page.locator("#bell")).to_have_class(re.compile(r"\bhas-unread\b"))

    run_pumps()  # the worker: the notification becomes an email and is sent
    assert OutboundEmail.objects.get(kind="question_routed").status == "sent"
    bob_page.goto(f"{live_server.url}/outbox/")
    email = bob_page.locator(".outbox-email", has_text="A question was routed to you")
    assert "bob@example.org" in email.inner_text()
    no_sideways_scroll(bob_page)
    email.locator("a[href*='/questions/']").first.click()
    bob_page.wait_for_url(re.compile(r".*/questions/\d+/$"))
    assert "How do I size a Kubernetes cluster?" in bob_page.inner_text("main")
    no_sideways_scroll(bob_page)
    bob_page.fill("#id_body", "Start with three nodes and measure.")
    bob_page.click("form[action$='/answer'] button[type=submit]")
    bob_page.wait_for_load_state()
    assert "Start with three nodes and measure." in bob_page.inner_text("main")

    bob_page.goto(f"{live_server.url}/notifications/")
    no_sideways_scroll(bob_page)
    ada_page.goto(f"{live_server.url}/notifications/")
    assert "Bob answered your question" in ada_page.inner_text("main")
    no_sideways_scroll(ada_page)
    for c in contexts:
        c.close()
    assert Answer.objects.filter(author=bob).count() == 1
    assert problems == []
