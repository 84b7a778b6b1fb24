"""Assignment is a seeded hash: deterministic, balanced, and blind to who the member is."""

import numpy as np
import pytest
from scipy.stats import chi2_contingency

from serendip.experiments import assignment

SEED_MEMBERS = np.arange(1, 60_001)  # member ids at seed scale


def test_it_gives_a_member_the_same_arm_every_time():
    first = [assignment.arm("spring-2026", m, 0.1) for m in range(1, 2001)]
    again = [assignment.arm("spring-2026", m, 0.1) for m in range(1, 2001)]
    assert first == again
    assert assignment.holdout_mask("spring-2026", range(1, 2001), 0.1).tolist() == [
        a == assignment.HOLDOUT for a in first
    ]


def test_each_experiment_draws_afresh():
    a = assignment.holdout_mask("spring-2026", SEED_MEMBERS, 0.1)
    b = assignment.holdout_mask("autumn-2026", SEED_MEMBERS, 0.1)
    # Independent draws agree with probability 0.9^2 + 0.1^2 = 0.82; the same draw would be 1.
    assert abs((a == b).mean() - 0.82) < 0.01
    assert (a & b).sum() > 0


@pytest.mark.parametrize("share", [0.05, 0.1, 0.2])
@pytest.mark.parametrize("name", ["spring-2026", "autumn-2026", "x"])
def test_it_is_balanced_within_a_percentage_point_at_seed_scale(name, share):
    assert abs(assignment.holdout_mask(name, SEED_MEMBERS, share).mean() - share) < 0.01


def test_it_is_independent_of_member_attributes():
    # Ids are given in join order, so id bands stand for tenure (and what goes with it:
    # activity, home space, the tags of a cohort); id residues stand for any periodic pattern.
    rng = np.random.default_rng(5)
    holdout = assignment.holdout_mask("spring-2026", SEED_MEMBERS, 0.1)
    activity = rng.lognormal(-0.5, 1.0, len(SEED_MEMBERS)) * (1 + SEED_MEMBERS / 60_000)  # tenure-linked
    attributes = {
        "tenure decile": SEED_MEMBERS * 10 // (len(SEED_MEMBERS) + 1),
        "id mod 7": SEED_MEMBERS % 7,
        "activity quintile": np.searchsorted(np.quantile(activity, [0.2, 0.4, 0.6, 0.8]), activity),
    }
    for name, groups in attributes.items():
        table = np.array(
            [[np.sum((groups == g) & holdout), np.sum((groups == g) & ~holdout)] for g in np.unique(groups)]
        )
        assert chi2_contingency(table).pvalue > 0.001, name


def test_it_refuses_a_share_outside_the_limits():
    with pytest.raises(ValueError, match="between 0 and 20%"):
        assignment.arm("x", 1, 0.25)


def test_the_holdouts_order_is_random_stable_and_complete():
    others = list(range(100, 130))
    order = assignment.random_order("spring-2026", 7, "2026-03-06", others)
    assert sorted(order) == others and order != others
    assert order == assignment.random_order("spring-2026", 7, "2026-03-06", others)
    assert order != assignment.random_order("spring-2026", 7, "2026-03-07", others)
