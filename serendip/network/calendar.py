"""iCalendar (RFC 5545) for room bookings: the attachment of a booking confirmation, and the
events the member's calendar feed lists. Times carry the space's time zone (with VTIMEZONE)."""

import datetime as dt

import icalendar
from django.conf import settings

from .models import Booking, BookingStatus

PRODID = "-//Serendip//Serendip//EN"


def new_calendar(name: str = "Serendip") -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def uid(kind: str, pk: int) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "serendip"
    return f"{kind}-{pk}@{host}"


def booking_event(booking: Booking) -> icalendar.Event:
    room, space = booking.room, booking.room.space
    event = icalendar.Event()
    event.add("uid", uid("booking", booking.pk))
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    event.add("dtstart", booking.local_starts_at)
    event.add("dtend", booking.local_ends_at)
    event.add("summary", booking.title or f"{room.name} · {space.name}")
    event.add("location", f"{room.name}, {space.name}, {space.city}")
    cancelled = booking.status == BookingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    return event


def booking_ics(booking: Booking) -> str:
    """One booking as a calendar file (METHOD:PUBLISH), e.g. for the confirmation email."""
    cal = new_calendar()
    cal.add("method", "PUBLISH")
    cal.add_component(booking_event(booking))
    cal.add_missing_timezones()
    return cal.to_ical().decode()
