"""Pages: the bell in every page's header, the list (open one = mark read), mark all, the
settings page (preferences, follows, calendar feed), the demo outbox (only when switched on)."""

import pytest
from django.test import Client

from serendip.exchange.services import answer_create, question_ask
from serendip.notifications.models import CalendarFeed, Notification, Preference, Subscription

pytestmark = pytest.mark.django_db


def as_member(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def answered(asker, author, n=1):
    ids = []
    for i in range(n):
        q = question_ask(asker=asker, title=f"Question {i}")
        answer_create(author=author, question_id=q.pk, body="An answer")
        ids.append(q.pk)
    return ids


def test_every_page_shows_the_bell_with_the_unread_count_and_the_poll_keeps_it_current(make_member):
    asker, author = make_member(), make_member()
    client = as_member(asker)
    page = client.get("/questions/").content.decode()
    assert 'id="bell"' in page and 'data-count="0"' in page and 'hx-get="/notifications/bell"' in page
    answered(asker, author, n=2)
    bell = client.get("/notifications/bell")
    assert bell.status_code == 200 and 'data-count="2"' in bell.content.decode()
    assert "has-unread" in bell.content.decode()
    assert 'id="bell"' not in Client().get("/spaces/").content.decode()  # nobody signed in: no bell
    assert Client().get("/notifications/bell").status_code == 302  # to the login page


def test_opening_a_notification_marks_it_read_and_goes_to_its_object(make_member):
    asker, author = make_member(), make_member()
    (qid,) = answered(asker, author)
    client = as_member(asker)
    n = Notification.objects.get(recipient=asker)
    assert "Question 0" in client.get("/notifications/").content.decode()
    response = client.post(f"/notifications/{n.pk}/read")
    assert response.status_code == 302 and response["Location"] == f"/questions/{qid}/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert as_member(author).post(f"/notifications/{n.pk}/read").status_code == 404  # not theirs
    answered(asker, author, n=2)
    assert client.post("/notifications/read-all").status_code == 302
    assert not Notification.objects.filter(recipient=asker, read_at=None).exists()


def test_the_settings_page_saves_preferences_follows_and_makes_a_feed(make_member):
    member = make_member()
    client = as_member(member)
    assert client.get("/notifications/settings").status_code == 200
    assert "notification-preferences" in client.get("/passport/").content.decode()  # on the passport page
    client.post(
        "/notifications/settings",
        {"action": "preferences", "question_routed": "digest"},
    )
    assert Preference.objects.get(member=member, kind="question_routed").channel == "digest"
    bad = client.post("/notifications/settings", {"action": "preferences", "question_routed": "loud"})
    assert bad.status_code == 400 and Preference.objects.get(kind="question_routed").channel == "digest"
    assert (
        client.post("/notifications/settings", {"action": "follow", "tag": "Fundraising"}).status_code == 302
    )
    sub = Subscription.objects.get(member=member)
    assert sub.tag.name == "fundraising"
    assert (
        client.post("/notifications/settings", {"action": "follow", "tag": "fundraising"}).status_code == 400
    )
    client.post("/notifications/settings", {"action": "unfollow", "id": sub.pk})
    assert not Subscription.objects.exists()
    assert client.post("/notifications/settings", {"action": "unfollow", "id": "nonsense"}).status_code == 400
    page = client.post("/notifications/settings", {"action": "feed"}).content.decode()
    assert "/calendar/" in page and CalendarFeed.objects.filter(member=member).exists()


def test_the_demo_outbox_page_exists_only_when_switched_on(make_member, settings):
    settings.EMAIL_OUTBOX_PAGE = False
    assert Client().get("/outbox/").status_code == 404
    settings.EMAIL_OUTBOX_PAGE = True
    assert Client().get("/outbox/").status_code == 200
