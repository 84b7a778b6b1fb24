"""Issue 15's defects in the exchange pages: introductions (3), reasons (5), outcomes (11),
questions (4)."""

import pytest
from django.test import Client

from serendip.exchange.models import Introduction
from serendip.exchange.services import introduction_create, introduction_respond
from serendip.presence.services import checkin_create
from serendip.templatetags.ui import reason_chips

pytestmark = pytest.mark.django_db


def logged_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def pair(make_member, make_space):
    space = make_space()
    me = make_member(display_name="Ada Visser", offers=["python"], needs=["fundraising"])
    fiona = make_member(display_name="Fiona Funds", offers=["fundraising"], needs=["python"])
    for m in (me, fiona):
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    return space, me, fiona


def test_an_accepted_introduction_stays_on_the_recipients_page(pair):
    _, me, fiona = pair
    intro = introduction_create(member=me, recipient_id=fiona.pk, message="Let's talk seed rounds")
    introduction_respond(member=fiona, introduction_id=intro.pk, accept=True)
    html = logged_in(fiona).get("/introductions/").content.decode()
    assert "Ada Visser" in html and "Accepted" in html and "Let&#x27;s talk seed rounds" in html


def test_asking_for_an_introduction_sends_the_message_and_reasons_and_changes_the_button(pair):
    space, me, fiona = pair
    client = logged_in(me)
    page = client.get(f"/spaces/{space.slug}/").content.decode()
    assert "Ask for an introduction" in page and 'name="message"' in page
    r = client.post(
        f"/introductions/to/{fiona.pk}",
        {"message": "Seed round?", "space": space.slug},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200
    assert "Introduction requested" in r.content.decode() and "<html" not in r.content.decode()
    intro = Introduction.objects.get(requester=me, recipient=fiona)
    assert intro.message == "Seed round?" and intro.reasons  # why, from Fiona's side
    assert "Ask for an introduction" not in client.get(f"/spaces/{space.slug}/").content.decode()
    inbox = logged_in(fiona).get("/introductions/").content.decode()
    assert "Seed round?" in inbox and 'class="chip"' in inbox


def test_we_met_changes_in_place(pair):
    space, me, fiona = pair
    r = logged_in(me).post(
        "/meetings/record",
        {"other_id": fiona.pk, "date": space.local_today().isoformat(), "space": space.slug},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "Meeting recorded" in r.content.decode()
    assert "We met" not in r.content.decode()


def test_reasons_become_at_most_three_chips_without_repeats():
    reasons = ["Needs python, which you offer", "needs python, which you offer", "", "A", "B", "C"]
    assert reason_chips(reasons) == ["Needs python, which you offer", "A", "B"]
    assert reason_chips(None) == []
