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


def test_the_spaces_page_shows_a_page_of_spaces_at_a_time_with_the_members_own_first(make_member, make_space):
    from serendip.presence.views import SPACES_PER_PAGE

    spaces = [make_space(name=f"Space number {i:02}", city="Utrecht") for i in range(SPACES_PER_PAGE + 3)]
    me = make_member()
    own = spaces[-1]  # last in name order: without "own first" it would be on page 2
    checkin_create(member=me, space_id=own.pk, date=own.local_today())
    client = logged_in(me)
    first = client.get("/spaces/").content.decode()
    assert first.count('class="card space-card"') == SPACES_PER_PAGE
    assert first.index(own.name) < first.index(spaces[0].name)  # own first
    assert "?page=2" in first and "Page 1 of 2" in first
    second = client.get("/spaces/?page=2").content.decode()
    assert second.count('class="card space-card"') == 3 and "?page=1" in second
    shown = {name for page in (first, second) for name in [s.name for s in spaces] if name in page}
    assert len(shown) == len(spaces)  # every space on one page or the other
    assert client.get("/spaces/?page=99").status_code == 200  # past the end: the last page
    assert client.get("/spaces/?page=x").status_code == 200  # not a number: the first
