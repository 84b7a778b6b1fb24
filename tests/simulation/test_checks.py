"""`simulation/checks.py` catches what it claims to: each test corrupts rows behind the
services' back and expects the invariant check (and, for the books and the log, the local
`serendip ledger verify`) to report it. Without these the checks' failure branches never run.

Not corruptible here, so not tested this way: two seats for one member on one day and a
member balance below zero; the database refuses both (a partial unique index and a check
constraint; tests/presence and tests/ledger show that)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from serendip.exchange.services import meeting_confirm, meeting_record
from serendip.ledger.models import Account, LogEntry, LogState, Posting, Transaction, TxKind
from serendip.ledger.services import Leg, member_account, network_account
from serendip.network.models import Space
from serendip.presence.models import CheckIn, CheckInStatus
from serendip.presence.services import checkin_create
from serendip.simulation import checks
from tests.ledger.test_log_integration import configure_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path, make_member, make_space):
    """Two members at a two-seat space today, a confirmed meeting, their seats paid."""
    configure_ledger(settings, tmp_path)
    space = make_space(seats=2, seat_price="1.00")
    a, b = make_member(), make_member()
    for m in (a, b):
        _grant(m)  # whether or not signup paid a welcome grant, each can pay for a seat
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    meeting = meeting_record(member=a, other_id=b.pk, date=space.local_today())
    meeting_confirm(member=b, meeting_id=meeting.pk)
    assert checks.invariants() == []
    assert "ledger verify: OK" in _verify()
    return {"space": space, "a": a, "b": b, "meeting": meeting}


def _grant(member):
    from serendip.ledger.services import transaction_record

    transaction_record(
        kind=TxKind.WELCOME_GRANT,
        reason="test grant",
        subject=f"test-grant:{member.pk}",
        beneficiary=member,
        legs=[Leg(network_account(), -500), Leg(member_account(member), 500)],
    )


def _verify() -> str:
    out = StringIO()
    call_command("ledger", "verify", stdout=out)
    return out.getvalue()


def _verify_fails() -> str:
    with pytest.raises(CommandError) as exc:
        _verify()
    return str(exc.value)


def test_more_checkins_than_seats_is_reported(world):
    Space.objects.filter(pk=world["space"].pk).update(seats=1)
    assert checks.capacity_problems() == [
        f"space {world['space'].pk} on {world['space'].local_today()}: 2 check-ins for 1 seats"
    ]
    assert checks.invariants() != []


def test_a_meeting_without_both_members_present_is_reported(world):
    CheckIn.objects.filter(member=world["b"]).update(status=CheckInStatus.CANCELLED)
    (problem,) = checks.meeting_problems()
    assert problem.startswith(f"meeting {world['meeting'].pk}: the two were not both at space")


def test_an_unbalanced_transaction_and_a_stale_balance_are_reported(world):
    posting = Posting.objects.filter(account=member_account(world["a"])).order_by("id").first()
    Posting.objects.filter(pk=posting.pk).update(amount=F("amount") + 1)
    problems = checks.ledger_problems()
    assert f"transaction {posting.transaction_id} is not balanced" in problems
    assert any(p.startswith("cached balance differs from postings") for p in problems)
    assert "was changed after it was logged" in _verify_fails()


def test_a_transaction_with_one_posting_is_reported(world):
    posting = Posting.objects.filter(account=member_account(world["a"])).order_by("id").first()
    other = Posting.objects.filter(transaction=posting.transaction_id).exclude(pk=posting.pk).get()
    Posting.objects.filter(pk=other.pk).delete()
    problems = checks.ledger_problems()
    assert f"transaction {posting.transaction_id} has one posting" in problems
    assert f"transaction {posting.transaction_id} is not balanced" in problems
    assert "was changed after it was logged" in _verify_fails()


def test_a_transaction_without_postings_is_reported(world):
    tx = Transaction.objects.filter(kind=TxKind.SEAT).order_by("id").first()
    Posting.objects.filter(transaction=tx).delete()
    Account.objects.update(balance=0)  # hide the balance difference: the empty transaction remains
    assert "a transaction has no postings" in checks.ledger_problems()
    assert "was changed after it was logged" in _verify_fails()


def test_a_log_whose_size_does_not_match_is_reported(world):
    LogState.objects.filter(pk=1).update(size=F("size") - 1)
    size = LogState.objects.get(pk=1).size
    assert f"the log state says {size} entries, {size + 1} are stored" in checks.log_problems()
    assert "the size was rewound" in _verify_fails()


def test_a_missing_leaf_is_reported(world):
    entry = LogEntry.objects.order_by("index")[1]
    LogEntry.objects.filter(pk=entry.pk).delete()
    problems = checks.log_problems()
    assert "log entry 1 is missing (found 2)" in problems
    assert any(p.endswith("log entries") for p in problems)
    assert "is missing from the database" in _verify_fails()


def test_an_edited_leaf_is_reported(world):
    entry = LogEntry.objects.order_by("index")[2]
    LogEntry.objects.filter(pk=entry.pk).update(data=bytes(entry.data).replace(b'"', b"'", 1))
    expected = f"log entry 2 is not transaction {entry.transaction_id}'s canonical leaf"
    assert checks.log_problems() == [expected]
    assert checks.log_problems(verify_leaves=2) == []  # only the first two leaves were compared
    assert "differs from the published entry" in _verify_fails()
