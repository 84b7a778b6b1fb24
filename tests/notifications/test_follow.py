"""Follow from the pages (issue 14): Follow/Following buttons next to people and tag chips
(HTMX in place, a plain POST + redirect without JS), the Following page, and who can't be
followed (hidden or opted-out members), by the same service rule the API uses."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from serendip.exchange.services import answer_create, question_ask
from serendip.notifications.models import Notification, Subscription
from serendip.notifications.services import subscription_create
from serendip.presence.services import checkin_create
from serendip.presence.tasks import checkins_fanout

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def as_member(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def here(make_space):
    return make_space(name="Utrecht CS", slug="utrecht-cs")


def at(space, *members):
    for m in members:
        checkin_create(member=m, space_id=space.pk, date=space.local_today())


def test_people_at_a_space_have_a_follow_button_except_me_and_those_who_opted_out(make_member, here):
    me = make_member(display_name="Ada")
    fiona = make_member(display_name="Fiona", offers=["fundraising"], visibility="public")
    shy = make_member(display_name="Shy", open_to_matching=False)
    at(here, me, fiona, shy)
    page = as_member(me).get("/spaces/utrecht-cs/").content.decode()
    assert f'action="/following/members/{fiona.pk}"' in page
    assert 'aria-label="Follow Fiona"' in page
    assert f'action="/following/members/{shy.pk}"' not in page  # opted out: listed, not followable
    assert f'action="/following/members/{me.pk}"' not in page
    # A visitor sees people but no buttons (and plain tag chips).
    anonymous = Client().get("/spaces/utrecht-cs/").content.decode()
    assert 'action="/following/' not in anonymous and "fundraising" in anonymous


def test_a_click_follows_and_the_button_says_following_then_a_second_click_stops(make_member, here):
    me, fiona = make_member(), make_member(display_name="Fiona")
    client = as_member(me)
    r = client.post(f"/following/members/{fiona.pk}", {"action": "follow", "next": "/spaces/"}, **HTMX)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'aria-pressed="true"' in html and ">Following<" in html and 'value="unfollow"' in html
    assert 'name="next" value="/spaces/"' in html  # a later plain click still returns to the page
    sub = Subscription.objects.get(member=me)
    assert sub.followed_id == fiona.pk and sub.space_id is None
    r = client.post(f"/following/members/{fiona.pk}", {"action": "unfollow"}, **HTMX)
    assert 'aria-pressed="false"' in r.content.decode() and ">Follow<" in r.content.decode()
    assert not Subscription.objects.exists()


def test_without_javascript_a_follow_is_a_post_and_a_redirect_back(make_member, here):
    me, fiona = make_member(), make_member()
    at(here, me, fiona)
    client = as_member(me)
    r = client.post(f"/following/members/{fiona.pk}", {"next": "/spaces/utrecht-cs/"})
    assert r.status_code == 302 and r["Location"] == "/spaces/utrecht-cs/"
    assert Subscription.objects.filter(member=me, followed=fiona).exists()
    page = client.get("/spaces/utrecht-cs/").content.decode()
    assert 'aria-label="Following ' in page
    # An outside `next` is not followed.
    r = client.post(f"/following/members/{fiona.pk}", {"action": "unfollow", "next": "https://evil.example/"})
    assert r["Location"] == "/following/" and not Subscription.objects.exists()


def test_hidden_and_opted_out_members_cannot_be_followed_from_a_page(make_member):
    me = make_member()
    ghost = make_member(visibility="hidden")
    shy = make_member(open_to_matching=False)
    client = as_member(me)
    for who in (ghost, shy):
        r = client.post(f"/following/members/{who.pk}", {"action": "follow"}, **HTMX)
        assert r.status_code == 200 and 'role="alert"' in r.content.decode()
        assert "aria-pressed" not in r.content.decode()  # no button to press
        r = client.post(f"/following/members/{who.pk}", {"action": "follow"}, follow=True)
        assert "No member with id" in r.content.decode()
    for bad in (0, 2**63, 999999):
        assert client.post(f"/following/members/{bad}", {"action": "follow"}).status_code == 302
    assert client.post(f"/following/members/{me.pk}", {"action": "follow"}, follow=True).status_code == 200
    assert not Subscription.objects.exists()
    assert Client().post(f"/following/members/{shy.pk}").status_code == 302  # to the login page


def test_a_hidden_asker_shows_no_button_on_a_question_but_an_answerer_does(make_member):
    me = make_member()
    ghost = make_member(visibility="hidden")
    author = make_member(display_name="Anna Answer")
    q = question_ask(asker=ghost, title="How do I pitch?")
    answer_create(author=author, question_id=q.pk, body="Start with the problem.")
    page = as_member(me).get(f"/questions/{q.pk}/").content.decode()
    assert f"/following/members/{ghost.pk}" not in page
    assert f"/following/members/{author.pk}" in page


def test_opted_out_members_are_refused_by_the_api_too_and_their_check_ins_tell_nobody(
    make_member, here, api_as
):
    me, fiona = make_member(), make_member()
    shy = make_member(open_to_matching=False)
    assert api_as(me).post("/me/subscriptions", {"member_id": shy.pk}).status_code == 404
    subscription_create(member=me, followed_id=fiona.pk)
    at(here, me)
    fiona.open_to_matching = False  # opts out after being followed
    fiona.save()
    at(here, fiona)
    checkins_fanout(settle=dt.timedelta(0))
    assert not Notification.objects.filter(kind="followed_checked_in").exists()


def test_a_tag_chip_at_a_space_follows_the_tag_here_or_everywhere(make_member, here):
    me = make_member()
    fiona = make_member(offers=["fundraising"])
    at(here, me, fiona)
    client = as_member(me)
    page = client.get("/spaces/utrecht-cs/").content.decode()
    assert 'class="tag-menu"' in page and "Follow “fundraising” at Utrecht CS" in page
    r = client.post(
        "/following/tags", {"tag": "Fundraising", "space_id": here.pk, "action": "follow"}, **HTMX
    )
    html = r.content.decode()
    assert r.status_code == 200 and '<details class="tag-menu" open>' in html
    assert "Following “fundraising” at Utrecht CS" in html and "Follow “fundraising” everywhere" in html
    client.post("/following/tags", {"tag": "fundraising", "action": "follow"}, **HTMX)
    rows = set(Subscription.objects.filter(member=me).values_list("tag__name", "space_id"))
    assert rows == {("fundraising", here.pk), ("fundraising", None)}
    r = client.post("/following/tags", {"tag": "fundraising", "space_id": here.pk, "action": "unfollow"})
    assert r.status_code == 302
    assert set(Subscription.objects.filter(member=me).values_list("space_id", flat=True)) == {None}
    bad = client.post("/following/tags", {"tag": "x" * 80, "action": "follow"}, **HTMX)
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    assert client.post("/following/tags", {"tag": "ok", "space_id": "nope"}, follow=True).status_code == 200
    assert Subscription.objects.filter(member=me).count() == 1


def test_the_questions_page_for_a_tag_offers_to_follow_it_everywhere(make_member):
    me = make_member()
    page = as_member(me).get("/questions/?tag=Fundraising").content.decode()
    assert "Follow “fundraising” everywhere" in page and "at Utrecht" not in page


def test_the_following_page_lists_people_and_tags_and_removes_them(make_member, here):
    me, fiona, other = make_member(), make_member(display_name="Fiona Funds"), make_member()
    person = subscription_create(member=me, followed_id=fiona.pk)
    subscription_create(member=me, tag="tax", space_id=here.pk)
    theirs = subscription_create(member=other, tag="tax")
    client = as_member(me)
    page = client.get("/following/").content.decode()
    assert "Fiona Funds" in page and "People who offer “tax”" in page and "at Utrecht CS" in page
    assert client.post("/following/", {"action": "unfollow", "id": theirs.pk}).status_code == 400
    assert client.post("/following/", {"action": "unfollow", "id": "nonsense"}).status_code == 400
    assert client.post("/following/", {"action": "unfollow", "id": person.pk}).status_code == 302
    assert client.post("/following/", {"action": "follow", "tag": "Python"}).status_code == 302
    assert client.post("/following/", {"action": "follow", "tag": ""}).status_code == 400
    assert set(Subscription.objects.filter(member=me).values_list("tag__name", flat=True)) == {
        "tax",
        "python",
    }
    assert Subscription.objects.filter(member=other).exists()
    assert "/following/" in client.get("/notifications/settings").content.decode()


def test_follow_buttons_cost_one_query_per_page_not_one_per_person(make_member, here):
    me = make_member()
    at(here, me)
    client = as_member(me)
    client.get("/spaces/utrecht-cs/")  # warm: sessions, the matching index
    people = [make_member(offers=["tax", f"topic{i}"]) for i in range(3)]
    at(here, *people)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/spaces/utrecht-cs/").status_code == 200
        return len(ctx)

    few = queries()
    at(here, *[make_member(offers=["tax", f"more{i}"]) for i in range(5)])
    assert queries() <= few + 2  # the page's own per-space lookups may vary a little; not per person
