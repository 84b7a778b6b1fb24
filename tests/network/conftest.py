"""Fixtures for spaces with opening hours, rooms, hosts and bookings, and dates around DST changes.

A test module defines its own `space` (name, seats, house rules as it needs); `room` and `host`
belong to that space.
"""

import datetime as dt

import pytest
from django.test import Client

from serendip.network.models import OpeningHours, Room
from serendip.network.services import booking_create


@pytest.fixture
def open_space(make_space):
    """A space open every day 08:00-20:00 local (or the hours given), with a €35/h room."""

    def make(opens=dt.time(8), closes=dt.time(20), **fields):
        space = make_space(**fields)
        for weekday in range(7):
            OpeningHours.objects.create(space=space, weekday=weekday, opens=opens, closes=closes)
        return space

    return make


@pytest.fixture
def make_room(db):
    def make(space, **fields):
        defaults = dict(name=f"Room {Room.objects.count() + 1}", capacity=6, hourly_price_cents=3500)
        defaults.update(fields)
        return Room.objects.create(space=space, **defaults)

    return make


@pytest.fixture
def room(space, make_room):
    """The test module's space's meeting room "Dom" (€35/h)."""
    return make_room(space, name="Dom")


@pytest.fixture
def host(make_member, space):
    """A member who hosts the test module's space."""
    member = make_member(display_name="Henk Host")
    space.hosts.add(member)
    return member


def book(member, room, date, start, end, title=""):
    """Book `room` on `date` from `start` to `end` o'clock, local time at its space."""
    return booking_create(
        member=member,
        room_id=room.pk,
        starts_at=local(room.space, date, start),
        ends_at=local(room.space, date, end),
        title=title,
    )


@pytest.fixture
def far_horizon(monkeypatch):
    """Bookings up to a year ahead, for tests on the next DST change (rooms normally stop at 90 days)."""
    from serendip.network import services

    monkeypatch.setattr(services, "BOOKING_HORIZON_DAYS", 366)


def local(space, date: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A naive local wall-clock time at the space, as a member types it."""
    return dt.datetime.combine(date, dt.time(hour, minute))


def days_ahead(space, n: int) -> dt.date:
    return space.local_today() + dt.timedelta(days=n)


def next_last_sunday(month: int, after: dt.date) -> dt.date:
    """The last Sunday of `month` (when the EU changes clocks) strictly after `after`."""
    for year in (after.year, after.year + 1):
        first_of_next = dt.date(year + (month == 12), month % 12 + 1, 1)
        last = first_of_next - dt.timedelta(days=1)
        sunday = last - dt.timedelta(days=(last.weekday() - 6) % 7)
        if sunday > after:
            return sunday
    raise AssertionError("unreachable")


def logged_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client
