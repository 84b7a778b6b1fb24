"""PURE: effect figures of a hold-out experiment, with 95 % intervals (numpy, no Django).

Each arm's rate of an outcome is a ratio of sums: the outcomes of its members over their
member-days of exposure. Members, not member-days, are the independent units (one member's
days share that member's habits), so the intervals come from a **cluster bootstrap over
members**: resample each arm's members with replacement (the arms' sizes fixed, as the
design fixes them), recompute both rates, their difference and their ratio, and take the
2.5th and 97.5th percentiles of B replicates. A difference is called significant when its
interval excludes 0. `tests/experiments` checks the intervals' coverage on simulated
networks with a known effect and their false-positive rate with none.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

BOOTSTRAP_REPLICATES = 2000
_CHUNK_CELLS = 4_000_000  # replicates x members per chunk: bounds memory at seed scale


@dataclass(frozen=True)
class Interval:
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Effect:
    outcome: str
    rate_suggested: float | None  # outcomes per member-day of exposure
    rate_holdout: float | None
    rate_suggested_ci: Interval
    rate_holdout_ci: Interval
    difference: float | None  # suggested - hold-out
    difference_ci: Interval
    ratio: float | None  # suggested / hold-out
    ratio_ci: Interval
    significant: bool  # the difference's interval excludes 0
    count_suggested: int
    count_holdout: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Analysis:
    members_suggested: int
    members_holdout: int
    member_days_suggested: int
    member_days_holdout: int
    replicates: int
    effects: list[Effect]

    def as_dict(self) -> dict:
        return {**asdict(self), "method": METHOD}


METHOD = (
    "Rates are outcomes per member-day of exposure in each arm. 95% intervals of their difference "
    "and ratio: percentile cluster bootstrap over members, resampled within each arm."
)


def _resampled_sums(rng: np.random.Generator, values: np.ndarray, replicates: int) -> np.ndarray:
    """Column sums of `values` (members x columns) over `replicates` resamples of its rows."""
    n = values.shape[0]
    out = np.empty((replicates, values.shape[1]))
    if n == 0:
        out[:] = 0.0
        return out
    chunk = max(1, min(replicates, _CHUNK_CELLS // n))
    for start in range(0, replicates, chunk):
        b = min(chunk, replicates - start)
        picks = rng.integers(0, n, size=(b, n))
        # How often each member was drawn in each replicate, then one matrix product.
        counts = np.bincount((picks + (np.arange(b) * n)[:, None]).ravel(), minlength=b * n).reshape(b, n)
        out[start : start + b] = counts @ values
    return out


def _ratio(num, den):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _interval(samples: np.ndarray) -> Interval:
    finite = samples[np.isfinite(samples)]
    if len(finite) < 0.9 * len(samples) or not len(finite):
        return Interval(None, None)  # too many replicates with an empty denominator to say
    low, high = np.percentile(finite, [2.5, 97.5])
    return Interval(float(low), float(high))


def _num(x) -> float | None:
    return float(x) if np.isfinite(x) else None


def analyse(
    *,
    exposure: np.ndarray,
    counts: np.ndarray,
    holdout: np.ndarray,
    outcomes: list[str],
    replicates: int = BOOTSTRAP_REPLICATES,
    seed: int = 0,
) -> Analysis:
    """Effect figures from per-member data: `exposure` (member-days, shape n), `counts`
    (outcomes, shape n x len(outcomes)) and `holdout` (bool, shape n). Members without
    exposure are left out (they have no denominator)."""
    exposure = np.asarray(exposure, dtype=float)
    counts = np.asarray(counts, dtype=float).reshape(len(exposure), len(outcomes))
    holdout = np.asarray(holdout, dtype=bool)
    keep = exposure > 0
    rng = np.random.default_rng(seed)
    arms = {}
    for name, mask in (("suggested", keep & ~holdout), ("holdout", keep & holdout)):
        values = np.column_stack([exposure[mask], counts[mask]])
        arms[name] = (values.sum(axis=0), _resampled_sums(rng, values, replicates))
    (s_total, s_boot), (h_total, h_boot) = arms["suggested"], arms["holdout"]
    effects = []
    for k, outcome in enumerate(outcomes, start=1):
        rs, rh = _ratio(s_total[k], s_total[0]), _ratio(h_total[k], h_total[0])
        bs, bh = _ratio(s_boot[:, k], s_boot[:, 0]), _ratio(h_boot[:, k], h_boot[:, 0])
        diff_ci = _interval(bs - bh)
        effects.append(
            Effect(
                outcome=outcome,
                rate_suggested=_num(rs),
                rate_holdout=_num(rh),
                rate_suggested_ci=_interval(bs),
                rate_holdout_ci=_interval(bh),
                difference=_num(rs - rh),
                difference_ci=diff_ci,
                ratio=_num(_ratio(rs, rh)),
                ratio_ci=_interval(_ratio(bs, bh)),
                significant=diff_ci.low is not None and (diff_ci.low > 0 or diff_ci.high < 0),
                count_suggested=int(s_total[k]),
                count_holdout=int(h_total[k]),
            )
        )
    return Analysis(
        members_suggested=int((keep & ~holdout).sum()),
        members_holdout=int((keep & holdout).sum()),
        member_days_suggested=int(s_total[0]),
        member_days_holdout=int(h_total[0]),
        replicates=replicates,
        effects=effects,
    )


def proportion_interval(k: int, n: int) -> Interval:
    """Wilson's 95 % interval for a share k/n (e.g. members whose meetings led to paid work)."""
    if n <= 0:
        return Interval(None, None)
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Interval(float(max(0.0, centre - half)), float(min(1.0, centre + half)))
