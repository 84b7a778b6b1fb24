import datetime as dt

import pytest

from serendip.passport.models import Visibility
from serendip.presence.models import CheckIn

pytestmark = pytest.mark.django_db


def test_checkin_through_the_api(make_member, make_space, api_as):
    member, space = make_member(), make_space(seats=3)
    client = api_as(member)
    today = space.local_today().isoformat()
    r = client.post("/checkins", {"space_id": space.pk, "date": today, "focus": "pitch deck"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["space_id"] == space.pk and body["date"] == today and body["status"] == "reserved"
    listed = client.get("/me/checkins").json()
    assert [c["id"] for c in listed] == [body["id"]]
    spaces = {s["id"]: s for s in api_as().get("/spaces").json()}
    assert spaces[space.pk]["free_seats_today"] == 2


def test_a_full_space_is_409(make_member, make_space, api_as):
    space = make_space(seats=1)
    today = space.local_today().isoformat()
    assert api_as(make_member()).post("/checkins", {"space_id": space.pk, "date": today}).status_code == 201
    r = api_as(make_member()).post("/checkins", {"space_id": space.pk, "date": today})
    assert r.status_code == 409 and "full" in r.json()["detail"]


def test_checked_in_elsewhere_is_409(make_member, make_space, api_as):
    member, a, b = make_member(), make_space(), make_space()
    client = api_as(member)
    today = a.local_today().isoformat()
    client.post("/checkins", {"space_id": a.pk, "date": today})
    r = client.post("/checkins", {"space_id": b.pk, "date": today})
    assert r.status_code == 409 and "already checked in" in r.json()["detail"]


@pytest.mark.parametrize(
    "payload, status, words",
    [
        ({"space_id": 999999, "date": "{today}"}, 404, "no space"),
        ({"space_id": "{space}", "date": "2026-02-30"}, 422, "date"),
        ({"space_id": "{space}", "date": "tomorrow"}, 422, "date"),
        ({"space_id": "{space}"}, 422, "date"),
        ({"space_id": 2**70, "date": "{today}"}, 422, "space_id"),
        ({"space_id": -1, "date": "{today}"}, 422, "space_id"),
        ({"space_id": "{space}", "date": "2000-01-01"}, 400, "past"),
        ({"space_id": "{space}", "date": "{today}", "focus": "x" * 201}, 422, "focus"),
        ({"space_id": "{space}", "date": "{today}", "focus": "a\x00b"}, 422, "NUL"),
    ],
)
def test_bad_checkin_input_is_a_clear_4xx_and_writes_nothing(
    make_member, make_space, api_as, payload, status, words
):
    space = make_space()
    fill = {"{today}": space.local_today().isoformat(), "{space}": space.pk}
    payload = {k: fill.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    r = api_as(make_member()).post("/checkins", payload)
    assert r.status_code == status, r.content
    assert words in r.json()["detail"]
    assert not CheckIn.objects.exists()


def test_checkin_needs_authentication(make_space, api_as):
    space = make_space()
    r = api_as().post("/checkins", {"space_id": space.pk, "date": space.local_today().isoformat()})
    assert r.status_code == 401


def test_cancel_through_the_api_frees_the_seat(make_member, make_space, api_as):
    space = make_space(seats=1)
    today = space.local_today().isoformat()
    client = api_as(make_member())
    checkin_id = client.post("/checkins", {"space_id": space.pk, "date": today}).json()["id"]
    assert client.delete(f"/checkins/{checkin_id}").status_code == 204
    assert api_as(make_member()).post("/checkins", {"space_id": space.pk, "date": today}).status_code == 201


def test_cancelling_someone_elses_or_an_unknown_checkin_is_404(make_member, make_space, api_as):
    space = make_space()
    owner = api_as(make_member())
    checkin_id = owner.post(
        "/checkins", {"space_id": space.pk, "date": space.local_today().isoformat()}
    ).json()["id"]
    other = api_as(make_member())
    assert other.delete(f"/checkins/{checkin_id}").status_code == 404
    assert other.delete("/checkins/123456789").status_code == 404
    assert other.delete("/checkins/abc").status_code == 422


def test_present_lists_visible_members_with_tags(make_member, make_space, api_as):
    space = make_space()
    today = space.local_today().isoformat()
    shown = make_member(display_name="Shown", offers=["python"], needs=["seo"])
    hidden = make_member(display_name="Hidden", visibility=Visibility.HIDDEN)
    for m in (shown, hidden):
        api_as(m).post("/checkins", {"space_id": space.pk, "date": today})
    r = api_as(make_member()).get(f"/spaces/{space.pk}/present", date=today)
    assert r.status_code == 200
    assert [(p["display_name"], p["offers"], p["needs"]) for p in r.json()] == [
        ("Shown", ["python"], ["seo"])
    ]


def test_present_for_an_unknown_space_is_404(make_member, api_as):
    r = api_as(make_member()).get("/spaces/424242/present")
    assert r.status_code == 404 and "no space" in r.json()["detail"]


def test_spaces_list_reports_free_seats_on_each_local_today(make_member, make_space, api_as):
    east = make_space(timezone="Pacific/Kiritimati", seats=4)
    api_as(make_member()).post("/checkins", {"space_id": east.pk, "date": east.local_today().isoformat()})
    api_as(make_member()).post(
        "/checkins", {"space_id": east.pk, "date": (east.local_today() + dt.timedelta(days=1)).isoformat()}
    )
    s = api_as().get(f"/spaces/{east.pk}").json()
    assert s["today"] == east.local_today().isoformat() and s["free_seats_today"] == 3
