"""Which introductions members accept: a small logistic regression over the pair features of
whom-to-meet ranking plus the other member's past acceptance rate, applied as a nudge."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .history import ANSWER_KINDS
from .types import Feedback

INTRO_POSITIVE = ("introduction_accepted", "meeting_confirmed")


@dataclass
class IntroModel:
    """How likely a member accepts an introduction: a logistic regression over pair features plus the
    other member's past acceptance rate (computed leave-one-out while training)."""

    weights: np.ndarray | None = None
    bias: float = 0.0
    accepted: Counter = field(default_factory=Counter)  # other -> accepted or confirmed
    declined: Counter = field(default_factory=Counter)  # other -> declined

    def rate(self, other: str, *, leave_out: int = 0, leave_out_positive: bool = False) -> float:
        acc = self.accepted.get(other, 0) - (leave_out if leave_out_positive else 0)
        dec = self.declined.get(other, 0) - (0 if leave_out_positive else leave_out)
        return (acc + 1.0) / (acc + dec + 2.0)

    def multiplier(self, pair_features: np.ndarray, others: list[str]) -> np.ndarray:
        """Score factor in [0.5, 1.5]: a re-ranking nudge, never a veto (one bad introduction
        should not hide a member for good)."""
        if self.weights is None:
            return np.ones(len(others))
        rates = np.array([self.rate(o) for o in others])
        x = np.column_stack([pair_features, rates])
        p = 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))
        return 0.5 + p


def fit_intro_model(
    events: Sequence[Feedback], pair_features: Callable[[str, str], np.ndarray | None]
) -> IntroModel:
    model = IntroModel()
    usable = [e for e in events if e.other is not None and e.kind not in ANSWER_KINDS]
    for e in usable:
        if e.kind in INTRO_POSITIVE:
            model.accepted[e.other] += 1
        else:
            model.declined[e.other] += 1
    rows, labels = [], []
    for e in usable:
        f = pair_features(e.member, e.other)  # type: ignore[arg-type]
        if f is None:
            continue
        positive = e.kind in INTRO_POSITIVE
        rate = model.rate(e.other, leave_out=1, leave_out_positive=positive)  # type: ignore[arg-type]
        rows.append([*f.tolist(), rate])
        labels.append(1 if positive else 0)
    if len(rows) >= 10 and len(set(labels)) == 2:
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=0.5, max_iter=2000)
        clf.fit(np.asarray(rows), np.asarray(labels))
        model.weights = clf.coef_[0]
        model.bias = float(clf.intercept_[0])
    return model
