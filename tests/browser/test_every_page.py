"""Every page, at a laptop's and a phone's size: no console errors or failed requests, no
sideways scrolling, no serious or critical axe-core violations."""

import datetime as dt

import pytest

from serendip.exchange.services import introduction_create, meeting_confirm, meeting_record, question_ask
from serendip.network.services import booking_create
from serendip.presence.services import checkin_create
from tests.conftest import PASSWORD

from .conftest import VIEWPORTS


@pytest.fixture
def network(make_member, make_space):
    from serendip.network.models import OpeningHours, Room

    space = make_space(name="Utrecht CS", slug="utrecht-cs", seats=5, seat_price=5)
    for weekday in range(7):
        OpeningHours.objects.create(space=space, weekday=weekday, opens="08:00", closes="20:00")
    Room.objects.create(space=space, name="Dom", capacity=6, hourly_price_cents=3500)
    host = make_member(display_name="Henk Host", offers=["community"])
    space.hosts.add(host)
    fiona = make_member(
        display_name="Fiona Funds", offers=["fundraising"], needs=["python"], visibility="public"
    )
    me = make_member(display_name="Ada Visser", offers=["python"], needs=["fundraising"])
    checkin_create(member=fiona, space_id=space.pk, date=space.local_today(), focus="seed round")
    # Enough of everything that each page shows its lists, forms and tables, not its empty state.
    checkin_create(member=me, space_id=space.pk, date=space.local_today(), focus="a Django app")
    day = space.local_today() + dt.timedelta(days=2)
    booking = booking_create(
        member=me,
        room_id=space.rooms.get().pk,
        starts_at=dt.datetime.combine(day, dt.time(10)),
        ends_at=dt.datetime.combine(day, dt.time(11)),
        title="Planning",
    )
    question = question_ask(asker=fiona, title="Which Python web framework?", body="", tags=["python"])
    introduction_create(member=fiona, recipient_id=me.pk, message="Coffee?")
    meeting = meeting_record(member=me, other_id=fiona.pk, date=space.local_today())
    meeting_confirm(member=fiona, meeting_id=meeting.pk, rating=5)
    return {
        "space": space,
        "host": host,
        "me": me,
        "invoice": booking.payment_reference,
        "question": question,
    }


PUBLIC = ["/", "/spaces/", "/spaces/utrecht-cs/", "/spaces/utrecht-cs/rooms", "/login/", "/signup/"]
MEMBER = [
    "/", "/spaces/", "/spaces/utrecht-cs/", "/spaces/utrecht-cs/rooms", "/passport/", "/passport/balance/",
    "/questions/", "/questions/ask", "/introductions/",
    "/meetings/", "/bookings/", "/following/", "/notifications/settings", "/passport/billing",
]  # fmt: skip
HOST = ["/host/utrecht-cs/", "/host/utrecht-cs/settings", "/host/utrecht-cs/rooms/new"]


SMALLEST = {"width": 360, "height": 740}  # every page must also fit the narrowest common phone


def go(v, path: str, size: str) -> None:
    v.go(path)
    if size == "phone":
        v.page.set_viewport_size(SMALLEST)
        assert v.overflow() <= 0, (path, "wider than 360 px", v.too_wide())
        v.page.set_viewport_size(VIEWPORTS[size])


@pytest.mark.parametrize("size", VIEWPORTS)
def test_every_page_passes_the_checks(visit, network, size):
    anonymous = visit(VIEWPORTS[size])
    for path in PUBLIC:
        go(anonymous, path, size)
    go(anonymous, "/spaces/utrecht-cs/lobby", size)
    # Swagger UI is django-ninja's (not ours to fix for axe); it must load and render under our CSP.
    anonymous.go("/api/v1/docs", axe=False)
    assert anonymous.page.locator(".swagger-ui .info .title").inner_text().startswith("Serendip API")
    member = visit(VIEWPORTS[size])
    member.login(network["me"], PASSWORD)
    # The header: one row of links on a laptop; on a phone they fold behind "Menu".
    member.go("/", check=False)
    nav, toggle = member.page.locator("#site-nav"), member.page.get_by_role("button", name="Menu")
    if size == "phone":
        assert toggle.is_visible() and not nav.is_visible()
        toggle.click()
        assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    else:
        assert not toggle.is_visible() and nav.is_visible()
        assert member.page.locator("header.top").bounding_box()["height"] < 80  # one row
    for path in [*MEMBER, f"/invoices/{network['invoice']}", f"/questions/{network['question'].pk}/"]:
        go(member, path, size)
    host = visit(VIEWPORTS[size])
    host.login(network["host"], PASSWORD)
    for path in HOST:
        go(host, path, size)
