"""Hidden members are indistinguishable from absent ones, and member ids cannot be enumerated
(issue 11, items 4, 10, 11): the same status and detail for hidden, opted-out, absent and unknown."""

import datetime as dt

import pytest

from serendip.exchange.models import Introduction, Meeting
from serendip.passport.models import Activity, Visibility
from serendip.presence.services import checkin_create

pytestmark = pytest.mark.django_db

UNKNOWN = 987654321


def test_recording_a_meeting_is_no_presence_oracle(make_member, make_space, api_as):
    space = make_space()
    today = space.local_today()
    me, hidden, absent = make_member(), make_member(visibility=Visibility.HIDDEN), make_member()
    for m in (me, hidden):
        checkin_create(member=m, space_id=space.pk, date=today)
    elsewhere = make_space()
    checkin_create(member=absent, space_id=elsewhere.pk, date=today)
    client = api_as(me)
    answers = {
        who: client.post("/meetings", {"other_id": pk, "date": today.isoformat()})
        for who, pk in {"hidden": hidden.pk, "absent": absent.pk, "unknown": UNKNOWN}.items()
    }
    assert {(r.status_code, r.json()["detail"]) for r in answers.values()} == {
        (409, f"you were not both checked in at the same space on {today.day} {today:%B %Y}")
    }
    assert not Meeting.objects.exists()  # nothing for the hidden member to see either
    # the hidden member can still record the meeting themselves; the other confirms it
    r = api_as(hidden).post("/meetings", {"other_id": me.pk, "date": today.isoformat()})
    assert r.status_code == 201


def test_a_future_reservation_of_a_hidden_member_cannot_be_probed(make_member, make_space, api_as):
    space = make_space()
    later = space.local_today() + dt.timedelta(days=20)
    me, hidden, nobody = make_member(), make_member(visibility=Visibility.HIDDEN), make_member()
    for m in (me, hidden):
        checkin_create(member=m, space_id=space.pk, date=later)
    client = api_as(me)
    answers = [
        client.post("/meetings", {"other_id": pk, "date": later.isoformat()}) for pk in (hidden.pk, nobody.pk)
    ]
    assert answers[0].status_code == answers[1].status_code == 400
    assert answers[0].json() == answers[1].json()


def _intro(client, **body):
    r = client.post("/introductions", body)
    return r.status_code, r.json().get("detail", "").replace(str(body.get("requester_id")), "N").replace(
        str(body.get("recipient_id")), "N"
    )


def test_third_parties_cannot_introduce_hidden_or_opted_out_members(make_member, api_as):
    introducer, recipient = make_member(), make_member()
    hidden = make_member(visibility=Visibility.HIDDEN, display_name="Secret Agent")
    opted_out = make_member(open_to_matching=False)
    client = api_as(introducer)
    answers = {
        who: _intro(client, requester_id=pk, recipient_id=recipient.pk)
        for who, pk in {"hidden": hidden.pk, "opted out": opted_out.pk, "unknown": UNKNOWN}.items()
    }
    assert set(answers.values()) == {(404, "no member with id N")}
    as_recipient = {
        who: _intro(client, recipient_id=pk)
        for who, pk in {"hidden": hidden.pk, "opted out": opted_out.pk, "unknown": UNKNOWN}.items()
    }
    assert set(as_recipient.values()) == {(404, "no member with id N")}
    assert not Introduction.objects.exists()
    assert not Activity.objects.filter(summary__contains="Secret Agent").exists()


def test_a_third_partys_introduction_is_on_their_timeline_and_a_decline_does_not_block_the_pair(
    make_member, api_as
):
    introducer, requester, recipient = make_member(), make_member(), make_member()
    r = api_as(introducer).post(
        "/introductions", {"requester_id": requester.pk, "recipient_id": recipient.pk}
    )
    assert r.status_code == 201
    assert Activity.objects.filter(member=introducer, verb="introduction_made").exists()
    assert not Activity.objects.filter(member=requester, verb="introduction_requested").exists()
    assert api_as(recipient).post(f"/introductions/{r.json()['id']}/decline").status_code == 200
    # the requester may still ask themselves; another third party may not re-propose the pair
    assert (
        api_as(make_member())
        .post("/introductions", {"requester_id": requester.pk, "recipient_id": recipient.pk})
        .status_code
        == 409
    )
    assert api_as(requester).post("/introductions", {"recipient_id": recipient.pk}).status_code == 201


def test_a_hidden_askers_name_and_id_are_not_shown(make_member, api_as):
    hidden = make_member(visibility=Visibility.HIDDEN, display_name="Secret Agent")
    q = api_as(hidden).post("/questions", {"title": "Where is the coffee?"}).json()
    assert q["asker_name"] == "Secret Agent"  # to themselves
    a = api_as(hidden).post(f"/questions/{q['id']}/answers", {"body": "Ask the host"})
    assert a.status_code == 201
    seen = api_as(make_member()).get(f"/questions/{q['id']}").json()
    assert seen["asker_name"] == "A member" and seen["asker_id"] is None
    assert seen["answers"][0]["author_name"] == "A member" and seen["answers"][0]["author_id"] is None


def test_a_hidden_askers_name_is_not_on_the_question_page(make_member):
    from django.test import Client

    hidden = make_member(visibility=Visibility.HIDDEN, display_name="Secret Agent")
    from serendip.exchange.services import question_ask

    q = question_ask(asker=hidden, title="Where is the coffee?")
    client = Client()
    client.force_login(make_member().user)
    body = client.get(f"/questions/{q.pk}/").content
    assert b"Where is the coffee?" in body and b"Secret Agent" not in body
