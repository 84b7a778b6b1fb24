"""The Serendipity Machine: an in-memory index of members' tags, words and demonstrated expertise
that routes questions to the members most able to answer them and ranks whom a member should meet
among those present, with reasons. Pure numpy/scipy; no Django, no database, no hidden state."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from .features import (
    LM_ALPHA,
    ROUTE_FEATURES,
    Evidence,
    Query,
    acc_rate,
    doc_weights,
    idle_count,
    tag_probabilities,
)
from .learn import IntroModel, RouteModel, fit_intro_model, question_blocks, replay, window_size_for
from .rows import SparseRows
from .types import Feedback, Match, Profile
from .vocab import (
    Relatedness,
    build_relatedness,
    clean_tags,
    content_words,
    display_names,
    phrase_keys,
    squash,
)

MAX_QUERY_TAGS = 100
DIRTY_LIMIT = 2000  # changed rows tolerated before the column index is rebuilt
MAX_K = 10_000
TEXT_TAG_WEIGHT = 0.5  # a tag found in the question's words is weaker evidence than a tag the asker chose
MAX_REASONS = 4
# Routing treats log-odds within TIE_STEP as a tie and breaks it by a hash of question and member,
# so equally suited experts take turns at the top instead of the same one getting every question.
TIE_STEP = 0.02


class Engine:
    """Build with ``Engine.build(profiles)``; see the package docstring for the API."""

    def __init__(self, relatedness: Relatedness) -> None:
        self.relatedness = relatedness
        self._ids: list[str | None] = []
        self._row: dict[str, int] = {}
        self._profiles: list[Profile | None] = []
        self._offers: list[dict[str, float]] = []
        self._needs: list[dict[str, float]] = []
        self._interests: list[dict[str, float]] = []
        self._spelling: list[dict[str, str]] = []
        self._names: dict[str, str] = {}
        self._cols: dict[str, int] = {}
        self._wcols: dict[str, int] = {}
        self._wdf = np.zeros(0, dtype=np.float64)
        self._evidence: dict[str, Evidence] = {}
        self._answers_seen = 0
        self._window: Counter = Counter()
        self._history: list[Feedback] = []
        self.route_model = RouteModel()
        self.intro_model = IntroModel()
        self._m = {
            name: SparseRows() for name in ("loge", "share", "logacc", "raw", "doc", "offn", "needn", "intn")
        }
        self._arr = {
            name: np.zeros(0, dtype=np.float64)
            for name in ("pop", "recent", "accepted", "accrate", "idle", "lm_norm", "need_sum", "int_norm")
        }
        self._ok = np.zeros(0, dtype=bool)
        self._colsum = np.zeros(0, dtype=np.float64)  # concept -> total expertise in the network
        self._columns: dict[str, sp.csc_matrix] = {}
        self._dirty: set[int] = set()

    # ------------------------------------------------------------------ building and updating

    @classmethod
    def build(cls, profiles: Iterable[Profile], *, relatedness: Relatedness | None = None) -> Engine:
        """Index the profiles. Pass ``relatedness`` (e.g. ``other.relatedness``) to reuse a learned
        tag-relatedness model instead of learning one from these profiles."""
        profiles = list(profiles)
        seen: set[str] = set()
        for p in profiles:
            if not isinstance(p, Profile):
                raise ValueError(f"Engine.build expects Profile objects, got {type(p).__name__}")
            if p.id in seen:
                raise ValueError(f"duplicate profile id {p.id!r}")
            seen.add(p.id)
        profiles.sort(key=lambda p: p.id)
        cleaned = [(clean_tags(p.offers), clean_tags(p.needs), clean_tags(p.interests)) for p in profiles]
        spellings = [_spellings(p) for p in profiles]
        names = _global_names(spellings)
        if relatedness is None:
            relatedness = build_relatedness(_kind_docs(cleaned), names)
        engine = cls(relatedness)
        engine._names = names
        for key in sorted(names):
            engine._col(key)
        for p, (o, n, i), s in zip(profiles, cleaned, spellings, strict=True):
            engine._append(p, o, n, i, engine._own_spellings(s))
        engine._refresh_all()
        return engine

    def update(self, profile: Profile) -> None:
        """Add or replace one member's profile (their learned evidence is kept)."""
        if not isinstance(profile, Profile):
            raise ValueError(f"update expects a Profile, got {type(profile).__name__}")
        o, n, i = clean_tags(profile.offers), clean_tags(profile.needs), clean_tags(profile.interests)
        s = _spellings(profile)
        for key, name in s.items():
            self._names.setdefault(key, name)
        s = self._own_spellings(s)
        row = self._row.get(profile.id)
        if row is None:
            row = self._append(profile, o, n, i, s)
            for name in self._arr:
                self._arr[name] = np.append(self._arr[name], 0.0)
            self._ok = np.append(self._ok, False)
        else:
            self._profiles[row] = profile
            self._offers[row], self._needs[row], self._interests[row], self._spelling[row] = o, n, i, s
        self._refresh(row)

    def remove(self, member_id: str) -> None:
        """Drop a member from the index; unknown ids are ignored (removing twice is harmless)."""
        row = self._row.pop(str(member_id), None)
        if row is None:
            return
        self._ids[row] = None
        self._profiles[row] = None
        self._offers[row], self._needs[row], self._interests[row], self._spelling[row] = {}, {}, {}, {}
        self._refresh(row)

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, member_id: object) -> bool:
        return str(member_id) in self._row

    def _append(self, p: Profile, o: dict, n: dict, i: dict, s: dict) -> int:
        row = len(self._ids)
        self._ids.append(p.id)
        self._row[p.id] = row
        self._profiles.append(p)
        self._offers.append(o)
        self._needs.append(n)
        self._interests.append(i)
        self._spelling.append(s)
        return row

    def _own_spellings(self, spellings: dict[str, str]) -> dict[str, str]:
        """Only the spellings that differ from the network's usual one (saves a dict per member)."""
        return {k: v for k, v in spellings.items() if self._names.get(k) != v}

    def _col(self, key: str) -> int:
        col = self._cols.get(key)
        if col is None:
            col = self._cols[key] = len(self._cols)
        return col

    def _wcol(self, word: str) -> int:
        col = self._wcols.get(word)
        if col is None:
            col = self._wcols[word] = len(self._wcols)
            self._wdf = np.append(self._wdf, 0.0)
        return col

    def _refresh_all(self) -> None:
        n = len(self._ids)
        parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {name: [] for name in self._m}
        arrays = {name: np.zeros(n, dtype=np.float64) for name in self._arr}
        ok = np.zeros(n, dtype=bool)
        # In chunks, so 60k members never hold 60k x 7 Python dicts at once.
        for start in range(0, n, 4096):
            payloads = [self._payload(r) for r in range(start, min(n, start + 4096))]
            for name in self._m:
                chunk = SparseRows.from_rows([p[0][name] for p in payloads])
                parts[name].append((chunk.indptr, chunk.indices, chunk.data))
            for j, p in enumerate(payloads):
                for name, value in p[1].items():
                    arrays[name][start + j] = value
                ok[start + j] = p[2]
        for name in self._m:
            self._m[name] = SparseRows.concat(parts[name])
        self._arr, self._ok = arrays, ok
        self._wdf = np.zeros(len(self._wcols), dtype=np.float64)
        doc = self._m["doc"]
        if doc.indices.size:
            np.add.at(self._wdf, doc.indices, 1.0)
        self._columns = {}
        self._dirty = set()
        self._colsum = np.zeros(len(self._cols), dtype=np.float64)
        raw = self._m["raw"]
        if raw.indices.size:
            np.add.at(self._colsum, raw.indices, raw.data.astype(np.float64))
        for name in ("loge", "share", "logacc", "raw", "doc"):
            self._column_index(name)  # built now, so the first question does not pay for it

    def _refresh(self, row: int) -> None:
        old_words, _ = self._m["doc"].row(row)
        if len(old_words):
            self._wdf[old_words] -= 1.0
        old_cols, old_vals = self._m["raw"].row(row)
        self._colsum[old_cols] -= old_vals
        rows, arrays, ok = self._payload(row)
        for name, r in rows.items():
            self._m[name].set_row(row, r)
        new_words, _ = self._m["doc"].row(row)
        if len(new_words):
            self._wdf[new_words] += 1.0
        if len(self._colsum) < len(self._cols):
            self._colsum = np.concatenate([self._colsum, np.zeros(len(self._cols) - len(self._colsum))])
        new_cols, new_vals = self._m["raw"].row(row)
        self._colsum[new_cols] += new_vals
        for name, value in arrays.items():
            self._arr[name][row] = value
        self._ok[row] = ok
        # The column (inverted) index is rebuilt lazily; until then changed rows are scored from
        # their rows directly, so an update costs one row, not a re-index.
        self._dirty.add(row)
        if len(self._dirty) > DIRTY_LIMIT:
            self._columns = {}
            self._dirty = set()

    def _payload(self, row: int) -> tuple[dict[str, dict[int, float]], dict[str, float], bool]:
        """Everything the index stores for one member, derived from their profile and evidence."""
        p = self._profiles[row]
        empty = {name: {} for name in self._m}
        if p is None:
            return empty, dict.fromkeys(self._arr, 0.0), False
        ev = self._evidence.get(p.id) or _NO_EVIDENCE
        offers = self._offers[row]
        # Expertise is what the member declared or demonstrated, whichever is stronger.
        if ev.answered:
            expertise = {
                c: max(offers.get(c, 0.0), float(ev.answered.get(c, 0))) for c in {*offers, *ev.answered}
            }
            expertise = {c: v for c, v in expertise.items() if v > 0}
        else:
            expertise = offers
        total = sum(expertise.values())
        top = max(expertise.values(), default=1.0)
        needs, interests = self._needs[row], self._interests[row]
        top_need = max(needs.values(), default=1.0)
        int_norm = math.sqrt(sum(v * v for v in interests.values())) or 1.0
        words = Counter(content_words(p.about))
        if ev.words:
            words.update(ev.words)
        rows = {
            "loge": {self._col(c): math.log1p(v) for c, v in expertise.items()},
            "share": {self._col(c): v / (total + 1.0) for c, v in expertise.items()},
            "logacc": {self._col(c): math.log1p(v) for c, v in ev.accepted.items() if v > 0},
            "raw": {self._col(c): v for c, v in expertise.items()},
            "doc": {self._wcol(w): v for w, v in doc_weights(words).items()},
            "offn": {self._col(c): v / top for c, v in expertise.items()},
            "needn": {self._col(c): v / top_need for c, v in needs.items()},
            "intn": {self._col(c): v / int_norm for c, v in interests.items()},
        }
        arrays = {
            "pop": math.log1p(total),
            "lm_norm": math.log1p(total / LM_ALPHA),
            "recent": math.log1p(max(p.recent_activity, float(self._window.get(p.id, 0)))),
            "accepted": math.log1p(ev.n_accepted),
            "accrate": acc_rate(ev.n_accepted, ev.n_answers),
            "idle": math.log1p(idle_count(self._evidence.get(p.id), self._answers_seen)),
            "need_sum": sum(v / top_need for v in needs.values()),
            "int_norm": 1.0 if interests else 0.0,
        }
        return rows, arrays, p.matchable

    # ------------------------------------------------------------------ learning

    def learn(self, events: Iterable[Feedback | Mapping]) -> None:
        """Learn from feedback, in the order it happened. Answers teach who answers which tags and
        words and retrain the routing model; introductions and meetings retrain the introduction
        model. Deterministic: the models are refitted on the whole history kept so far."""
        batch = [e if isinstance(e, Feedback) else Feedback(**e) for e in events]
        if not batch:
            return
        self._history.extend(batch)
        history = self._history
        # Questions' tag sets are the best co-occurrence evidence there is: relearn relatedness.
        # Profiles of members who have answered are left out: their offers are (or include) the
        # tags they answered, so relating tags through them would let the training replay see
        # which tags that very member answers later on.
        answerers = {e.member for e in history if e.kind in ("answer_given", "answer_accepted")}
        docs = list(
            _kind_docs(
                (o, n, i)
                for pid, o, n, i in zip(self._ids, self._offers, self._needs, self._interests, strict=True)
                if pid is not None and pid not in answerers
            )
        )
        docs += [clean_tags(block[0].tags) for block in question_blocks(history)]
        for e in history:
            for key, name in display_names(e.tags).items():
                self._names.setdefault(key, name)
        self.relatedness = build_relatedness(docs, self._names)
        candidates = sorted(i for i in self._ids if i is not None and self._profiles[self._row[i]].matchable)
        about = {i: Counter(content_words(self._profiles[self._row[i]].about)) for i in candidates}
        n_answers = sum(1 for e in history if e.kind == "answer_given")
        total_recent = sum(p.recent_activity for p in self._profiles if p is not None)
        kwargs = dict(
            candidates=candidates,
            about=about,
            make_query=self._query,
            concepts_of=lambda tags: list(clean_tags(tags)),
            words_of=lambda text: content_words(text),
            window_size=window_size_for(total_recent, n_answers),
            n_concepts=len(self._cols),
        )
        # First the final evidence (so word statistics cover every answered title), then the
        # training pass, which replays the same history question by question.
        final = replay(history, train=False, **kwargs)
        self._evidence = final.evidence
        self._answers_seen = final.answers_seen
        self._window = final.window
        self._refresh_all()
        self.route_model = replay(history, train=True, **kwargs).model
        self.intro_model = fit_intro_model(history, self._pair_features_for_learning)

    # ------------------------------------------------------------------ routing

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
        for key in q.exact:
            words.update(content_words(self._names.get(key, key)))
        n = max(1, len(self._row))
        weights = {}
        for w in sorted(words):
            col = self._wcols.get(w)
            if col is not None and self._wdf[col] > 0:
                weights[w] = math.log((n + 1.0) / (self._wdf[col] + 1.0)) + 1.0
        norm = math.sqrt(sum(v * v for v in weights.values()))
        q.words = {w: v / norm for w, v in weights.items()} if norm else {}
        colsum = self._colsum
        q.tag_p = tag_probabilities(
            q,
            lambda c: colsum[self._cols[c]] if self._cols.get(c, len(colsum)) < len(colsum) else 0.0,
            float(colsum.sum()),
            len(self._cols),
        )
        return q

    def route_features(self, q: Query, rows: np.ndarray | None = None) -> np.ndarray:
        """Route features (columns as ROUTE_FEATURES) for the given rows (default: all rows)."""
        ncol = len(self._cols)
        qvec = np.zeros(ncol, dtype=np.float32)
        rvec = np.zeros(ncol, dtype=np.float32)
        for key, w in q.exact.items():
            col = self._cols.get(key)
            if col is not None:
                qvec[col] = w
        for key, (w, _src) in q.related.items():
            rvec[self._cols[key]] = w
        wvec = np.zeros(len(self._wcols), dtype=np.float32)
        for word, w in q.words.items():
            wvec[self._wcols[word]] = w

        def mv(name: str, vec: np.ndarray, n_cols: int) -> np.ndarray:
            m = self._m[name].matrix(n_cols)
            if rows is not None:
                m = m[rows]
            return np.asarray(m @ vec, dtype=np.float64)

        exact = mv("loge", qvec, ncol)
        arr = self._arr if rows is None else {k: v[rows] for k, v in self._arr.items()}
        return np.column_stack(
            [
                exact,
                mv("share", qvec, ncol),
                mv("loge", rvec, ncol),
                mv("doc", wvec, len(self._wcols)),
                arr["pop"],
                arr["recent"],
                arr["accepted"],
                arr["accrate"],
                mv("logacc", qvec, ncol),
                (exact > 0).astype(np.float64),
                arr["idle"],
                self._lm(q, rows, n_cols=ncol) - sum(q.exact.values()) * arr["lm_norm"],
            ]
        )

    def _column_index(self, name: str) -> sp.csc_matrix:
        m = self._columns.get(name)
        if m is None:
            n_cols = len(self._wcols) if name == "doc" else len(self._cols)
            m = self._columns[name] = self._m[name].matrix(n_cols).tocsc()
        return m

    def _lm(self, q: Query, rows: np.ndarray | None, n_cols: int) -> np.ndarray:
        """The tag part of the "lm" feature: sum_t w_t log(1 + e(t) / (alpha p(t)))."""
        m = self._m["raw"].matrix(n_cols)
        if rows is not None:
            m = m[rows]
        m = m.tocsc()
        out = np.zeros(m.shape[0])
        for key, w in q.exact.items():
            col = self._cols.get(key)
            if col is None or col >= m.shape[1]:
                continue
            a, b = m.indptr[col], m.indptr[col + 1]
            out[m.indices[a:b]] += w * np.log1p(m.data[a:b] / (LM_ALPHA * q.tag_p[key]))
        return out

    def _route_logits(self, q: Query) -> np.ndarray:
        """The routing model's log-odds for every row, through the column index: only members who
        hold the question's tags or words are touched; everyone else gets their prior."""
        model = self.route_model
        w = model.weights / model.scale
        bias = model.bias - float(model.mean @ w)
        a = self._arr
        logit = bias + w[4] * a["pop"] + w[5] * a["recent"] + w[6] * a["accepted"] + w[7] * a["accrate"]
        logit += w[10] * a["idle"]
        n = len(logit)

        def product(name: str, weights: dict[str, float], registry: dict[str, int]) -> np.ndarray:
            # Walk the posting lists of the few query columns by hand: scipy's fancy column
            # indexing costs more in index bookkeeping than the arithmetic itself.
            m = self._column_index(name)
            out = np.zeros(n)
            for key, v in weights.items():
                col = registry.get(key)
                if col is None or col >= m.shape[1]:
                    continue
                a, b = m.indptr[col], m.indptr[col + 1]
                out[m.indices[a:b]] += v * m.data[a:b]
            return out

        exact = product("loge", q.exact, self._cols)
        logit += w[0] * exact + w[9] * (exact > 0)
        logit += w[1] * product("share", q.exact, self._cols)
        logit += w[8] * product("logacc", q.exact, self._cols)
        if q.related:
            logit += w[2] * product("loge", {c: v for c, (v, _) in q.related.items()}, self._cols)
        if q.words:
            logit += w[3] * product("doc", q.words, self._wcols)
        if w[11]:
            raw = self._column_index("raw")
            lm = np.zeros(n)
            for key, v in q.exact.items():
                col = self._cols.get(key)
                if col is None or col >= raw.shape[1]:
                    continue
                a_, b_ = raw.indptr[col], raw.indptr[col + 1]
                lm[raw.indices[a_:b_]] += v * np.log1p(raw.data[a_:b_] / (LM_ALPHA * q.tag_p[key]))
            logit += w[11] * (lm - sum(q.exact.values()) * a["lm_norm"])
        if self._dirty:
            rows = np.asarray(sorted(self._dirty), dtype=np.int64)
            logit[rows] = model.logit(self.route_features(q, rows))
        return logit

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
        k = _check_k(k)
        tags = _check_tags(tags)
        text = "" if text is None else str(text)
        q = self._query(tags, text)
        if not q.exact and not q.words and not text.strip():
            return []
        if not self._row:
            return []
        logits = np.round(self._route_logits(q) / TIE_STEP) * TIE_STEP
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
        if not allowed.any():
            return []
        logits[~allowed] = -np.inf
        order = self._top(logits, k, salt="\x1f".join(sorted(q.exact)) + "\x1e" + text)
        scores = {r: float(1.0 / (1.0 + math.exp(-logits[r]))) for r in order}
        return [Match(id=self._ids[r], score=scores[r], reasons=self._route_reasons(q, r)) for r in order]

    def _top(self, logits: np.ndarray, k: int, salt: str) -> list[int]:
        """Row ids of the k best (finite) log-odds; ties broken by a hash of question and member."""
        finite = int(np.isfinite(logits).sum())
        k = min(k, finite)
        if k == 0:
            return []
        if len(logits) > k:
            kth = np.partition(logits, len(logits) - k)[len(logits) - k]
            cand = np.flatnonzero(logits >= kth)
        else:
            cand = np.flatnonzero(np.isfinite(logits))
        if cand.size > 20 * k + 1000:
            # Vast ties (a question nobody matches, in a huge network): hash only a bounded prefix.
            cand = cand[: 20 * k + 1000]
        tiebreak = [_hash(salt, self._ids[r]) for r in cand]
        order = sorted(range(len(cand)), key=lambda j: (-logits[cand[j]], tiebreak[j]))
        return [int(cand[j]) for j in order[:k]]

    def _route_reasons(self, q: Query, row: int) -> list[str]:
        member = self._ids[row]
        ev = self._evidence.get(member) or Evidence()
        offers = self._offers[row]
        spelling = self._spelling[row]
        reasons: list[tuple[float, str]] = []
        for key, w in q.exact.items():
            n_ans = ev.answered.get(key, 0)
            name = spelling.get(key) or self._names.get(key, key)
            how = f"mentioned as “{q.phrases[key]}”" if key in q.phrases else ""
            if n_ans:
                text = f"Has answered {n_ans} question{'s' if n_ans != 1 else ''} on {name}"
                reasons.append((w * (2 + n_ans), text + (f" ({how})" if how else "")))
            elif key in offers:
                reasons.append((w * 2, f"Offers {name}" + (f" ({how})" if how else "")))
        for key, (w, src) in q.related.items():
            if key in offers or ev.answered.get(key):
                name = spelling.get(key) or self._names.get(key, key)
                asked = self._names.get(src, src)
                reasons.append((w, f"Knows {name}, close to {asked}"))
        cols, vals = self._m["doc"].row(row)
        doc = dict(zip(cols.tolist(), vals.tolist(), strict=True))
        text_score = sum(w * doc.get(self._wcols[t], 0.0) for t, w in q.words.items())
        if text_score > 0.05:
            doc_words = {w for w, _ in Counter(ev.words).most_common()} | set(
                content_words(self._profiles[row].about)
            )
            shared = [w for w in q.words if w in doc_words][:3]
            if shared:
                reasons.append((text_score, "Has answered similar questions (" + ", ".join(shared) + ")"))
        recent = self._profiles[row].recent_activity
        if recent >= 1:
            reasons.append((0.01, f"Active recently ({recent:g} contributions in the last 30 days)"))
        reasons.sort(key=lambda r: -r[0])
        return [r for _, r in reasons[:MAX_REASONS]]

    # ------------------------------------------------------------------ whom to meet

    def rank_present(
        self,
        member: str,
        present: Iterable[str],
        k: int = 10,
        *,
        focus: Mapping[str, str] | None = None,
    ) -> list[Match]:
        """Whom ``member`` should meet among those ``present``, best first, with reasons.

        ``focus`` maps member ids to what they typed at check-in today; it counts as extra needs
        for that day only. Unknown members (the viewer or anyone present) are skipped: they have no
        passport to match on yet.
        """
        k = _check_k(k)
        if isinstance(present, str):
            raise ValueError("present must be a collection of member ids, not one string")
        me = self._row.get(str(member))
        if me is None:
            return []
        focus = {str(i): str(t) for i, t in (focus or {}).items() if t}
        rows = sorted({r for r in (self._row.get(str(p)) for p in present) if r is not None and r != me})
        rows = [r for r in rows if self._ok[r]]
        if not rows or not self._profiles[me]:
            return []
        rows_arr = np.asarray(rows, dtype=np.int64)
        mine = self._side(me, focus)
        parts = self._pair_parts(me, rows_arr, focus, mine)
        score = parts["base"]
        if self.intro_model.weights is not None:
            score = score * self.intro_model.multiplier(_pair_matrix(parts), [self._ids[r] for r in rows])
        score = np.round(score, 9)  # so float noise never decides between equal pairs; ids do
        pos = np.flatnonzero(score > 0)
        if pos.size > k:
            kth = np.partition(score[pos], pos.size - k)[pos.size - k]
            pos = pos[score[pos] >= kth]
        order = sorted(pos.tolist(), key=lambda j: (-score[j], self._ids[rows[j]]))[:k]
        return [
            Match(
                id=self._ids[rows[j]],
                score=float(score[j]),
                reasons=self._pair_reasons(me, rows[j], focus, mine),
            )
            for j in order
        ]

    def _side(self, row: int, focus: Mapping[str, str]) -> tuple[dict, float, dict]:
        """One member's expanded needs (with today's focus), their total, and expanded offers."""
        needs, total = self._need_vector(row, focus.get(self._ids[row]))
        return needs, total, self._offer_vector(row)

    def _focus_keys(self, text: str) -> dict[str, str]:
        return {key: phrase for key, phrase in phrase_keys(text) if key in self._cols}

    def _need_vector(self, row: int, focus_text: str | None) -> tuple[dict[str, tuple[float, str]], float]:
        """A member's needs (plus today's focus), expanded to related tags: concept -> (weight, need)."""
        needs = dict(self._needs[row])
        top = max(needs.values(), default=1.0)
        vec: dict[str, tuple[float, str]] = {c: (w / top, c) for c, w in needs.items()}
        if focus_text:
            for key in self._focus_keys(focus_text):
                vec[key] = (1.0, key)
        total = sum(w for w, _ in vec.values())
        self._expand(vec)
        return vec, total

    def _expand(self, vec: dict[str, tuple[float, str]]) -> None:
        """Add related concepts, weighted by similarity, without overriding the member's own tags."""
        for c, (w, _src) in list(vec.items()):
            for other, sim in self.relatedness.similar(c):
                held = vec.get(other)
                if (held is None or held[1] != other) and sim * w > (held[0] if held else 0.0):
                    vec[other] = (sim * w, c)

    def _offer_vector(self, row: int, *, expand: bool = True) -> dict[str, tuple[float, str]]:
        ev = self._evidence.get(self._ids[row]) or Evidence()
        expertise = {
            c: max(self._offers[row].get(c, 0.0), float(ev.answered.get(c, 0)))
            for c in {*self._offers[row], *ev.answered}
        }
        top = max(expertise.values(), default=1.0)
        vec = {c: (v / top, c) for c, v in expertise.items() if v > 0}
        if expand:
            self._expand(vec)
        return vec

    def _pair_parts(
        self, me: int, rows: np.ndarray, focus: Mapping[str, str], mine: tuple[dict, float, dict]
    ) -> dict[str, np.ndarray]:
        ncol = len(self._cols)
        need_vec, need_total, offer_vec = mine
        nv = np.zeros(ncol, dtype=np.float32)
        for c, (w, _) in need_vec.items():
            if c in self._cols:
                nv[self._cols[c]] = w
        # a: how well your offers meet my needs (share of my needs covered).
        a = self._m["offn"].dot_rows(rows, nv) / max(need_total, 1e-9)
        # b: how well my offers meet your needs (share of your needs covered).
        ov = np.zeros(ncol, dtype=np.float32)
        for c, (w, _) in offer_vec.items():
            if c in self._cols:
                ov[self._cols[c]] = w
        b_num = self._m["needn"].dot_rows(rows, ov)
        b_den = self._arr["need_sum"][rows].copy()
        for j, r in enumerate(rows):
            text = focus.get(self._ids[r])
            if text:
                for key in self._focus_keys(text):
                    b_den[j] += 1.0
                    b_num[j] += offer_vec.get(key, (0.0, ""))[0]
        b = np.where(b_den > 0, b_num / np.maximum(b_den, 1e-9), 0.0)
        a, b = np.clip(a, 0, 1), np.clip(b, 0, 1)
        iv = np.zeros(ncol, dtype=np.float32)
        for c, w in self._m["intn"].row_dict(me).items():
            iv[c] = w
        shared = self._m["intn"].dot_rows(rows, iv)
        harmonic = np.where(a + b > 0, 2 * a * b / np.maximum(a + b, 1e-12), 0.0)
        # Two-sided needs dominate; a one-sided match still counts, but less (RECON-style).
        base = harmonic + 0.25 * np.maximum(a, b) + 0.3 * shared
        return {"a": a, "b": b, "harmonic": harmonic, "shared": shared, "base": base}

    def _pair_features_for_learning(self, member: str, other: str) -> np.ndarray | None:
        me, them = self._row.get(member), self._row.get(other)
        if me is None or them is None or me == them:
            return None
        parts = self._pair_parts(me, np.asarray([them]), {}, self._side(me, {}))
        return _pair_matrix(parts)[0]

    def _pair_reasons(
        self, me: int, them: int, focus: Mapping[str, str], mine: tuple[dict, float, dict]
    ) -> list[str]:
        reasons: list[tuple[float, str]] = []
        my_id, their_id = self._ids[me], self._ids[them]
        my_sp, their_sp = self._spelling[me], self._spelling[them]

        def name(sp: dict[str, str], key: str) -> str:
            return sp.get(key) or self._names.get(key, key)

        my_focus = self._focus_keys(focus.get(my_id, "")) if focus.get(my_id) else {}
        their_focus = self._focus_keys(focus.get(their_id, "")) if focus.get(their_id) else {}
        # Only the other member's own offers can be named ("Offers X"); related tags enter through
        # my needs' expansion, so theirs need not be expanded.
        their_offers = self._offer_vector(them, expand=False)
        need_vec, _, my_offers = mine
        for c, (w, src) in need_vec.items():
            offer = their_offers.get(c)
            if offer is None or offer[1] != c:
                continue
            what = (
                "which you're focusing on today"
                if src in my_focus and src not in self._needs[me]
                else "which you need"
            )
            if src == c:
                reasons.append((w * offer[0] + 1, f"Offers {name(their_sp, c)}, {what}"))
            else:
                reasons.append(
                    (w * offer[0], f"Offers {name(their_sp, c)}, close to {name(my_sp, src)} {what}")
                )
        their_needs, _ = self._need_vector(them, focus.get(their_id))
        for c, (w, src) in their_needs.items():
            offer = my_offers.get(c)
            if offer is None or offer[1] != c:
                continue
            what = "is focusing on today" if src in their_focus and src not in self._needs[them] else "needs"
            if src == c:
                reasons.append((w * offer[0] + 1, f"{_cap(what)} {name(their_sp, src)}, which you offer"))
            else:
                reasons.append(
                    (
                        w * offer[0],
                        f"{_cap(what)} {name(their_sp, src)}, close to {name(my_sp, c)} which you offer",
                    )
                )
        shared = sorted(set(self._interests[me]) & set(self._interests[them]))
        if shared:
            reasons.append((0.5, "You both like " + _join([name(their_sp, c) for c in shared[:3]])))
        reasons.sort(key=lambda r: (-r[0], r[1]))
        out, seen = [], set()
        for _, r in reasons:
            if r not in seen:
                seen.add(r)
                out.append(r)
        return out[:MAX_REASONS]


def _kind_docs(tag_sets):
    """One co-occurrence document per kind of a profile: what a member offers, needs and likes.
    Mixing kinds would relate a developer's skills to what they need ("python" ~ "ux research")."""
    for sets in tag_sets:
        for tags in sets:
            if tags:
                yield list(tags)


def _pair_matrix(parts: dict[str, np.ndarray]) -> np.ndarray:
    return np.column_stack([parts["a"], parts["b"], parts["harmonic"], parts["shared"]])


_NO_EVIDENCE = Evidence()


def _spellings(p: Profile) -> dict[str, str]:
    out: dict[str, str] = {}
    for field in (p.offers, p.needs, p.interests):
        for key, name in display_names(field).items():
            out.setdefault(key, name)
    return out


def _global_names(spellings: list[dict[str, str]]) -> dict[str, str]:
    """The most common spelling of each concept across the network (ties: alphabetical)."""
    counts = Counter(pair for s in spellings for pair in s.items())
    best: dict[str, tuple[int, str]] = {}
    for (key, name), n in counts.items():
        held = best.get(key)
        if held is None or (-n, name) < (-held[0], held[1]):
            best[key] = (n, name)
    return {key: name for key, (_, name) in best.items()}


def _check_k(k: int) -> int:
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


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


__all__ = ["ROUTE_FEATURES", "Engine", "squash"]
