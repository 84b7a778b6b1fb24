"""API for a space's rooms and room bookings: /spaces/{id}/rooms, /rooms, /bookings, /me/bookings.

(/spaces and /spaces/{id} answer with free seats, a presence count: they are in presence/api.py.)"""

import datetime as dt
from typing import Literal

from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from serendip.apitypes import Id, Text, current_member
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


class RoomOut(Schema):
    id: int
    space_id: int
    name: str
    capacity: int
    amenities: list[str]
    hourly_price_cents: int
    currency: str
    vat_rate: str


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
    room_id: Id
    starts_at: dt.datetime = Field(
        description="local time at the space (e.g. 2026-12-01T14:00), or with a UTC offset"
    )
    ends_at: dt.datetime
    title: Text = Field("", max_length=80, description="shown on the lobby screen's schedule")


class BookingOut(Schema):
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
    currency: str
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


def rate_text(rate) -> str:
    """A VAT percentage without trailing zeros: "21", "8.1"."""
    return format(rate.normalize(), "f")


def room_out(room: Room) -> dict:
    return {
        "id": room.pk,
        "space_id": room.space_id,
        "name": room.name,
        "capacity": room.capacity,
        "amenities": list(room.amenities or []),
        "hourly_price_cents": room.hourly_price_cents,
        "currency": "EUR",
        "vat_rate": rate_text(room.space.vat_rate),
    }


def _slot(tz, start, end) -> dict:
    return {"starts_at": start.astimezone(tz), "ends_at": end.astimezone(tz)}


def booking_out(b: Booking) -> dict:
    docs = {i.kind: i.number for i in b.invoices.all()}
    space = b.room.space
    return {
        "id": b.pk,
        "room_id": b.room_id,
        "room_name": b.room.name,
        "space_id": space.pk,
        "space_name": space.name,
        "timezone": space.timezone,
        "starts_at": b.local_starts_at,
        "ends_at": b.local_ends_at,
        "title": b.title,
        "status": b.status,
        "currency": "EUR",
        "net_cents": b.net_cents,
        "vat_rate": rate_text(b.vat_rate),
        "vat_cents": b.vat_cents,
        "gross_cents": b.gross_cents,
        "free_cancellation_until": b.free_cancellation_until.astimezone(space.tz),
        "refunded": b.refunded,
        "payment_provider": b.payment_provider,
        "payment_status": b.payment_status,
        "invoice_number": docs.get(InvoiceKind.INVOICE),
        "credit_note_number": docs.get(InvoiceKind.CREDIT_NOTE),
    }


def invoice_out(request, invoice: Invoice) -> dict:
    return {
        "number": invoice.number,
        "kind": invoice.kind,
        "booking_id": invoice.booking_id,
        "issue_date": invoice.issue_date,
        "seller_name": invoice.seller_name,
        "seller_address": invoice.seller_address,
        "buyer_name": invoice.buyer_name,
        "description": invoice.description,
        "currency": invoice.currency,
        "net_cents": invoice.net_cents,
        "vat_rate": rate_text(invoice.vat_rate),
        "vat_cents": invoice.vat_cents,
        "gross_cents": invoice.gross_cents,
        "html_url": request.build_absolute_uri(reverse("invoice", args=[invoice.number])),
    }


@router.get("/spaces/{space_id}/rooms", auth=None, response=list[RoomOut], summary="A space's meeting rooms")
def space_room_list(request, space_id: Id):
    return [room_out(r) for r in space_rooms(space_get(space_id=space_id))]


@router.get(
    "/rooms/{room_id}/availability",
    auth=None,
    response=AvailabilityOut,
    summary="A room's opening hours, bookings and free slots on a local date (default: today there)",
)
def room_availability(request, room_id: Id, date: dt.date | None = None):
    room = room_get(room_id=room_id)
    space = room.space
    today = space.local_today()
    date = date or today
    if abs((date - today).days) > AVAILABILITY_WINDOW_DAYS:
        raise InvalidInput(f"availability is shown for at most {AVAILABILITY_WINDOW_DAYS} days either way")
    day = room_day(room, date)
    tz = space.tz
    return {
        "room_id": room.pk,
        "date": date,
        "timezone": space.timezone,
        "open": day.open is not None,
        "opens_at": day.open[0].astimezone(tz) if day.open else None,
        "closes_at": day.open[1].astimezone(tz) if day.open else None,
        "booked": [_slot(tz, b.starts_at, b.ends_at) for b in day.bookings],
        "free": [_slot(tz, s, e) for s, e in day.free],
    }


@router.post("/bookings", response={201: BookingOut}, summary="Book a room; the invoice is issued at once")
def booking_create(request, payload: BookingIn):
    booking = services.booking_create(
        member=current_member(request),
        room_id=payload.room_id,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        title=payload.title,
    )
    return Status(201, booking_out(booking))


@router.delete(
    "/bookings/{booking_id}",
    response=BookingOut,
    summary="Cancel my booking; refunded (credit note) until the free-cancellation time",
)
def booking_cancel(request, booking_id: Id):
    member = current_member(request)
    services.booking_cancel(member=member, booking_id=booking_id)
    return booking_out(booking_for(member=member, booking_id=booking_id))


@router.get("/me/bookings", response=list[BookingOut], summary="My room bookings, newest first")
def my_bookings(request, limit: int = Query(100, ge=1, le=500)):
    return [booking_out(b) for b in member_bookings(current_member(request))[:limit]]


@router.get("/bookings/{booking_id}", response=BookingOut, summary="A booking (mine, or at a space I host)")
def booking_detail(request, booking_id: Id):
    return booking_out(booking_for(member=current_member(request), booking_id=booking_id))


@router.get(
    "/bookings/{booking_id}/invoice",
    response=InvoiceOut,
    summary="A booking's invoice, or its credit note with ?kind=credit_note",
)
def booking_invoice_detail(request, booking_id: Id, kind: InvoiceKindIn = "invoice"):
    invoice = booking_invoice(member=current_member(request), booking_id=booking_id, kind=kind)
    return invoice_out(request, invoice)
