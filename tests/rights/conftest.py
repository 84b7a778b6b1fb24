"""A small network in which two members (Zebediah and Philippa) have every kind of row,
made through the real services; their exchanges are with others, never with each other,
so each one's export can be checked for the other's absence."""

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from serendip.exchange.services import (
    answer_accept,
    answer_create,
    introduction_create,
    introduction_respond,
    meeting_confirm,
    meeting_record,
    outcome_record,
    question_ask,
)
from serendip.network.models import OpeningHours, Room
from serendip.network.services import booking_create
from serendip.notifications.services import calendar_feed_create, preference_set, subscription_create
from serendip.passport.models import Member
from serendip.passport.services import member_photo_set, member_update, token_create
from serendip.presence.services import checkin_create
from tests.ledger.test_log_integration import configure_ledger


@pytest.fixture(autouse=True)
def _issuer_key(settings, tmp_path):
    # One key per test, never the developer's var/ (test_issuer_key covers generating one).
    from serendip.credentials import multikey

    settings.CREDENTIALS_ISSUER_KEY = multikey.generate()[0]
    settings.CREDENTIALS_ISSUER_KEY_PATH = tmp_path / "credentials_issuer_key"
    configure_ledger(settings, tmp_path)


def _picture() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class Seeded:
    member: Member
    name: str
    email: str
    username: str
    texts: list[str] = field(default_factory=list)  # everything they wrote, each unique to them


@pytest.fixture
def rich_network(make_member, make_space):
    space = make_space(seats=20, seat_price=Decimal("2"))
    for weekday in range(7):
        OpeningHours.objects.create(space=space, weekday=weekday, opens=dt.time(0), closes=dt.time(0))
    room = Room.objects.create(space=space, name="Boardroom", capacity=8, hourly_price_cents=3500)
    today = space.local_today()
    helper = make_member(display_name="Carla Common", offers=["zymurgy", "kombucha"])
    checkin_create(member=helper, space_id=space.pk, date=today)

    def seed(username, name, email, word, hour):
        member = make_member(
            username, display_name=name, offers=[f"{word} brewing", "zymurgy"], interests=[f"{word} lore"]
        )
        member.user.email = email
        member.user.save()
        member_update(member=member, headline=f"{word} headline", about=f"{word} about me")
        s = Seeded(member=member, name=name, email=email, username=username)
        s.texts = [f"{word} headline", f"{word} about me", f"{word} focus", f"{word} question"]
        checkin_create(member=member, space_id=space.pk, date=today, focus=f"{word} focus")
        checkin_create(member=member, space_id=space.pk, date=today + dt.timedelta(days=3))
        token_create(user=member.user)
        member_photo_set(member=member, data=_picture())
        subscription_create(member=member, followed_id=helper.pk)
        subscription_create(member=helper, followed_id=member.pk)
        preference_set(member=member, kind="answer_accepted", channel="email")
        calendar_feed_create(member=member)
        # A question of theirs, answered by the helper and accepted.
        q = question_ask(
            asker=member, title=f"{word} question", body=f"{word} question body", tags=["kombucha"]
        )
        helper_answer = answer_create(author=helper, question_id=q.pk, body="Helper's answer")
        answer_accept(asker=member, answer_id=helper_answer.pk, rating=4)
        # Their answer to the helper's question, accepted.
        hq = question_ask(asker=helper, title=f"Helper asks {word}", tags=["zymurgy"])
        answer = answer_create(author=member, question_id=hq.pk, body=f"{word} answer body")
        answer_accept(asker=helper, answer_id=answer.pk, rating=5)
        s.texts.append(f"{word} answer body")
        # An introduction they asked for, accepted; a meeting with the helper, confirmed, rated,
        # with outcomes on both sides (the helper's note names them).
        intro = introduction_create(member=member, recipient_id=helper.pk, message=f"{word} hello message")
        introduction_respond(member=helper, introduction_id=intro.pk, accept=True)
        s.texts.append(f"{word} hello message")
        meeting = meeting_record(member=member, other_id=helper.pk, date=today)
        meeting_confirm(member=helper, meeting_id=meeting.pk, rating=5)
        outcome_record(
            member=member,
            meeting_id=meeting.pk,
            kind="paid_work",
            value_cents=50000,
            note=f"{word} outcome note",
        )
        outcome_record(member=helper, meeting_id=meeting.pk, kind="learned", note=f"{name} knew it all")
        s.texts.append(f"{word} outcome note")
        # An introduction they made between two others, who then met.
        requester = make_member(display_name=f"Requester of {word}")
        recipient = make_member(display_name=f"Recipient of {word}")
        for m in (requester, recipient):
            checkin_create(member=m, space_id=space.pk, date=today)
        made = introduction_create(member=member, requester_id=requester.pk, recipient_id=recipient.pk)
        introduction_respond(member=recipient, introduction_id=made.pk, accept=True)
        met = meeting_record(member=requester, other_id=recipient.pk, date=today)
        meeting_confirm(member=recipient, meeting_id=met.pk)
        # A room booking (with its invoice) tomorrow.
        start = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(hour))
        booking_create(
            member=member,
            room_id=room.pk,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            title=f"{word} workshop",
        )
        s.texts.append(f"{word} workshop")
        return s

    zeb = seed("zebediah", "Zebediah Quuxworth", "zebediah@example.org", "Xylophonic", 9)
    phil = seed("philippa", "Philippa Vantongeren", "philippa@example.org", "Brontosaurian", 14)
    return {"space": space, "room": room, "helper": helper, "zeb": zeb, "phil": phil}
