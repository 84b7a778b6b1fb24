"""The pages, through Django's test client (no JavaScript, as on a basic phone)."""

import pytest
from django.test import Client

from serendip.passport.models import Member
from serendip.passport.selectors import member_tags_by_kind, members_with_tags
from serendip.presence.models import CheckIn
from serendip.presence.services import checkin_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_home_and_spaces_render_for_anyone(make_space):
    make_space(name="Utrecht CS", seats=7)
    client = Client()
    assert client.get("/").status_code == 200
    r = client.get("/spaces/")
    assert (
        r.status_code == 200
        and b"Utrecht CS" in r.content
        and b"Free seats today: <strong>7</strong> of 7" in r.content
    )


def test_signup_logs_in_and_opens_the_passport():
    client = Client()
    r = client.post(
        "/signup/", {"username": "newbie", "display_name": "New Bie", "password": "a-long-test-password"}
    )
    assert r.status_code == 302 and r.url == "/passport/"
    assert Member.objects.filter(user__username="newbie").exists()
    assert client.get("/passport/").status_code == 200


def test_signup_with_a_taken_name_shows_the_error(make_member):
    make_member("taken")
    r = Client().post(
        "/signup/", {"username": "taken", "display_name": "X", "password": "a-long-test-password"}
    )
    assert r.status_code == 400 and b"is taken" in r.content


def test_login_and_logout(make_member):
    make_member("ada")
    client = Client()
    r = client.post("/login/", {"username": "ada", "password": PASSWORD})
    assert r.status_code == 302
    assert b"Log out" in client.get("/").content
    client.post("/logout/")
    assert b"Log in" in client.get("/").content


def test_the_passport_form_edits_tags(make_member):
    member = make_member()
    r = logged_in(member).post(
        "/passport/",
        {
            "display_name": "Ada",
            "headline": "Dev",
            "about": "",
            "offers": "Python:3, Django",
            "needs": "UX research",
            "interests": "",
            "visibility": "public",
            "open_to_matching": "on",
        },
    )
    assert r.status_code == 302
    tags = member_tags_by_kind(members_with_tags().get(pk=member.pk))
    assert tags["offer"] == {"python": 3.0, "django": 1.0} and tags["need"] == {"ux research": 1.0}


def test_a_bad_tag_weight_shows_an_error_and_saves_nothing(make_member):
    member = make_member(offers=["python"])
    r = logged_in(member).post(
        "/passport/",
        {"display_name": "Changed", "offers": "python:99", "visibility": "members"},
    )
    assert r.status_code == 400 and b"weight" in r.content
    member.refresh_from_db()
    assert member.display_name != "Changed"


def test_passport_needs_login():
    r = Client().get("/passport/")
    assert r.status_code == 302 and r.url.startswith("/login/")


def test_check_in_from_the_space_page(make_member, make_space):
    member, space = make_member(), make_space()
    client = logged_in(member)
    r = client.post(
        f"/spaces/{space.slug}/checkin", {"date": space.local_today().isoformat(), "focus": "grants"}
    )
    assert r.status_code == 302
    assert CheckIn.objects.filter(member=member, space=space, focus="grants").exists()
    page = client.get(f"/spaces/{space.slug}/")
    assert b"You have a seat here today" in page.content


def test_a_full_space_shows_a_message_not_an_error_page(make_member, make_space):
    space = make_space(seats=0)
    client = logged_in(make_member())
    r = client.post(f"/spaces/{space.slug}/checkin", {"date": space.local_today().isoformat()}, follow=True)
    assert r.status_code == 200 and b"is full" in r.content


def test_today_at_a_space_ranks_complementary_members_first(make_member, make_space):
    space = make_space()
    today = space.local_today()
    me = make_member(offers=["python"], needs=["fundraising"])
    helper = make_member(display_name="Fiona Funds", offers=["fundraising"], needs=["python"])
    bystander = make_member(display_name="Bob Bystander", offers=["knitting"])
    for m in (me, helper, bystander):
        checkin_create(member=m, space_id=space.pk, date=today)
    r = logged_in(me).get(f"/spaces/{space.slug}/")
    text = r.content.decode()
    assert text.index("Fiona Funds") < text.index("Bob Bystander")
    reasons = text[text.index("Fiona Funds") : text.index("Bob Bystander")]
    assert "fundraising" in reasons and "python" in reasons  # the reason names both directions


def test_who_is_here_shows_each_members_tags_by_kind(make_member, make_space, django_assert_max_num_queries):
    space = make_space(seats=30)
    today = space.local_today()
    me = make_member(needs=["python"])
    checkin_create(member=me, space_id=space.pk, date=today)
    for n in range(12):
        other = make_member(
            display_name=f"Person {n:02d}", offers=[f"skill {n}", "python"], needs=[f"need {n}"]
        )
        checkin_create(member=other, space_id=space.pk, date=today)
    anonymous_view = Client().get(f"/spaces/{space.slug}/").content.decode()
    assert "Person" not in anonymous_view  # members-only passports (the default) stay hidden
    client = logged_in(me)
    client.get(f"/spaces/{space.slug}/")  # the matching index is built on the first request
    with django_assert_max_num_queries(30):  # not one query per member or per tag
        text = client.get(f"/spaces/{space.slug}/").content.decode()
    suggested = 0
    for n in range(12):
        card = text[text.index(f"Person {n:02d}") :].split("</li>")[0]
        # Offers are chips with a Follow menu (a <summary>), the other kinds plain chips.
        assert f'<summary class="tag offer">skill {n}<' in card
        assert '<summary class="tag offer">python<' in card
        # Suggested cards show every kind; the "also here" list only what members offer.
        is_suggested = 'class="chips"' in card
        assert (f'<span class="tag need">need {n}</span>' in card) == is_suggested
        suggested += is_suggested
    assert 0 < suggested < 12  # both lists were rendered


def test_hidden_members_do_not_appear_to_others(make_member, make_space):
    space = make_space()
    hidden = make_member(display_name="Hidden Harriet", visibility="hidden")
    checkin_create(member=hidden, space_id=space.pk, date=space.local_today())
    assert b"Hidden Harriet" not in logged_in(make_member()).get(f"/spaces/{space.slug}/").content
    assert b"Hidden Harriet" not in Client().get(f"/spaces/{space.slug}/").content


def test_anonymous_visitors_only_see_public_passports(make_member, make_space):
    space = make_space()
    public = make_member(display_name="Public Pat", visibility="public")
    members_only = make_member(display_name="Member Max", visibility="members")
    for m in (public, members_only):
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    content = Client().get(f"/spaces/{space.slug}/").content
    assert b"Public Pat" in content and b"Member Max" not in content


def test_the_who_is_here_list_refreshes_as_a_partial(make_member, make_space):
    space = make_space()
    r = logged_in(make_member()).get(f"/spaces/{space.slug}/", headers={"HX-Request": "true"})
    assert r.status_code == 200 and b"<html" not in r.content and b"Who is here" in r.content


def test_cancel_from_the_passport(make_member, make_space):
    member, space = make_member(), make_space()
    c = checkin_create(member=member, space_id=space.pk, date=space.local_today())
    r = logged_in(member).post(f"/checkins/{c.pk}/cancel")
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.status == "cancelled"


def test_pages_use_csrf_protection(make_member, make_space):
    member, space = make_member(), make_space()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    r = client.post(f"/spaces/{space.slug}/checkin", {"date": space.local_today().isoformat()})
    assert r.status_code == 403
    assert not CheckIn.objects.exists()


def test_unknown_space_page_is_404(db):
    assert Client().get("/spaces/nowhere/").status_code == 404
