"""Hostile text into every text field of every API operation (issue 11, quality bar).

The OpenAPI schema is walked for every string a request carries (body fields, list items, the
keys of tag maps, query parameters); each gets lone UTF-16 surrogates, NULs, over-long and
arbitrary Unicode text (hypothesis). The answer is never a 500: a 4xx says why in `detail`, and
a 2xx of a value the API can store echoes it back intact.
"""

import copy
import datetime as dt
import json
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serendip.api import api
from serendip.passport.services import token_create
from serendip.presence.services import checkin_create
from serendip.text import bad_character

pytestmark = pytest.mark.django_db

SCHEMA = api.get_openapi_schema(path_prefix="/api/v1/")
ITEM, KEY = "[]", "{}"  # a slot inside a list, a key of a map
TAG_FIELDS = {"tag", "tags", "offers", "needs", "interests"}

# A request each operation accepts as it is: the hostile value then replaces one string in it.
BASE_BODIES = {
    ("POST", "/api/v1/auth/token"): {"username": "ada", "password": "a-long-test-password"},
    ("PATCH", "/api/v1/me"): {},
    ("POST", "/api/v1/checkins"): {"space_id": "{space}", "date": "{tomorrow}", "focus": "pitch"},
    ("POST", "/api/v1/bookings"): {
        "room_id": "{room}",
        "starts_at": "{tomorrow}T10:00",
        "ends_at": "{tomorrow}T11:00",
        "title": "Planning",
    },
    ("POST", "/api/v1/questions"): {"title": "Who knows Django?", "body": "", "tags": ["django"]},
    ("POST", "/api/v1/questions/{question_id}/answers"): {"body": "I do"},
    ("POST", "/api/v1/answers/{answer_id}/accept"): {"rating": 4},
    ("POST", "/api/v1/introductions"): {"recipient_id": "{other}", "message": "Coffee?"},
    ("POST", "/api/v1/meetings"): {"other_id": "{other}", "date": "{today}"},
    ("POST", "/api/v1/meetings/{meeting_id}/confirm"): {},
    ("POST", "/api/v1/meetings/{meeting_id}/outcome"): {"kind": "learned", "note": "good"},
    ("POST", "/api/v1/routing"): {"tags": ["python"], "text": "", "k": 5},
    ("POST", "/api/v1/me/erase"): {"password": "not-the-password"},  # a wrong one: nothing is erased
    ("POST", "/api/v1/me/subscriptions"): {"tag": "python"},
    ("PUT", "/api/v1/me/notification-preferences"): {"channels": {}},
    ("PUT", "/api/v1/me/billing"): {"company": "Visser B.V.", "street": "Oudegracht 12", "city": "Utrecht"},
}


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def text_slots(schema: dict, path: tuple = ()) -> set[tuple]:
    """Every place a string goes in a value of this schema: field paths, ITEM and KEY steps."""
    schema = _resolve(schema)
    found: set[tuple] = set()
    for alternative in schema.get("anyOf", []) + schema.get("allOf", []):
        found |= text_slots(alternative, path)
    kind = schema.get("type")
    if kind == "string":
        found.add(path)
    elif kind == "object":
        for name, sub in schema.get("properties", {}).items():
            found |= text_slots(sub, (*path, name))
        if any(
            isinstance(schema.get(k), dict)
            for k in ("additionalProperties", "patternProperties", "propertyNames")
        ):
            found.add((*path, KEY))  # a map: its keys are text too
    elif kind == "array":
        found |= text_slots(schema.get("items", {}), (*path, ITEM))
    return found


def operations() -> list[tuple[str, str, tuple]]:
    """(method, path, slot) for every string a request of this API can carry."""
    cases = []
    for path, ops in SCHEMA["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is not None:
                cases += [(method.upper(), path, slot) for slot in sorted(text_slots(body))]
            for param in op.get("parameters", []):
                if param["in"] == "query":  # every query parameter is text on the wire
                    cases.append((method.upper(), path, ("?", param["name"])))
    return cases


CASES = operations()


def test_the_walk_finds_the_text_fields_and_every_body_has_a_base():
    slots = {(m, p): set() for m, p, _ in CASES}
    for m, p, slot in CASES:
        slots[(m, p)].add(slot)
    assert {("display_name",), ("offers", KEY), ("offers", ITEM)} <= slots[("PATCH", "/api/v1/me")]
    assert ("tags", ITEM) in slots[("POST", "/api/v1/questions")]
    assert ("?", "date") in slots[("GET", "/api/v1/me/matches")]
    bodies = {(m, p) for m, p, slot in CASES if slot[0] != "?"}
    assert bodies <= BASE_BODIES.keys(), f"add a base request for {sorted(bodies - BASE_BODIES.keys())}"


hostile_text = st.one_of(
    # lone surrogates and NULs, alone or inside ordinary text
    st.tuples(
        st.text(max_size=20), st.sampled_from(["\ud800", "\udfff", "\udc80", "\x00"]), st.text(max_size=20)
    ).map("".join),
    # any code point at all, surrogates included
    st.text(st.characters(exclude_categories=()), max_size=40),
    # over-long values
    st.tuples(st.sampled_from(["x", "é", "🙂", " "]), st.integers(150, 12000)).map(lambda t: t[0] * t[1]),
    st.just(""),
)


@pytest.fixture
def world(make_member, make_space):
    from serendip.exchange.services import answer_create, meeting_record, question_ask
    from serendip.network.models import OpeningHours, Room

    space = make_space(seat_price=1)
    for weekday in range(7):
        OpeningHours.objects.create(space=space, weekday=weekday, opens="08:00", closes="20:00")
    room = Room.objects.create(space=space, name="Room", capacity=4, hourly_price_cents=1000)
    me, other, third = make_member("ada"), make_member(), make_member()
    today = space.local_today()
    for m in (me, other):
        checkin_create(member=m, space_id=space.pk, date=today)
    question = question_ask(asker=me, title="Where is the coffee?")
    answer = answer_create(author=other, question_id=question.pk, body="Downstairs")
    meeting = meeting_record(member=other, other_id=me.pk, date=today)
    return {
        "space": space.pk,
        "room": room.pk,
        "other": third.pk,
        "today": today.isoformat(),
        "tomorrow": (today + dt.timedelta(days=1)).isoformat(),
        "question_id": question.pk,
        "answer_id": answer.pk,
        "meeting_id": meeting.pk,
        "booking_id": 1,
        "space_id": space.pk,
        "room_id": room.pk,
        "checkin_id": 1,
        "transaction_id": 1,
        "introduction_id": 1,
        "token": token_create(user=me.user)[1],
    }


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids)
    return value


def _with(body: dict, slot: tuple, value: str) -> dict:
    body = copy.deepcopy(body)
    field, *rest = slot
    if not rest:
        body[field] = value
    elif rest == [ITEM]:
        body[field] = [value]
    elif rest == [KEY]:
        body[field] = {value: 1.0}
    else:
        raise AssertionError(f"extend _with for the slot {slot}")
    return body


def _send(client, method: str, path: str, slot: tuple, value: str, ids: dict):
    path = path.format(**ids)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ids['token']}"}
    if slot[0] == "?":
        # Percent-encoded bytes as a hostile client sends them (a surrogate as its would-be UTF-8).
        query = urllib.parse.quote(value.encode("utf-8", "surrogatepass"))
        return getattr(client, method.lower())(f"{path}?{slot[1]}={query}", **headers)
    base = {k: _fill(v, ids) for k, v in BASE_BODIES[(method, path_template(path, ids))].items()}
    body = json.dumps(_with(base, slot, value))  # a lone surrogate is written as \\udXXX, as JSON allows
    return getattr(client, method.lower())(path, data=body, content_type="application/json", **headers)


def path_template(path: str, ids: dict) -> str:
    for _, p, _ in CASES:
        if p.format(**ids) == path:
            return p
    raise AssertionError(path)


def storable(value: str) -> bool:
    return bad_character(value) is None


@pytest.mark.parametrize("method,path", sorted({(m, p) for m, p, _ in CASES}))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_text_never_gives_a_500(client, world, method, path, data):
    slot = data.draw(st.sampled_from(sorted({s for m, p, s in CASES if (m, p) == (method, path)})))
    value = data.draw(hostile_text)
    r = _send(client, method, path, slot, value, world)
    assert r.status_code < 500, (method, path, slot, repr(value)[:80], r.content[:300])
    if r.status_code >= 400:
        detail = r.json().get("detail")
        assert isinstance(detail, str) and detail, (method, path, slot, r.content[:300])
        if not storable(value) and slot[0] != "?":
            assert r.status_code in (400, 422), (method, path, slot, r.status_code)
    else:
        assert storable(value), f"{method} {path} {slot} accepted {value!r:.80}"
        echoed = r.json().get(slot[0]) if isinstance(r.json(), dict) and len(slot) == 1 else None
        normalised = slot[0] in TAG_FIELDS  # tags are stored normalised (NFKC, case-folded), by design
        if isinstance(echoed, str) and value == " ".join(value.split()) and value and not normalised:
            assert echoed == value, f"{method} {path} {slot}: stored {echoed!r:.80}, sent {value!r:.80}"
