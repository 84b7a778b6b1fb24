"""Occupancy (booked hours / open hours) per room and per space, per day and week."""

import datetime as dt

import pytest

from serendip.network.selectors import (
    room_occupancy,
    space_occupancy,
    space_occupancy_by_day,
    space_schedule,
    week_start,
)
from serendip.network.services import booking_create

from .conftest import days_ahead, local, next_last_sunday

pytestmark = pytest.mark.django_db


def book(member, room, date, start, end):
    booking_create(
        member=member,
        room_id=room.pk,
        starts_at=local(room.space, date, start),
        ends_at=local(room.space, date, end),
    )


def test_room_and_space_occupancy_for_a_day(make_member, open_space, make_room):
    space = open_space()  # 12 open hours a day
    dom, spree = make_room(space), make_room(space)
    date = days_ahead(space, 3)
    book(make_member(), dom, date, 9, 12)
    book(make_member(), dom, date, 14, 17)
    book(make_member(), spree, date, 10, 13)
    day = room_occupancy(room=dom, start=date)
    assert (day.booked_hours, day.open_hours, day.rate) == (6, 12, 0.5)
    both = space_occupancy(space=space, start=date)
    assert (both.booked_hours, both.open_hours) == (9, 24) and both.rate == 9 / 24


def test_a_week_counts_only_open_days(make_member, open_space, make_room):
    space = open_space()
    room = make_room(space)
    monday = week_start(days_ahead(space, 7))
    space.opening_hours.filter(weekday__in=[5, 6]).delete()  # closed at the weekend
    book(make_member(), room, monday + dt.timedelta(days=1), 8, 20)
    week = room_occupancy(room=room, start=monday, days=7)
    assert (week.booked_hours, week.open_hours) == (12, 60) and week.rate == 0.2
    per_day = dict(space_occupancy_by_day(space=space, start=monday, days=7))
    assert per_day[monday + dt.timedelta(days=1)].rate == 1.0
    assert per_day[monday + dt.timedelta(days=6)].rate is None  # closed: no rate, not 0%


def test_open_hours_are_real_hours_on_a_dst_day(make_member, open_space, make_room, far_horizon):
    space = open_space(opens=dt.time(0), closes=dt.time(0))
    room = make_room(space)
    sunday = next_last_sunday(10, after=space.local_today() + dt.timedelta(days=1))
    book(make_member(), room, sunday, 1, 4)
    day = room_occupancy(room=room, start=sunday)
    assert (day.booked_hours, day.open_hours) == (4, 25)


def test_an_empty_space_has_no_occupancy_rate(open_space):
    assert space_occupancy(space=open_space(), start=dt.date(2030, 1, 7)).rate is None


def test_the_schedule_lists_each_active_room_with_its_bookings(make_member, open_space, make_room):
    space = open_space()
    room = make_room(space, name="A")
    make_room(space, name="B")
    make_room(space, name="Old", active=False)
    date = days_ahead(space, 3)
    book(make_member(), room, date, 9, 10)
    schedule = space_schedule(space, date)
    assert [(d.room.name, len(d.bookings)) for d in schedule] == [("A", 1), ("B", 0)]
    assert [(s.astimezone(space.tz).hour, e.astimezone(space.tz).hour) for s, e in schedule[0].free] == [
        (8, 9),
        (10, 20),
    ]
