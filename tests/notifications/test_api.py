"""The API: /me/notifications, /me/subscriptions, /me/notification-preferences, /me/calendar-feed."""

import pytest

from serendip.exchange.services import answer_create, question_ask
from serendip.notifications.models import Notification, Subscription

pytestmark = pytest.mark.django_db


def test_notifications_list_count_and_mark_read(make_member, api_as):
    asker, author = make_member(), make_member(display_name="Bea")
    for i in range(3):
        q = question_ask(asker=asker, title=f"Q{i}")
        answer_create(author=author, question_id=q.pk, body="A")
    api = api_as(asker)
    assert api.get("/me/notifications/unread-count").json() == {"unread": 3}
    items = api.get("/me/notifications").json()
    assert [i["kind"] for i in items] == ["answer_posted"] * 3 and items[0]["text"].startswith("Bea answered")
    one = api.post(f"/me/notifications/{items[0]['id']}/read")
    assert one.status_code == 200 and one.json()["read"] is True
    assert api.get("/me/notifications/unread-count").json() == {"unread": 2}
    assert len(api.get("/me/notifications", unread="true").json()) == 2
    assert api.post("/me/notifications/read-all").json() == {"marked": 2}
    assert api.get("/me/notifications/unread-count").json() == {"unread": 0}


def test_another_members_notification_is_a_404_and_bad_input_a_4xx(make_member, api_as):
    asker, other = make_member(), make_member()
    q = question_ask(asker=asker, title="Q")
    answer_create(author=other, question_id=q.pk, body="A")
    theirs = Notification.objects.get(recipient=asker).pk
    response = api_as(other).post(f"/me/notifications/{theirs}/read")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found" and response.json()["detail"]
    assert Notification.objects.get(pk=theirs).read_at is None
    assert api_as(other).get("/me/notifications", limit=0).status_code == 422
    assert api_as(other).post(f"/me/notifications/{2**70}/read").status_code == 422
    assert api_as().get("/me/notifications").status_code == 401


def test_subscriptions_crud(make_member, make_space, api_as):
    me, fiona, ghost = make_member(), make_member(), make_member(visibility="hidden")
    space = make_space()
    api = api_as(me)
    person = api.post("/me/subscriptions", {"member_id": fiona.pk})
    assert person.status_code == 201 and person.json()["member_name"] == fiona.display_name
    tag = api.post("/me/subscriptions", {"tag": "  FundRaising ", "space_id": space.pk})
    assert tag.status_code == 201
    assert tag.json()["tag"] == "fundraising" and tag.json()["space_id"] == space.pk
    assert api.post("/me/subscriptions", {"member_id": fiona.pk}).status_code == 409
    assert [s["id"] for s in api.get("/me/subscriptions").json()] == [tag.json()["id"], person.json()["id"]]
    # hidden, absent and self look the same as absent: nothing to learn
    hidden = api.post("/me/subscriptions", {"member_id": ghost.pk})
    absent = api.post("/me/subscriptions", {"member_id": 999999})
    assert hidden.status_code == absent.status_code == 404
    detail = hidden.json()["detail"].replace(str(ghost.pk), "N")
    assert detail == absent.json()["detail"].replace("999999", "N")
    assert api.post("/me/subscriptions", {"member_id": me.pk}).status_code == 400
    assert api.post("/me/subscriptions", {"member_id": fiona.pk, "tag": "x"}).status_code == 400
    assert api.post("/me/subscriptions", {}).status_code == 400
    assert api.post("/me/subscriptions", {"tag": "x" * 80}).status_code == 400
    assert api.post("/me/subscriptions", {"tag": "ok", "space_id": 999999}).status_code == 404
    assert api_as(fiona).delete(f"/me/subscriptions/{person.json()['id']}").status_code == 404
    assert api.delete(f"/me/subscriptions/{person.json()['id']}").status_code == 204
    assert list(Subscription.objects.values_list("tag__name", flat=True)) == ["fundraising"]


def test_preferences_read_and_write(make_member, api_as):
    api = api_as(make_member())
    before = api.get("/me/notification-preferences").json()["channels"]
    assert before["question_routed"] == "email" and before["introduction_declined"] == "inapp"
    after = api._call("put", "/me/notification-preferences", {"channels": {"question_routed": "digest"}})
    assert after.status_code == 200 and after.json()["channels"]["question_routed"] == "digest"
    loud = {"channels": {"question_routed": "loud"}}
    assert api._call("put", "/me/notification-preferences", loud).status_code == 422
    unknown = {"channels": {"nonsense": "off", "question_routed": "off"}}
    bad = api._call("put", "/me/notification-preferences", unknown)
    assert bad.status_code == 400 and "nonsense" in bad.json()["detail"]
    assert api.get("/me/notification-preferences").json()["channels"]["question_routed"] == "digest"
