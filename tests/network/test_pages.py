"""The lobby screen, the member's room pages, invoices and the host pages (no JavaScript)."""

import re

import pytest
from django.test import Client

from serendip.network.models import Booking, Room
from serendip.presence.models import CheckIn, CheckInStatus
from serendip.presence.services import checkin_create

from .conftest import book, days_ahead, local, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(open_space):
    return open_space(slug="utrecht-cs", name="Seats2meet Utrecht CS", house_rules="Quiet on floor 2")


# --- lobby ---------------------------------------------------------------------------------------


def test_the_lobby_shows_public_members_with_offers_and_a_check_in_qr_code(make_member, space):
    today = space.local_today()
    public = make_member(display_name="Polly Public", visibility="public", offers=["fundraising"])
    members_only = make_member(display_name="Mo Members", visibility="members")
    hidden = make_member(display_name="Hidden Harriet", visibility="hidden")
    for m in (public, members_only, hidden):
        checkin_create(member=m, space_id=space.pk, date=today, focus="pitch deck" if m is public else "")
    r = Client().get(f"/spaces/{space.slug}/lobby")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Polly Public" in html and "fundraising" in html and "pitch deck" in html
    assert "Mo Members" not in html and "Hidden Harriet" not in html
    assert "<svg" in html and f"/spaces/{space.slug}/" in html and "Quiet on floor 2" in html
    assert 'hx-trigger="every 30s"' in html


def test_the_lobby_has_no_inline_scripts_or_styles(space):
    html = Client().get(f"/spaces/{space.slug}/lobby").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "style=" not in html and "<style" not in html


def test_the_lobby_shows_todays_room_schedule(make_member, space, room, monkeypatch):
    today = space.local_today()
    b = Booking.objects.create(
        room=room,
        member=make_member(),
        starts_at=local(space, today, 0).replace(tzinfo=space.tz),
        ends_at=local(space, today, 1).replace(tzinfo=space.tz),
        title="Board meeting",
        net_cents=0,
        vat_rate=0,
        vat_cents=0,
        gross_cents=0,
        free_cancellation_until=local(space, today, 0).replace(tzinfo=space.tz),
        payment_provider="invoice",
        payment_status="invoiced",
    )  # made directly: a booking for today may already be in the past
    html = Client().get(f"/spaces/{space.slug}/lobby").content.decode()
    assert "Dom" in html and "00:00–01:00 <bdi>Board meeting</bdi>" in html
    assert b.member.display_name not in html  # who booked is not shown


def test_the_lobby_refresh_returns_only_the_live_part(make_member, space):
    r = Client().get(f"/spaces/{space.slug}/lobby", headers={"HX-Request": "true"})
    html = r.content.decode()
    assert r.status_code == 200 and "Here today" in html and "<html" not in html and "<svg" not in html


def test_the_lobby_of_an_unknown_space_is_a_404():
    assert Client().get("/spaces/nowhere/lobby").status_code == 404


def test_the_questions_hook_is_hidden_until_the_exchange_fills_it(space):
    assert b"Questions in the building" not in Client().get(f"/spaces/{space.slug}/lobby").content


# --- members: rooms, bookings, invoices ----------------------------------------------------------


def test_a_member_books_a_room_from_the_rooms_page(make_member, space, room):
    member = make_member()
    client = logged_in(member)
    date = days_ahead(space, 3)
    assert client.get(f"/spaces/{space.slug}/rooms?date={date}").status_code == 200
    r = client.post(
        f"/spaces/{space.slug}/rooms/book",
        {"room": room.pk, "date": date.isoformat(), "start": "10:00", "end": "11:30", "title": "Demo"},
    )
    assert r.status_code == 302 and r.url == "/bookings/"
    b = Booking.objects.get(member=member)
    assert b.minutes == 90 and b.title == "Demo"
    page = client.get("/bookings/").content.decode()
    assert "Dom" in page and "€63.53" in page and b.payment_reference in page


def test_a_refused_booking_shows_the_reason(make_member, space, room):
    client = logged_in(make_member())
    r = client.post(
        f"/spaces/{space.slug}/rooms/book",
        {"room": room.pk, "date": days_ahead(space, 3).isoformat(), "start": "06:00", "end": "07:00"},
    )
    assert r.status_code == 400 and "booking must fit inside opening hours" in r.content.decode()


def test_the_rooms_page_tolerates_a_bad_date(space, room):
    assert Client().get(f"/spaces/{space.slug}/rooms?date=not-a-date").status_code == 200
    assert Client().get(f"/spaces/{space.slug}/rooms?date=9999-12-31").status_code == 200


def test_cancelling_from_my_bookings(make_member, space, room):
    member = make_member()
    b = book(member, room, days_ahead(space, 10), 10, 11)
    r = logged_in(make_member()).post(f"/bookings/{b.pk}/cancel", follow=True)
    assert f"No booking with id {b.pk}" in r.content.decode()
    r = logged_in(member).post(f"/bookings/{b.pk}/cancel", follow=True)
    assert "refunds it" in r.content.decode()


def test_the_invoice_page_is_for_the_member_and_the_spaces_hosts_only(
    make_member, space, room, host, open_space
):
    member = make_member(display_name="Ada Visser")
    b = book(member, room, days_ahead(space, 3), 10, 11)
    url = f"/invoices/{b.payment_reference}"
    r = logged_in(member).get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Ada Visser" in html and "VAT 21%" in html and "€42.35" in html and b.payment_reference in html
    assert logged_in(host).get(url).status_code == 200
    other_host = make_member()
    open_space().hosts.add(other_host)
    assert logged_in(other_host).get(url).status_code == 404
    assert logged_in(make_member()).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


# --- hosts ---------------------------------------------------------------------------------------


def test_a_host_sees_todays_presence_including_hidden_members(make_member, space, host):
    hidden = make_member(display_name="Hidden Harriet", visibility="hidden")
    checkin_create(member=hidden, space_id=space.pk, date=space.local_today())
    r = logged_in(host).get(f"/host/{space.slug}/")
    assert r.status_code == 200 and "Hidden Harriet" in r.content.decode()
    assert logged_in(host).get("/host/").url == f"/host/{space.slug}/"


def test_a_host_checks_members_in_and_marks_no_shows(make_member, space, host):
    today = space.local_today()
    arriving, absent = make_member(), make_member()
    c1 = checkin_create(member=arriving, space_id=space.pk, date=today)
    c2 = checkin_create(member=absent, space_id=space.pk, date=today)
    client = logged_in(host)
    client.post(f"/host/{space.slug}/checkins/{c1.pk}/present")
    client.post(f"/host/{space.slug}/checkins/{c2.pk}/no-show")
    statuses = dict(CheckIn.objects.values_list("pk", "status"))
    assert statuses == {c1.pk: CheckInStatus.PRESENT, c2.pk: CheckInStatus.NO_SHOW}


def test_a_host_changes_settings_opening_hours_and_rooms(space, host, room):
    client = logged_in(host)
    r = client.post(
        f"/host/{space.slug}/settings",
        {
            "form": "settings",
            "seats": 40,
            "seat_price": "6.50",
            "cancellation_free_hours": 48,
            "house_rules": "Shh",
        },
    )
    assert r.status_code == 302
    hours = {f"opens_{d}": "09:00" for d in range(5)} | {f"closes_{d}": "17:30" for d in range(5)}
    assert client.post(f"/host/{space.slug}/settings", {"form": "hours", **hours}).status_code == 302
    r = client.post(
        f"/host/{space.slug}/rooms/new",
        {"name": "Neude", "capacity": 4, "hourly_price": "19.95", "amenities": "screen"},
    )
    assert r.status_code == 302
    r = client.post(
        f"/host/{space.slug}/rooms/{room.pk}/",
        {"name": "Dom", "capacity": 8, "hourly_price": "40", "active": ""},
    )
    assert r.status_code == 302
    space.refresh_from_db()
    room.refresh_from_db()
    assert (space.seats, str(space.seat_price), space.cancellation_free_hours) == (40, "6.50", 48)
    assert sorted(space.opening_hours.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]
    assert Room.objects.get(space=space, name="Neude").hourly_price_cents == 1995
    assert (room.hourly_price_cents, room.active) == (4000, False)
    assert client.get(f"/host/{space.slug}/").status_code == 200


def test_bad_host_input_shows_errors_and_saves_nothing(space, host):
    client = logged_in(host)
    r = client.post(
        f"/host/{space.slug}/settings", {"form": "hours", "opens_0": "18:00", "closes_0": "09:00"}
    )
    assert r.status_code == 400 and "close after it opens" in r.content.decode()
    r = client.post(f"/host/{space.slug}/settings", {"form": "hours", "opens_0": "09:00"})
    assert r.status_code == 400 and "give both times" in r.content.decode()
    assert space.opening_hours.count() == 7


def test_a_host_of_one_space_cannot_see_or_change_another(
    make_member, space, room, host, open_space, make_room
):
    other = open_space(slug="amsterdam")
    other_room = make_room(other)
    checkin = checkin_create(member=make_member(), space_id=other.pk, date=other.local_today())
    client = logged_in(host)
    assert client.get(f"/host/{other.slug}/").status_code == 403
    assert client.get(f"/host/{other.slug}/settings").status_code == 403
    assert (
        client.post(
            f"/host/{other.slug}/settings",
            {"form": "settings", "seats": 0, "seat_price": "0", "cancellation_free_hours": 0},
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/host/{other.slug}/rooms/new", {"name": "X", "capacity": 1, "hourly_price": "1"}
        ).status_code
        == 403
    )
    # Through their own space's URLs, with the other space's ids:
    assert client.get(f"/host/{space.slug}/rooms/{other_room.pk}/").status_code == 404
    client.post(f"/host/{space.slug}/checkins/{checkin.pk}/present")
    client.post(f"/host/{space.slug}/checkins/{checkin.pk}/no-show")
    checkin.refresh_from_db()
    other.refresh_from_db()
    assert checkin.status == CheckInStatus.RESERVED and other.seats == 10 and other.rooms.count() == 1
    assert client.get("/host/").url == f"/host/{space.slug}/"  # only their own space


def test_members_who_host_nothing_and_visitors_are_kept_out(make_member, space):
    assert logged_in(make_member()).get(f"/host/{space.slug}/").status_code == 403
    assert Client().get(f"/host/{space.slug}/").status_code == 302
    r = logged_in(make_member()).get("/host/")
    assert r.status_code == 200 and b"don't host a space" in r.content
