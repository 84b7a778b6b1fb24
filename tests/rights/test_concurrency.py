"""Erasure racing check-ins and itself, on PostgreSQL (real parallel transactions)."""

import datetime as dt
from decimal import Decimal

import pytest

from serendip.errors import Forbidden, PaymentRequired
from serendip.ledger.models import Transaction, TxKind
from serendip.ledger.selectors import balance_mismatches, member_balance
from serendip.passport.models import Member
from serendip.presence.models import SEAT_HOLDING, CheckIn
from serendip.presence.services import checkin_create
from serendip.rights.models import Erasure
from serendip.rights.services import member_erase
from tests.concurrency import run_concurrently
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("price", [Decimal("0"), Decimal("2")])
def test_erasure_racing_check_ins_leaves_no_seat_and_balanced_books(make_member, make_space, price):
    spaces = [make_space(seats=5, seat_price=price) for _ in range(4)]
    for _ in range(3):  # a few rounds: the race goes either way
        member = make_member()
        day = spaces[0].local_today() + dt.timedelta(days=2)
        erasing, checking_in = _loaded(member), _loaded(member)
        calls = [lambda m=erasing: member_erase(member=m, password=PASSWORD)]
        calls += [
            lambda s=s, m=checking_in, d=day: checkin_create(member=m, space_id=s.pk, date=d, focus="secret")
            for s in spaces
        ]
        results = run_concurrently(calls)
        assert isinstance(results[0], Erasure), results[0]
        for r in results[1:]:
            assert isinstance(r, CheckIn | Forbidden | PaymentRequired) or "already checked in" in str(r), r
        # Whatever won, the erased member holds no seat and no words, and the books balance.
        assert not CheckIn.objects.filter(member=member, status__in=SEAT_HOLDING).exists()
        assert not CheckIn.objects.filter(member=member).exclude(focus="").exists()
        assert member_balance(member) == 0
        assert balance_mismatches() == []


def _loaded(member):
    """The member as a request would have loaded it (each thread its own instance and user)."""
    return Member.objects.select_related("user").get(pk=member.pk)


def test_two_erasures_at_once_erase_once(make_member):
    member = make_member()
    copies = [_loaded(member), _loaded(member)]
    results = run_concurrently([lambda m=m: member_erase(member=m, password=PASSWORD) for m in copies])
    assert all(isinstance(r, Erasure) for r in results), results
    assert results[0].pk == results[1].pk
    assert Erasure.objects.filter(member=member).count() == 1
    assert Transaction.objects.filter(kind=TxKind.ACCOUNT_CLOSED, beneficiary=member).count() == 1
    assert balance_mismatches() == []
