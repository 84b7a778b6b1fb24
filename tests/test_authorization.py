"""The authorization matrix (issue 11, quality bar): for every object type, every API operation
and page that touches one, who may do what. Member A against member B's objects, a host against
another space, hidden and opted-out members, the operator (staff, no passport), anonymous.

One table, run on SQLite and on PostgreSQL (make test runs the suite on both). Refused writes must
change nothing: the objects are checked after the table. Rows that succeed come last, so earlier
rows always see the objects as built.
"""

import datetime as dt

import pytest
from django.test import Client

from serendip.exchange.models import (
    Answer,
    Introduction,
    IntroductionStatus,
    Meeting,
    MeetingStatus,
    Question,
)
from serendip.exchange.services import answer_create, introduction_create, meeting_record, question_ask
from serendip.ledger.models import Transaction, TxKind
from serendip.network.models import Booking, BookingStatus, OpeningHours, Room
from serendip.network.services import booking_create
from serendip.passport.models import Visibility
from serendip.passport.services import token_create
from serendip.presence.models import CheckIn, CheckInStatus
from serendip.presence.services import checkin_create
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

# actor, method, path ({names} from the world), JSON body or form data, expected status
API = [
    # my passport and my lists: members only
    *[
        (who, "GET", path, None, 401)
        for who in ("anon", "operator")
        for path in (
            "/me",
            "/me/checkins",
            "/me/bookings",
            "/me/ledger",
            "/me/ledger/proofs",
            "/me/matches",
            "/introductions",
            "/meetings",
            "/questions/for-me",
        )
    ],
    ("anon", "PATCH", "/me", {"headline": "x"}, 401),
    ("anon", "DELETE", "/auth/token", None, 401),
    ("anon", "DELETE", "/auth/tokens", None, 401),
    ("anon", "POST", "/checkins", {"space_id": "{s1}", "date": "{tomorrow}"}, 401),
    (
        "anon",
        "POST",
        "/bookings",
        {"room_id": "{room1}", "starts_at": "{tomorrow}T14:00", "ends_at": "{tomorrow}T15:00"},
        401,
    ),
    ("anon", "POST", "/questions", {"title": "x"}, 401),
    ("anon", "POST", "/routing", {"tags": ["python"]}, 401),
    # public: spaces and rooms
    ("anon", "GET", "/spaces", None, 200),
    ("anon", "GET", "/spaces/{s1}", None, 200),
    ("a", "GET", "/spaces/{s1}/present", None, 200),
    ("a", "GET", "/spaces/{s1}/rooms", None, 200),
    ("a", "GET", "/rooms/{room1}/availability", None, 200),
    # check-ins: only their member cancels
    ("anon", "DELETE", "/checkins/{cb}", None, 401),
    ("operator", "DELETE", "/checkins/{cb}", None, 401),
    ("a", "DELETE", "/checkins/{cb}", None, 404),
    ("h1", "DELETE", "/checkins/{cb}", None, 404),
    ("a", "DELETE", "/checkins/{unknown}", None, 404),
    # bookings: their member, or a host of the room's space
    ("anon", "GET", "/bookings/{bk}", None, 401),
    ("a", "GET", "/bookings/{bk}", None, 404),
    ("h2", "GET", "/bookings/{bk}", None, 404),
    ("h1", "GET", "/bookings/{bk}", None, 200),
    ("b", "GET", "/bookings/{bk}", None, 200),
    ("a", "GET", "/bookings/{bk}/invoice", None, 404),
    ("h2", "GET", "/bookings/{bk}/invoice", None, 404),
    ("h1", "GET", "/bookings/{bk}/invoice", None, 200),
    ("b", "GET", "/bookings/{bk}/invoice", None, 200),
    ("a", "DELETE", "/bookings/{bk}", None, 404),
    ("h1", "DELETE", "/bookings/{bk}", None, 404),
    (
        "a",
        "POST",
        "/bookings",
        {"room_id": "{room_hidden}", "starts_at": "{tomorrow}T14:00", "ends_at": "{tomorrow}T15:00"},
        404,
    ),
    # questions and answers: anyone reads; the asker accepts or deletes a question, the author an answer
    ("anon", "GET", "/questions/{q}", None, 401),
    ("a", "GET", "/questions/{q}", None, 200),
    ("a", "GET", "/questions/{unknown}", None, 404),
    ("a", "DELETE", "/questions/{q}", None, 403),
    ("c", "DELETE", "/questions/{q}", None, 403),
    ("a", "POST", "/answers/{ans}/accept", {"rating": 5}, 403),
    ("c", "POST", "/answers/{ans}/accept", {"rating": 5}, 403),
    ("a", "DELETE", "/answers/{ans}", None, 403),
    ("b", "DELETE", "/answers/{ans}", None, 403),
    # introductions: only the recipient answers; others' ids look unknown
    ("a", "POST", "/introductions/{intro}/accept", None, 404),
    ("a", "POST", "/introductions/{intro}/decline", None, 404),
    ("b", "POST", "/introductions/{intro}/accept", None, 403),
    ("a", "POST", "/introductions", {"recipient_id": "{hidden}"}, 404),
    ("a", "POST", "/introductions", {"recipient_id": "{optout}"}, 404),
    ("a", "POST", "/introductions", {"recipient_id": "{unknown}"}, 404),
    ("a", "POST", "/introductions", {"requester_id": "{hidden}", "recipient_id": "{c}"}, 404),
    ("a", "POST", "/introductions", {"requester_id": "{optout}", "recipient_id": "{c}"}, 404),
    # meetings: only the other member confirms; others' ids look unknown; hidden = absent = unknown
    ("a", "POST", "/meetings/{mt}/confirm", {}, 404),
    ("b", "POST", "/meetings/{mt}/confirm", {}, 403),
    ("a", "POST", "/meetings/{mt}/outcome", {"kind": "learned"}, 404),
    ("a", "POST", "/meetings", {"other_id": "{hidden}", "date": "{today}"}, 409),
    ("a", "POST", "/meetings", {"other_id": "{d}", "date": "{today}"}, 409),
    ("a", "POST", "/meetings", {"other_id": "{unknown}", "date": "{today}"}, 409),
    # the ledger: a proof only for one's own transactions
    ("anon", "GET", "/ledger/transactions/{tx}/proof", None, 401),
    ("a", "GET", "/ledger/transactions/{tx}/proof", None, 404),
    ("h1", "GET", "/ledger/transactions/{tx}/proof", None, 404),
    ("b", "GET", "/ledger/transactions/{tx}/proof", None, 200),
    # what succeeds, last
    ("c", "POST", "/meetings/{mt}/confirm", {}, 200),
    ("b", "POST", "/meetings/{mt}/outcome", {"kind": "learned"}, 200),
    ("c", "POST", "/introductions/{intro}/accept", None, 200),
    ("b", "POST", "/answers/{ans}/accept", {"rating": 4}, 200),
]

PAGES = [
    # public pages
    *[
        ("anon", "GET", path, None, 200)
        for path in (
            "/",
            "/spaces/",
            "/spaces/s1/",
            "/spaces/s1/lobby",
            "/spaces/s1/rooms",
            "/login/",
            "/signup/",
            "/healthz",
        )
    ],
    # members' pages send the anonymous to the login form
    *[
        ("anon", "GET", path, None, 302)
        for path in (
            "/passport/",
            "/passport/balance/",
            "/passport/password",
            "/bookings/",
            "/questions/",
            "/questions/ask",
            "/questions/{q}/",
            "/introductions/",
            "/meetings/",
            "/host/",
            "/host/s1/",
            "/insights/",
            "/insights/spaces/s1/",
            "/invoices/{inv}",
        )
    ],
    ("anon", "POST", "/passport/sign-out-everywhere", {}, 302),
    *[
        ("a", "GET", path, None, 200)
        for path in (
            "/passport/",
            "/passport/balance/",
            "/passport/password",
            "/bookings/",
            "/questions/",
            "/questions/{q}/",
            "/introductions/",
            "/meetings/",
        )
    ],
    # invoices: the member who booked and the space's hosts; to anyone else they do not exist
    ("a", "GET", "/invoices/{inv}", None, 404),
    ("h2", "GET", "/invoices/{inv}", None, 404),
    ("operator", "GET", "/invoices/{inv}", None, 404),
    ("h1", "GET", "/invoices/{inv}", None, 200),
    ("b", "GET", "/invoices/{inv}", None, 200),
    # host pages: their own space only
    *[
        (who, "GET", path, None, 403)
        for who in ("a", "h2", "operator")
        for path in (
            "/host/s1/",
            "/host/s1/settings",
            "/host/s1/rooms/new",
            "/host/s1/rooms/{room1}/",
            "/insights/spaces/s1/",
        )
    ],
    *[
        ("h1", "GET", path, None, 200)
        for path in (
            "/host/s1/",
            "/host/s1/settings",
            "/host/s1/rooms/new",
            "/host/s1/rooms/{room1}/",
            "/insights/spaces/s1/",
        )
    ],
    ("h1", "GET", "/host/s1/rooms/{room2}/", None, 404),  # another space's room through my space's URL
    ("h2", "POST", "/host/s1/checkins/{cd}/present", {}, 403),
    ("h2", "POST", "/host/s1/settings", {"seats": 99}, 403),
    # network insights and the admin: the operator only
    ("a", "GET", "/insights/", None, 403),
    ("h1", "GET", "/insights/", None, 403),
    ("operator", "GET", "/insights/", None, 200),
    ("a", "GET", "/admin/", None, 302),
    ("operator", "GET", "/admin/", None, 200),
    # others' objects through the pages' forms: refused with a message, nothing changes (checked below)
    ("a", "POST", "/bookings/{bk}/cancel", {}, 302),
    ("a", "POST", "/checkins/{cb}/cancel", {}, 302),
    ("a", "POST", "/questions/{q}/accept/{ans}", {"rating": 5}, 302),
    ("a", "POST", "/meetings/{mt}/confirm", {}, 302),
    ("a", "POST", "/introductions/{intro}/accept", {}, 302),
    ("h1", "POST", "/host/s1/checkins/{cd}/present", {}, 302),  # a check-in at space 2 via space 1
]


@pytest.fixture
def world(make_member, make_space):
    s1, s2 = make_space(slug="s1", seat_price=1), make_space(slug="s2", seat_price=1)
    today, tomorrow = s1.local_today(), s1.local_today() + dt.timedelta(days=1)
    m = {k: make_member(k) for k in ("a", "b", "c", "d", "h1", "h2")}
    m["hidden"] = make_member("hidden", visibility=Visibility.HIDDEN)
    m["optout"] = make_member("optout", open_to_matching=False)
    for space in (s1, s2):
        for weekday in range(7):
            OpeningHours.objects.create(space=space, weekday=weekday, opens=dt.time(8), closes=dt.time(20))
    s1.hosts.add(m["h1"])
    s2.hosts.add(m["h2"])
    room1 = Room.objects.create(space=s1, name="Room 1", capacity=4, hourly_price_cents=1000)
    room2 = Room.objects.create(space=s2, name="Room 2", capacity=4, hourly_price_cents=1000)
    room_hidden = Room.objects.create(
        space=s1, name="Closed", capacity=4, hourly_price_cents=1000, active=False
    )
    cb = checkin_create(member=m["b"], space_id=s1.pk, date=tomorrow)
    for who in ("c", "hidden", "a"):
        checkin_create(member=m[who], space_id=s1.pk, date=today)
    checkin_create(member=m["b"], space_id=s1.pk, date=today)
    cd = checkin_create(member=m["d"], space_id=s2.pk, date=today)
    bk = booking_create(
        member=m["b"],
        room_id=room1.pk,
        starts_at=dt.datetime.combine(tomorrow, dt.time(10)),
        ends_at=dt.datetime.combine(tomorrow, dt.time(11)),
    )
    q = question_ask(asker=m["b"], title="Who knows Django?")
    ans = answer_create(author=m["c"], question_id=q.pk, body="I do")
    intro = introduction_create(member=m["b"], recipient_id=m["c"].pk)
    mt = meeting_record(member=m["b"], other_id=m["c"].pk, date=today)
    tx = Transaction.objects.get(kind=TxKind.SEAT, subject=f"checkin:{cb.pk}")
    operator_user = m["a"].user.__class__.objects.create_user("operator", password="x", is_staff=True)
    ids = {
        "s1": s1.pk,
        "s2": s2.pk,
        "room1": room1.pk,
        "room2": room2.pk,
        "room_hidden": room_hidden.pk,
        "cb": cb.pk,
        "cd": cd.pk,
        "bk": bk.pk,
        "inv": bk.invoices.get().number,
        "q": q.pk,
        "ans": ans.pk,
        "intro": intro.pk,
        "mt": mt.pk,
        "tx": tx.pk,
        "unknown": 987654321,
        "today": today.isoformat(),
        "tomorrow": tomorrow.isoformat(),
        **{k: v.pk for k, v in m.items()},
    }
    users = {k: v.user for k, v in m.items()} | {"operator": operator_user}
    return ids, users


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and value.endswith("}") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _api_client(user) -> ApiClient:
    if user is None:
        return ApiClient()
    return ApiClient(token_create(user=user)[1])


def _page_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_authorization_matrix(world):
    ids, users = world
    api = {who: _api_client(users.get(who)) for who in ("anon", *users)}
    pages = {who: _page_client(users.get(who)) for who in ("anon", *users)}
    wrong = []
    for kind, table in (("page", PAGES), ("api", API)):
        for who, method, path, body, expected in table:
            path, body = _fill(path, ids), _fill(body, ids)
            if kind == "api":
                r = getattr(api[who], method.lower())(
                    path, **({} if method in ("GET", "DELETE") else {"data": body})
                )
            else:
                r = (
                    getattr(pages[who], method.lower())(path, body)
                    if method == "POST"
                    else pages[who].get(path)
                )
            if r.status_code != expected:
                wrong.append(f"{kind} {who} {method} {path}: {r.status_code}, expected {expected}")
            elif kind == "api" and r.status_code >= 400 and "detail" not in r.json():
                wrong.append(f"{kind} {who} {method} {path}: no detail in {r.content[:100]!r}")
            elif (
                (kind, who, method, expected) == ("page", "anon", "GET", 302)
                and not r["Location"].startswith("/login/")
            ):
                wrong.append(f"{kind} {who} {method} {path}: redirected to {r['Location']}, not the login")
    assert not wrong, "\n".join(wrong)


def test_hidden_members_are_not_in_who_is_here(world):
    ids, users = world
    here = _api_client(users["a"]).get(f"/spaces/{ids['s1']}/present").json()
    present = {row["member_id"] for row in here}
    assert ids["c"] in present and ids["hidden"] not in present


def _victims(ids) -> dict:
    return {
        "checkin": CheckIn.objects.get(pk=ids["cb"]).status,
        "checkin_d": CheckIn.objects.get(pk=ids["cd"]).status,
        "booking": Booking.objects.get(pk=ids["bk"]).status,
        "question": Question.objects.get(pk=ids["q"]).status,
        "answer": (Answer.objects.get(pk=ids["ans"]).accepted, Answer.objects.get(pk=ids["ans"]).deleted_at),
        "intro": Introduction.objects.get(pk=ids["intro"]).status,
        "meeting": Meeting.objects.get(pk=ids["mt"]).status,
    }


def test_the_matrix_refusals_left_every_object_as_it_was(world):
    """The refusing rows alone (no successful row): every object is exactly as built."""
    ids, users = world
    before = _victims(ids)
    assert before["checkin"] == CheckInStatus.RESERVED and before["booking"] == BookingStatus.CONFIRMED
    assert before["intro"] == IntroductionStatus.PENDING and before["meeting"] == MeetingStatus.PENDING
    api = {who: _api_client(users.get(who)) for who in ("anon", *users)}
    pages = {who: _page_client(users.get(who)) for who in ("anon", *users)}
    for who, method, path, body, expected in API:
        if expected < 300 or method == "GET":
            continue
        path, body = _fill(path, ids), _fill(body, ids)
        getattr(api[who], method.lower())(path, **({} if method == "DELETE" else {"data": body}))
    for who, method, path, body, _expected in PAGES:
        if method == "POST" and who not in ("anon",):
            pages[who].post(_fill(path, ids), _fill(body, ids))
    assert _victims(ids) == before
