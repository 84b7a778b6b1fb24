import datetime as dt

import pytest

from serendip.errors import Conflict, Forbidden, InvalidInput, NotFound
from serendip.passport.models import Activity
from serendip.presence.models import CheckIn, CheckInStatus
from serendip.presence.selectors import space_day
from serendip.presence.services import (
    BOOKING_HORIZON_DAYS,
    checkin_cancel,
    checkin_create,
    checkin_mark_no_show,
    checkin_mark_present,
)

pytestmark = pytest.mark.django_db


def test_a_member_checks_in_and_it_lands_on_the_timeline(make_member, make_space):
    member, space = make_member(), make_space()
    c = checkin_create(
        member=member, space_id=space.pk, date=space.local_today(), focus="  writing   a grant "
    )
    assert c.status == CheckInStatus.RESERVED and c.focus == "writing a grant"
    assert Activity.objects.filter(member=member, verb="checked_in", extra__checkin=c.pk).exists()


def test_never_more_checkins_than_seats(make_member, make_space):
    space = make_space(seats=2)
    today = space.local_today()
    for _ in range(2):
        checkin_create(member=make_member(), space_id=space.pk, date=today)
    with pytest.raises(Conflict, match="full"):
        checkin_create(member=make_member(), space_id=space.pk, date=today)
    assert space_day(space, today).taken == 2


def test_another_date_has_its_own_seats(make_member, make_space):
    space = make_space(seats=1)
    today, tomorrow = space.local_today(), space.local_today() + dt.timedelta(days=1)
    checkin_create(member=make_member(), space_id=space.pk, date=today)
    late = checkin_create(member=make_member(), space_id=space.pk, date=tomorrow)
    assert late.status == CheckInStatus.RESERVED and late.date == tomorrow
    assert (space_day(space, today).taken, space_day(space, tomorrow).taken) == (1, 1)
    with pytest.raises(Conflict, match="full"):  # and each day is full on its own
        checkin_create(member=make_member(), space_id=space.pk, date=tomorrow)


def test_one_space_per_member_per_day(make_member, make_space):
    member, a, b = make_member(), make_space(), make_space(name="Other")
    today = a.local_today()
    checkin_create(member=member, space_id=a.pk, date=today)
    with pytest.raises(Conflict, match="already checked in at"):
        checkin_create(member=member, space_id=b.pk, date=today)
    with pytest.raises(Conflict, match="already checked in here"):
        checkin_create(member=member, space_id=a.pk, date=today)


def test_the_database_refuses_a_second_checkin_the_same_day(make_member, make_space):
    """The partial unique index holds even for a code path that skips the service."""
    from django.db import IntegrityError, transaction

    member, a, b = make_member(), make_space(), make_space()
    today = a.local_today()
    CheckIn.objects.create(member=member, space=a, date=today)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(member=member, space=b, date=today)


def test_cancelling_frees_the_seat(make_member, make_space):
    space = make_space(seats=1)
    today = space.local_today()
    first = make_member()
    c = checkin_create(member=first, space_id=space.pk, date=today)
    assert space_day(space, today).free == 0
    cancelled = checkin_cancel(member=first, checkin_id=c.pk)
    assert cancelled.status == CheckInStatus.CANCELLED and cancelled.cancelled_at is not None
    assert space_day(space, today).free == 1
    second = make_member()
    taken = checkin_create(member=second, space_id=space.pk, date=today)
    assert taken.member == second and space_day(space, today).taken == 1
    # and the first member may check in elsewhere that day
    other = make_space()
    elsewhere = checkin_create(member=first, space_id=other.pk, date=today)
    assert elsewhere.space_id == other.pk and elsewhere.status == CheckInStatus.RESERVED


def test_cancelling_twice_is_a_conflict(make_member, make_space):
    member, space = make_member(), make_space()
    c = checkin_create(member=member, space_id=space.pk, date=space.local_today())
    checkin_cancel(member=member, checkin_id=c.pk)
    with pytest.raises(Conflict, match="already cancelled"):
        checkin_cancel(member=member, checkin_id=c.pk)


def test_nobody_cancels_someone_elses_checkin(make_member, make_space):
    owner, other, space = make_member(), make_member(), make_space()
    c = checkin_create(member=owner, space_id=space.pk, date=space.local_today())
    with pytest.raises(NotFound):
        checkin_cancel(member=other, checkin_id=c.pk)
    c.refresh_from_db()
    assert c.status == CheckInStatus.RESERVED


def test_dates_are_the_spaces_local_dates(make_member, make_space):
    # UTC+14 and UTC-11 are 25 hours apart: their local dates always differ, whatever the time.
    east = make_space(timezone="Pacific/Kiritimati")
    west = make_space(timezone="Pacific/Pago_Pago")
    assert east.local_today() > west.local_today()
    member = make_member()
    checkin_create(member=member, space_id=west.pk, date=west.local_today())  # today in Pago Pago
    with pytest.raises(InvalidInput, match="in the past"):
        checkin_create(member=make_member(), space_id=east.pk, date=west.local_today())  # yesterday there


def test_past_and_far_future_dates_are_refused(make_member, make_space):
    member, space = make_member(), make_space()
    today = space.local_today()
    with pytest.raises(InvalidInput, match="past"):
        checkin_create(member=member, space_id=space.pk, date=today - dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match="ahead"):
        checkin_create(
            member=member, space_id=space.pk, date=today + dt.timedelta(days=BOOKING_HORIZON_DAYS + 1)
        )
    assert not CheckIn.objects.exists()


def test_an_unknown_space_is_not_found(make_member):
    with pytest.raises(NotFound):
        checkin_create(member=make_member(), space_id=999999, date=dt.date.today())


def test_a_long_focus_is_refused(make_member, make_space):
    space = make_space()
    with pytest.raises(InvalidInput, match="focus"):
        checkin_create(member=make_member(), space_id=space.pk, date=space.local_today(), focus="x" * 201)


def test_a_host_marks_arrival_and_no_show_only_at_their_own_space(make_member, make_space):
    host, stranger = make_member(), make_member()
    space = make_space()
    space.hosts.add(host)
    today = space.local_today()
    arriving = checkin_create(member=make_member(), space_id=space.pk, date=today)
    absent = checkin_create(member=make_member(), space_id=space.pk, date=today)
    with pytest.raises(Forbidden):
        checkin_mark_present(host=stranger, checkin_id=arriving.pk)
    assert checkin_mark_present(host=host, checkin_id=arriving.pk).status == CheckInStatus.PRESENT
    assert checkin_mark_no_show(host=host, checkin_id=absent.pk).status == CheckInStatus.NO_SHOW
    with pytest.raises(Conflict):
        checkin_mark_present(host=host, checkin_id=absent.pk)


def test_a_present_checkin_cannot_be_cancelled(make_member, make_space):
    host, member, space = make_member(), make_member(), make_space()
    space.hosts.add(host)
    c = checkin_create(member=member, space_id=space.pk, date=space.local_today())
    checkin_mark_present(host=host, checkin_id=c.pk)
    with pytest.raises(Conflict, match="present"):
        checkin_cancel(member=member, checkin_id=c.pk)
