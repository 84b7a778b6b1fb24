"""The analysis core: rates, differences and ratios with cluster-bootstrap intervals, checked
on synthetic networks with a known effect (a simulation of outcomes only, no database)."""

import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import binomtest

from serendip.experiments import analysis, synthetic


def test_it_computes_each_arms_rate_per_member_day():
    result = analysis.analyse(
        exposure=np.array([2, 3, 5, 0, 4, 6]),
        counts=np.array([[1, 0], [2, 1], [3, 1], [9, 9], [1, 0], [1, 1]]),
        holdout=np.array([False, False, False, False, True, True]),
        outcomes=["a", "b"],
        replicates=200,
    )
    a, b = result.effects
    assert (result.members_suggested, result.members_holdout) == (3, 2)  # no exposure, no denominator
    assert (result.member_days_suggested, result.member_days_holdout) == (10, 10)
    assert a.rate_suggested == pytest.approx(0.6) and a.rate_holdout == pytest.approx(0.2)
    assert a.difference == pytest.approx(0.4) and a.ratio == pytest.approx(3.0)
    assert b.rate_suggested == pytest.approx(0.2) and b.rate_holdout == pytest.approx(0.1)
    assert a.difference_ci.low <= a.difference <= a.difference_ci.high
    assert a.ratio_ci.low <= a.ratio <= a.ratio_ci.high
    # b: one of the two hold-out members had it, so a quarter of resamples have none: no ratio interval.
    assert b.ratio_ci == analysis.Interval(None, None) and b.difference_ci.low is not None


def test_it_says_nothing_it_cannot_know():
    result = analysis.analyse(
        exposure=np.array([3, 4]),
        counts=np.array([[1], [2]]),
        holdout=np.array([False, False]),
        outcomes=["a"],
    )
    e = result.effects[0]
    assert e.rate_holdout is None and e.difference is None and e.ratio is None
    assert e.difference_ci == analysis.Interval(None, None) and not e.significant


def test_it_is_reproducible_for_a_seed():
    exposure, counts, holdout, _ = synthetic.network(seed=3, members=500)
    run = lambda seed: analysis.analyse(  # noqa: E731
        exposure=exposure, counts=counts, holdout=holdout, outcomes=["y"], replicates=300, seed=seed
    )
    assert run(1) == run(1)
    assert run(1).effects[0].difference_ci != run(2).effects[0].difference_ci


def test_its_intervals_cover_a_known_effect_in_at_least_90_percent_of_50_networks():
    check = synthetic.check(networks=50, effect=0.3)
    assert check["ratio_coverage"] >= 0.9
    assert check["difference_coverage"] >= 0.9
    assert check["significant_share"] >= 0.8  # and it usually finds the effect


def test_without_an_effect_it_calls_at_most_10_percent_of_50_networks_significant():
    check = synthetic.check(networks=50, effect=0.0)
    assert check["significant_share"] <= 0.1
    assert check["ratio_coverage"] >= 0.9


def test_its_intervals_narrow_with_more_members():
    widths = []
    for members in (400, 4000):
        exposure, counts, holdout, _ = synthetic.network(seed=1, members=members)
        e = analysis.analyse(
            exposure=exposure, counts=counts, holdout=holdout, outcomes=["y"], replicates=400
        ).effects[0]
        widths.append(e.ratio_ci.high - e.ratio_ci.low)
    assert widths[1] < widths[0] / 2


@pytest.mark.parametrize(("k", "n"), [(0, 50), (9, 60), (1000, 6000), (60, 60)])
def test_the_share_interval_is_wilsons(k, n):
    ci = analysis.proportion_interval(k, n)
    ref = binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert ci.low == pytest.approx(ref.low, abs=1e-9) and ci.high == pytest.approx(ref.high, abs=1e-9)


def test_the_cores_import_no_django():
    code = (
        "import sys\n"
        "from serendip.experiments import analysis, assignment, synthetic\n"
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
