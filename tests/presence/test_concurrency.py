"""Concurrency on PostgreSQL: real parallel transactions against the last seats."""

import pytest

from serendip.errors import Conflict
from serendip.presence.models import CheckIn
from serendip.presence.services import checkin_create
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_exactly_the_free_seats_succeed_under_concurrent_checkins(make_member, make_space):
    space = make_space(seats=5)
    today = space.local_today()
    checkin_create(member=make_member(), space_id=space.pk, date=today)  # 4 seats left
    members = [make_member() for _ in range(20)]
    results = run_concurrently(
        [lambda m=m: checkin_create(member=m, space_id=space.pk, date=today) for m in members]
    )
    ok = [r for r in results if isinstance(r, CheckIn)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(ok) == 4
    assert len(refused) == 16, [r for r in results if not isinstance(r, CheckIn | Conflict)]
    assert CheckIn.objects.filter(space=space, date=today).count() == space.seats


def test_one_member_racing_into_two_spaces_gets_one_seat(make_member, make_space):
    member = make_member()
    spaces = [make_space() for _ in range(6)]
    today = spaces[0].local_today()
    results = run_concurrently(
        [lambda s=s: checkin_create(member=member, space_id=s.pk, date=today) for s in spaces]
    )
    assert sum(isinstance(r, CheckIn) for r in results) == 1
    assert all(isinstance(r, CheckIn | Conflict) for r in results), results
    assert CheckIn.objects.filter(member=member, date=today).count() == 1
