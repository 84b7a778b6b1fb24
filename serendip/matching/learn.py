"""Learning from feedback: replay the answer history in order to build the members' demonstrated
expertise and to train the routing model (logistic regression over route features, each past
question scored against the history *before* it, so it never sees itself), and a small model of
which introductions members accept."""

from __future__ import annotations

import math
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .features import (
    DEFAULT_BIAS,
    DEFAULT_WEIGHTS,
    ROUTE_FEATURES,
    Evidence,
    Query,
    doc_weights,
    idle_count,
    scalar_features,
    tag_probabilities,
)
from .types import Feedback

ANSWER_KINDS = ("answer_given", "answer_accepted")
INTRO_POSITIVE = ("introduction_accepted", "meeting_confirmed")
MIN_TRAINING_QUESTIONS = 10
MAX_TRAINING_QUESTIONS = 3000
MAX_NEGATIVES = 300
# Answerers whose answer was not the accepted one still showed they answer such questions.
OTHER_ANSWERER_WEIGHT = 0.5
PAIRWISE_C = 1.0
SEGMENTINGS = (4, 5, 6)  # the history is cut into this many segments, in turn


@dataclass
class RouteModel:
    """Linear scorer over standardised route features."""

    weights: np.ndarray = field(default_factory=lambda: DEFAULT_WEIGHTS.copy())
    bias: float = DEFAULT_BIAS
    mean: np.ndarray = field(default_factory=lambda: np.zeros(len(ROUTE_FEATURES)))
    scale: np.ndarray = field(default_factory=lambda: np.ones(len(ROUTE_FEATURES)))
    trained_on: int = 0

    def logit(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights + self.bias


@dataclass
class Replay:
    answers_seen: int
    evidence: dict[str, Evidence]
    window: Counter  # member -> answers among the last `window_size` answer events
    model: RouteModel


def question_blocks(history: Sequence[Feedback]) -> list[list[Feedback]]:
    """Group consecutive answer events about the same question (same asker, tags and text)."""
    blocks: list[list[Feedback]] = []
    last_key = None
    for ev in history:
        if ev.kind not in ANSWER_KINDS:
            continue
        key = (ev.other, tuple(ev.tags), ev.text)
        if blocks and key == last_key:
            blocks[-1].append(ev)
        else:
            blocks.append([ev])
        last_key = key
    return blocks


def replay(history: Sequence[Feedback], *, train: bool = True, **kwargs) -> Replay:
    """Rebuild demonstrated expertise from the answer history and (if ``train``) fit the routing
    model on it. Training repeats the replay for several segmentations of the history (see
    ``_replay_once``) and fits one model on all of them: where the cuts fall is arbitrary, and
    averaging over a few placements keeps the model from depending on one of them."""
    if not train:
        once = _replay_once(history, segments=0, **kwargs)
        return Replay(answers_seen=once[0], evidence=once[1], window=once[2], model=RouteModel())
    parts = [_replay_once(history, segments=n, **kwargs) for n in SEGMENTINGS]
    rows = [r for p in parts for r in p[3]]
    labels = [y for p in parts for y in p[4]]
    weights = [w / len(parts) for p in parts for w in p[5]]
    groups = [i * 1_000_000_000 + g for i, p in enumerate(parts) for g in p[6]]
    model = _fit(
        np.asarray(rows, dtype=np.float64),
        np.asarray(labels),
        np.asarray(weights),
        np.asarray(groups),
        max(p[7] for p in parts),
    )
    last = parts[-1]
    return Replay(answers_seen=last[0], evidence=last[1], window=last[2], model=model)


def _replay_once(
    history: Sequence[Feedback],
    *,
    candidates: list[str],
    about: dict[str, Counter],
    make_query: Callable[[Sequence[str], str], Query],
    concepts_of: Callable[[Sequence[str]], list[str]],
    words_of: Callable[[str], list[str]],
    window_size: int,
    n_concepts: int,
    segments: int,
) -> tuple:
    """One pass over the history: (answers seen, evidence, activity window, training rows, labels,
    weights, question ids, questions used). ``segments`` = 0 only accumulates evidence."""
    train = segments > 0
    evidence: dict[str, Evidence] = defaultdict(Evidence)
    recent: deque[str] = deque()
    stream: list[str] = []  # every answer's member, in order
    tag_totals: Counter = Counter()  # concept -> answers on it so far (the "lm" feature's background)
    grand = [0]  # sum of tag_totals, kept as we go
    window: Counter = Counter()
    docs: dict[str, dict[str, float]] = {}
    blocks = question_blocks(history)
    first_trained = max(0, len(blocks) - MAX_TRAINING_QUESTIONS)
    rows: list[list[float]] = []
    labels: list[int] = []
    weights: list[float] = []
    groups: list[int] = []
    n_questions = 0

    def doc_of(member: str) -> dict[str, float]:
        if member not in docs:
            words = (
                about.get(member, Counter()) + evidence[member].words
                if member in evidence
                else about.get(member, Counter())
            )
            docs[member] = doc_weights(words)
        return docs[member]

    def apply(block: list[Feedback]) -> None:
        head = block[0]
        answerers = sorted({e.member for e in block if e.kind == "answer_given"})
        accepted = sorted({e.member for e in block if e.kind == "answer_accepted"})
        concepts = concepts_of(head.tags)
        words = words_of(head.text)
        for member in answerers:
            evidence[member].add_answer(concepts, words, position=len(stream))
            tag_totals.update(concepts)
            grand[0] += len(concepts)
            stream.append(member)
            docs.pop(member, None)
            recent.append(member)
            window[member] += 1
            if len(recent) > window_size:
                old = recent.popleft()
                window[old] -= 1
                if window[old] <= 0:
                    del window[old]
        for member in accepted:
            if member not in answerers:  # accepted without an answer_given event: count the answer too
                evidence[member].add_answer(concepts, words, position=len(stream))
                tag_totals.update(concepts)
                grand[0] += len(concepts)
                stream.append(member)
                docs.pop(member, None)
            evidence[member].add_accepted(concepts)

    # The model is trained the way it is used: the index is built at some moment and then routes
    # the questions that follow, with members' evidence and activity as of that moment. So the
    # history is cut into segments; questions of a segment are scored against the history frozen
    # at the segment's start (never their own answers, never the rest of their segment).
    cuts = {round(len(blocks) * i / segments) for i in range(1, segments)} if train else set()
    pending: list[list[Feedback]] = []
    for b, block in enumerate(blocks):
        if b in cuts:
            for done in pending:
                apply(done)
            pending = []
        head = block[0]
        answerers = sorted({e.member for e in block if e.kind == "answer_given"})
        accepted = sorted({e.member for e in block if e.kind == "answer_accepted"})
        positives = dict.fromkeys(accepted, 1.0)
        for m in answerers:
            positives.setdefault(m, OTHER_ANSWERER_WEIGHT)
        # Train only among members who had answered before, as routing only ever sees members
        # with a history: "has never answered yet" is not a signal the router can use.
        positives = {m: w for m, w in positives.items() if m in evidence}
        if train and b >= first_trained and positives:
            q = make_query(head.tags, head.text)
            q.tag_p = tag_probabilities(q, tag_totals.__getitem__, grand[0], n_concepts)
            if not q.empty:
                pool = [c for c in candidates if c in evidence and c not in positives and c != head.other]
                if len(pool) > MAX_NEGATIVES:
                    rng = np.random.default_rng(b)
                    pool = [pool[i] for i in sorted(rng.choice(len(pool), MAX_NEGATIVES, replace=False))]
                if pool:
                    n_questions += 1
                    pos_weight = sum(positives.values())
                    for member, w in sorted(positives.items()):
                        rows.append(_features(q, member, evidence, doc_of, window, len(stream)))
                        labels.append(1)
                        weights.append(w)
                        groups.append(b)
                    for member in pool:
                        rows.append(_features(q, member, evidence, doc_of, window, len(stream)))
                        labels.append(0)
                        weights.append(pos_weight / len(pool))
                        groups.append(b)
        if train:
            pending.append(block)
        else:
            apply(block)
    for done in pending:
        apply(done)
    return len(stream), dict(evidence), window, rows, labels, weights, groups, n_questions


def _features(
    q: Query, member: str, evidence: dict[str, Evidence], doc_of, window: Counter, answers_seen: int
) -> list[float]:
    ev = evidence.get(member)
    idle = idle_count(ev, answers_seen)
    if ev is None:
        return scalar_features(
            q, {}, {}, doc_of(member), n_accepted=0, n_answers=0, recent=window.get(member, 0), idle=idle
        )
    return scalar_features(
        q,
        ev.answered,
        ev.accepted,
        doc_of(member),
        n_accepted=ev.n_accepted,
        n_answers=ev.n_answers,
        recent=window.get(member, 0),
        idle=idle,
    )


def _fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, groups: np.ndarray, n_questions: int) -> RouteModel:
    """Pairwise learning-to-rank: a logistic regression on feature differences between each
    question's answerers and the members who did not answer it. Comparing within a question
    cancels what is constant for it (how many tags it has, how busy the site was that day)."""
    if n_questions < MIN_TRAINING_QUESTIONS or len(set(y.tolist())) < 2:
        return RouteModel()
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    xs = (x - mean) / scale
    diffs, pair_w = [], []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        pos, neg = idx[y[idx] == 1], idx[y[idx] == 0]
        if not len(pos) or not len(neg):
            continue
        for p in pos:
            diffs.append(xs[p] - xs[neg])
            # Each question counts once, however many members did not answer it. (Weighing up
            # "hard" negatives that share a tag with the question made ranking worse on every
            # Stack Exchange site: whether a member is active at all matters as much.)
            pair_w.append(np.full(len(neg), w[p] / len(neg)))
    d = np.concatenate(diffs)
    pw = np.concatenate(pair_w)
    clf = LogisticRegression(C=PAIRWISE_C, fit_intercept=False, max_iter=2000)
    clf.fit(np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))], sample_weight=np.r_[pw, pw])
    return RouteModel(
        weights=clf.coef_[0].astype(np.float64),
        bias=0.0,
        mean=mean,
        scale=scale,
        trained_on=n_questions,
    )


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


def window_size_for(total_recent_activity: float, n_answer_events: int) -> int:
    """How many of the latest answer events count as "recent" while replaying: as many as the
    profiles' own 30-day activity adds up to, so training and routing mean the same by "recent"."""
    if total_recent_activity > 0:
        return max(10, round(total_recent_activity))
    return max(10, math.ceil(n_answer_events / 10))
