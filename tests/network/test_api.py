"""The rooms, availability, bookings and invoices API: behaviour and error codes."""

import datetime as dt

import pytest

from serendip.network.models import Booking, Invoice

from .conftest import days_ahead, next_last_sunday

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(open_space):
    return open_space(slug="utrecht-cs", country="NL", timezone="Europe/Amsterdam")


@pytest.fixture
def room(space, make_room):
    return make_room(space, name="Dom", hourly_price_cents=3500, amenities=["screen"])


def at(date, hour, minute=0) -> str:
    return f"{date.isoformat()}T{hour:02d}:{minute:02d}"


def post_booking(client, room, date, start, end, **extra):
    return client.post(
        "/bookings", {"room_id": room.pk, "starts_at": at(date, *start), "ends_at": at(date, *end), **extra}
    )


def test_it_lists_a_spaces_rooms_for_anyone(api_as, room):
    r = api_as().get(f"/spaces/{room.space_id}/rooms")
    assert r.status_code == 200
    assert r.json() == [
        {
            "id": room.pk,
            "space_id": room.space_id,
            "name": "Dom",
            "capacity": 6,
            "amenities": ["screen"],
            "hourly_price_cents": 3500,
            "currency": "EUR",
            "vat_rate": "21",
        }
    ]
    assert api_as().get("/spaces/999999/rooms").status_code == 404


def test_it_books_and_answers_with_local_times_and_amounts(api_as, make_member, room):
    date = days_ahead(room.space, 3)
    r = post_booking(api_as(make_member()), room, date, (10, 0), (11, 30), title="Pitch rehearsal")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["starts_at"].startswith(at(date, 10)) and body["timezone"] == "Europe/Amsterdam"
    assert (body["net_cents"], body["vat_cents"], body["gross_cents"]) == (5250, 1103, 6353)
    assert body["payment_status"] == "invoiced" and body["invoice_number"].startswith("UTRECHT-CS-")
    assert body["title"] == "Pitch rehearsal" and body["credit_note_number"] is None


def test_the_client_cannot_set_a_payment_status(api_as, make_member, room):
    date = days_ahead(room.space, 3)
    r = post_booking(
        api_as(make_member()), room, date, (10, 0), (11, 0), payment_status="paid", gross_cents=0
    )
    assert (
        r.status_code == 201 and r.json()["payment_status"] == "invoiced" and r.json()["gross_cents"] == 4235
    )


def test_an_overlap_is_a_409(api_as, make_member, room):
    date = days_ahead(room.space, 3)
    assert post_booking(api_as(make_member()), room, date, (10, 0), (12, 0)).status_code == 201
    r = post_booking(api_as(make_member()), room, date, (11, 0), (13, 0))
    assert r.status_code == 409 and "already booked" in r.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"room_id": 0, "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00"}, 422),
        ({"room_id": 2**63, "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00"}, 422),
        ({"room_id": 1, "starts_at": "tomorrow", "ends_at": "2030-01-01T11:00"}, 422),
        ({"room_id": 1, "ends_at": "2030-01-01T11:00"}, 422),
        ({"room_id": 999999, "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00"}, 404),
    ],
)
def test_bad_booking_input_is_a_clear_error(api_as, make_member, room, payload, status):
    r = api_as(make_member()).post("/bookings", payload)
    assert r.status_code == status and r.json()["detail"]


def test_rule_violations_are_400s_never_500s(api_as, make_member, room):
    client = api_as(make_member())
    date = days_ahead(room.space, 3)
    for start, end in [
        ("9999-12-31T10:00", "9999-12-31T11:00"),
        ("0001-01-01T00:00+05:00", "0001-01-01T01:00+05:00"),
        (at(date, 6), at(date, 7)),
        (at(date, 10, 7), at(date, 11)),
    ]:
        r = client.post("/bookings", {"room_id": room.pk, "starts_at": start, "ends_at": end})
        assert r.status_code == 400, (start, r.content)
    r = client.post(
        "/bookings",
        {"room_id": room.pk, "starts_at": at(date, 10), "ends_at": at(date, 11), "title": "a\x00"},
    )
    assert r.status_code == 422
    assert not Booking.objects.exists()


def test_an_ambiguous_dst_time_is_a_400_that_says_how_to_fix_it(
    api_as, make_member, open_space, make_room, far_horizon
):
    space = open_space(opens=dt.time(0), closes=dt.time(0))
    room = make_room(space)
    sunday = next_last_sunday(10, after=space.local_today() + dt.timedelta(days=1))
    client = api_as(make_member())
    r = post_booking(client, room, sunday, (2, 30), (4, 0))
    assert r.status_code == 400 and "+02:00 or +01:00" in r.json()["detail"]
    r = client.post(
        "/bookings", {"room_id": room.pk, "starts_at": f"{sunday}T02:30+01:00", "ends_at": f"{sunday}T04:00"}
    )
    assert r.status_code == 201 and r.json()["starts_at"] == f"{sunday}T02:30:00+01:00"


def test_booking_needs_authentication(api_as, room):
    date = days_ahead(room.space, 3)
    assert post_booking(api_as(), room, date, (10, 0), (11, 0)).status_code == 401


def test_availability_shows_opening_hours_bookings_and_free_slots(api_as, make_member, room):
    date = days_ahead(room.space, 3)
    post_booking(api_as(make_member()), room, date, (10, 0), (12, 0))
    r = api_as().get(f"/rooms/{room.pk}/availability", date=date.isoformat())
    assert r.status_code == 200
    body = r.json()
    assert (
        body["open"]
        and body["opens_at"].startswith(at(date, 8))
        and body["closes_at"].startswith(at(date, 20))
    )
    assert [(s["starts_at"][11:16], s["ends_at"][11:16]) for s in body["booked"]] == [("10:00", "12:00")]
    assert [(s["starts_at"][11:16], s["ends_at"][11:16]) for s in body["free"]] == [
        ("08:00", "10:00"),
        ("12:00", "20:00"),
    ]


def test_availability_on_a_closed_day_and_bad_dates(api_as, room):
    date = days_ahead(room.space, 3)
    room.space.opening_hours.filter(weekday=date.weekday()).delete()
    body = api_as().get(f"/rooms/{room.pk}/availability", date=date.isoformat()).json()
    assert body["open"] is False and body["free"] == [] and body["opens_at"] is None
    assert api_as().get(f"/rooms/{room.pk}/availability", date="2026-02-30").status_code == 422
    assert api_as().get(f"/rooms/{room.pk}/availability", date="9999-12-31").status_code == 400
    assert api_as().get(f"/rooms/{room.pk}/availability").status_code == 200  # today
    assert api_as().get("/rooms/999999/availability").status_code == 404


def test_cancelling_in_time_refunds_and_says_so(api_as, make_member, room):
    client = api_as(make_member())
    booking = post_booking(client, room, days_ahead(room.space, 10), (10, 0), (11, 0)).json()
    r = client.delete(f"/bookings/{booking['id']}")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "cancelled" and body["refunded"] and body["payment_status"] == "credited"
    assert body["credit_note_number"] and body["credit_note_number"] != body["invoice_number"]
    assert client.delete(f"/bookings/{booking['id']}").status_code == 409


def test_others_bookings_are_404s(api_as, make_member, room):
    booking = post_booking(api_as(make_member()), room, days_ahead(room.space, 10), (10, 0), (11, 0)).json()
    stranger = api_as(make_member())
    assert stranger.delete(f"/bookings/{booking['id']}").status_code == 404
    assert stranger.get(f"/bookings/{booking['id']}").status_code == 404
    assert stranger.get(f"/bookings/{booking['id']}/invoice").status_code == 404
    assert stranger.get("/bookings/999999").status_code == 404
    assert stranger.get(f"/bookings/{2**63}").status_code == 422


def test_my_bookings_lists_only_mine(api_as, make_member, room):
    me, other = api_as(make_member()), api_as(make_member())
    date = days_ahead(room.space, 3)
    mine = post_booking(me, room, date, (10, 0), (11, 0)).json()
    post_booking(other, room, date, (11, 0), (12, 0))
    r = me.get("/me/bookings")
    assert r.status_code == 200 and [b["id"] for b in r.json()] == [mine["id"]]
    assert api_as().get("/me/bookings").status_code == 401


def test_the_invoice_as_json_for_the_member_and_the_host(api_as, make_member, room, open_space):
    member = make_member(display_name="Ada Visser")
    booking = post_booking(api_as(member), room, days_ahead(room.space, 10), (10, 0), (11, 0)).json()
    r = api_as(member).get(f"/bookings/{booking['id']}/invoice")
    assert r.status_code == 200
    body = r.json()
    assert body["number"] == booking["invoice_number"] and body["kind"] == "invoice"
    assert (body["net_cents"], body["vat_rate"], body["vat_cents"], body["gross_cents"]) == (
        3500,
        "21",
        735,
        4235,
    )
    assert body["buyer_name"] == "Ada Visser" and body["html_url"].endswith(f"/invoices/{body['number']}")
    assert api_as(member).get(f"/bookings/{booking['id']}/invoice", kind="credit_note").status_code == 404
    assert api_as(member).get(f"/bookings/{booking['id']}/invoice", kind="receipt").status_code == 422

    host, other_host = make_member(), make_member()
    room.space.hosts.add(host)
    open_space().hosts.add(other_host)
    assert api_as(host).get(f"/bookings/{booking['id']}/invoice").status_code == 200
    assert api_as(other_host).get(f"/bookings/{booking['id']}/invoice").status_code == 404


def test_the_credit_note_as_json(api_as, make_member, room):
    client = api_as(make_member())
    booking = post_booking(client, room, days_ahead(room.space, 10), (10, 0), (11, 0)).json()
    client.delete(f"/bookings/{booking['id']}")
    body = client.get(f"/bookings/{booking['id']}/invoice", kind="credit_note").json()
    assert body["kind"] == "credit_note" and body["gross_cents"] == -4235
    assert Invoice.objects.count() == 2
