"""iCalendar: the booking attachment and the private feed, parsed back with `icalendar`."""

import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.test import Client

from serendip.exchange.services import meeting_confirm, meeting_record
from serendip.network.calendar import booking_ics
from serendip.network.services import booking_create
from serendip.presence.services import checkin_create

pytestmark = pytest.mark.django_db


def events(data) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["uid"]).split("@")[0]: e for e in cal.walk("VEVENT")}


def test_a_booking_is_an_event_in_the_spaces_time_zone(make_member, open_space, make_room):
    space = open_space(timezone="America/New_York", name="NYC Hub")
    member = make_member()
    day = space.local_today() + dt.timedelta(days=3)
    start = dt.datetime.combine(day, dt.time(9, 30))
    booking = booking_create(
        member=member,
        room_id=make_room(space, name="Loft").pk,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    cal = icalendar.Calendar.from_ical(booking_ics(booking))
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
    event = events(booking_ics(booking))[f"booking-{booking.pk}"]
    begins = event.decoded("dtstart")
    assert begins == start.replace(tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    assert begins.tzinfo.key == "America/New_York"
    assert event.decoded("dtend") - begins == dt.timedelta(hours=2)
    assert begins.astimezone(dt.UTC) == booking.starts_at
    assert "Loft" in str(event["location"]) and str(event["status"]) == "CONFIRMED"


def test_the_private_feed_lists_check_ins_meetings_and_bookings_and_can_be_revoked(
    make_member, open_space, make_room, api_as
):
    space = open_space(timezone="Asia/Tokyo", name="Tokyo")
    me, other = make_member(), make_member(display_name="Kenji")
    today = space.local_today()
    for m in (me, other):
        checkin_create(member=m, space_id=space.pk, date=today)
    meeting = meeting_record(member=me, other_id=other.pk, date=today)
    meeting_confirm(member=other, meeting_id=meeting.pk)
    start = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(14))
    room = make_room(space)
    booking = booking_create(member=me, room_id=room.pk, starts_at=start, ends_at=start.replace(hour=15))
    api = api_as(me)
    url = api.post("/me/calendar-feed").json()["url"]
    path = url.split("testserver", 1)[1]
    response = Client().get(path)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    found = events(response.content)
    checkin_key = next(k for k in found if k.startswith("checkin-"))
    assert found[checkin_key].decoded("dtstart") == today  # the space's local date, all day
    assert str(found[f"meeting-{meeting.pk}"]["summary"]) == "Met Kenji"
    assert found[f"booking-{booking.pk}"].decoded("dtstart").tzinfo.key == "Asia/Tokyo"
    # another member's feed does not show mine; a new URL replaces the old; revoking ends it
    assert Client().get(path + "x").status_code == 404
    new_path = api.post("/me/calendar-feed").json()["url"].split("testserver", 1)[1]
    assert Client().get(path).status_code == 404 and Client().get(new_path).status_code == 200
    assert api.delete("/me/calendar-feed").status_code == 204
    assert Client().get(new_path).status_code == 404
