"""The answer history as arrays, for routing by past questions.

Routing scores a member by the questions they answered before, each weighted by how recent the
answer is and how much the old question resembles the new one:

    score(member, q) = sum over their answers i of d_i * (ACTIVITY + shared_tags(q, i) + TEXT * cos(q, i))

where d_i = exp(-age_i / tau), age_i counts the answers the network has seen since answer i, and
tau = DECAY_SHARE of the answers in the history. This is the reference protocol's "recent" baseline
(decayed activity plus shared tags) with the question's title added as a second channel: titles
carry what tags miss. Three knobs, chosen by leave-one-site-out validation (BENCHMARKS.md); the
same values sit on a plateau on every site, which is why they are fixed priors and not fitted.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .rows import SparseRows
from .types import Feedback

ANSWER_KINDS = ("answer_given", "answer_accepted")
DECAY_SHARE = 0.15  # tau, as a share of the history's answers: evidence fades as the network moves on
ACTIVITY = 0.3  # an answer counts this much whatever it was about (active members answer)
TEXT = 2.0  # weight of title similarity relative to one shared tag
# Per-network learning of the decay, shrunk to the prior: the network's own past is replayed at
# rolling origins (VALIDATION_CUTS of its questions), each later question ranked by what came
# before it, for tau = DECAY_SHARE times each of DECAY_CHOICES. Another tau replaces the prior only
# with at least MIN_VALIDATION questions whose answerer had answered before, and an MRR at least
# MARGIN (relative) above the prior's: on thin or ambiguous evidence the prior stands.
# Off: measured on the three sites it moved the decay in 5 of 15 cuts and lowered engine/recent
# on every site (geometric mean 1.245 -> 1.222): a network's recent past did not predict which
# decay suits its next questions better than the prior does (BENCHMARKS.md).
LEARN_DECAY = False
DECAY_CHOICES = (0.5, 1.0, 2.0)
VALIDATION_CUTS = (0.6, 0.7, 0.8, 0.9)
MIN_VALIDATION = 50
MARGIN = 0.05


@dataclass
class History:
    """Question x concept, question x word (tf-idf over titles, L2-normalised) and member x question
    (decayed answers) matrices, plus the title words' idf."""

    qt: SparseRows = field(default_factory=SparseRows)
    qw: SparseRows = field(default_factory=SparseRows)
    answers: SparseRows = field(default_factory=SparseRows)
    idf: dict[str, float] = field(default_factory=dict)
    n_answers: int = 0
    decay_share: float = DECAY_SHARE
    validation: dict = field(default_factory=dict)  # what the choice of decay was based on

    @property
    def n_questions(self) -> int:
        return self.qt.n_rows


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


def build_history(
    history: Sequence[Feedback],
    *,
    n_rows: int,
    row_of: Callable[[str], int | None],
    col_of: Callable[[str], int],
    wcol_of: Callable[[str], int],
    concepts_of: Callable[[Sequence[str]], list[str]],
    words_of: Callable[[str], list[str]],
    decay_share: float | None = None,
) -> tuple[History, dict[str, Counter]]:
    """Replay the answer events in order: the history matrices, and per member the answers they
    gave per concept (what they demonstrated, for reasons and for tag evidence)."""
    blocks = question_blocks(history)
    evidence: dict[str, Counter] = {}
    q_tags: list[dict[int, float]] = []
    q_words: list[list[str]] = []
    answers: list[tuple[int, int, int]] = []  # (member row, question, position in the answer stream)
    every: list[tuple[int, int, int]] = []  # the same for every answerer, indexed or not (validation)
    local: dict[str, int] = {}
    df: Counter = Counter()
    position = 0
    for j, block in enumerate(blocks):
        head = block[0]
        concepts = concepts_of(head.tags)
        words = sorted(set(words_of(head.text)))
        q_tags.append({col_of(c): 1.0 for c in concepts})
        q_words.append(words)
        df.update(words)
        given = {e.member for e in block if e.kind == "answer_given"}
        accepted = {e.member for e in block if e.kind == "answer_accepted"}
        for member in sorted(given | accepted):  # accepted without an answer event: still an answer
            evidence.setdefault(member, Counter()).update(concepts)
            row = row_of(member)
            if row is not None:
                answers.append((row, j, position))
            every.append((local.setdefault(member, len(local)), j, position))
            position += 1
    n_q = len(blocks)
    idf = {w: math.log((n_q + 1.0) / (c + 1.0)) + 1.0 for w, c in df.items()}
    qw_rows = []
    for words in q_words:
        norm = math.sqrt(sum(idf[w] ** 2 for w in words)) or 1.0
        qw_rows.append({wcol_of(w): idf[w] / norm for w in words})
    qt, qw = SparseRows.from_rows(q_tags), SparseRows.from_rows(qw_rows)
    validation: dict = {}
    if decay_share is None:
        decay_share = DECAY_SHARE
        if LEARN_DECAY:
            decay_share, validation = choose_decay_share(qt, qw, every, n_members=len(local))
    tau = max(1.0, decay_share * position)
    per_member: list[dict[int, float]] = [{} for _ in range(n_rows)]
    for row, j, pos in answers:
        d = math.exp(-(position - pos) / tau)
        per_member[row][j] = per_member[row].get(j, 0.0) + d
    hist = History(
        qt=qt,
        qw=qw,
        answers=SparseRows.from_rows(per_member),
        idf=idf,
        n_answers=position,
        decay_share=decay_share,
        validation=validation,
    )
    return hist, evidence


def question_scores(hist: History, tag_vec: np.ndarray, word_vec: np.ndarray) -> np.ndarray:
    """ACTIVITY + shared tags + TEXT * title cosine, for every past question."""
    if hist.n_questions == 0:
        return np.zeros(0)
    s = hist.qt.matrix(len(tag_vec)) @ tag_vec if len(tag_vec) else np.zeros(hist.n_questions)
    if len(word_vec):
        s = s + TEXT * (hist.qw.matrix(len(word_vec)) @ word_vec)
    return ACTIVITY + np.asarray(s, dtype=np.float64)


def choose_decay_share(
    qt: SparseRows, qw: SparseRows, answers: list[tuple[int, int, int]], *, n_members: int
) -> tuple[float, dict]:
    """The decay for this network, by rolling-origin validation on its own past (see
    LEARN_DECAY): returns (decay share, the evidence: questions used and MRR per choice)."""
    n_q = qt.n_rows
    if not answers or n_q < 2:
        return DECAY_SHARE, {"questions": 0}
    n_cols = int(qt.indices.max()) + 1 if qt.indices.size else 1
    n_words = int(qw.indices.max()) + 1 if qw.indices.size else 1
    tags, words = qt.matrix(n_cols), qw.matrix(n_words)
    member = np.fromiter((a[0] for a in answers), dtype=np.int64, count=len(answers))
    question = np.fromiter((a[1] for a in answers), dtype=np.int64, count=len(answers))
    position = np.fromiter((a[2] for a in answers), dtype=np.float64, count=len(answers))
    rr = dict.fromkeys(DECAY_CHOICES, 0.0)
    used = 0
    bounds = [*VALIDATION_CUTS, 1.0]
    for lo, hi in itertools.pairwise(bounds):
        c0, c1 = int(lo * n_q), int(hi * n_q)
        past = question < c0
        if c0 == 0 or c1 <= c0 or not past.any():
            continue
        m, j = member[past], question[past]
        seen = np.zeros(n_members, dtype=bool)
        seen[m] = True
        stream = float(past.sum())
        decays = {
            c: np.exp(-(stream - position[past]) / max(1.0, DECAY_SHARE * c * stream)) for c in DECAY_CHOICES
        }
        sim = (
            ACTIVITY + (tags[:c0] @ tags[c0:c1].T).toarray() + TEXT * (words[:c0] @ words[c0:c1].T).toarray()
        )
        for t in range(c0, c1):
            targets = np.unique(member[(question == t) & (position >= stream)])
            targets = targets[seen[targets]]
            if not len(targets):
                continue
            used += 1
            s_j = sim[j, t - c0]
            for c, d in decays.items():
                score = np.bincount(m, weights=d * s_j, minlength=n_members)
                best = score[targets].max()
                rr[c] += 1.0 / (1.0 + float(np.sum(score[seen] > best)))
    mrr = {c: round(v / used, 4) if used else 0.0 for c, v in rr.items()}
    report = {"questions": used, "mrr_by_tau_multiple": {str(c): v for c, v in mrr.items()}}
    if used < MIN_VALIDATION:
        return DECAY_SHARE, report
    best = max(DECAY_CHOICES, key=lambda c: (mrr[c], c == 1.0))
    if mrr[best] >= mrr[1.0] * (1.0 + MARGIN):
        return DECAY_SHARE * best, report
    return DECAY_SHARE, report
