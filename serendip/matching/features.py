"""Route features: what the engine knows about a member's fit for a question, computed the same way
when training on past questions (from the history as it stood then) and when routing a new one."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

ROUTE_FEATURES = (
    "exact",  # question tags the member has answered / offers, log counts
    "share",  # how much of the member's expertise those tags are (a specialist vs a generalist)
    "related",  # related tags (co-occurrence, spelling, acronyms) the member has
    "text",  # question words vs the titles the member answered before and their "about"
    "pop",  # log of the member's total tag evidence (how much they answer at all)
    "recent",  # log of recent activity: active members answer, dormant ones do not
    "accepted",  # log of accepted answers
    "acc_rate",  # smoothed share of the member's answers that were accepted
    "tag_acc",  # accepted answers on the question's tags
    "any_tag",  # 1 if the member has any of the question's tags
    "idle",  # log of how many answers the network has seen since the member's last one
    "lm",  # language-model expert finding: log P(question tags | member), Dirichlet-smoothed
)

# Dirichlet prior strength of the "lm" feature, in answers: a member with 3 answers on a tag is
# trusted about as much as the network's overall tag distribution.
LM_ALPHA = 3.0

# Used until feedback has taught the engine better (a new network): topic first, then activity.
DEFAULT_WEIGHTS = np.array([1.0, 2.0, 0.5, 1.5, 0.3, 0.4, 0.1, 0.0, 0.5, 0.5, 0.0, 0.0])
DEFAULT_BIAS = -3.0


@dataclass
class Query:
    """A question as concepts and words: ``exact`` concept -> weight, ``related`` concept ->
    (weight, query concept it came from), ``words`` word -> weight (idf, L2-normalised)."""

    exact: dict[str, float] = field(default_factory=dict)
    related: dict[str, tuple[float, str]] = field(default_factory=dict)
    words: dict[str, float] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)  # concept -> the words of the text it came from
    # concept -> its share of all tag evidence in the network (for "lm"); set by whoever scores
    tag_p: dict[str, float] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.exact or self.related or self.words)


@dataclass
class Evidence:
    """What a member has demonstrated through feedback (answers, accepted answers)."""

    answered: Counter = field(default_factory=Counter)  # concept -> answers on it
    accepted: Counter = field(default_factory=Counter)  # concept -> accepted answers on it
    words: Counter = field(default_factory=Counter)  # title word -> count, answered questions
    n_answers: int = 0
    n_accepted: int = 0
    last_answer: int = -1  # position of the member's latest answer in the network's answer stream

    def add_answer(self, concepts: list[str], words: list[str], position: int = -1) -> None:
        self.n_answers += 1
        self.last_answer = max(self.last_answer, position)
        self.answered.update(concepts)
        self.words.update(set(words))

    def add_accepted(self, concepts: list[str]) -> None:
        self.n_accepted += 1
        self.accepted.update(concepts)


def doc_weights(words: Counter) -> dict[str, float]:
    """Sublinear tf, L2-normalised: a member who answered 50 espresso questions is not 50 times
    more "espresso" than one who answered 5."""
    w = {t: 1.0 + math.log(c) for t, c in words.items() if c > 0}
    norm = math.sqrt(sum(v * v for v in w.values()))
    return {t: v / norm for t, v in w.items()} if norm else {}


def acc_rate(n_accepted: float, n_answers: float) -> float:
    return (n_accepted + 0.5) / (n_answers + 2.0)


def scalar_features(
    q: Query,
    expertise: dict[str, float],
    accepted: dict[str, float],
    doc: dict[str, float],
    *,
    n_accepted: float,
    n_answers: float,
    recent: float,
    idle: float,
) -> list[float]:
    """Route features of one member, from plain dicts (the training path; the index computes the
    same numbers with sparse matrices, and a test checks they agree)."""
    total = sum(expertise.values())
    exact = sum(w * math.log1p(expertise.get(c, 0.0)) for c, w in q.exact.items())
    share = sum(w * expertise.get(c, 0.0) for c, w in q.exact.items()) / (total + 1.0)
    related = sum(w * math.log1p(expertise.get(c, 0.0)) for c, (w, _src) in q.related.items())
    text = sum(w * doc.get(t, 0.0) for t, w in q.words.items())
    tag_acc = sum(w * math.log1p(accepted.get(c, 0.0)) for c, w in q.exact.items())
    return [
        exact,
        share,
        related,
        text,
        math.log1p(total),
        math.log1p(recent),
        math.log1p(n_accepted),
        acc_rate(n_accepted, n_answers),
        tag_acc,
        1.0 if exact > 0 else 0.0,
        math.log1p(idle),
        lm_score(q, expertise, total),
    ]


def tag_probabilities(q: Query, totals, grand: float, n_concepts: int) -> dict[str, float]:
    """Share of the network's tag evidence per query concept, add-one smoothed."""
    denom = grand + max(1, n_concepts)
    return {c: (float(totals(c)) + 1.0) / denom for c in q.exact}


def lm_score(q: Query, expertise: dict[str, float], total: float) -> float:
    """sum_t w_t log P(t | member) up to a per-question constant, with P(t | member) =
    (e(t) + alpha p(t)) / (E + alpha): rare tags a member knows count most, and a generalist's
    evidence is spread thin."""
    score = 0.0
    for c, w in q.exact.items():
        e = expertise.get(c, 0.0)
        if e > 0:
            score += w * math.log1p(e / (LM_ALPHA * q.tag_p[c]))
    return score - sum(q.exact.values()) * math.log1p(total / LM_ALPHA)


def idle_count(ev: Evidence | None, answers_seen: int) -> float:
    """Answers the network has seen since this member's last one (all of them if none)."""
    if ev is None or ev.last_answer < 0:
        return float(answers_seen + 1)
    return float(answers_seen - 1 - ev.last_answer)
