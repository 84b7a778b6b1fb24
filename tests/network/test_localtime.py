"""The pure local-time helpers: DST gaps and folds, real hours on DST days."""

import datetime as dt
import zoneinfo

import pytest

from serendip.network.localtime import LocalTimeError, day_bounds, local_to_utc

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def test_a_naive_time_is_the_spaces_wall_clock():
    assert local_to_utc(dt.datetime(2026, 7, 1, 10, 0), AMS) == dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)


def test_a_time_with_an_offset_is_taken_as_given():
    value = dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert local_to_utc(value, AMS) == dt.datetime(2026, 7, 1, 5, 0, tzinfo=dt.UTC)


def test_a_time_the_clocks_skip_is_refused():
    with pytest.raises(LocalTimeError, match="does not exist"):
        local_to_utc(dt.datetime(2027, 3, 28, 2, 30), AMS)


def test_a_time_that_happens_twice_asks_for_an_offset():
    with pytest.raises(LocalTimeError, match=r"happens twice.*\+02:00 or \+01:00"):
        local_to_utc(dt.datetime(2026, 10, 25, 2, 30), AMS)


def test_an_out_of_range_time_is_an_error_not_a_crash():
    with pytest.raises(LocalTimeError):
        local_to_utc(dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=5))), AMS)


def test_days_when_the_clocks_change_have_25_and_23_real_hours():
    start, end = day_bounds(dt.date(2026, 10, 25), dt.time(0), dt.time(0), AMS)
    assert end - start == dt.timedelta(hours=25)
    start, end = day_bounds(dt.date(2027, 3, 28), dt.time(0), dt.time(0), AMS)
    assert end - start == dt.timedelta(hours=23)
