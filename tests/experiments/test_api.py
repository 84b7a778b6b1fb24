"""`/me/matches` asks the one selector: ranked for most, random order for the hold-out."""

import pytest

from serendip.experiments import assignment
from serendip.presence.services import checkin_create

from .test_services import _experiment, _member_in


@pytest.fixture
def here(make_space, make_member):
    space = make_space(seats=20)
    others = [make_member(offers=["fundraising"], needs=["python"]) for _ in range(5)]
    for m in others:
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    return space, others


@pytest.mark.django_db
@pytest.mark.parametrize("arm", [assignment.SUGGESTED, assignment.HOLDOUT])
def test_my_matches_follow_my_arm(here, make_member, api_as, arm):
    space, others = here
    experiment = _experiment()
    me = _member_in(make_member, experiment, arm, offers=["python"], needs=["fundraising"])
    checkin_create(member=me, space_id=space.pk, date=space.local_today())
    body = api_as(me).get("/me/matches").json()
    assert body["space_id"] == space.pk
    assert sorted(m["member_id"] for m in body["matches"]) == sorted(m.pk for m in others)
    if arm == assignment.HOLDOUT:
        assert body["ranked"] is False
        assert all(m["reasons"] == [] and m["score"] == 0 for m in body["matches"])
    else:
        assert body["ranked"] is True
        assert all(m["reasons"] for m in body["matches"])


@pytest.mark.django_db
def test_my_matches_without_a_checkin_are_empty(make_member, api_as):
    _experiment()
    body = api_as(make_member()).get("/me/matches").json()
    assert body["matches"] == [] and body["ranked"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("arm", [assignment.SUGGESTED, assignment.HOLDOUT])
def test_the_space_page_follows_my_arm(here, make_member, client, arm):
    space, others = here
    experiment = _experiment()
    me = _member_in(make_member, experiment, arm, offers=["python"], needs=["fundraising"])
    checkin_create(member=me, space_id=space.pk, date=space.local_today())
    client.force_login(me.user)
    html = client.get(f"/spaces/{space.slug}/").content.decode()
    assert all(m.display_name in html for m in others)
    if arm == assignment.HOLDOUT:
        assert "in random order" in html and "Suggested for you" not in html
        assert 'class="reason"' not in html
    else:
        assert "Suggested for you" in html and 'class="reason"' in html
