"""The one earning rule (`rules.earning`) that the ledger's services and the simulator share."""

from serendip.ledger import rules


def test_it_pays_the_base_for_a_first_exchange():
    assert rules.earning(base=300, earned_today=0, previous_with_pair=0) == (300, 1.0)


def test_it_halves_each_repeat_with_the_same_member_and_then_pays_nothing():
    paid = [rules.earning(base=400, earned_today=0, previous_with_pair=n)[0] for n in range(5)]
    assert paid == [400, 200, 100, 50, 0]  # 1, 0.5, 0.25, 0.125, then under PAIR_MIN_FACTOR


def test_it_ignores_the_pair_rule_without_a_counterpart():
    assert rules.earning(base=200, earned_today=0, previous_with_pair=None) == (200, 1.0)


def test_it_pays_only_what_is_left_under_the_daily_cap():
    left = 50
    amount, _ = rules.earning(base=300, earned_today=rules.DAILY_EARNING_CAP - left, previous_with_pair=0)
    assert amount == left
    assert rules.earning(base=300, earned_today=rules.DAILY_EARNING_CAP, previous_with_pair=0)[0] == 0
