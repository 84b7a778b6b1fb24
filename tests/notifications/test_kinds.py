"""Each kind of notification: who gets it, and who must not (the actor, hidden members, those
who turned it off). Written through the real domain services."""

import datetime as dt

import pytest
from django.db import transaction

from serendip.exchange.services import (
    answer_accept,
    answer_create,
    introduction_create,
    introduction_respond,
    meeting_record,
    question_ask,
)
from serendip.network.services import booking_cancel, booking_create
from serendip.notifications.models import EmailState, Notification
from serendip.notifications.services import preference_set, subscription_create
from serendip.presence.services import checkin_create
from serendip.presence.tasks import checkins_fanout

pytestmark = pytest.mark.django_db


def kinds_of(member):
    return sorted(Notification.objects.filter(recipient=member).values_list("kind", flat=True))


def fanout():
    return checkins_fanout(settle=dt.timedelta(0))


def test_a_routed_question_tells_the_routed_members_not_the_asker(make_member):
    asker = make_member(offers=["qiskit"])
    expert = make_member(offers=["qiskit"])
    hidden = make_member(offers=["qiskit"], visibility="hidden")
    q = question_ask(asker=asker, title="Circuits on real hardware?", tags=["qiskit"])
    n = Notification.objects.get(recipient=expert, kind="question_routed")
    assert asker.display_name in n.text and "Circuits on real hardware?" in n.text
    assert n.url == f"/questions/{q.pk}/" and n.actor == asker
    assert kinds_of(asker) == [] and kinds_of(hidden) == []


def test_answers_and_acceptance_tell_the_other_side_with_the_social_capital_earned(make_member):
    asker, author = make_member(), make_member()
    q = question_ask(asker=asker, title="Which VAT rate applies?")
    answer = answer_create(author=author, question_id=q.pk, body="The reverse charge.")
    assert kinds_of(asker) == ["answer_posted"]
    answer_create(author=asker, question_id=q.pk, body="Adding context myself")
    assert kinds_of(asker) == ["answer_posted"]  # not told of their own answer
    answer_accept(asker=asker, answer_id=answer.pk, rating=5)
    accepted = Notification.objects.get(recipient=author, kind="answer_accepted")
    assert "you earned" in accepted.text and " 0.00 SC" not in accepted.text
    assert float(accepted.params["earned"]) > 0


def test_introductions_tell_the_recipient_then_the_requester_and_introducer(make_member):
    a, b, c, introducer = make_member(), make_member(), make_member(), make_member()
    intro = introduction_create(member=a, recipient_id=b.pk)
    assert kinds_of(b) == ["introduction_requested"] and kinds_of(a) == []
    introduction_respond(member=b, introduction_id=intro.pk, accept=True)
    assert kinds_of(a) == ["introduction_accepted"]
    made = introduction_create(member=introducer, requester_id=c.pk, recipient_id=b.pk)
    introduction_respond(member=b, introduction_id=made.pk, accept=False)
    assert kinds_of(c) == ["introduction_declined"] and kinds_of(introducer) == ["introduction_declined"]
    assert "introduction_declined" not in kinds_of(b)


def test_a_recorded_meeting_asks_the_other_to_confirm(make_member, make_space):
    space = make_space()
    a, b = make_member(), make_member()
    for m in (a, b):
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    meeting_record(member=a, other_id=b.pk, date=space.local_today())
    n = Notification.objects.get(recipient=b, kind="meeting_to_confirm")
    assert space.name in n.text and n.url == "/meetings/"
    assert "meeting_to_confirm" not in kinds_of(a)


def test_bookings_tell_the_member_with_the_booking_as_icalendar(make_member, open_space, make_room):
    space = open_space(timezone="Europe/Lisbon")
    member = make_member()
    start = dt.datetime.combine(space.local_today() + dt.timedelta(days=2), dt.time(10, 0))
    room = make_room(space)
    booking = booking_create(member=member, room_id=room.pk, starts_at=start, ends_at=start.replace(hour=11))
    n = Notification.objects.get(recipient=member, kind="booking_confirmed")
    assert "BEGIN:VCALENDAR" in n.params["_ics"] and "TZID=Europe/Lisbon" in n.params["_ics"]
    booking_cancel(member=member, booking_id=booking.pk)
    assert kinds_of(member) == ["booking_cancelled", "booking_confirmed"]


def test_a_check_in_tells_followers_at_that_space_today_not_elsewhere_nor_the_member(make_member, make_space):
    here, there = make_space(), make_space()
    fiona = make_member(display_name="Fiona", offers=["fundraising"])
    by_person, by_tag, elsewhere, chose_space, other_tag = (make_member() for _ in range(5))
    for m in (by_person, by_tag, other_tag):
        checkin_create(member=m, space_id=here.pk, date=here.local_today())
    checkin_create(member=elsewhere, space_id=there.pk, date=there.local_today())
    subscription_create(member=by_person, followed_id=fiona.pk)
    subscription_create(member=by_tag, tag="Fundraising")
    subscription_create(member=elsewhere, followed_id=fiona.pk)
    subscription_create(member=chose_space, tag="fundraising", space_id=here.pk)  # not there, chose it
    subscription_create(member=other_tag, tag="knitting")
    subscription_create(member=fiona, tag="fundraising")  # follows her own tag: never told of herself
    fanout()
    checkin_create(member=fiona, space_id=here.pk, date=here.local_today())
    fanout()
    told = set(Notification.objects.filter(kind="followed_checked_in").values_list("recipient_id", flat=True))
    assert told == {by_person.pk, by_tag.pk, chose_space.pk}
    assert "whom you follow" in Notification.objects.get(recipient=by_person).text
    assert "“fundraising”" in Notification.objects.get(recipient=by_tag).text
    fanout()  # running again writes nothing twice
    assert Notification.objects.filter(kind="followed_checked_in").count() == 3


def test_a_hidden_members_check_in_tells_nobody_and_opted_out_members_get_nothing(make_member, make_space):
    space = make_space()
    ghost = make_member(offers=["tax"], visibility="hidden")
    visible = make_member(offers=["tax"])
    follower, opted_out = make_member(), make_member()
    for m in (follower, opted_out):
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
        subscription_create(member=m, tag="tax")
    preference_set(member=opted_out, kind="followed_checked_in", channel="off")
    for m in (ghost, visible):
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    fanout()
    told = Notification.objects.filter(kind="followed_checked_in")
    rows = list(told.values_list("recipient_id", "actor_id"))
    assert rows == [(follower.pk, visible.pk)]


def test_a_seat_that_leaves_too_little_for_the_next_one_warns_once_a_day(make_member, make_space):
    space = make_space(seat_price=15)
    member = make_member()  # the welcome grant pays one seat, not two
    checkin_create(member=member, space_id=space.pk, date=space.local_today())
    fanout()
    n = Notification.objects.get(recipient=member, kind="low_balance")
    assert "15.00" in n.text and n.url == "/passport/balance/"
    fanout()
    assert Notification.objects.filter(recipient=member, kind="low_balance").count() == 1


def test_an_event_rolled_back_leaves_no_notification(make_member):
    asker, author = make_member(), make_member()
    q = question_ask(asker=asker, title="Anyone know Rust?")
    with pytest.raises(RuntimeError), transaction.atomic():
        answer_create(author=author, question_id=q.pk, body="Yes")
        assert Notification.objects.filter(recipient=asker).count() == 1  # written with the answer...
        raise RuntimeError("the request failed after the answer")
    assert Notification.objects.filter(recipient=asker).count() == 0  # ...and gone with it


def test_preferences_choose_email_digest_in_app_or_nothing(make_member):
    asker = make_member()
    people = {channel: make_member() for channel in ("email", "digest", "inapp", "off")}
    for channel, m in people.items():
        preference_set(member=m, kind="answer_posted", channel=channel)
    for m in people.values():
        q = question_ask(asker=m, title=f"Question of {m.display_name}")
        answer_create(author=asker, question_id=q.pk, body="An answer")
    states = {
        channel: list(
            Notification.objects.filter(recipient=m, kind="answer_posted").values_list("email", flat=True)
        )
        for channel, m in people.items()
    }
    assert states == {
        "email": [EmailState.PENDING],
        "digest": [EmailState.DIGEST],
        "inapp": [EmailState.NONE],
        "off": [],
    }
