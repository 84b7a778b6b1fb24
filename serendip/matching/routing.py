"""Routing a question: who, among the members, is most able to answer it.

    score = history (see ``history.py``: decayed past answers x similarity of their questions)
          + PASSPORT * (log tag evidence on the question's tags + RELATED * on related tags)
          + ABOUT * cosine(question words, the member's "about")
          + RECENT * log(1 + answers in the last 30 days)

A member's tag evidence is the larger of what they declared (passport offers) and what they
demonstrated (answers). PASSPORT and RECENT were checked with the history's knobs by leave-one-
site-out validation (BENCHMARKS.md): held out, every site prefers PASSPORT = 0 because there a
passport only repeats the answers; it stays small but positive because on the platform most
members have a passport and no answers. RELATED and ABOUT cannot be validated on the Stack
Exchange data (no "about", no related-tag gold) and are set so that one matching tag and a
matching self-description weigh alike.
Candidates and scores come from inverted (CSC) indexes: only members holding the question's tags
or words, or with a history, are touched.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence

import numpy as np

from .history import question_scores
from .reasons import ReasonList
from .types import Match
from .vocab import clean_tags, content_words, phrase_keys

MAX_QUERY_TAGS = 100
MAX_K = 10_000
TEXT_TAG_WEIGHT = 0.5  # a tag found in the question's words is weaker evidence than a tag the asker chose
PASSPORT = 0.1
RELATED = 0.5
ABOUT = 0.2
RECENT = 0.0  # leave-one-site-out chose 0 on every site: the decayed history already says it
SIMILAR_TITLE = 0.3  # title cosine above which an answered question counts as "similar" in reasons
# Scores within TIE_STEP (relative, 2 %) are a tie broken by a hash of question and member, so
# equally suited experts take turns at the top instead of the same one getting every question.
TIE_STEP = 0.02
TIE_FLOOR = 1e-3


class Query:
    """A question as concepts and words."""

    def __init__(self) -> None:
        self.exact: dict[str, float] = {}
        self.related: dict[str, tuple[float, str]] = {}  # concept -> (weight, question concept)
        self.phrases: dict[str, str] = {}  # concept -> the words of the text it came from
        self.about_words: dict[str, float] = {}  # idf over members' "about", L2-normalised
        self.title_words: dict[str, float] = {}  # idf over answered titles, L2-normalised

    @property
    def empty(self) -> bool:
        return not (self.exact or self.related or self.about_words or self.title_words)


class RoutingMixin:
    def _query(self, tags: Sequence[str], text: str) -> Query:
        q = Query()
        for key in clean_tags(tags, limit=MAX_QUERY_TAGS):
            q.exact[key] = 1.0
        for key, phrase in phrase_keys(text):
            if key in self._cols and key not in q.exact:
                q.exact[key] = TEXT_TAG_WEIGHT
                q.phrases[key] = phrase
        for key, w in list(q.exact.items()):
            for other, sim in self.relatedness.similar(key):
                if other in q.exact or other not in self._cols:
                    continue
                if sim * w > q.related.get(other, (0.0, ""))[0]:
                    q.related[other] = (sim * w, key)
        words = set(content_words(text))
        n = max(1, len(self._row))
        about = {}
        for w in words | {t for key in q.exact for t in content_words(self._names.get(key, key))}:
            col = self._wcols.get(w)
            if col is not None and self._wdf[col] > 0:
                about[w] = math.log((n + 1.0) / (self._wdf[col] + 1.0)) + 1.0
        q.about_words = _normalised(about)
        idf = self._hist.idf
        q.title_words = _normalised({w: idf[w] for w in words if w in idf})
        return q

    def _vec(self, weights: dict[str, float], registry: dict[str, int], size: int) -> np.ndarray:
        v = np.zeros(size, dtype=np.float64)
        for key, w in weights.items():
            col = registry.get(key)
            if col is not None and col < size:
                v[col] = w
        return v

    def _history_scores(self, q: Query) -> tuple[np.ndarray, np.ndarray]:
        """Per past question its similarity score, and per member row the decayed sum over theirs."""
        hist = self._hist
        n = len(self._ids)
        if hist.n_questions == 0:
            return np.zeros(0), np.zeros(n)
        tag_vec = self._vec(q.exact, self._cols, len(self._cols))
        word_vec = self._vec(q.title_words, self._wcols, len(self._wcols))
        s_q = question_scores(hist, tag_vec, word_vec)
        a = hist.answers.matrix(hist.n_questions)
        got = np.asarray(a @ s_q, dtype=np.float64)
        if len(got) == n:
            return s_q, got
        per_row = np.zeros(n)
        per_row[: min(n, len(got))] = got[:n]
        return s_q, per_row

    def _route_scores(self, q: Query) -> tuple[np.ndarray, np.ndarray]:
        """(score per member row, score per past question), through the column indexes."""
        s_q, score = self._history_scores(q)
        if RECENT:
            score += RECENT * self._arr["recent"]
        tags = dict(q.exact)
        for key, (w, _src) in q.related.items():
            tags[key] = tags.get(key, 0.0) + RELATED * w
        dirty = np.asarray(sorted(self._dirty), dtype=np.int64) if self._dirty else None
        before = score[dirty] if dirty is not None else None
        self._add_postings(score, "loge", tags, self._cols, PASSPORT)
        if q.about_words:
            self._add_postings(score, "doc", q.about_words, self._wcols, ABOUT)
        if dirty is not None:
            # Rows changed since the column index was built are scored from their rows.
            score[dirty] = (
                before
                + PASSPORT * self._m["loge"].dot_rows(dirty, self._vec(tags, self._cols, len(self._cols)))
                + ABOUT * self._doc.dot_rows(dirty, self._vec(q.about_words, self._wcols, len(self._wcols)))
            )
        return score, s_q

    def _add_postings(
        self, score: np.ndarray, name: str, weights: dict[str, float], registry: dict[str, int], factor: float
    ) -> None:
        """score += factor * (index column products): walk the posting lists of the few query
        columns by hand (scipy's fancy column indexing costs more in bookkeeping than the sums)."""
        m = self._column_index(name)
        for key, v in weights.items():
            col = registry.get(key)
            if col is None or col >= m.shape[1]:
                continue
            a, b = m.indptr[col], m.indptr[col + 1]
            score[m.indices[a:b]] += (factor * v) * m.data[a:b]

    def route(
        self,
        tags: Iterable[str] | None = None,
        text: str | None = "",
        k: int = 10,
        exclude: Iterable[str] | None = None,
        among: Iterable[str] | None = None,
    ) -> list[Match]:
        """Members most able to answer a question with these tags and text, best first.

        ``among`` (optional) limits the candidates to these ids, e.g. the members present at a
        space today; unknown ids in it are ignored."""
        k = check_k(k)
        tags = _check_tags(tags)
        text = "" if text is None else str(text)
        q = self._query(tags, text)
        if q.empty and not text.strip():
            return []
        if not self._row:
            return []
        raw, s_q = self._route_scores(q)
        allowed = self._ok.copy()
        if among is not None:
            if isinstance(among, str):
                among = [among]
            only = np.zeros_like(allowed)
            rows = [self._row[str(m)] for m in among if str(m) in self._row]
            only[rows] = True
            allowed &= only
        if isinstance(exclude, str):  # one id, not its characters
            exclude = [exclude]
        for member in exclude or ():
            row = self._row.get(str(member))
            if row is not None:
                allowed[row] = False
        n_allowed = int(allowed.sum())
        if not n_allowed:
            return []
        np.maximum(raw, 0.0, out=raw)
        raw[~allowed] = -1.0
        order, bucket = self._top(raw, min(k, n_allowed), q, text)
        out = []
        for r, b in zip(order, bucket, strict=True):
            s = math.exp(b * TIE_STEP)
            why = self._route_reasons(q, r, s_q)
            out.append(Match(id=self._ids[r], score=s / (1.0 + s), reasons=[x.text for x in why], why=why))
        return out

    def _top(self, raw: np.ndarray, k: int, q: Query, text: str) -> tuple[list[int], list[float]]:
        """The k best rows (raw >= 0; excluded rows are -1) and their tie buckets: scores within
        TIE_STEP are a tie, broken by a hash of question and member. Buckets are computed only for
        the rows that can reach the top k (a few, not the whole network)."""
        limit = 20 * k + 1000  # vast ties (few members match, in a huge network): a bounded prefix
        pos = np.flatnonzero(raw > 0.0)  # usually a small share of the network
        if pos.size > k:
            vals = raw[pos]
            kth = float(np.partition(vals, len(vals) - k)[len(vals) - k])
            # Anything within one tie step of the k-th best may share its bucket.
            floor = (kth + TIE_FLOOR) * math.exp(-2 * TIE_STEP) - TIE_FLOOR
            top = (kth + TIE_FLOOR) * math.exp(2 * TIE_STEP) - TIE_FLOOR
            band = pos[(vals >= floor) & (vals <= top)]
            cand = np.concatenate([pos[vals > top], band[:limit]])  # fewer than k above the band
        else:  # every member with a positive score, then ties at zero
            cand = np.concatenate([pos, np.flatnonzero(raw == 0.0)[:limit]])
        bucket = np.round(np.log(raw[cand] + TIE_FLOOR) / TIE_STEP)
        salt = "\x1f".join(sorted(q.exact)) + "\x1e" + text
        tiebreak = [_hash(salt, self._ids[r]) for r in cand]
        order = sorted(range(len(cand)), key=lambda j: (-bucket[j], tiebreak[j]))[:k]
        return [int(cand[j]) for j in order], [float(bucket[j]) for j in order]

    def _route_reasons(self, q: Query, row: int, s_q: np.ndarray) -> tuple:
        """What this member put on their passport or did that bears on the question."""
        answered = self._answered_view[row]
        offers = self._offers[row]
        spelling = self._spelling.get(row, {})
        out = ReasonList()
        for key, w in q.exact.items():
            if answered.get(key):
                n = int(answered[key])
                out.add(w * (2 + n), "answered", tag=self._names.get(key, key), count=n, keys=(key,))
            elif key in offers:
                out.add(w * 2, "offers", tag=spelling.get(key) or self._names.get(key, key), keys=(key,))
        for key, (w, src) in q.related.items():
            if key in offers:
                out.add(
                    w,
                    "offers_related",
                    tag=spelling.get(key) or self._names.get(key, key),
                    other_tag=self._names.get(src, src),
                    keys=(key, src),
                )
            elif answered.get(key):
                n = int(answered[key])
                out.add(w * (1 + n) / 2, "answered", tag=self._names.get(key, key), count=n, keys=(key,))
        if q.title_words and len(s_q):
            a = self._hist.answers
            if row < a.n_rows:
                cols, _ = a.row(row)
                word_vec = self._vec(q.title_words, self._wcols, len(self._wcols))
                cos = self._hist.qw.dot_rows(np.asarray(cols, dtype=np.int64), word_vec) if len(cols) else []
                similar = int(np.sum(np.asarray(cos) >= SIMILAR_TITLE))
                if similar:
                    out.add(1.0 + similar / 2, "similar_questions", count=similar)
        recent = int(self._recent_raw[row])
        if recent >= 1:
            out.add(0.01, "active", count=recent)
        return out.top()


def _normalised(weights: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in weights.values()))
    return {w: v / norm for w, v in sorted(weights.items())} if norm else {}


def check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise ValueError(f"k must be a positive integer, not {k!r}")
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    return min(int(k), MAX_K)


def _check_tags(tags: Iterable[str] | None) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = [tags]
    tags = list(tags)
    if len(tags) > MAX_QUERY_TAGS:
        raise ValueError(f"a question can have at most {MAX_QUERY_TAGS} tags (got {len(tags)})")
    return tags


def _hash(salt: str, member: str | None) -> str:
    return hashlib.blake2b(f"{salt}\x00{member}".encode(), digest_size=8).hexdigest()
