import datetime as dt

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from serendip.errors import Conflict, InvalidInput, PaymentRequired
from serendip.ledger import rules
from serendip.ledger.models import Account, Transaction, TxKind
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


class LedgerMachine(RuleBasedStateMachine):
    """Check-ins, cancellations, earnings and reversals in any order, against a model of what
    every balance must be. Each step asserts that the service refused exactly when the model
    says it must (and with which error), and that every balance equals the model's.

    Each example makes its own members and space; the network's balance is read at the start,
    as are the members' (so it holds whether signup pays a welcome grant or not)."""

    MEMBERS, DAYS, SEATS, PRICE = 3, 4, 2, 7  # a seat costs 7 SC; two seats a day

    def __init__(self, make_member, make_space):
        super().__init__()
        self.members = [make_member() for _ in range(self.MEMBERS)]
        self.space = make_space(seat_price=self.PRICE, seats=self.SEATS)
        self.today = self.space.local_today()
        self.price = self.PRICE * 100
        self.balance = {m.pk: member_balance(m) for m in self.members}
        self.space_balance = 0
        self.network_balance = network_account().balance
        self.checkins: dict[tuple[int, int], int] = {}  # (member index, day) -> check-in id
        self.earned_today = dict.fromkeys(self.balance, 0)
        self.pair_count: dict[tuple[int, int], int] = {}  # unreversed earnings between a pair
        self.earnings: list[tuple[str, int, int, int]] = []  # subject, member pk, other pk, amount
        self.reversed: set[str] = set()
        self.step = 0

    def _call(self, expected: type[Exception] | None, fn, **kwargs):
        """Run a service; assert it refused exactly as the model expects."""
        try:
            result = fn(**kwargs)
        except (Conflict, PaymentRequired, InvalidInput) as exc:
            assert type(exc) is expected, f"{fn.__name__} refused ({exc.detail}); expected {expected}"
            return None
        assert expected is None, f"{fn.__name__} succeeded; the model expected {expected.__name__}"
        return result

    @rule(who=st.integers(0, MEMBERS - 1), day=st.integers(0, DAYS - 1))
    def check_in(self, who, day):
        member = self.members[who]
        taken = sum(1 for (_, d) in self.checkins if d == day)
        if (who, day) in self.checkins:
            expected = Conflict  # already checked in that day
        elif taken >= self.SEATS:
            expected = Conflict  # the space is full
        elif self.balance[member.pk] < self.price:
            expected = PaymentRequired
        else:
            expected = None
        date = self.today + dt.timedelta(days=day)
        checkin = self._call(expected, checkin_create, member=member, space_id=self.space.pk, date=date)
        if checkin is not None:
            self.checkins[(who, day)] = checkin.pk
            self.balance[member.pk] -= self.price
            self.space_balance += self.price

    @precondition(lambda self: self.checkins)
    @rule(data=st.data())
    def cancel(self, data):
        who, day = data.draw(st.sampled_from(sorted(self.checkins)))
        member = self.members[who]
        self._call(None, checkin_cancel, member=member, checkin_id=self.checkins.pop((who, day)))
        if day > 0:  # refunded before the day, not on the day itself
            self.balance[member.pk] += self.price
            self.space_balance -= self.price

    @rule(who=st.integers(0, MEMBERS - 1), other=st.integers(0, MEMBERS - 1), base=st.integers(1, 1500))
    def earn(self, who, other, base):
        member, counterpart = self.members[who], self.members[other]
        self.step += 1
        subject = f"meeting:{self.space.pk}:{self.step}"
        if who == other:
            self._call(InvalidInput, earn, **self._earning(member, counterpart, base, subject))
            return
        pair = (member.pk, counterpart.pk)
        # The model's own arithmetic from the published numbers (not the rules' functions, so a
        # wrong rule cannot agree with itself): halve per earlier earning of the pair, nothing
        # below the minimum factor, never past the daily cap.
        factor = rules.PAIR_DECAY ** self.pair_count.get(pair, 0)
        factor = factor if factor >= rules.PAIR_MIN_FACTOR else 0.0
        amount = max(0, min(round(base * factor), rules.DAILY_EARNING_CAP - self.earned_today[member.pk]))
        tx = self._call(None, earn, **self._earning(member, counterpart, base, subject))
        assert (tx is None) == (amount <= 0), (tx, amount)
        if tx is not None:
            self.balance[member.pk] += amount
            self.network_balance -= amount
            self.earned_today[member.pk] += amount
            self.pair_count[pair] = self.pair_count.get(pair, 0) + 1
            self.earnings.append((subject, member.pk, counterpart.pk, amount))

    @staticmethod
    def _earning(member, counterpart, base, subject):
        return dict(
            kind="meeting_confirmed",
            member=member,
            counterpart=counterpart,
            base=base,
            subject=subject,
            reason="x",
        )

    @precondition(lambda self: any(e[0] not in self.reversed for e in self.earnings))
    @rule(data=st.data())
    def reverse(self, data):
        subject, member_pk, other_pk, amount = data.draw(
            st.sampled_from([e for e in self.earnings if e[0] not in self.reversed])
        )
        taken = min(amount, self.balance[member_pk])  # never more than the member still holds
        reversals = self._call(None, reverse_earnings, subject=subject, reason="removed")
        assert len(reversals) == (1 if taken else 0)
        if taken:
            self.reversed.add(subject)
            self.balance[member_pk] -= taken
            self.network_balance += taken
            self.pair_count[(member_pk, other_pk)] -= 1

    @invariant()
    def balances_are_the_models(self):
        for member in self.members:
            assert member_balance(member) == self.balance[member.pk], member
        space = Account.objects.filter(space=self.space).first()
        assert (space.balance if space else 0) == self.space_balance
        assert network_account().balance == self.network_balance
        assert all(b >= 0 for b in self.balance.values())

    def teardown(self):
        for tx in Transaction.objects.prefetch_related("postings"):
            assert sum(p.amount for p in tx.postings.all()) == 0
        assert balance_mismatches() == []


def test_any_sequence_refuses_exactly_when_the_model_says_and_keeps_every_balance(make_member, make_space):
    run_state_machine_as_test(
        lambda: LedgerMachine(make_member, make_space),
        settings=settings(
            max_examples=20,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
