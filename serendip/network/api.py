"""API for a space's rooms and room bookings: /spaces/{id}/rooms, /rooms, /bookings, /me/bookings.

(/spaces and /spaces/{id} answer with free seats, a presence count: they are in presence/api.py.)"""

import datetime as dt
from typing import Literal

from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from serendip.apitypes import BodyId, Day, Id, Moment, Text, current_member, responses
from serendip.errors import InvalidInput

from . import services
from .models import Booking, Invoice, InvoiceKind, Room
from .selectors import (
    booking_for,
    booking_invoice,
    member_bookings,
    room_day,
    room_get,
    space_get,
    space_rooms,
)

AVAILABILITY_WINDOW_DAYS = 400
InvoiceKindIn = Literal["invoice", "credit_note"]

router = Router(tags=["network"])


# --- rooms, availability, bookings, invoices -------------------------------------------------


def rate_text(rate) -> str:
    """A VAT percentage without trailing zeros: "21", "8.1"."""
    return format(rate.normalize(), "f")


class RoomOut(Schema):
    id: int
    space_id: int
    name: str
    capacity: int
    amenities: list[str]
    hourly_price_cents: int
    currency: str = "EUR"
    vat_rate: str

    @staticmethod
    def resolve_amenities(room: Room) -> list[str]:
        return list(room.amenities or [])

    @staticmethod
    def resolve_vat_rate(room: Room) -> str:
        return rate_text(room.space.vat_rate)


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime


class AvailabilityOut(Schema):
    room_id: int
    date: dt.date
    timezone: str
    open: bool
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    booked: list[SlotOut]
    free: list[SlotOut]


class BookingIn(Schema):
    room_id: BodyId
    starts_at: Moment = Field(
        description="local time at the space (e.g. 2026-12-01T14:00), or with a UTC offset"
    )
    ends_at: Moment
    title: Text = Field("", max_length=80, description="shown on the lobby screen's schedule")


class BookingOut(Schema):
    """A booking; its times in the space's time zone."""

    id: int
    room_id: int
    room_name: str
    space_id: int
    space_name: str
    timezone: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    status: str
    currency: str = "EUR"
    net_cents: int
    vat_rate: str
    vat_cents: int
    gross_cents: int
    free_cancellation_until: dt.datetime
    refunded: bool
    payment_provider: str
    payment_status: str
    invoice_number: str | None
    credit_note_number: str | None

    @staticmethod
    def resolve_room_name(b: Booking) -> str:
        return b.room.name

    @staticmethod
    def resolve_space_id(b: Booking) -> int:
        return b.room.space_id

    @staticmethod
    def resolve_space_name(b: Booking) -> str:
        return b.room.space.name

    @staticmethod
    def resolve_timezone(b: Booking) -> str:
        return b.room.space.timezone

    @staticmethod
    def resolve_starts_at(b: Booking) -> dt.datetime:
        return b.local_starts_at

    @staticmethod
    def resolve_ends_at(b: Booking) -> dt.datetime:
        return b.local_ends_at

    @staticmethod
    def resolve_vat_rate(b: Booking) -> str:
        return rate_text(b.vat_rate)

    @staticmethod
    def resolve_free_cancellation_until(b: Booking) -> dt.datetime:
        return b.free_cancellation_until.astimezone(b.room.space.tz)

    @staticmethod
    def resolve_invoice_number(b: Booking) -> str | None:
        return next((i.number for i in b.invoices.all() if i.kind == InvoiceKind.INVOICE), None)

    @staticmethod
    def resolve_credit_note_number(b: Booking) -> str | None:
        return next((i.number for i in b.invoices.all() if i.kind == InvoiceKind.CREDIT_NOTE), None)


class InvoiceOut(Schema):
    number: str
    kind: str
    booking_id: int
    issue_date: dt.date
    seller_name: str
    seller_address: str
    buyer_name: str
    description: str
    currency: str
    net_cents: int
    vat_rate: str
    vat_cents: int
    gross_cents: int
    html_url: str

    @staticmethod
    def resolve_vat_rate(invoice: Invoice) -> str:
        return rate_text(invoice.vat_rate)

    @staticmethod
    def resolve_html_url(invoice: Invoice, context) -> str:
        return context["request"].build_absolute_uri(reverse("invoice", args=[invoice.number]))


@router.get(
    "/spaces/{space_id}/rooms",
    auth=None,
    response=responses({200: list[RoomOut]}, 404, public=True),
    summary="A space's meeting rooms",
)
def space_room_list(request, space_id: Id):
    return space_rooms(space_get(space_id=space_id))


@router.get(
    "/rooms/{room_id}/availability",
    auth=None,
    response=responses({200: AvailabilityOut}, 400, 404, public=True),
    summary="A room's opening hours, bookings and free slots on a local date (default: today there)",
)
def room_availability(request, room_id: Id, date: Day | None = None):
    room = room_get(room_id=room_id)
    space = room.space
    today = space.local_today()
    date = date or today
    if abs((date - today).days) > AVAILABILITY_WINDOW_DAYS:
        raise InvalidInput(f"availability is shown for at most {AVAILABILITY_WINDOW_DAYS} days either way")
    day = room_day(room, date)
    tz = space.tz

    def slot(start: dt.datetime, end: dt.datetime) -> dict:
        return {"starts_at": start.astimezone(tz), "ends_at": end.astimezone(tz)}

    return {
        "room_id": room.pk,
        "date": date,
        "timezone": space.timezone,
        "open": day.open is not None,
        "opens_at": day.open[0].astimezone(tz) if day.open else None,
        "closes_at": day.open[1].astimezone(tz) if day.open else None,
        "booked": [slot(b.starts_at, b.ends_at) for b in day.bookings],
        "free": [slot(s, e) for s, e in day.free],
    }


@router.post(
    "/bookings",
    response=responses({201: BookingOut}, 400, 403, 404, 409, body=True),
    summary="Book a room; the invoice is issued at once",
)
def booking_create(request, payload: BookingIn):
    booking = services.booking_create(
        member=current_member(request),
        room_id=payload.room_id,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        title=payload.title,
    )
    return Status(201, booking)


@router.delete(
    "/bookings/{booking_id}",
    response=responses({200: BookingOut}, 403, 404, 409),
    summary="Cancel my booking; refunded (credit note) until the free-cancellation time",
)
def booking_cancel(request, booking_id: Id):
    member = current_member(request)
    services.booking_cancel(member=member, booking_id=booking_id)
    return booking_for(member=member, booking_id=booking_id)


@router.get(
    "/me/bookings", response=responses({200: list[BookingOut]}), summary="My room bookings, newest first"
)
def my_bookings(request, limit: int = Query(100, ge=1, le=500)):
    return member_bookings(current_member(request))[:limit]


@router.get(
    "/bookings/{booking_id}",
    response=responses({200: BookingOut}, 404),
    summary="A booking (mine, or at a space I host)",
)
def booking_detail(request, booking_id: Id):
    return booking_for(member=current_member(request), booking_id=booking_id)


@router.get(
    "/bookings/{booking_id}/invoice",
    response=responses({200: InvoiceOut}, 404),
    summary="A booking's invoice, or its credit note with ?kind=credit_note",
)
def booking_invoice_detail(request, booking_id: Id, kind: InvoiceKindIn = "invoice"):
    return booking_invoice(member=current_member(request), booking_id=booking_id, kind=kind)
