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


def test_an_outcome_shows_cents_and_the_form_shows_what_was_saved(pair):
    space, me, fiona = pair
    from serendip.exchange.services import meeting_confirm, meeting_record

    meeting = meeting_record(member=me, other_id=fiona.pk, date=space.local_today())
    meeting_confirm(member=fiona, meeting_id=meeting.pk, rating=5)
    client = logged_in(me)
    field = f"m{meeting.pk}"
    r = client.post(
        f"/meetings/{meeting.pk}/outcome",
        {f"{field}-kind": "paid_work", f"{field}-value_eur": "1234.56", f"{field}-note": "a website"},
        follow=True,
    )
    html = r.content.decode()
    assert "€1,234.56" in html and "€1235" not in html
    assert 'value="1234.56"' in html and '<option value="paid_work" selected>' in html
    assert "Update the outcome" in html


def test_the_asker_sees_where_the_question_went_and_anyone_can_browse_open_questions(make_member):
    from serendip.exchange.services import answer_create, question_ask

    asker = make_member(display_name="Ann Asker")
    expert = make_member(display_name="Eve Expert", offers=["gdpr"])
    q = question_ask(asker=asker, title="How do I handle GDPR requests?", body="", tags=["gdpr"])
    answer_create(author=expert, question_id=q.pk, body="Keep a register.")
    html = logged_in(asker).get(f"/questions/{q.pk}/").content.decode()
    assert "What happened to your question" in html
    assert f"It went to {q.routes.count()} member" in html and "1 answer so far" in html
    bystander = logged_in(make_member())  # not routed to, yet can find and answer it
    listing = bystander.get("/questions/").content.decode()
    assert "How do I handle GDPR requests?" in listing and "1 answer" in listing
    assert "How do I handle GDPR requests?" in bystander.get("/questions/?tag=gdpr").content.decode()
    assert "How do I handle GDPR" not in bystander.get("/questions/?tag=python").content.decode()
    assert "What happened to your question" not in bystander.get(f"/questions/{q.pk}/").content.decode()
