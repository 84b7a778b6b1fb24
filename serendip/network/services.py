"""Writes to the network: room bookings (book, cancel) and hosts managing their spaces.

No double booking: `booking_create` locks the room's row (`SELECT ... FOR UPDATE` on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers) before looking for an
overlapping booking, so two requests for the same slot cannot both pass the check. Every
host write goes through `_hosted_space`, which asks `permissions.can_host`.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from serendip.errors import Conflict, Forbidden, InvalidInput, NotFound
from serendip.l10n import language_choices
from serendip.notifications.services import notify
from serendip.passport.models import Member
from serendip.passport.services import activity_record
from serendip.text import clean_text

from .calendar import booking_ics
from .localtime import LocalTimeError, local_to_utc
from .models import Booking, BookingStatus, OpeningHours, PaymentStatus, Room, Space, Weekday
from .payments import provider_for, provider_named
from .permissions import can_host
from .selectors import opening_interval
from .vat import vat_cents

BOOKING_HORIZON_DAYS = 90  # as far ahead as check-ins (presence.services)
BOOKING_STEP_MINUTES = 15
MAX_TITLE_LENGTH = 80
MAX_SEATS = 10_000
MAX_SEAT_PRICE = Decimal("999999.99")
MAX_CANCELLATION_HOURS = 24 * 30
MAX_HOUSE_RULES_LENGTH = 2000
MAX_ROOM_CAPACITY = 1000
MAX_HOURLY_PRICE_CENTS = 1_000_000  # €10,000 an hour
MAX_AMENITIES = 20
MAX_AMENITY_LENGTH = 40


# --- checks: turn bad input into a clear error before anything is written -----------------


def check_booking_times(
    *, space: Space, starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """Local (or offset) times -> UTC instants that are on the grid, ahead, and within opening hours."""
    tz = space.tz
    try:
        start, end = local_to_utc(starts_at, tz), local_to_utc(ends_at, tz)
    except LocalTimeError as exc:
        raise InvalidInput(str(exc)) from exc
    if end <= start:
        raise InvalidInput(_("a booking must end after it starts"))
    for value in (start, end):
        local = value.astimezone(tz)
        if local.minute % BOOKING_STEP_MINUTES or local.second or local.microsecond:
            raise InvalidInput(
                _("bookings start and end on a quarter of an hour (got %(time)s)")
                % {"time": f"{local:%H:%M:%S}"}
            )
    if start <= now:
        raise InvalidInput(_("a booking must start in the future"))
    local_date = start.astimezone(tz).date()
    if local_date > space.local_today(now) + dt.timedelta(days=BOOKING_HORIZON_DAYS):
        raise InvalidInput(
            _("rooms can be booked at most %(days)s days ahead") % {"days": BOOKING_HORIZON_DAYS}
        )
    interval = opening_interval(space, local_date)
    if interval is None:
        raise InvalidInput(
            _("%(space)s is closed on %(date)s")
            % {"space": space.name, "date": formats.date_format(local_date, "WEEKDAY_YEAR_FORMAT")}
        )
    if start < interval[0] or end > interval[1]:
        opens, closes = (t.astimezone(tz) for t in interval)
        raise InvalidInput(
            _("%(space)s is open %(opens)s–%(closes)s on %(date)s; the booking must fit inside opening hours")
            % {
                "space": space.name,
                "opens": formats.time_format(opens, "TIME_FORMAT"),
                "closes": formats.time_format(closes, "TIME_FORMAT"),
                "date": formats.date_format(local_date, "WEEKDAY_YEAR_FORMAT"),
            }
        )
    return start, end


def booking_price(*, room: Room, minutes: int, vat_rate: Decimal) -> tuple[int, int, int]:
    """(net, VAT, gross) in euro cents for `minutes` of real time, each rounded half up to a cent."""
    exact = Decimal(room.hourly_price_cents) * minutes / 60
    net = int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    vat = vat_cents(net, vat_rate)
    return net, vat, net + vat


@dataclass(frozen=True)
class Quote:
    """What a booking would cost, and until when cancelling it would be refunded."""

    net_cents: int
    vat_cents: int
    gross_cents: int
    vat_rate: Decimal
    hours: float
    free_cancellation_until: dt.datetime
    refundable: bool  # False when it starts within the space's free-cancellation hours


def booking_quote(*, room: Room, starts_at: dt.datetime, ends_at: dt.datetime) -> Quote:
    """The price preview of the booking form: the same checks and prices as `booking_create`,
    nothing written and no lock taken (the slot may still be gone when booking)."""
    space = room.space
    now = timezone.now()
    start, end = check_booking_times(space=space, starts_at=starts_at, ends_at=ends_at, now=now)
    minutes = int((end - start).total_seconds() // 60)
    net, vat, gross = booking_price(room=room, minutes=minutes, vat_rate=space.vat_rate)
    free_until = start - dt.timedelta(hours=space.cancellation_free_hours)
    return Quote(net, vat, gross, space.vat_rate, minutes / 60, free_until, refundable=now <= free_until)


# --- bookings ------------------------------------------------------------------------------


@transaction.atomic
def booking_create(
    *, member: Member, room_id: int, starts_at: dt.datetime, ends_at: dt.datetime, title: str = ""
) -> Booking:
    """Book a room; times without a UTC offset are the space's local time.

    Holds the room's row lock until commit: the overlap check and the insert cannot interleave
    with another booking of this room. The invoice is issued in the same transaction.
    """
    room = (
        Room.objects.select_for_update(of=("self",))
        .select_related("space")
        .prefetch_related("space__opening_hours")
        .filter(pk=room_id)
        .first()
    )
    if room is None or not room.active:
        raise NotFound(f"no room with id {room_id}")
    space = room.space
    now = timezone.now()
    title = clean_text(title, field="title", max_length=MAX_TITLE_LENGTH, multiline=False)
    start, end = check_booking_times(space=space, starts_at=starts_at, ends_at=ends_at, now=now)
    clash = (
        Booking.objects.filter(
            room=room, status=BookingStatus.CONFIRMED, starts_at__lt=end, ends_at__gt=start
        )
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise Conflict(
            f"{room.name} is already booked {clash.local_starts_at:%H:%M}–{clash.local_ends_at:%H:%M} "
            f"on {clash.local_starts_at:%A %d %B %Y}"
        )
    minutes = int((end - start).total_seconds() // 60)
    vat_rate = space.vat_rate
    net, vat, gross = booking_price(room=room, minutes=minutes, vat_rate=vat_rate)
    provider = provider_for(space)
    booking = Booking.objects.create(
        room=room,
        member=member,
        starts_at=start,
        ends_at=end,
        title=title,
        net_cents=net,
        vat_rate=vat_rate,
        vat_cents=vat,
        gross_cents=gross,
        free_cancellation_until=start - dt.timedelta(hours=space.cancellation_free_hours),
        payment_provider=provider.name,
        payment_status=PaymentStatus.PENDING,
    )
    result = provider.charge(booking=booking)
    booking.payment_status, booking.payment_reference = result.status, result.reference
    booking.save(update_fields=["payment_status", "payment_reference"])
    local = booking.local_starts_at
    _booking_notify(booking, "booking_confirmed")
    activity_record(
        member=member,
        verb="room_booked",
        summary=f"Booked {room.name} at {space.name} on {local:%a %d %b %Y %H:%M}–"
        f"{booking.local_ends_at:%H:%M}",
        extra={
            "space": space.slug,
            "room": room.pk,
            "booking": booking.pk,
            "space_name": space.name,
            "room_name": room.name,
            "starts": local.replace(tzinfo=None).isoformat(),  # the space's local time, as shown there
            "ends": booking.local_ends_at.replace(tzinfo=None).isoformat(),
        },
    )
    return booking


def _booking_notify(booking: Booking, kind: str) -> None:
    """Tell the member in the booking's transaction; the email carries the booking as iCalendar."""
    room = booking.room
    notify(
        recipient=booking.member,
        kind=kind,
        params={
            "room": room.name,
            "space": room.space.name,
            # Machine formats: the notification is written in each reader's language when shown.
            "starts_at": booking.local_starts_at.isoformat(),
            "ends_at": booking.local_ends_at.isoformat(),
            "tz": room.space.timezone,
            "_ics": booking_ics(booking),
        },
        url=reverse("my_bookings"),
        subject=f"booking:{booking.pk}",
    )


@transaction.atomic
def booking_cancel(*, member: Member, booking_id: int) -> Booking:
    """Cancel my booking before it starts; the room is free again at once. Until the space's
    free-cancellation time (fixed when booked) the payment is refunded; after it, it is not."""
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("room__space", "member")
        .filter(pk=booking_id)
        .first()
    )
    # Someone else's booking is reported as missing: ids of others' bookings are not ours to learn.
    if booking is None or booking.member_id != member.pk:
        raise NotFound(f"no booking with id {booking_id}")
    if booking.status == BookingStatus.CANCELLED:
        raise Conflict(_("this booking is already cancelled"))
    now = timezone.now()
    if booking.starts_at <= now:
        raise Conflict(_("a booking that has started cannot be cancelled"))
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    fields = ["status", "cancelled_at"]
    refund = now <= booking.free_cancellation_until
    if refund:
        result = provider_named(booking.payment_provider).refund(booking=booking)
        booking.payment_status, booking.payment_reference = result.status, result.reference
        fields += ["payment_status", "payment_reference"]
    booking.save(update_fields=fields)
    _booking_notify(booking, "booking_cancelled")
    activity_record(
        member=member,
        verb="room_booking_cancelled",
        summary=f"Cancelled {booking.room.name} at {booking.room.space.name} on "
        f"{booking.local_starts_at:%a %d %b %Y %H:%M}" + (" (refunded)" if refund else " (not refunded)"),
        extra={
            "space": booking.room.space.slug,
            "booking": booking.pk,
            "refunded": refund,
            "space_name": booking.room.space.name,
            "room_name": booking.room.name,
            "starts": booking.local_starts_at.replace(tzinfo=None).isoformat(),
        },
    )
    return booking


# --- hosts managing their spaces -------------------------------------------------------------


def _hosted_space(*, host: Member, space_id: int) -> Space:
    space = Space.objects.select_for_update().filter(pk=space_id).first()
    if space is None:
        raise NotFound(f"no space with id {space_id}")
    if not can_host(host, space):
        raise Forbidden(_("only a host of this space can do that"))
    return space


def _busiest_day(space: Space) -> tuple[dt.date, int] | None:
    """The date from the space's today on with the most seat-holding check-ins, and how many.

    Through the reverse relation `space.checkins`: the network sits below presence and imports
    none of its modules; statuses other than "cancelled" hold a seat."""
    row = (
        space.checkins.filter(date__gte=space.local_today())
        .exclude(status="cancelled")
        .values("date")
        .annotate(n=Count("id"))
        .order_by("-n", "date")
        .first()
    )
    return None if row is None else (row["date"], row["n"])


@transaction.atomic
def space_update(
    *,
    host: Member,
    space_id: int,
    seats: int | None = None,
    seat_price: Decimal | None = None,
    cancellation_free_hours: int | None = None,
    house_rules: str | None = None,
    language: str | None = None,
) -> Space:
    """Change what a host runs: seats, the seat price in SC, the cancellation policy, house rules,
    the language of its lobby screen and public page.
    Seats never go below the check-ins already holding a seat on any day from today on (the
    space row is locked first, so no check-in can slip in between the count and the change)."""
    space = _hosted_space(host=host, space_id=space_id)
    changed = []
    if seats is not None:
        if not 0 <= seats <= MAX_SEATS:
            raise InvalidInput(_("seats must be between 0 and %(max)s") % {"max": MAX_SEATS})
        busiest = _busiest_day(space)
        if busiest is not None and seats < busiest[1]:
            day, taken = busiest
            raise Conflict(
                f"{taken} seats are already taken on {day:%A %d %B %Y}; "
                f"seats cannot go below that (ask members to cancel first)"
            )
        space.seats = seats
        changed.append("seats")
    if seat_price is not None:
        try:
            seat_price = Decimal(seat_price)
            valid = seat_price.is_finite() and 0 <= seat_price <= MAX_SEAT_PRICE
            valid = valid and seat_price == seat_price.quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError):
            valid = False
        if not valid:
            raise InvalidInput(
                _("the seat price must be between 0 and %(max)s SC, in hundredths") % {"max": MAX_SEAT_PRICE}
            )
        space.seat_price = seat_price
        changed.append("seat_price")
    if cancellation_free_hours is not None:
        if not 0 <= cancellation_free_hours <= MAX_CANCELLATION_HOURS:
            raise InvalidInput(
                _("free cancellation can be from 0 to %(max)s hours before") % {"max": MAX_CANCELLATION_HOURS}
            )
        space.cancellation_free_hours = cancellation_free_hours
        changed.append("cancellation_free_hours")
    if house_rules is not None:
        space.house_rules = clean_text(
            house_rules, field="house rules", max_length=MAX_HOUSE_RULES_LENGTH, multiline=True
        )
        changed.append("house_rules")
    if language is not None:
        if language not in dict(language_choices()):
            codes = ", ".join(code for code, _name in language_choices())
            raise InvalidInput(f"language must be one of {codes}")
        space.language = language
        changed.append("language")
    if changed:
        space.save(update_fields=changed)
    return space


@transaction.atomic
def opening_hours_set(
    *, host: Member, space_id: int, hours: Mapping[int, tuple[dt.time, dt.time] | None]
) -> list[OpeningHours]:
    """Set opening hours per weekday (0 = Monday): (opens, closes) in local time, or None for closed.
    Weekdays not in `hours` keep theirs. Closing at 00:00 means open until midnight."""
    space = _hosted_space(host=host, space_id=space_id)
    for weekday, value in hours.items():
        if weekday not in Weekday.values:
            raise InvalidInput(f"{weekday} is not a weekday (0 = Monday ... 6 = Sunday)")
        if value is not None:
            opens, closes = value
            if not (closes > opens or closes == dt.time(0)):
                raise InvalidInput(
                    _("on %(day)s the space must close after it opens") % {"day": Weekday(weekday).label}
                )
    for weekday, value in hours.items():
        if value is None:
            OpeningHours.objects.filter(space=space, weekday=weekday).delete()
        else:
            OpeningHours.objects.update_or_create(
                space=space, weekday=weekday, defaults={"opens": value[0], "closes": value[1]}
            )
    return list(space.opening_hours.all())


def _clean_amenities(amenities: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in amenities:
        item = clean_text(
            str(raw), field="an amenity", max_length=MAX_AMENITY_LENGTH, multiline=False
        ).lower()
        if item and item not in cleaned:
            cleaned.append(item)
    if len(cleaned) > MAX_AMENITIES:
        raise InvalidInput(_("a room can list at most %(max)s amenities") % {"max": MAX_AMENITIES})
    return cleaned


def _check_room_fields(*, name: str | None, capacity: int | None, hourly_price_cents: int | None) -> None:
    if name is not None and not name:
        raise InvalidInput(_("a room needs a name"))
    if capacity is not None and not 1 <= capacity <= MAX_ROOM_CAPACITY:
        raise InvalidInput(_("capacity must be between 1 and %(max)s people") % {"max": MAX_ROOM_CAPACITY})
    if hourly_price_cents is not None and not 0 <= hourly_price_cents <= MAX_HOURLY_PRICE_CENTS:
        raise InvalidInput(_("the hourly price must be between €0 and €10,000"))


@transaction.atomic
def room_create(
    *,
    host: Member,
    space_id: int,
    name: str,
    capacity: int,
    hourly_price_cents: int,
    amenities: Iterable[str] = (),
) -> Room:
    space = _hosted_space(host=host, space_id=space_id)
    name = clean_text(name, field="the room's name", max_length=80, multiline=False)
    _check_room_fields(name=name, capacity=capacity, hourly_price_cents=hourly_price_cents)
    amenities = _clean_amenities(amenities)
    try:
        with transaction.atomic():
            return Room.objects.create(
                space=space,
                name=name,
                capacity=capacity,
                hourly_price_cents=hourly_price_cents,
                amenities=amenities,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("%(space)s already has a room called “%(room)s”") % {"space": space.name, "room": name}
        ) from exc


@transaction.atomic
def room_update(
    *,
    host: Member,
    room_id: int,
    name: str | None = None,
    capacity: int | None = None,
    hourly_price_cents: int | None = None,
    amenities: Iterable[str] | None = None,
    active: bool | None = None,
) -> Room:
    """Change a room. Price changes apply to new bookings; booked ones keep their price."""
    room = Room.objects.filter(pk=room_id).first()
    if room is None:
        raise NotFound(f"no room with id {room_id}")
    _hosted_space(host=host, space_id=room.space_id)
    room = Room.objects.select_for_update().get(pk=room_id)
    if name is not None:
        name = clean_text(name, field="the room's name", max_length=80, multiline=False)
    _check_room_fields(name=name, capacity=capacity, hourly_price_cents=hourly_price_cents)
    for field, value in (
        ("name", name),
        ("capacity", capacity),
        ("hourly_price_cents", hourly_price_cents),
        ("active", active),
    ):
        if value is not None:
            setattr(room, field, value)
    if amenities is not None:
        room.amenities = _clean_amenities(amenities)
    try:
        with transaction.atomic():
            room.save()
    except IntegrityError as exc:
        raise Conflict(_("this space already has a room called “%(room)s”") % {"room": name}) from exc
    return room
