"""serendip/fastsql.py writes and reads exactly what the ORM would."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler, OperationalError
from django.utils import timezone

from serendip import fastsql
from serendip.ledger.models import Account, Transaction
from serendip.passport.models import Activity, ApiToken, Member
from serendip.passport.selectors import member_for_user
from serendip.passport.services import token_authenticate, token_create

pytestmark = pytest.mark.django_db


def test_an_insert_reads_back_through_the_orm_unchanged(make_member):
    member = make_member()
    at = timezone.now() - dt.timedelta(minutes=5)
    extra = {"space": "utrecht", "n": 3, "nested": {"ok": True}, "text": "é ✓"}
    pk = fastsql.insert(
        Activity, {"member": member, "verb": "tested", "summary": "s", "extra": extra, "created_at": at}
    )
    row = Activity.objects.get(pk=pk)
    assert (row.member_id, row.verb, row.extra, row.created_at) == (member.pk, "tested", extra, at)
    assert row.created_at.tzinfo is not None


def test_load_converts_like_the_orm(make_member):
    member = make_member()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {fastsql.columns(Member, 'm')} FROM {Member._meta.db_table} m WHERE m.id = %s",
            [member.pk],
        )
        loaded = fastsql.load(Member, cursor.fetchone())
    orm = Member.objects.get(pk=member.pk)
    for field in Member._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(orm, field.attname), field.name
    assert loaded.updated_at.tzinfo is not None and not loaded._state.adding


def test_a_row_of_nulls_loads_as_none():
    assert fastsql.load(Member, [None] * fastsql.width(Member)) is None


def test_ignore_conflicts_writes_nothing_and_says_so(make_member):
    member = make_member()
    values = {
        "kind": "seat",
        "reason": "r",
        "subject": "checkin:1",
        "beneficiary": member,
        "created_at": timezone.now(),
    }
    first = fastsql.insert(Transaction, values, ignore_conflicts=True)
    assert first is not None
    assert fastsql.insert(Transaction, values, ignore_conflicts=True) is None
    assert Transaction.objects.filter(subject="checkin:1").count() == 1


def test_insert_rows_writes_every_row(make_member):
    a, b = make_member(), make_member()
    now = timezone.now()
    fastsql.insert_rows(
        Activity,
        ("member", "verb", "summary", "extra", "created_at"),
        [(a, "x", "one", {}, now), (b.pk, "x", "two", {"k": 1}, now)],
    )
    assert sorted(Activity.objects.filter(verb="x").values_list("summary", "extra")) == [
        ("one", {}),
        ("two", {"k": 1}),
    ]


def test_a_bearer_token_brings_its_passport_along(make_member, django_assert_num_queries):
    member = make_member()
    _, raw = token_create(user=member.user)
    with django_assert_num_queries(1):
        token = token_authenticate(raw=raw)
        assert member_for_user(token.user) == member


def test_a_token_of_a_user_without_passport_has_no_member(django_user_model, django_assert_num_queries):
    user = django_user_model.objects.create_user(username="operator", password="x-long-password")
    _, raw = token_create(user=user)
    with django_assert_num_queries(1):
        token = token_authenticate(raw=raw)
        assert token.user == user and member_for_user(token.user) is None
    assert ApiToken.objects.filter(user=user).count() == 1


def test_a_checkin_through_the_api_stays_within_its_statement_budget(
    make_member, make_space, api_as, django_assert_max_num_queries
):
    # The check-in is the busiest write (BENCHMARKS.md): token; begin; space lock, seat count,
    # insert, timeline, accounts; the ledger's six statements (five on PostgreSQL: the
    # transaction, its postings, the member posting's opening, the leaf, balances); commit.
    member, space = make_member(), make_space(seats=3, seat_price=1)
    Account.objects.get(member=member)  # the welcome grant made it
    today = space.local_today().isoformat()
    # The space's first paid seat opens its account (a few statements more, once).
    assert api_as(make_member()).post("/checkins", {"space_id": space.pk, "date": today}).status_code == 201
    client = api_as(member)
    with django_assert_max_num_queries(14):
        r = client.post("/checkins", {"space_id": space.pk, "date": today})
    assert r.status_code == 201, r.content


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_writers_queue_on_the_lock_file_instead_of_failing(tmp_path):
    # Two connections to one database file: the second writer waits for the first one's commit
    # (0.5 s) on the lock file, within the timeout (2 s), and begins only after it.
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "serendip.backends.sqlite3",
                "NAME": str(tmp_path / "db.sqlite3"),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 2},
            }
        }
    )
    setup = handler["default"]
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE t (v INTEGER)")
    setup.close()
    events = []

    def writer(name, hold):
        conn = handler.create_connection("default")
        unlock = conn._writer_unlock

        def record_then_unlock():
            # The moment the lock is handed on is the moment to compare with: a timestamp taken
            # after commit() returns comes after the release, so the next writer may already
            # have begun (by a fraction of a microsecond) and the test would fail on a correct lock.
            if conn._writer_locked:
                events.append((name, "released", time.monotonic()))
            unlock()

        conn._writer_unlock = record_then_unlock
        try:
            conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
            events.append((name, "began", time.monotonic()))
            with conn.cursor() as cursor:
                cursor.execute("INSERT INTO t VALUES (1)")
            time.sleep(hold)
            conn.commit()
            events.append((name, "committed", time.monotonic()))
            conn.set_autocommit(True)
        except OperationalError as exc:
            events.append((name, f"failed: {exc}", time.monotonic()))
        finally:
            conn.close()

    first = threading.Thread(target=writer, args=("first", 0.5))
    first.start()
    time.sleep(0.1)
    second = threading.Thread(target=writer, args=("second", 0))
    second.start()
    first.join(10)
    second.join(10)
    outcome = {(name, what) for name, what, _ in events}
    assert outcome == {
        ("first", "began"),
        ("first", "released"),
        ("first", "committed"),
        ("second", "began"),
        ("second", "released"),
        ("second", "committed"),
    }
    when = {(name, what): t for name, what, t in events}
    # "began" is recorded once the writer holds the lock, "released" just before it lets go:
    # if the writers overlapped, the second would begin before the first released.
    assert when[("first", "began")] < when[("second", "began")]
    assert when[("second", "began")] >= when[("first", "released")]
    assert (tmp_path / "db.sqlite3.writer-lock").exists()


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_a_sqlite_writer_waits_no_longer_than_the_timeout_and_says_why(tmp_path):
    name = str(tmp_path / "db.sqlite3")
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "serendip.backends.sqlite3",
                "NAME": name,
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 0.3},
            }
        }
    )
    holder = handler.create_connection("default")
    # the holder takes the lock file and BEGIN IMMEDIATE, and keeps them
    holder.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with holder.cursor() as cursor:
        cursor.execute("CREATE TABLE t (v INTEGER)")
    waiter = handler.create_connection("default")
    started = time.monotonic()
    with pytest.raises(OperationalError, match=r"writer-lock for more than 0.3 s .*OPTIONS\['timeout'\]"):
        waiter.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert 0.3 <= time.monotonic() - started < 2
    holder.commit()  # the abandoned wait must not keep the lock: the next writer gets it at once
    holder.set_autocommit(True)
    waiter.set_autocommit(True)
    started = time.monotonic()
    waiter.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with waiter.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    waiter.commit()
    assert time.monotonic() - started < 0.3
    holder.close()
    waiter.close()
