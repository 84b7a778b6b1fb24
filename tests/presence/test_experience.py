"""Issue 15's defects on the check-in page (13) and the home page (6)."""

import datetime as dt

import pytest
from django.test import Client

from serendip.presence.services import checkin_create

pytestmark = pytest.mark.django_db


def logged_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_a_member_with_a_seat_is_told_plainly_and_can_check_in_for_another_day(make_member, make_space):
    space, me = make_space(), make_member()
    checkin_create(member=me, space_id=space.pk, date=space.local_today())
    html = logged_in(me).get(f"/spaces/{space.slug}/").content.decode()
    assert "You have a seat here today" in html and "reserved here" not in html
    tomorrow = space.local_today() + dt.timedelta(days=1)
    assert "Check in for another day" in html and f'value="{tomorrow.isoformat()}"' in html


def test_a_full_space_says_so_and_offers_the_next_day(make_member, make_space):
    space = make_space(seats=1)
    checkin_create(member=make_member(), space_id=space.pk, date=space.local_today())
    html = logged_in(make_member()).get(f"/spaces/{space.slug}/").content.decode()
    tomorrow = space.local_today() + dt.timedelta(days=1)
    assert "Every seat is taken today" in html and f'value="{tomorrow.isoformat()}"' in html


def test_the_home_page_knows_the_member_is_checked_in_today(make_member, make_space):
    space, me = make_space(name="Utrecht CS"), make_member()
    client = logged_in(me)
    assert "You're at" not in client.get("/").content.decode()
    checkin_create(member=me, space_id=space.pk, date=space.local_today())
    html = client.get("/").content.decode()
    assert "Utrecht CS" in html and f'href="/spaces/{space.slug}/"' in html
    assert "See whom to meet" in html


def test_right_to_left_names_are_isolated(make_member, make_space):
    space, me = make_space(), make_member()
    other = make_member(display_name="مريم الحسن", offers=["python"])
    for m in (me, other):
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    html = logged_in(me).get(f"/spaces/{space.slug}/").content.decode()
    assert "<bdi>مريم الحسن</bdi>" in html
