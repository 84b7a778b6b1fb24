import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serendip.errors import Conflict, InvalidInput, PaymentRequired
from serendip.ledger import rules
from serendip.ledger.models import Account, Posting, Transaction, TxKind
from serendip.ledger.selectors import balance_mismatches, member_balance
from serendip.ledger.services import (
    Leg,
    earn,
    member_account,
    network_account,
    reverse_earnings,
    transaction_record,
)
from serendip.presence.services import checkin_cancel, checkin_create

pytestmark = pytest.mark.django_db


def test_a_new_member_gets_the_welcome_grant(make_member):
    member = make_member()
    assert member_balance(member) == rules.WELCOME_GRANT
    tx = Transaction.objects.get(kind=TxKind.WELCOME_GRANT, beneficiary=member)
    assert sorted(p.amount for p in tx.postings.all()) == [-rules.WELCOME_GRANT, rules.WELCOME_GRANT]
    assert network_account().balance == -rules.WELCOME_GRANT


def test_postings_must_sum_to_zero_and_number_two_or_more(make_member):
    a = member_account(make_member())
    with pytest.raises(InvalidInput, match="sum to zero"):
        transaction_record(
            kind="seat", reason="x", subject="t:1", legs=[Leg(a, -5), Leg(network_account(), 4)]
        )
    with pytest.raises(InvalidInput, match="two"):
        transaction_record(kind="seat", reason="x", subject="t:1", legs=[Leg(a, 0)])
    with pytest.raises(InvalidInput):
        transaction_record(
            kind="seat", reason="x", subject="t:1", legs=[Leg(a, 1.5), Leg(network_account(), -1.5)]
        )


def test_no_member_balance_goes_below_zero(make_member, make_space):
    member = make_member()
    space = make_space()
    before = Transaction.objects.count()
    with pytest.raises(PaymentRequired, match="not enough social capital"):
        transaction_record(
            kind="seat",
            reason="too expensive",
            subject="checkin:0",
            legs=[
                Leg(member_account(member), -(rules.WELCOME_GRANT + 1)),
                Leg(network_account(), rules.WELCOME_GRANT + 1),
            ],
        )
    assert member_balance(member) == rules.WELCOME_GRANT
    assert Transaction.objects.count() == before  # nothing half-written
    assert space  # the space is unused here but proves fixtures coexist


def test_a_checkin_costs_the_seat_price_paid_to_the_space(make_member, make_space):
    member, space = make_member(), make_space(seat_price=5)
    checkin_create(member=member, space_id=space.pk, date=space.local_today())
    assert member_balance(member) == rules.WELCOME_GRANT - 500
    assert Account.objects.get(space=space).balance == 500


def test_without_enough_balance_there_is_no_seat(make_member, make_space):
    from serendip.presence.models import CheckIn

    member, space = make_member(), make_space(seat_price=rules.WELCOME_GRANT // 100 + 1)
    with pytest.raises(PaymentRequired):
        checkin_create(member=member, space_id=space.pk, date=space.local_today())
    assert not CheckIn.objects.exists() and member_balance(member) == rules.WELCOME_GRANT


def test_cancelling_before_the_day_refunds_on_the_day_does_not(make_member, make_space):
    member, space = make_member(), make_space(seat_price=4)
    today = space.local_today()
    tomorrow = checkin_create(member=member, space_id=space.pk, date=today + dt.timedelta(days=1))
    checkin_cancel(member=member, checkin_id=tomorrow.pk)
    assert member_balance(member) == rules.WELCOME_GRANT
    same_day = checkin_create(member=member, space_id=space.pk, date=today)
    checkin_cancel(member=member, checkin_id=same_day.pk)
    assert member_balance(member) == rules.WELCOME_GRANT - 400


def test_the_same_contribution_never_pays_twice(make_member):
    a, b = make_member(), make_member()
    earn(kind="answer_accepted", member=a, counterpart=b, base=500, subject="answer:1", reason="x")
    with pytest.raises(Conflict):
        earn(kind="answer_accepted", member=a, counterpart=b, base=500, subject="answer:1", reason="x")


def test_repeat_earnings_between_the_same_pair_diminish(make_member):
    a, b, c = make_member(), make_member(), make_member()
    amounts = [
        earn(kind="answer_accepted", member=a, counterpart=b, base=400, subject=f"answer:{i}", reason="x")
        for i in range(3)
    ]
    assert [t.postings.get(amount__gt=0).amount for t in amounts] == [400, 200, 100]
    fresh = earn(kind="answer_accepted", member=a, counterpart=c, base=400, subject="answer:9", reason="x")
    assert fresh.postings.get(amount__gt=0).amount == 400


def test_nobody_earns_from_themselves(make_member):
    a = make_member()
    with pytest.raises(InvalidInput):
        earn(kind="meeting_confirmed", member=a, counterpart=a, base=300, subject="meeting:1", reason="x")


def test_the_daily_cap_limits_earnings(make_member):
    a = make_member()
    total = 0
    for i in range(20):
        tx = earn(
            kind="answer_accepted",
            member=a,
            counterpart=make_member(),
            base=700,
            subject=f"a:{i}",
            reason="x",
        )
        total += tx.postings.get(amount__gt=0).amount if tx else 0
    assert total == rules.DAILY_EARNING_CAP


def test_reversal_compensates_and_never_overdraws(make_member):
    a, b = make_member(), make_member()
    earn(kind="answer_accepted", member=a, counterpart=b, base=500, subject="answer:7", reason="x")
    assert member_balance(a) == rules.WELCOME_GRANT + 500
    [rev] = reverse_earnings(subject="answer:7", reason="removed")
    assert rev.kind == TxKind.REVERSAL and member_balance(a) == rules.WELCOME_GRANT
    assert reverse_earnings(subject="answer:7", reason="again") == []  # reversed once only
    assert balance_mismatches() == []


def test_the_scarcity_of_a_skill_raises_its_value():
    assert rules.scarcity_factor(members=1000, offerers=1000) == 1.0
    assert rules.scarcity_factor(members=1000, offerers=10) == 2.0
    assert 1.0 < rules.scarcity_factor(members=1000, offerers=100) < 2.0


ops = st.lists(
    st.tuples(st.sampled_from(["checkin", "cancel", "earn"]), st.integers(0, 2), st.integers(0, 3)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=ops)
def test_any_sequence_keeps_the_books_balanced_and_nobody_negative(make_member, make_space, ops):
    members = [make_member() for _ in range(3)]
    space = make_space(seat_price=7, seats=2)
    today = space.local_today()
    live = {}
    for n, (op, who, day) in enumerate(ops):
        member, date = members[who], today + dt.timedelta(days=day)
        try:
            if op == "checkin":
                live[(who, day)] = checkin_create(member=member, space_id=space.pk, date=date).pk
            elif op == "cancel" and (who, day) in live:
                checkin_cancel(member=member, checkin_id=live.pop((who, day)))
            elif op == "earn":
                earn(
                    kind="meeting_confirmed",
                    member=member,
                    counterpart=members[(who + 1) % 3],
                    base=300,
                    subject=f"meeting:{n}",
                    reason="x",
                )
        except (Conflict, PaymentRequired):
            pass
    for tx in Transaction.objects.prefetch_related("postings"):
        assert sum(p.amount for p in tx.postings.all()) == 0
    assert sum(Posting.objects.values_list("amount", flat=True)) == 0
    assert not Account.objects.filter(balance__lt=0).exclude(kind="network").exists()
    assert balance_mismatches() == []
