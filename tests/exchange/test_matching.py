"""The Serendipity Machine wired into the platform: suggestions, routing, freshness, rules."""

import io
from unittest import mock

import numpy as np
import pytest
from django.core.management import call_command

from serendip.exchange import machine
from serendip.exchange.models import QuestionRoute
from serendip.exchange.services import (
    ROUTES_PER_MEMBER_PER_DAY,
    introduction_create,
    introduction_respond,
    meeting_confirm,
    meeting_record,
    question_ask,
)
from serendip.passport.services import member_set_tags
from serendip.presence.services import checkin_create

pytestmark = pytest.mark.django_db


def at(space, *members, focus=""):
    for m in members:
        checkin_create(member=m, space_id=space.pk, date=space.local_today(), focus=focus)


def test_my_matches_ranks_two_sided_above_one_sided_with_reasons(make_member, make_space, api_as):
    space = make_space()
    me = make_member(offers=["python"], needs=["fundraising"])
    both = make_member(display_name="Both Ways", offers=["fundraising"], needs=["python"])
    one = make_member(display_name="One Way", offers=["fundraising"])
    at(space, me, both, one)
    r = api_as(me).get("/me/matches")
    assert r.status_code == 200
    body = r.json()
    assert body["space_id"] == space.pk
    names = [m["display_name"] for m in body["matches"]]
    assert names.index("Both Ways") < names.index("One Way")
    assert any("fundraising" in reason for reason in body["matches"][0]["reasons"])


def test_no_thanks_and_recent_meetings_are_not_suggested(make_member, make_space, api_as):
    space = make_space()
    me = make_member(offers=["python"], needs=["fundraising"])
    declined = make_member(display_name="Declined", offers=["fundraising"], needs=["python"])
    met = make_member(display_name="Met", offers=["fundraising"], needs=["python"])
    fresh = make_member(display_name="Fresh", offers=["fundraising"], needs=["python"])
    at(space, me, declined, met, fresh)
    intro = introduction_create(member=me, recipient_id=declined.pk)
    introduction_respond(member=declined, introduction_id=intro.pk, accept=False)
    meeting = meeting_record(member=me, other_id=met.pk, date=space.local_today())
    meeting_confirm(member=met, meeting_id=meeting.pk)
    names = [m["display_name"] for m in api_as(me).get("/me/matches").json()["matches"]]
    assert names == ["Fresh"]


def test_without_a_checkin_there_are_no_matches(make_member, api_as):
    body = api_as(make_member(offers=["python"])).get("/me/matches").json()
    assert body["matches"] == [] and body["space_id"] is None


def test_routing_endpoint_network_wide_and_at_a_space(make_member, make_space, api_as):
    space = make_space()
    asker = make_member()
    remote = make_member(display_name="Remote Expert", offers={"kubernetes": 5})
    local = make_member(display_name="Local Helper", offers={"kubernetes": 1})
    at(space, asker, local)
    client = api_as(asker)
    everywhere = client.post("/routing", {"tags": ["Kubernetes"], "text": "cluster sizing"}).json()
    assert [m["display_name"] for m in everywhere][:2] == ["Remote Expert", "Local Helper"]
    here = client.post("/routing", {"tags": ["kubernetes"], "space_id": space.pk}).json()
    assert [m["display_name"] for m in here] == ["Local Helper"]
    assert all(m["member_id"] != asker.pk for m in everywhere)
    bad = client.post("/routing", {"tags": ["x" * 60]})
    assert bad.status_code == 400 and "at most 50" in bad.json()["detail"]
    assert client.post("/routing", {"space_id": 99999, "tags": ["a"]}).status_code == 404
    assert remote  # named above for readability


def test_a_question_here_also_goes_to_people_in_the_building(make_member, make_space):
    space = make_space()
    asker = make_member()
    neighbour = make_member(offers=["espresso machines"])
    far_expert = make_member(offers={"espresso machines": 5})
    at(space, asker, neighbour)
    q = question_ask(
        asker=asker, title="Who can fix the espresso machine?", tags=["espresso machines"], here=True
    )
    routed = set(QuestionRoute.objects.filter(question=q).values_list("member_id", flat=True))
    assert {neighbour.pk, far_expert.pk} <= routed and asker.pk not in routed


def test_routing_spreads_the_load_with_a_daily_cap(make_member):
    expert = make_member(offers={"tax": 5})
    for i in range(ROUTES_PER_MEMBER_PER_DAY + 2):
        question_ask(asker=make_member(), title=f"Tax question {i}", tags=["tax"])
    assert QuestionRoute.objects.filter(member=expert).count() == ROUTES_PER_MEMBER_PER_DAY


def test_the_index_follows_passport_edits_without_a_rebuild(make_member, make_space, api_as):
    space = make_space()
    me = make_member(needs=["fundraising"])
    other = make_member(display_name="Late Bloomer", offers=["knitting"])
    at(space, me, other)
    client = api_as(me)
    client.get("/me/matches")  # builds the index once
    with mock.patch.object(machine, "build", wraps=machine.build) as build:
        member_set_tags(member=other, offers=["fundraising"])
        matches = client.get("/me/matches").json()["matches"]
        client.get(f"/spaces/{space.slug}/")
        assert build.call_count == 0  # refreshed incrementally, not rebuilt per request
    assert matches and matches[0]["display_name"] == "Late Bloomer"
    assert any("fundraising" in r for r in matches[0]["reasons"])


def test_matching_rebuild_writes_a_snapshot_that_processes_map(make_member):
    make_member(offers=["python"])
    call_command("matching", "rebuild", stdout=io.StringIO())
    path = machine.current_generation()
    assert path is not None and (path / "header.json").exists()
    assert not list(path.glob("*.pickle"))
    machine.reset()
    with mock.patch.object(machine, "build", wraps=machine.build) as build:
        engine = machine.engine()
        assert build.call_count == 0  # mapped from the snapshot
    assert isinstance(engine._doc.indptr, np.memmap)
    assert engine.route(tags=["python"], k=1)


def test_the_first_process_writes_the_snapshot_and_the_next_maps_it(make_member):
    make_member(offers=["python"])
    first = machine.engine()
    assert machine.current_generation() is not None
    assert isinstance(first._doc.indptr, np.memmap)  # even the builder serves the mapped copy
    machine.reset()
    with mock.patch.object(machine, "build", wraps=machine.build) as build:
        machine.engine()
        assert build.call_count == 0


def test_a_damaged_snapshot_is_refused_with_a_log_line_and_rebuilt(make_member, caplog):
    make_member(offers=["python"])
    machine.engine()
    damaged = machine.current_generation()
    victim = damaged / "m_loge.data.npy"
    data = bytearray(victim.read_bytes())
    data[-2] ^= 0xFF
    victim.write_bytes(bytes(data))
    machine.reset()
    with caplog.at_level("ERROR", logger="serendip.exchange.machine"):
        engine = machine.engine()
    assert any("refused" in r.getMessage() and "damaged" in r.getMessage() for r in caplog.records)
    assert machine.current_generation() != damaged  # a new generation was written
    assert engine.route(tags=["python"], k=1)


@pytest.mark.parametrize("count", [1, 4])
def test_every_reason_kind_is_phrased_through_gettext_as_the_engine_says_it(count):
    from serendip.exchange.reasons import _COUNTED, _PLAIN, phrase
    from serendip.matching import Reason
    from serendip.matching.reasons import TEMPLATES, english

    assert set(TEMPLATES) == set(_PLAIN) | set(_COUNTED)  # no kind falls back to untranslatable text
    for kind in TEMPLATES:
        reason = Reason(kind=kind, tag="esg reporting", other_tag="python", count=count)
        assert phrase(reason) == english(kind, "esg reporting", "python", count)
