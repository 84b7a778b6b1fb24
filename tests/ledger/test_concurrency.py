"""Concurrent spends against one balance on PostgreSQL: none overdraws, none is lost."""

import datetime as dt

import pytest

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
