"""Concurrency on PostgreSQL: parallel bookings of one slot, and gap-free invoice numbers."""

import datetime as dt

import pytest

from serendip.errors import Conflict
from serendip.network.models import Booking, Invoice
from serendip.network.services import booking_create
from tests.concurrency import run_concurrently

from .conftest import days_ahead, local

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_exactly_one_of_many_overlapping_concurrent_bookings_succeeds(make_member, open_space, make_room):
    room = make_room(open_space())
    date = days_ahead(room.space, 3)
    members = [make_member() for _ in range(12)]
    # Every request overlaps every other: 10:00-12:00, 10:15-12:15, ...
    results = run_concurrently(
        [
            lambda m=m, i=i: booking_create(
                member=m,
                room_id=room.pk,
                starts_at=local(room.space, date, 10) + dt.timedelta(minutes=15 * (i % 4)),
                ends_at=local(room.space, date, 12) + dt.timedelta(minutes=15 * (i % 4)),
            )
            for i, m in enumerate(members)
        ]
    )
    ok = [r for r in results if isinstance(r, Booking)]
    assert len(ok) == 1, results
    assert all(isinstance(r, Booking | Conflict) for r in results), results
    assert Booking.objects.filter(room=room).count() == 1
    assert Invoice.objects.filter(space=room.space).count() == 1


def test_concurrent_bookings_of_different_rooms_get_consecutive_invoice_numbers(
    make_member, open_space, make_room
):
    space = open_space()
    rooms = [make_room(space) for _ in range(8)]
    date = days_ahead(space, 3)
    results = run_concurrently(
        [
            lambda r=r: booking_create(
                member=make_member(),
                room_id=r.pk,
                starts_at=local(space, date, 9),
                ends_at=local(space, date, 10),
            )
            for r in rooms
        ]
    )
    assert all(isinstance(r, Booking) for r in results), results
    sequences = sorted(Invoice.objects.filter(space=space).values_list("sequence", flat=True))
    assert sequences == list(range(1, 9))
