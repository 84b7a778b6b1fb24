"""The members' journeys end to end in chromium, each at a laptop's and a phone's size. Every
page on the way fails the test on console errors, failed requests or sideways scrolling (axe
runs on every page in test_every_page.py)."""

import datetime as dt
import re

import pytest

from serendip.exchange.models import Meeting, Outcome
from serendip.network.models import Booking, OpeningHours, Room, Space
from serendip.passport.models import Member
from serendip.passport.selectors import member_tags_by_kind
from serendip.presence.services import checkin_create
from tests.conftest import PASSWORD

from .conftest import VIEWPORTS


def needs_weasyprint() -> None:
    """Skip where WeasyPrint or Debian's pango is missing (.ci/run installs pango)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:  # pango missing: OSError when loading it
        pytest.skip(f"WeasyPrint cannot load here: {exc}")


@pytest.fixture
def space(make_space):
    space = make_space(name="Utrecht CS", slug="utrecht-cs", seats=20, seat_price=5)
    for weekday in range(7):
        OpeningHours.objects.create(space=space, weekday=weekday, opens="08:00", closes="20:00")
    Room.objects.create(space=space, name="Dom", capacity=6, hourly_price_cents=3500)
    return space


@pytest.fixture
def fiona(make_member, space):
    fiona = make_member(
        "fiona", display_name="Fiona Funds", offers=["fundraising"], needs=["python"], visibility="public"
    )
    checkin_create(member=fiona, space_id=space.pk, date=space.local_today(), focus="seed round")
    return fiona


def step(v, path: str | None = None) -> None:
    """Open `path` (or stay) and hold the page to the bar."""
    if path is not None:
        v.page.goto(v.base_url + path)
    v.check(axe=False)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_sign_up_passport_check_in_suggestion_introduction_meeting_outcome(visit, space, fiona, size):
    ada = visit(VIEWPORTS[size])
    page = ada.page
    step(ada, "/signup/")
    page.fill("#id_username", "ada")
    page.fill("#id_display_name", "Ada Visser")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    assert page.url.endswith("/passport/")
    # Tags as chips: typed with autocomplete, Enter adds one, a level control instead of "python:3".
    page.fill("#id_offers-entry", "Python")
    page.press("#id_offers-entry", "Enter")
    page.fill("#id_offers-entry", "Django")
    page.press("#id_offers-entry", "Enter")
    page.select_option("select[aria-label='Level of Python']", "3")
    page.fill("#id_needs-entry", "fundraising")
    page.press("#id_needs-entry", "Enter")
    page.click("form.passport-form button[type=submit]")
    assert "Passport saved" in page.inner_text("main")
    assert member_tags_by_kind(Member.objects.get(display_name="Ada Visser")) == {
        "offer": {"python": 3.0, "django": 1.0}, "need": {"fundraising": 1.0}, "interest": {},
    }  # fmt: skip
    preview = page.inner_text(".preview")
    assert "python" in preview and "fundraising" in preview  # how others see her
    step(ada)

    step(ada, "/spaces/utrecht-cs/")
    page.fill("#id_focus", "raising a seed round")
    page.click("form.card button[type=submit]")
    main = page.inner_text("main")
    assert "You have a seat here today" in main and "Check in for another day" in main
    card = page.locator("li.card", has_text="Fiona Funds")
    assert card.locator(".chip").count() >= 1  # why meet her, as chips
    card.locator("input[name=message]").fill("Could we talk about your seed round?")
    card.get_by_role("button", name="Ask for an introduction").click()
    page.wait_for_selector("text=Introduction requested")
    assert card.get_by_role("button", name="Ask for an introduction").count() == 0  # changed in place
    step(ada)

    her = visit(VIEWPORTS[size])
    her.login(fiona, PASSWORD)
    step(her, "/introductions/")
    assert "Could we talk about your seed round?" in her.page.inner_text("main")
    her.page.get_by_role("button", name="Accept").click()
    assert "Accepted" in her.page.inner_text("main")  # and it stays listed
    assert "Ada Visser" in her.page.locator("main h2 + ul").first.inner_text()
    step(her)

    step(ada, "/spaces/utrecht-cs/")
    ada.page.locator("li.card", has_text="Fiona Funds").get_by_role("button", name="We met").click()
    page.wait_for_selector("text=Meeting recorded")
    step(ada)

    step(her, "/meetings/")
    her.page.get_by_role("button", name="Confirm we met").click()
    assert "Meeting confirmed" in her.page.inner_text("main")
    step(her)

    step(ada, "/meetings/")
    meeting = Meeting.objects.get()
    ada.page.select_option(f"#id_m{meeting.pk}-kind", "paid_work")
    ada.page.fill(f"#id_m{meeting.pk}-value_eur", "1234.56")
    ada.page.get_by_role("button", name="Save the outcome").click()
    assert "€1,234.56" in ada.page.inner_text("main")
    assert Outcome.objects.get().value_cents == 123456
    step(ada)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_ask_routed_answered_accepted(visit, make_member, space, fiona, size):
    asker = make_member("ann", display_name="Ann Asker", needs=["fundraising"])
    ann = visit(VIEWPORTS[size])
    ann.login(asker, PASSWORD)
    step(ann, "/questions/ask")
    ann.page.fill("#id_title", "How do I raise a seed round?")
    ann.page.fill("#id_tags", "fundraising")
    ann.page.click("main button[type=submit]")
    assert "It went to" in ann.page.inner_text("main")
    question_url = ann.page.url
    step(ann)

    her = visit(VIEWPORTS[size])
    her.login(fiona, PASSWORD)
    step(her, "/questions/")
    her.page.get_by_role("link", name="How do I raise a seed round?").first.click()
    her.page.fill("#id_body", "Start with angels you know.")
    her.page.get_by_role("button", name="Answer").click()
    assert "Thanks for answering" in her.page.inner_text("main")
    step(her)

    ann.page.goto(question_url)
    assert "Start with angels you know." in ann.page.inner_text("main")
    ann.page.get_by_role("button", name="Accept this answer").click()
    assert "Answer accepted" in ann.page.inner_text("main")
    step(ann)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_book_a_room_and_download_the_invoice_pdf(visit, make_member, space, size):
    needs_weasyprint()
    member = make_member("bob", display_name="Bob Booker")
    bob = visit(VIEWPORTS[size])
    bob.login(member, PASSWORD)
    day = space.local_today() + dt.timedelta(days=3)
    step(bob, f"/spaces/utrecht-cs/rooms?date={day.isoformat()}")
    page = bob.page
    page.fill("#id_date", day.isoformat())
    page.fill("#id_start", "10:00")
    page.fill("#id_end", "12:00")
    page.locator("#id_end").dispatch_event("change")
    page.wait_for_selector("#quote :text('€84.70')")  # the price preview: 2 h x €35 + 21% VAT
    page.get_by_role("button", name="Book and get the invoice").click()
    assert page.url.endswith("/bookings/")
    step(bob)
    booking = Booking.objects.get()
    page.get_by_role("link", name=re.compile(booking.payment_reference)).first.click()
    assert "VAT id" in page.inner_text("main")
    step(bob)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_host_changes_seats_but_not_below_todays_check_ins(visit, make_member, space, fiona, size):
    host = make_member("henk", display_name="Henk Host")
    space.hosts.add(host)
    h = visit(VIEWPORTS[size])
    h.login(host, PASSWORD)
    step(h, "/host/utrecht-cs/settings")
    h.page.fill("#id_seats", "0")
    h.page.get_by_role("button", name="Save settings").click()
    assert "already taken" in h.page.inner_text("main")
    h.problems = [p for p in h.problems if "400" not in p]  # the refusal is meant to be a 400 page
    h.check(axe=False)
    h.page.fill("#id_seats", "12")
    h.page.get_by_role("button", name="Save settings").click()
    assert "Settings saved" in h.page.inner_text("main")
    assert Space.objects.get(pk=space.pk).seats == 12
    step(h, "/host/utrecht-cs/")
    assert "Seats taken: 1 of 12" in h.page.inner_text("main")
