"""Room bookings through the services: rules, prices and VAT, time zones, cancellation, invoices."""

import datetime as dt
from decimal import Decimal

import pytest

from serendip.errors import Conflict, Forbidden, InvalidInput, NotFound
from serendip.network import services
from serendip.network.models import Booking, BookingStatus, Invoice, InvoiceKind, PaymentStatus
from serendip.network.services import (
    booking_cancel,
    booking_create,
    opening_hours_set,
    room_create,
    room_update,
    space_update,
)

from .conftest import days_ahead, local, next_last_sunday

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(open_space):
    return open_space(country="NL", timezone="Europe/Amsterdam", slug="utrecht-cs")


@pytest.fixture
def room(space, make_room):
    return make_room(space, name="Dom", hourly_price_cents=3500)


def book(member, room, date, start_hour, end_hour, **kw):
    space = room.space
    return booking_create(
        member=member,
        room_id=room.pk,
        starts_at=local(space, date, start_hour),
        ends_at=local(space, date, end_hour),
        **kw,
    )


# --- booking ----------------------------------------------------------------------------------


def test_it_books_a_room_in_local_time_and_stores_utc(make_member, room, far_horizon):
    today = room.space.local_today()
    july = dt.date(today.year + (today >= dt.date(today.year, 7, 1)), 7, 1)  # summer time: UTC+2
    b = book(make_member(), room, july, 10, 12)
    assert b.starts_at == dt.datetime(july.year, 7, 1, 8, 0, tzinfo=dt.UTC)
    assert b.local_starts_at.hour == 10 and b.minutes == 120


def test_it_prices_net_plus_dutch_vat_in_exact_cents(make_member, room):
    b = book(make_member(), room, days_ahead(room.space, 3), 10, 12)
    assert (b.net_cents, b.vat_rate, b.vat_cents, b.gross_cents) == (7000, Decimal("21"), 1470, 8470)


def test_vat_follows_the_spaces_country_and_rounds_half_up(make_member, open_space, make_room):
    italy = open_space(country="IT", timezone="Europe/Rome")
    room = make_room(italy, hourly_price_cents=3333)
    b = booking_create(
        member=make_member(),
        room_id=room.pk,
        starts_at=local(italy, days_ahead(italy, 2), 10),
        ends_at=local(italy, days_ahead(italy, 2), 10, 45),
    )
    # 3333 * 0.75 = 2499.75 -> 2500 net; 22% of 2500 = 550
    assert (b.net_cents, b.vat_rate, b.vat_cents, b.gross_cents) == (2500, Decimal("22"), 550, 3050)


def test_it_issues_a_numbered_invoice_at_once(make_member, room):
    b = book(make_member(display_name="Ada Visser"), room, days_ahead(room.space, 3), 10, 11)
    invoice = Invoice.objects.get(booking=b)
    year = room.space.local_today().year
    assert invoice.number == f"UTRECHT-CS-{year}-00001" == b.payment_reference
    assert b.payment_status == PaymentStatus.INVOICED and b.payment_provider == "invoice"
    assert (invoice.net_cents, invoice.vat_cents, invoice.gross_cents) == (3500, 735, 4235)
    # A space without company details in the admin sells through the network's operator.
    assert invoice.buyer_name == "Ada Visser" and invoice.seller_name.endswith(f" for {room.space.name}")


def test_it_refuses_an_overlapping_booking(make_member, room):
    date = days_ahead(room.space, 3)
    book(make_member(), room, date, 10, 12)
    with pytest.raises(Conflict, match="already booked 10:00–12:00"):
        book(make_member(), room, date, 11, 13)
    with pytest.raises(Conflict):
        book(make_member(), room, date, 9, 14)


def test_back_to_back_bookings_and_other_rooms_are_fine(make_member, room, make_room):
    date = days_ahead(room.space, 3)
    book(make_member(), room, date, 10, 12)
    book(make_member(), room, date, 12, 13)
    book(make_member(), room, date, 8, 10)
    book(make_member(), make_room(room.space), date, 10, 12)
    assert Booking.objects.count() == 4


def test_a_cancelled_booking_frees_the_slot(make_member, room):
    member = make_member()
    date = days_ahead(room.space, 10)
    booking_cancel(member=member, booking_id=book(member, room, date, 10, 12).pk)
    assert book(make_member(), room, date, 10, 12).status == BookingStatus.CONFIRMED


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ((7, 0), (9, 0), "open 08:00–20:00"),
        ((19, 0), (21, 0), "open 08:00–20:00"),
        ((10, 10), (11, 0), "quarter of an hour"),
        ((11, 0), (10, 0), "end after it starts"),
        ((10, 0), (10, 0), "end after it starts"),
    ],
)
def test_it_refuses_times_outside_the_rules(make_member, room, start, end, message):
    date = days_ahead(room.space, 3)
    with pytest.raises(InvalidInput, match=message):
        booking_create(
            member=make_member(),
            room_id=room.pk,
            starts_at=local(room.space, date, *start),
            ends_at=local(room.space, date, *end),
        )
    assert not Invoice.objects.exists()


def test_it_refuses_the_past_and_too_far_ahead(make_member, room):
    with pytest.raises(InvalidInput, match="in the future"):
        book(make_member(), room, days_ahead(room.space, -1), 10, 11)
    with pytest.raises(InvalidInput, match="at most 90 days ahead"):  # as far as check-ins go
        book(make_member(), room, days_ahead(room.space, 91), 10, 11)


def test_a_space_closed_on_a_weekday_refuses_bookings(make_member, room):
    date = days_ahead(room.space, 3)
    room.space.opening_hours.filter(weekday=date.weekday()).delete()
    with pytest.raises(InvalidInput, match="is closed on"):
        book(make_member(), room, date, 10, 11)


def test_inactive_and_unknown_rooms_are_not_found(make_member, room):
    room.active = False
    room.save()
    with pytest.raises(NotFound):
        book(make_member(), room, days_ahead(room.space, 3), 10, 11)
    with pytest.raises(NotFound):
        booking_create(
            member=make_member(),
            room_id=10**9,
            starts_at=dt.datetime(2030, 1, 1),
            ends_at=dt.datetime(2030, 1, 1),
        )


# --- time zones -------------------------------------------------------------------------------


@pytest.fixture
def all_day_room(open_space, make_room):
    space = open_space(opens=dt.time(0), closes=dt.time(0), timezone="Europe/Amsterdam", country="NL")
    return make_room(space, hourly_price_cents=1000)


def test_a_booking_across_the_autumn_dst_change_lasts_and_costs_the_real_hours(
    make_member, all_day_room, far_horizon
):
    space = all_day_room.space
    sunday = next_last_sunday(10, after=space.local_today() + dt.timedelta(days=1))
    b = book(make_member(), all_day_room, sunday, 1, 4)  # 02:00-03:00 happens twice
    assert b.ends_at - b.starts_at == dt.timedelta(hours=4)
    assert b.net_cents == 4000 and b.gross_cents == 4840
    assert (b.local_starts_at.hour, b.local_ends_at.hour) == (1, 4)
    assert b.local_starts_at.utcoffset() == dt.timedelta(hours=2)
    assert b.local_ends_at.utcoffset() == dt.timedelta(hours=1)


def test_a_booking_across_the_spring_dst_change_lasts_and_costs_the_real_hours(
    make_member, all_day_room, far_horizon
):
    space = all_day_room.space
    sunday = next_last_sunday(3, after=space.local_today() + dt.timedelta(days=1))
    b = book(make_member(), all_day_room, sunday, 1, 4)  # 02:00-03:00 does not exist
    assert b.ends_at - b.starts_at == dt.timedelta(hours=2)
    assert b.net_cents == 2000


def test_an_ambiguous_local_time_needs_an_offset(make_member, all_day_room, far_horizon):
    space = all_day_room.space
    sunday = next_last_sunday(10, after=space.local_today() + dt.timedelta(days=1))
    member = make_member()
    with pytest.raises(InvalidInput, match="happens twice"):
        booking_create(
            member=member,
            room_id=all_day_room.pk,
            starts_at=dt.datetime.combine(sunday, dt.time(2, 30)),
            ends_at=dt.datetime.combine(sunday, dt.time(4)),
        )
    second = dt.datetime.combine(sunday, dt.time(2, 30), tzinfo=dt.timezone(dt.timedelta(hours=1)))
    b = booking_create(
        member=member,
        room_id=all_day_room.pk,
        starts_at=second,
        ends_at=dt.datetime.combine(sunday, dt.time(4)),
    )
    assert b.minutes == 90


def test_the_first_02_30_and_the_second_do_not_overlap(make_member, all_day_room, far_horizon):
    space = all_day_room.space
    sunday = next_last_sunday(10, after=space.local_today() + dt.timedelta(days=1))
    cest, cet = (dt.timezone(dt.timedelta(hours=h)) for h in (2, 1))
    at = lambda h, m, tz: dt.datetime.combine(sunday, dt.time(h, m), tzinfo=tz)  # noqa: E731
    booking_create(
        member=make_member(), room_id=all_day_room.pk, starts_at=at(2, 0, cest), ends_at=at(2, 0, cet)
    )
    booking_create(
        member=make_member(), room_id=all_day_room.pk, starts_at=at(2, 0, cet), ends_at=at(3, 0, cet)
    )
    with pytest.raises(Conflict):
        booking_create(
            member=make_member(), room_id=all_day_room.pk, starts_at=at(2, 30, cest), ends_at=at(2, 45, cet)
        )


# --- cancellation and refunds -----------------------------------------------------------------


class FrozenClock:
    def __init__(self, now):
        self.value = now

    def now(self):
        return self.value


def test_cancelling_in_time_refunds_with_a_credit_note(make_member, room):
    member = make_member()
    b = book(member, room, days_ahead(room.space, 10), 10, 12)
    cancelled = booking_cancel(member=member, booking_id=b.pk)
    assert cancelled.status == BookingStatus.CANCELLED and cancelled.refunded
    invoice, credit = Invoice.objects.filter(booking=b).order_by("sequence")
    assert credit.kind == InvoiceKind.CREDIT_NOTE and credit.sequence == invoice.sequence + 1
    assert (credit.net_cents, credit.vat_cents, credit.gross_cents) == (-7000, -1470, -8470)
    assert cancelled.payment_reference == credit.number


def test_cancelling_late_frees_the_room_but_does_not_refund(make_member, room):
    space_update(host=_staff(make_member), space_id=room.space.pk, cancellation_free_hours=720)
    member = make_member()
    b = book(member, room, days_ahead(room.space, 2), 10, 12)
    cancelled = booking_cancel(member=member, booking_id=b.pk)
    assert cancelled.status == BookingStatus.CANCELLED and not cancelled.refunded
    assert cancelled.payment_status == PaymentStatus.INVOICED
    assert list(Invoice.objects.filter(booking=b).values_list("kind", flat=True)) == [InvoiceKind.INVOICE]


def _staff(make_member):
    operator = make_member()
    operator.user.is_staff = True
    operator.user.save()
    return operator


def test_the_free_cancellation_deadline_is_inclusive_and_exact(make_member, room, monkeypatch):
    member = make_member()
    b1 = book(member, room, days_ahead(room.space, 5), 10, 11)
    b2 = book(member, room, days_ahead(room.space, 5), 11, 12)
    clock = FrozenClock(b1.free_cancellation_until)
    monkeypatch.setattr(services, "timezone", clock)
    assert booking_cancel(member=member, booking_id=b1.pk).refunded
    clock.value = b2.free_cancellation_until + dt.timedelta(seconds=1)
    assert not booking_cancel(member=member, booking_id=b2.pk).refunded


def test_the_policy_when_booked_applies_even_if_the_host_changes_it(make_member, room):
    member = make_member()
    b = book(member, room, days_ahead(room.space, 5), 10, 11)  # 24 h policy
    space_update(host=_staff(make_member), space_id=room.space.pk, cancellation_free_hours=720)
    assert booking_cancel(member=member, booking_id=b.pk).refunded


def test_a_started_booking_cannot_be_cancelled(make_member, room, monkeypatch):
    member = make_member()
    b = book(member, room, days_ahead(room.space, 5), 10, 11)
    monkeypatch.setattr(services, "timezone", FrozenClock(b.starts_at))
    with pytest.raises(Conflict, match="has started"):
        booking_cancel(member=member, booking_id=b.pk)


def test_cancelling_twice_or_someone_elses_booking_is_refused(make_member, room):
    member, other = make_member(), make_member()
    b = book(member, room, days_ahead(room.space, 5), 10, 11)
    with pytest.raises(NotFound):
        booking_cancel(member=other, booking_id=b.pk)
    booking_cancel(member=member, booking_id=b.pk)
    with pytest.raises(Conflict, match="already cancelled"):
        booking_cancel(member=member, booking_id=b.pk)
    assert Invoice.objects.filter(booking=b).count() == 2  # no second credit note


# --- invoice numbering --------------------------------------------------------------------------


def test_invoice_numbers_have_no_gaps_when_bookings_fail(make_member, room, monkeypatch):
    member = make_member()
    date = days_ahead(room.space, 4)
    book(member, room, date, 8, 9)
    with pytest.raises(Conflict):
        book(member, room, date, 8, 10)  # refused before an invoice is issued

    def boom(**kwargs):
        raise RuntimeError("the timeline is down")

    monkeypatch.setattr(services, "activity_record", boom)
    with pytest.raises(RuntimeError):
        book(member, room, date, 10, 11)  # fails after its invoice was numbered: rolled back together
    monkeypatch.undo()
    b = book(member, room, date, 10, 11)
    booking_cancel(member=member, booking_id=b.pk)
    book(member, room, date, 12, 13)
    sequences = list(
        Invoice.objects.filter(space=room.space).order_by("sequence").values_list("sequence", flat=True)
    )
    assert sequences == [1, 2, 3, 4]
    assert Booking.objects.count() == 3


def test_each_space_numbers_its_own_invoices(make_member, room, open_space, make_room):
    other = make_room(open_space(slug="lisboa-lx", country="PT", timezone="Europe/Lisbon"))
    member = make_member()
    book(member, room, days_ahead(room.space, 3), 10, 11)
    b = book(member, other, days_ahead(other.space, 3), 10, 11)
    assert b.payment_reference.startswith("LISBOA-LX-") and b.payment_reference.endswith("-00001")
    assert b.vat_rate == Decimal("23")


# --- hosts ----------------------------------------------------------------------------------------


def test_a_host_changes_their_space(make_member, space):
    host = make_member()
    space.hosts.add(host)
    updated = space_update(
        host=host, space_id=space.pk, seats=30, seat_price=Decimal("7.50"), house_rules="  Quiet on floor 2 "
    )
    assert (updated.seats, updated.seat_price, updated.house_rules) == (
        30,
        Decimal("7.50"),
        "Quiet on floor 2",
    )


def test_a_host_of_one_space_cannot_change_another(make_member, space, open_space, make_room):
    host = make_member()
    other = open_space()
    other_room = make_room(other)
    space.hosts.add(host)
    with pytest.raises(Forbidden):
        space_update(host=host, space_id=other.pk, seats=0)
    with pytest.raises(Forbidden):
        opening_hours_set(host=host, space_id=other.pk, hours={0: None})
    with pytest.raises(Forbidden):
        room_create(host=host, space_id=other.pk, name="Mine now", capacity=2, hourly_price_cents=1)
    with pytest.raises(Forbidden):
        room_update(host=host, room_id=other_room.pk, hourly_price_cents=1)
    other.refresh_from_db()
    other_room.refresh_from_db()
    assert other.seats == 10 and other.opening_hours.count() == 7 and other_room.hourly_price_cents == 3500
    assert other.rooms.count() == 1


def test_a_member_who_hosts_nothing_cannot_change_a_space(make_member, space):
    with pytest.raises(Forbidden):
        space_update(host=make_member(), space_id=space.pk, seats=1)


@pytest.mark.parametrize(
    "fields",
    [
        {"seats": -1},
        {"seat_price": Decimal("-1")},
        {"seat_price": Decimal("1.005")},
        {"cancellation_free_hours": 10_000},
        {"house_rules": "x" * 2001},
        {"house_rules": "a\x00b"},
    ],
)
def test_a_host_gets_clear_errors_for_bad_settings(make_member, space, fields):
    with pytest.raises(InvalidInput):
        space_update(host=_staff(make_member), space_id=space.pk, **fields)


def test_a_host_sets_opening_hours_including_until_midnight(make_member, space):
    host = _staff(make_member)
    opening_hours_set(host=host, space_id=space.pk, hours={5: None, 6: (dt.time(10), dt.time(0))})
    hours = {h.weekday: (h.opens, h.closes) for h in space.opening_hours.all()}
    assert 5 not in hours and hours[6] == (dt.time(10), dt.time(0))
    with pytest.raises(InvalidInput, match="close after it opens"):
        opening_hours_set(host=host, space_id=space.pk, hours={0: (dt.time(18), dt.time(9))})


def test_room_prices_change_for_new_bookings_only(make_member, room):
    host = _staff(make_member)
    member = make_member()
    old = book(member, room, days_ahead(room.space, 3), 10, 11)
    room_update(
        host=host, room_id=room.pk, hourly_price_cents=5000, amenities=[" Screen ", "screen", "Whiteboard"]
    )
    room.refresh_from_db()
    assert room.amenities == ["screen", "whiteboard"]
    new = book(member, room, days_ahead(room.space, 3), 11, 12)
    old.refresh_from_db()
    assert (old.net_cents, new.net_cents) == (3500, 5000)


def test_room_names_are_unique_per_space(make_member, room):
    with pytest.raises(Conflict, match="already has a room"):
        room_create(
            host=_staff(make_member), space_id=room.space.pk, name="Dom", capacity=2, hourly_price_cents=100
        )
