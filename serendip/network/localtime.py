"""PURE: local wall-clock times in a space's time zone <-> exact UTC instants, DST-aware.

Bookings are stored as aware UTC datetimes; people give and read them in the space's local
time. Around a DST change a local time can be missing (spring forward) or happen twice (fall
back); these helpers refuse to guess in both cases.
"""

import datetime as dt
import zoneinfo

UTC = dt.UTC
MIDNIGHT = dt.time(0)


class LocalTimeError(ValueError):
    pass


def local_to_utc(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """An aware datetime is taken as given; a naive one is wall-clock time in `tz`."""
    try:
        if value.tzinfo is not None and value.utcoffset() is not None:
            return value.astimezone(UTC)
        naive = value.replace(tzinfo=None)
        first = naive.replace(tzinfo=tz, fold=0)
        second = naive.replace(tzinfo=tz, fold=1)
        if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
            raise LocalTimeError(
                f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks go forward then"
            )
        if first.utcoffset() != second.utcoffset():
            raise LocalTimeError(
                f"{naive:%Y-%m-%d %H:%M} happens twice in {tz.key} (the clocks go back): "
                f"add the UTC offset, e.g. {_offset(first)} or {_offset(second)}"
            )
        return first.astimezone(UTC)
    except OverflowError as exc:
        raise LocalTimeError(f"{value.isoformat()} is out of range") from exc


def _offset(value: dt.datetime) -> str:
    return value.isoformat()[-6:]


def day_bounds(
    date: dt.date, opens: dt.time, closes: dt.time, tz: zoneinfo.ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants a local interval on `date` starts and ends; `closes` 00:00 is the end
    of the day. Lengths are real hours: 25 on the day the clocks go back, 23 when they go forward."""
    start = dt.datetime.combine(date, opens, tzinfo=tz)
    end_day = date + dt.timedelta(days=1) if closes == MIDNIGHT else date
    end = dt.datetime.combine(end_day, closes, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def overlap_seconds(a: tuple[dt.datetime, dt.datetime], b: tuple[dt.datetime, dt.datetime]) -> float:
    return max((min(a[1], b[1]) - max(a[0], b[0])).total_seconds(), 0.0)
