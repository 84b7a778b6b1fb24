"""Emails, the digest and the calendar feed speak their recipient's language, whatever language
the worker (or the request that queued them) speaks."""

import pytest
from django.utils import translation

from serendip.notifications.mail import build
from serendip.notifications.models import OutboundEmail
from serendip.notifications.services import notify
from serendip.notifications.worker import digests_send, emails_compose
from serendip.passport.services import member_update
from serendip.reach.calendar import member_feed

pytestmark = pytest.mark.django_db

MEETING = {"actor": "Ada Visser", "space": "Seats2meet Utrecht CS", "date": "2026-11-30"}


def meeting_email(member) -> OutboundEmail:
    notify(recipient=member, kind="meeting_to_confirm", params=MEETING)
    emails_compose()
    return OutboundEmail.objects.get(member=member, kind="meeting_to_confirm")


def test_an_email_speaks_the_recipients_language(make_member, verify):
    dutch = verify(make_member())
    member_update(member=dutch, language="nl")
    with translation.override("it"):  # the worker's own language does not matter
        email = meeting_email(dutch)
    assert '<html lang="nl">' in email.html
    assert email.headers["Content-Language"] == "nl"
    assert build(email).message()["Content-Language"] == "nl"
    assert "30 november 2026" in email.text  # Dutch date format, month in lower case
    with translation.override("nl"):
        assert email.subject == translation.gettext("A meeting waits for your confirmation")


def test_without_a_choice_an_email_is_english(make_member, verify):
    member = verify(make_member())
    with translation.override("it"):
        email = meeting_email(member)
    assert '<html lang="en">' in email.html
    assert email.headers["Content-Language"] == "en"
    assert "30 November 2026" in email.text
    assert email.subject == "A meeting waits for your confirmation"


def test_the_digest_speaks_the_recipients_language(make_member, verify, settings):
    settings.EMAIL_DAILY_CAP = 0
    italian = verify(make_member())
    member_update(member=italian, language="it")
    notify(recipient=italian, kind="meeting_to_confirm", params=MEETING)
    emails_compose()
    assert digests_send() == 1
    digest = OutboundEmail.objects.get(member=italian, kind="digest")
    assert '<html lang="it">' in digest.html
    assert "30" in digest.text and "2026" in digest.text and "2026-11-30" not in digest.text


def test_the_calendar_feed_speaks_the_members_language(make_member, make_space):
    from serendip.presence.services import checkin_create

    member = make_member()
    space = make_space(name="Milano Isola Lab", country="IT", timezone="Europe/Rome")
    checkin_create(member=member, space_id=space.pk, date=space.local_today())
    english = member_feed(member).decode()
    member_update(member=member, language="it")
    with translation.override("en"):
        italian = member_feed(member).decode()
    with translation.override("it"):
        seat = translation.gettext("Seat at %(space)s") % {"space": "Milano Isola Lab"}
    assert "Seat at Milano Isola Lab" in english
    assert seat in italian
