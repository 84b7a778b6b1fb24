"""Concurrent spends against one balance on PostgreSQL: none overdraws, none is lost."""

import datetime as dt

import pytest
from django.db import transaction

from serendip.errors import PaymentRequired
from serendip.ledger import rules
from serendip.ledger.selectors import balance_mismatches, member_balance
from serendip.presence.models import CheckIn
from serendip.presence.services import checkin_create
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_seat_purchases_never_overdraw(make_member, make_space):
    member = make_member()
    price_sc = 6  # the welcome grant (20 SC) pays for 3 seats, not 4
    spaces = [make_space(seat_price=price_sc) for _ in range(10)]
    today = spaces[0].local_today()
    results = run_concurrently(
        [
            lambda s=s, d=d: checkin_create(member=member, space_id=s.pk, date=today + dt.timedelta(days=d))
            for d, s in enumerate(spaces)
        ]
    )
    paid = [r for r in results if isinstance(r, CheckIn)]
    refused = [r for r in results if isinstance(r, PaymentRequired)]
    assert len(paid) == rules.WELCOME_GRANT // (price_sc * 100)
    assert len(paid) + len(refused) == len(spaces), results
    assert member_balance(member) == rules.WELCOME_GRANT - len(paid) * price_sc * 100
    assert balance_mismatches() == []


def test_mixed_ledger_writers_racing_neither_deadlock_nor_break_the_books(make_member, make_space):
    # Every kind of ledger writer at once, on shared accounts: check-ins (seat payments to the
    # space accounts), cancellations (refunds), earnings for the same members (the network
    # account) and reversals. The lock order (domain rows -> log -> accounts) must hold on each
    # path: PostgreSQL would abort a deadlocked transaction with an error, which fails this test.
    from serendip.errors import ServiceError
    from serendip.ledger.models import LogEntry, Transaction
    from serendip.ledger.services import earn, reverse_earnings
    from serendip.presence.services import checkin_cancel
    from serendip.simulation.checks import invariants

    members = [make_member() for _ in range(4)]
    spaces = [make_space(seat_price=1, seats=50) for _ in range(2)]
    today = spaces[0].local_today()
    booked = [
        checkin_create(member=m, space_id=spaces[0].pk, date=today + dt.timedelta(days=1)) for m in members
    ]

    def checkins(k):
        for d in range(2, 5):
            checkin_create(member=members[k], space_id=spaces[d % 2].pk, date=today + dt.timedelta(days=d))

    def earnings(k):  # as the exchange's services call it: inside their transaction
        for i in range(4):
            other = members[(k + 1 + i % 3) % len(members)]
            with transaction.atomic():
                earn(
                    kind="answer_accepted",
                    member=members[k],
                    counterpart=other,
                    base=50,
                    subject=f"race:{k}:{i}",
                    reason="race",
                )

    def cancel(k):
        checkin_cancel(member=members[k], checkin_id=booked[k].pk)

    def reverse(k):
        with transaction.atomic():
            reverse_earnings(subject=f"race:{k}:0", reason="race")

    jobs = [lambda k=k: checkins(k) for k in range(4)] + [lambda k=k: earnings(k) for k in range(4)]
    jobs += [lambda k=k: cancel(k) for k in range(4)] + [lambda k=k: reverse(k) for k in range(2)]
    results = run_concurrently(jobs)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, ServiceError)]
    assert not unexpected, unexpected
    assert CheckIn.objects.filter(date__gte=today + dt.timedelta(days=2)).count() == 12
    assert Transaction.objects.filter(kind="seat_refund").count() == 4
    assert LogEntry.objects.count() == Transaction.objects.count()
    assert balance_mismatches() == []
    assert invariants(meetings=False) == []
