"""Issue 15's defects on pages shared by every app: the API docs, the layout, error pages."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_api_docs_load_swagger_ui_from_our_own_static_files():
    r = Client().get("/api/v1/docs")
    html = r.content.decode()
    assert r.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui.css" in html
    assert "cdn." not in html and "https://" not in html  # the CSP allows only 'self'


def test_every_page_has_a_skip_link_to_the_main_landmark_and_a_favicon():
    html = Client().get("/").content.decode()
    assert 'href="#main"' in html and '<main id="main"' in html
    assert 'rel="icon" href="/static/serendip/favicon.svg"' in html


def test_a_forbidden_page_is_styled_and_says_why(make_member, make_space):
    space = make_space()
    client = Client()
    client.force_login(make_member().user)
    r = client.get(f"/host/{space.slug}/")
    assert r.status_code == 403
    html = r.content.decode()
    assert "/static/serendip/site.css" in html and "only a host of this space" in html.lower()


def test_admin_pages_have_a_favicon(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert 'rel="icon" href="/static/serendip/favicon.svg"' in html


def test_the_admin_shows_balances_in_sc_and_accounts_by_owner(admin_client, make_member):
    from serendip.ledger.models import Account

    member = make_member(display_name="Ada Visser")
    Account.objects.filter(member=member).update(balance=1401)
    html = admin_client.get("/admin/ledger/account/").content.decode()
    assert "Ada Visser (member)" in html and "14.01" in html and ">1401<" not in html


def test_the_balance_page_explains_sc_and_signs_amounts(make_member, make_space):
    from serendip.presence.services import checkin_create

    member, space = make_member(), make_space(seat_price=5)
    checkin_create(member=member, space_id=space.pk, date=space.local_today())
    client = Client()
    client.force_login(member.user)
    html = client.get("/passport/balance/").content.decode()
    assert "SC (social capital) is what the network pays you" in html
    assert '<td class="num">−5.00</td>' in html  # the seat, spent
    assert re.search(r'<td class="num">\+\d+\.\d\d</td>', html)  # the welcome grant, earned


def test_insights_charts_start_where_history_starts(make_space):
    import datetime as dt

    from django.utils import timezone

    from serendip.insights.models import DailyStats
    from serendip.insights.selectors import weekly_series

    today = dt.date(2026, 11, 25)
    for days_ago in range(120):  # four months of rows, only the last two weeks with activity
        n = 5 if days_ago in (3, 10) else 0
        DailyStats.objects.create(
            date=today - dt.timedelta(days=days_ago), checkins=n, refreshed_at=timezone.now()
        )
    series = weekly_series(today=today)
    assert 2 <= len(series["weeks"]) <= 3 and series["checkins"][0] > 0
