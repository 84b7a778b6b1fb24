"""Insights: headline numbers equal direct counts; pages are gated; `serendip stats --json`."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from serendip.exchange.services import (
    introduction_create,
    introduction_respond,
    meeting_confirm,
    meeting_record,
    outcome_record,
)
from serendip.insights.models import DailyStats, SpaceDailyStats
from serendip.insights.selectors import by_country, headline_dict, space_insights, tag_gaps
from serendip.insights.services import stats_refresh
from serendip.presence.services import checkin_create


@pytest.fixture
def network(make_member, make_space):
    """Three members, two spaces in two countries; two meet, one of them got paid work."""
    utrecht = make_space(seats=3, country="NL")
    milan = make_space(seats=5, country="IT", city="Milan", timezone="Europe/Rome")
    ada = make_member(offers=["python"], needs=["fundraising"])
    bob = make_member(offers=["fundraising"], needs=["python"])
    cy = make_member(offers=["design"], needs=["python"])
    today = utrecht.local_today()
    checkin_create(member=ada, space_id=utrecht.pk, date=today)
    checkin_create(member=bob, space_id=utrecht.pk, date=today)
    checkin_create(member=cy, space_id=milan.pk, date=milan.local_today())
    checkin_create(member=cy, space_id=milan.pk, date=milan.local_today() + dt.timedelta(days=1))
    intro = introduction_create(member=ada, recipient_id=bob.pk)
    introduction_respond(member=bob, introduction_id=intro.pk, accept=True)
    meeting = meeting_record(member=ada, other_id=bob.pk, date=today)
    meeting_confirm(member=bob, meeting_id=meeting.pk, rating=5)
    outcome_record(member=ada, meeting_id=meeting.pk, kind="paid_work", value_cents=50000)
    outcome_record(member=bob, meeting_id=meeting.pk, kind="learned")
    return {"utrecht": utrecht, "milan": milan, "ada": ada, "bob": bob, "cy": cy}


@pytest.mark.django_db
def test_headline_numbers_equal_direct_counts(network):
    stats_refresh(full=True)
    h = headline_dict()
    assert h["checkins"]["value"] == 4
    assert h["members"]["value"] == 3
    assert h["spaces"]["value"] == 2
    assert h["countries"]["value"] == 2
    assert h["introductions"]["value"] == 1
    assert h["meetings"]["value"] == 1
    assert h["paid_work_share"]["value"] == pytest.approx(1 / 3)
    assert h["checkins"]["recent"] >= 3  # today's three (tomorrow's reservation may fall outside the window)


@pytest.mark.django_db
def test_the_aggregates_add_up_to_the_tables(network):
    stats_refresh(full=True)
    assert sum(DailyStats.objects.values_list("checkins", flat=True)) == 4
    assert sum(SpaceDailyStats.objects.values_list("checkins", flat=True)) == 4
    assert sum(DailyStats.objects.values_list("meetings", flat=True)) == 1
    assert sum(DailyStats.objects.values_list("introductions", flat=True)) == 1
    assert sum(DailyStats.objects.values_list("paid_work", flat=True)) == 1
    assert max(DailyStats.objects.values_list("active_members", flat=True)) >= 2
    rows = {r["country"]: r for r in by_country()}
    assert rows["NL"]["checkins"] == 2 and rows["NL"]["meetings"] == 1 and rows["IT"]["checkins"] >= 1
    needed = {t["tag"]: t for t in tag_gaps()["needed"]}
    assert needed["python"]["needs"] == 2 and needed["python"]["offers"] == 1


@pytest.mark.django_db
def test_a_refresh_is_idempotent(network):
    stats_refresh(full=True)
    first = list(DailyStats.objects.values_list("date", "checkins", "meetings"))
    stats_refresh()
    assert list(DailyStats.objects.values_list("date", "checkins", "meetings")) == first


@pytest.mark.django_db
def test_space_insights_show_today(network):
    data = space_insights(network["utrecht"])
    assert data["held"] == 2 and data["seats"] == 3
    assert data["seat_occupancy"] == pytest.approx(2 / 3)
    assert {t["tag"] for t in data["offers"]} == {"python", "fundraising"}
    assert len(data["week"]) == 7


@pytest.mark.django_db
def test_the_operator_page_is_for_staff_only(network, make_member):
    stats_refresh(full=True)
    client = Client()
    assert client.get("/insights/").status_code == 302  # to the login page
    client.force_login(network["ada"].user)
    assert client.get("/insights/").status_code == 403
    operator = make_member()
    operator.user.is_staff = True
    operator.user.save()
    client.force_login(operator.user)
    response = client.get("/insights/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="insights-data"' in body and "chart.umd.min.js" in body
    assert "<script>" not in body  # no inline scripts under the CSP
    assert "Members whose meetings led to paid work" in body


@pytest.mark.django_db
def test_the_space_page_is_for_its_hosts(network, make_member):
    space = network["utrecht"]
    host = make_member()
    space.hosts.add(host)
    client = Client()
    client.force_login(network["ada"].user)
    assert client.get(f"/insights/spaces/{space.slug}/").status_code == 403
    client.force_login(host.user)
    response = client.get(f"/insights/spaces/{space.slug}/")
    assert response.status_code == 200
    assert "2 / 3" in response.content.decode()
    assert client.get("/insights/spaces/nowhere/").status_code == 404


@pytest.mark.django_db
def test_the_pages_make_a_bounded_number_of_queries(network, make_member, django_assert_max_num_queries):
    stats_refresh(full=True)
    operator = make_member()
    operator.user.is_staff = True
    operator.user.save()
    client = Client()
    client.force_login(operator.user)
    with django_assert_max_num_queries(40):
        assert client.get("/insights/").status_code == 200


@pytest.mark.django_db
def test_stats_json_prints_the_headline_numbers(network):
    out = io.StringIO()
    call_command("stats", "--refresh", "--json", stdout=out, stderr=io.StringIO())
    data = json.loads(out.getvalue())
    assert data["checkins"]["value"] == 4 and data["countries"]["value"] == 2


def test_healthz_answers_without_a_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"ok": True}


@pytest.mark.django_db
def test_the_networks_today_is_the_latest_date_any_space_has_reached(make_space):
    from serendip.network.selectors import network_today

    make_space(timezone="Europe/Amsterdam")
    make_space(timezone="America/New_York")
    late = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)  # Amsterdam is already on the 30th
    assert network_today(late) == dt.date(2026, 11, 30)
    noon = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
    assert network_today(noon) == dt.date(2026, 11, 29)
