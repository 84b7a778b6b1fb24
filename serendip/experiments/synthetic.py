"""PURE: small synthetic networks with a known effect, to check the analysis (no Django).

This is a simulation of outcomes only (no database): members differ in how often they come
(member-days of exposure, negative binomial) and in how sociable they are (a gamma-distributed
base rate, so outcomes are over-dispersed and clustered by member, as in life); a member in
the suggested arm has every outcome's rate multiplied by (1 + effect). The true ratio is then
1 + effect and the true difference effect x the mean base rate, whatever the sample.
`serendip simulate` runs the full platform simulation with the same kind of effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .analysis import Analysis, analyse
from .assignment import holdout_mask


@dataclass(frozen=True)
class Truth:
    ratio: float
    difference: float


def network(
    *,
    seed: int,
    members: int = 2000,
    holdout_share: float = 0.2,
    effect: float = 0.3,
    base_rate: float = 0.15,
    dispersion: float = 2.0,
    mean_days: float = 8.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Truth]:
    """(exposure, counts as one column, holdout mask, truth) for one synthetic network; the
    arms come from the platform's own assignment (`assignment.holdout_mask`)."""
    rng = np.random.default_rng(seed)
    exposure = rng.negative_binomial(2, 2 / (2 + mean_days), members).astype(float)
    rate = rng.gamma(dispersion, base_rate / dispersion, members)
    holdout = holdout_mask(f"synthetic-{seed}", np.arange(1, members + 1), holdout_share)
    lam = exposure * rate * np.where(holdout, 1.0, 1.0 + effect)
    counts = rng.poisson(lam).astype(float)[:, None]
    return exposure, counts, holdout, Truth(ratio=1.0 + effect, difference=effect * base_rate)


def check(*, networks: int, effect: float, replicates: int = 500, **kwargs) -> dict:
    """Over `networks` synthetic networks: how often the 95 % intervals cover the true ratio
    and difference, and how often the difference is called significant."""
    covered_ratio = covered_difference = significant = 0
    for seed in range(networks):
        exposure, counts, holdout, truth = network(seed=seed, effect=effect, **kwargs)
        result: Analysis = analyse(
            exposure=exposure,
            counts=counts,
            holdout=holdout,
            outcomes=["y"],
            replicates=replicates,
            seed=seed,
        )
        e = result.effects[0]
        covered_ratio += e.ratio_ci.low is not None and e.ratio_ci.low <= truth.ratio <= e.ratio_ci.high
        covered_difference += (
            e.difference_ci.low is not None
            and e.difference_ci.low <= truth.difference <= e.difference_ci.high
        )
        significant += e.significant
    return {
        "networks": networks,
        "effect": effect,
        "ratio_coverage": covered_ratio / networks,
        "difference_coverage": covered_difference / networks,
        "significant_share": significant / networks,
    }
