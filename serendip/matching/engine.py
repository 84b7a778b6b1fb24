"""The Serendipity Machine's index: members' passports (tags, words), what they demonstrated
(answers), and the answer history as arrays. Building, updating, removing and learning live here;
routing a question is in ``routing.py``, whom to meet in ``meeting.py``, the shared snapshot in
``snapshot.py``. Pure numpy/scipy; no Django, no database, no hidden state."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

from .history import ANSWER_KINDS, Evidence, History, build_history, question_blocks
from .intro import IntroModel, fit_intro_model
from .meeting import MeetingMixin
from .routing import RoutingMixin
from .rows import SparseRows
from .types import Feedback, Profile
from .vocab import Relatedness, build_relatedness, clean_tags, content_words, display_names

DIRTY_LIMIT = 2000  # changed rows tolerated before the column index is rebuilt
MATRICES = ("loge", "doc", "offn", "needn", "intn")
ARRAYS = ("recent", "need_sum")


class Engine(RoutingMixin, MeetingMixin):
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
        self._history: list[Feedback] = []
        self._hist = History()
        self.intro_model = IntroModel()
        self._m = {name: SparseRows() for name in MATRICES}
        self._arr = {name: np.zeros(0, dtype=np.float64) for name in ARRAYS}
        self._ok = np.zeros(0, dtype=bool)
        self._columns: dict = {}
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
        # In chunks, so 60k members never hold 60k x 5 Python dicts at once.
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
        for name in ("loge", "doc"):
            self._column_index(name)  # built now, so the first question does not pay for it

    def _refresh(self, row: int) -> None:
        old_words, _ = self._m["doc"].row(row)
        if len(old_words):
            self._wdf[old_words] -= 1.0
        rows, arrays, ok = self._payload(row)
        for name, r in rows.items():
            self._m[name].set_row(row, r)
        new_words, _ = self._m["doc"].row(row)
        if len(new_words):
            self._wdf[new_words] += 1.0
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
        if p is None:
            return {name: {} for name in self._m}, dict.fromkeys(self._arr, 0.0), False
        offers, needs, interests = self._offers[row], self._needs[row], self._interests[row]
        expertise = self._expertise(row)
        top_offer = max(offers.values(), default=1.0)
        top_need = max(needs.values(), default=1.0)
        int_norm = math.sqrt(sum(v * v for v in interests.values())) or 1.0
        rows = {
            # Routing: what the member declared or demonstrated, whichever is stronger.
            "loge": {self._col(c): math.log1p(v) for c, v in expertise.items()},
            "doc": {self._wcol(w): v for w, v in doc_weights(Counter(content_words(p.about))).items()},
            # Whom to meet: the passport only (reasons name what is on it).
            "offn": {self._col(c): v / top_offer for c, v in offers.items()},
            "needn": {self._col(c): v / top_need for c, v in needs.items()},
            "intn": {self._col(c): v / int_norm for c, v in interests.items()},
        }
        arrays = {
            "recent": math.log1p(p.recent_activity),
            "need_sum": sum(v / top_need for v in needs.values()),
        }
        return rows, arrays, p.matchable

    def _expertise(self, row: int) -> dict[str, float]:
        offers = self._offers[row]
        ev = self._evidence.get(self._ids[row] or "")
        if not ev or not ev.answered:
            return offers
        return {c: max(offers.get(c, 0.0), float(ev.answered.get(c, 0))) for c in {*offers, *ev.answered}}

    # ------------------------------------------------------------------ learning

    def learn(self, events: Iterable[Feedback | Mapping]) -> None:
        """Learn from feedback, in the order it happened. Answers become the history that routing
        scores members by (and their demonstrated tags); introductions and meetings retrain the
        introduction model. Deterministic: everything is recomputed from the history kept so far."""
        batch = [e if isinstance(e, Feedback) else Feedback(**e) for e in events]
        if not batch:
            return
        self._history.extend(batch)
        history = self._history
        # Questions' tag sets are the best co-occurrence evidence there is: relearn relatedness.
        # Profiles of members who have answered are left out (their offers echo the tags they
        # answered, which would count the same evidence twice).
        answerers = {e.member for e in history if e.kind in ANSWER_KINDS}
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
        self._hist, self._evidence = build_history(
            history,
            n_rows=len(self._ids),
            row_of=self._row.get,
            col_of=self._col,
            wcol_of=self._wcol,
            concepts_of=lambda tags: list(clean_tags(tags)),
            words_of=content_words,
        )
        self._refresh_all()
        self.intro_model = fit_intro_model(history, self._pair_features_for_learning)


def doc_weights(words: Counter) -> dict[str, float]:
    """Sublinear tf, L2-normalised."""
    w = {t: 1.0 + math.log(c) for t, c in words.items() if c > 0}
    norm = math.sqrt(sum(v * v for v in w.values()))
    return {t: v / norm for t, v in w.items()} if norm else {}


def _kind_docs(tag_sets):
    """One co-occurrence document per kind of a profile: what a member offers, needs and likes.
    Mixing kinds would relate a developer's skills to what they need ("python" ~ "ux research")."""
    for sets in tag_sets:
        for tags in sets:
            if tags:
                yield list(tags)


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


__all__ = ["Engine"]
