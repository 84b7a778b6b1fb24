"""A member's calendar feed (RFC 5545): check-ins and confirmed meetings as all-day events on
the space's local date, room bookings at their times in the space's time zone."""

import datetime as dt

import icalendar
from django.utils import translation
from django.utils.translation import gettext as _

from serendip.exchange.models import Meeting, MeetingStatus
from serendip.l10n import language_of
from serendip.network.calendar import booking_event, new_calendar, uid
from serendip.network.models import Booking
from serendip.passport.models import Member
from serendip.presence.models import CheckIn, CheckInStatus

HISTORY_DAYS = 90  # the feed lists the last 90 days and everything ahead


def _all_day(*, key: str, date: dt.date, summary: str, location: str, stamp: dt.datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", key)
    event.add("dtstamp", stamp)
    event.add("dtstart", date)
    event.add("dtend", date + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("location", location)
    event.add("transp", "TRANSPARENT")
    return event


def member_feed(member: Member, *, today: dt.date | None = None) -> bytes:
    """The feed in the member's language (a calendar app's request says nothing about it)."""
    with translation.override(language_of(member)):
        return _member_feed(member, today=today)


def _member_feed(member: Member, *, today: dt.date | None) -> bytes:
    today = today or dt.date.today()
    since = today - dt.timedelta(days=HISTORY_DAYS)
    cal = new_calendar(_("Serendip: %(name)s") % {"name": member.display_name})
    now = dt.datetime.now(dt.UTC)
    checkins = (
        CheckIn.objects.filter(member=member, date__gte=since)
        .exclude(status=CheckInStatus.CANCELLED)
        .select_related("space")
    )
    for c in checkins:
        cal.add_component(
            _all_day(
                key=uid("checkin", c.pk),
                date=c.date,
                summary=_("Seat at %(space)s") % {"space": c.space.name},
                location=f"{c.space.name}, {c.space.city}",
                stamp=now,
            )
        )
    meetings = (
        Meeting.objects.filter(status=MeetingStatus.CONFIRMED, date__gte=since).filter(member_low=member)
        | Meeting.objects.filter(status=MeetingStatus.CONFIRMED, date__gte=since, member_high=member)
    ).select_related("space", "recorded_by", "other")
    for m in meetings:
        other = m.other if m.recorded_by_id == member.pk else m.recorded_by
        cal.add_component(
            _all_day(
                key=uid("meeting", m.pk),
                date=m.date,
                summary=_("Met %(name)s") % {"name": other.display_name},
                location=f"{m.space.name}, {m.space.city}",
                stamp=now,
            )
        )
    bookings = Booking.objects.filter(member=member, starts_at__date__gte=since).select_related("room__space")
    for b in bookings:
        cal.add_component(booking_event(b))
    cal.add_missing_timezones()
    return cal.to_ical()
