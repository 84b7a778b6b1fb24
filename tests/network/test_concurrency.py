"""Concurrency on PostgreSQL: parallel bookings of one slot, and gap-free invoice numbers."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from serendip.errors import Conflict
from serendip.network.models import Booking, Invoice
from serendip.network.services import booking_create

from .conftest import days_ahead, local

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")


def run_concurrently(fns):
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # the outcome is what we assert on
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


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
