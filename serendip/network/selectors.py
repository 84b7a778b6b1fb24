"""Reads of the network: spaces, rooms, availability, bookings, invoices and room occupancy."""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from serendip.errors import NotFound
from serendip.passport.models import Member

from .localtime import day_bounds, overlap_seconds
from .models import Booking, BookingStatus, Invoice, InvoiceKind, Room, Space
from .permissions import can_host


def network_today(now: dt.datetime | None = None) -> dt.date:
    """The latest date any space has reached: late in the UTC day, a space east of UTC (Milan after
    23:00 UTC) is already in tomorrow, and its check-ins of "today" carry that date."""
    now = now or timezone.now()
    zones = Space.objects.values_list("timezone", flat=True).distinct()
    dates = (now.astimezone(zoneinfo.ZoneInfo(z)).date() for z in zones)
    return max(dates, default=now.astimezone(dt.UTC).date())


def space_get(*, space_id: int | None = None, slug: str | None = None) -> Space:
    space = (
        Space.objects.filter(pk=space_id).first()
        if space_id is not None
        else Space.objects.filter(slug=slug).first()
    )
    if space is None:
        raise NotFound(f"no space with id {space_id}" if space_id is not None else f"no space {slug!r}")
    return space


def spaces_hosted_by(member: Member | None) -> QuerySet[Space]:
    """The spaces a member may manage: the ones they host; operators (staff) all."""
    if member is None:
        return Space.objects.none()
    if member.user.is_staff:
        return Space.objects.all()
    return Space.objects.filter(hosts=member)


def opening_interval(space: Space, date: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """When `space` is open on its local `date`, as UTC instants; None when closed."""
    hours = next((h for h in space.opening_hours.all() if h.weekday == date.weekday()), None)
    if hours is None:
        return None
    return day_bounds(date, hours.opens, hours.closes, space.tz)


def space_rooms(space: Space, *, include_inactive: bool = False) -> list[Room]:
    qs = Room.objects.filter(space=space).select_related("space")
    if not include_inactive:
        qs = qs.filter(active=True)
    return list(qs)


def room_get(*, room_id: int, include_inactive: bool = False) -> Room:
    room = (
        Room.objects.select_related("space")
        .prefetch_related("space__opening_hours")
        .filter(pk=room_id)
        .first()
    )
    if room is None or not (room.active or include_inactive):
        raise NotFound(f"no room with id {room_id}")
    return room


def _local_day_bounds(space: Space, date: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(date, dt.time(0), tzinfo=space.tz).astimezone(dt.UTC)
    end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(0), tzinfo=space.tz).astimezone(dt.UTC)
    return start, end


def bookings_between(*, rooms: list[Room], start: dt.datetime, end: dt.datetime) -> dict[int, list[Booking]]:
    """Confirmed bookings of `rooms` overlapping [start, end), by room id, in time order."""
    found: dict[int, list[Booking]] = defaultdict(list)
    qs = (
        Booking.objects.filter(
            room__in=rooms, status=BookingStatus.CONFIRMED, starts_at__lt=end, ends_at__gt=start
        )
        .select_related("room__space", "member")
        .order_by("starts_at", "id")
    )
    for booking in qs:
        found[booking.room_id].append(booking)
    return found


@dataclass(frozen=True)
class RoomDay:
    """A room on one of its space's local dates: opening hours, bookings and free slots (UTC)."""

    room: Room
    date: dt.date
    open: tuple[dt.datetime, dt.datetime] | None
    bookings: list[Booking]

    @property
    def free(self) -> list[tuple[dt.datetime, dt.datetime]]:
        if self.open is None:
            return []
        slots, cursor = [], self.open[0]
        for b in self.bookings:
            if b.starts_at > cursor:
                slots.append((cursor, min(b.starts_at, self.open[1])))
            cursor = max(cursor, b.ends_at)
        if cursor < self.open[1]:
            slots.append((cursor, self.open[1]))
        return [s for s in slots if s[1] > s[0]]


def room_day(room: Room, date: dt.date) -> RoomDay:
    start, end = _local_day_bounds(room.space, date)
    bookings = bookings_between(rooms=[room], start=start, end=end).get(room.pk, [])
    return RoomDay(room=room, date=date, open=opening_interval(room.space, date), bookings=bookings)


def space_schedule(space: Space, date: dt.date) -> list[RoomDay]:
    """Every active room of a space on a local date, with its bookings (two queries)."""
    rooms = space_rooms(space)
    start, end = _local_day_bounds(space, date)
    found = bookings_between(rooms=rooms, start=start, end=end)
    interval = opening_interval(space, date)
    return [RoomDay(room=r, date=date, open=interval, bookings=found.get(r.pk, [])) for r in rooms]


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime  # UTC
    ends_at: dt.datetime
    state: str  # "free", "booked" or "past"


def day_grid(schedule: list[RoomDay], *, now: dt.datetime, step_minutes: int = 60) -> list[tuple]:
    """Each open room of a day as (RoomDay, [Slot]): opening hours cut into steps, each free,
    booked (overlapping a confirmed booking) or past. For the rooms page's day grid."""
    rows = []
    for day in schedule:
        if day.open is None:
            rows.append((day, []))
            continue
        slots, t = [], day.open[0]
        while t < day.open[1]:
            end = min(t + dt.timedelta(minutes=step_minutes), day.open[1])
            booked = any(b.starts_at < end and b.ends_at > t for b in day.bookings)
            slots.append(Slot(t, end, "booked" if booked else "past" if end <= now else "free"))
            t = end
        rows.append((day, slots))
    return rows


def member_bookings(member: Member, *, upcoming_only: bool = False) -> QuerySet[Booking]:
    qs = (
        Booking.objects.filter(member=member)
        .select_related("room__space")
        .prefetch_related(Prefetch("invoices", queryset=Invoice.objects.order_by("sequence")))
        .order_by("-starts_at", "-id")
    )
    if upcoming_only:
        qs = qs.filter(status=BookingStatus.CONFIRMED, ends_at__gt=dt.datetime.now(dt.UTC)).order_by(
            "starts_at", "id"
        )
    return qs


def member_bookings_by_time(member: Member, *, limit: int = 100) -> tuple[list[Booking], list[Booking]]:
    """(upcoming, the rest): confirmed bookings still to come, soonest first; then what is over
    or cancelled, latest first."""
    now = dt.datetime.now(dt.UTC)
    bookings = list(member_bookings(member)[:limit])
    ahead = [b for b in bookings if b.ends_at > now and b.status == BookingStatus.CONFIRMED]
    upcoming = sorted(ahead, key=lambda b: (b.starts_at, b.id))
    past = [b for b in bookings if b not in ahead]
    return upcoming, past


def booking_for(*, member: Member, booking_id: int) -> Booking:
    """A booking its member or a host of its space may see; anyone else gets a 404."""
    booking = (
        Booking.objects.select_related("room__space", "member__user")
        .prefetch_related("invoices")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or not (booking.member_id == member.pk or can_host(member, booking.room.space)):
        raise NotFound(f"no booking with id {booking_id}")
    return booking


def booking_invoice(*, member: Member, booking_id: int, kind: str = InvoiceKind.INVOICE) -> Invoice:
    booking = booking_for(member=member, booking_id=booking_id)
    invoice = next((i for i in booking.invoices.all() if i.kind == kind), None)
    if invoice is None:
        what = "credit note" if kind == InvoiceKind.CREDIT_NOTE else "invoice"
        raise NotFound(f"booking {booking_id} has no {what}")
    return invoice


def space_upcoming_bookings(space: Space, *, days: int = 7) -> list[Booking]:
    today = space.local_today()
    start, _ = _local_day_bounds(space, today)
    _, end = _local_day_bounds(space, today + dt.timedelta(days=days - 1))
    return list(
        Booking.objects.filter(
            room__space=space, status=BookingStatus.CONFIRMED, ends_at__gt=start, starts_at__lt=end
        )
        .select_related("room__space", "member")
        .order_by("starts_at", "id")
    )


# --- occupancy: booked hours / open hours, for host pages and network insights ----------------


@dataclass(frozen=True)
class Occupancy:
    """Booked and open room-hours over a period; `rate` is None when nothing was open."""

    booked_hours: float
    open_hours: float

    @property
    def rate(self) -> float | None:
        return self.booked_hours / self.open_hours if self.open_hours else None

    def __add__(self, other: "Occupancy") -> "Occupancy":
        return Occupancy(self.booked_hours + other.booked_hours, self.open_hours + other.open_hours)


EMPTY = Occupancy(0.0, 0.0)


def room_occupancy_by_day(
    *, space: Space, start: dt.date, days: int = 1
) -> dict[int, dict[dt.date, Occupancy]]:
    """{room id: {local date: Occupancy}} for the space's active rooms over `days` local dates.
    Open hours are real hours (a DST day has 23 or 25); bookings count only inside opening
    hours, so a rate never exceeds 1. One query for rooms, one for opening hours, one for bookings."""
    space = Space.objects.prefetch_related("opening_hours").get(pk=space.pk)
    rooms = space_rooms(space)
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    period_start, _ = _local_day_bounds(space, dates[0])
    _, period_end = _local_day_bounds(space, dates[-1])
    found = bookings_between(rooms=rooms, start=period_start, end=period_end)
    result: dict[int, dict[dt.date, Occupancy]] = {}
    for room in rooms:
        per_day = {}
        for date in dates:
            interval = opening_interval(space, date)
            if interval is None:
                per_day[date] = EMPTY
                continue
            booked = sum(overlap_seconds(interval, (b.starts_at, b.ends_at)) for b in found.get(room.pk, []))
            per_day[date] = Occupancy(booked / 3600, overlap_seconds(interval, interval) / 3600)
        result[room.pk] = per_day
    return result


def room_occupancy(*, room: Room, start: dt.date, days: int = 1) -> Occupancy:
    """One room over `days` local dates from `start` (1: a day; 7 from a Monday: a week)."""
    per_day = room_occupancy_by_day(space=room.space, start=start, days=days).get(room.pk, {})
    return sum(per_day.values(), EMPTY)


def space_occupancy(*, space: Space, start: dt.date, days: int = 1) -> Occupancy:
    """All active rooms of a space together over `days` local dates from `start`."""
    by_room = room_occupancy_by_day(space=space, start=start, days=days)
    return sum((occ for per_day in by_room.values() for occ in per_day.values()), EMPTY)


def space_occupancy_by_day(*, space: Space, start: dt.date, days: int = 7) -> list[tuple[dt.date, Occupancy]]:
    by_room = room_occupancy_by_day(space=space, start=start, days=days)
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    return [(d, sum((per_day[d] for per_day in by_room.values()), EMPTY)) for d in dates]


def week_start(date: dt.date) -> dt.date:
    """The Monday of `date`'s ISO week."""
    return date - dt.timedelta(days=date.weekday())
