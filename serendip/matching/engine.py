"""The Serendipity Machine's index: members' passports (tags, words), what they demonstrated
(answers), and the answer history, all as arrays (so one snapshot can be memory-mapped by every
process, see ``snapshot.py``). Building, updating, removing and learning live here; routing a
question is in ``routing.py``, whom to meet in ``meeting.py``. Pure numpy/scipy; no Django, no
database, no hidden state."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

from .history import ANSWER_KINDS, History, build_history, question_blocks
from .intro import IntroModel, fit_intro_model
from .meeting import MeetingMixin
from .routing import RoutingMixin
from .rows import SparseRows
from .types import Feedback, Profile
from .vocab import Relatedness, build_relatedness, clean_tags, content_words, display_names

DIRTY_LIMIT = 2000  # changed rows tolerated before the column index is rebuilt
PASSPORT_KINDS = ("offers", "needs", "interests")
# Derived from the passports and answers by _refresh_all: the routing tag evidence, and the
# normalised passports whom-to-meet ranking multiplies.
DERIVED = ("loge", "offn", "needn", "intn")
ARRAYS = ("recent", "need_sum")


class TagRows:
    """``view[row]`` -> {concept key: weight} of one member, read from sparse rows."""

    def __init__(self, rows: SparseRows, keys: list[str]) -> None:
        self.rows, self.keys = rows, keys

    def __getitem__(self, row: int) -> dict[str, float]:
        cols, vals = self.rows.row(row)
        keys = self.keys
        return {keys[c]: float(v) for c, v in zip(cols.tolist(), vals.tolist(), strict=True)}


class Engine(RoutingMixin, MeetingMixin):
    """Build with ``Engine.build(profiles)``; see the package docstring for the API."""

    def __init__(self, relatedness: Relatedness) -> None:
        self.relatedness = relatedness
        self._ids: list[str | None] = []
        self._row: dict[str, int] = {}
        self._keys: list[str] = []  # concept column -> key
        self._cols: dict[str, int] = {}
        self._words: list[str] = []
        self._wcols: dict[str, int] = {}
        self._names: dict[str, str] = {}  # concept key -> the network's usual spelling
        self._spelling: dict[int, dict[str, str]] = {}  # row -> the member's own, where it differs
        self._passport = {kind: SparseRows() for kind in PASSPORT_KINDS}
        self._doc = SparseRows()  # the member's "about", sublinear tf, L2-normalised
        self._answered = SparseRows()  # concept -> answers the member gave on it
        self._unindexed: dict[str, dict[str, float]] = {}  # answered counts of answerers not indexed
        self._recent_raw = np.zeros(0, dtype=np.float64)
        self._ok = np.zeros(0, dtype=bool)
        self._wdf = np.zeros(0, dtype=np.float64)
        self._m = {name: SparseRows() for name in DERIVED}
        self._arr = {name: np.zeros(0, dtype=np.float64) for name in ARRAYS}
        self._history: list[Feedback] | None = []  # None: kept in a snapshot, read when needed
        self._history_loader = None
        self.snapshot_meta: dict = {}  # what the writer of a loaded snapshot recorded
        self._hist = History()
        self.intro_model = IntroModel()
        self._columns: dict = {}
        self._dirty: set[int] = set()
        self._views()

    def _views(self) -> None:
        self._offers = TagRows(self._passport["offers"], self._keys)
        self._needs = TagRows(self._passport["needs"], self._keys)
        self._interests = TagRows(self._passport["interests"], self._keys)
        self._answered_view = TagRows(self._answered, self._keys)

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
        rows: dict[str, list[dict[int, float]]] = {kind: [] for kind in PASSPORT_KINDS}
        docs = []
        for r, (p, tags, s) in enumerate(zip(profiles, cleaned, spellings, strict=True)):
            engine._ids.append(p.id)
            engine._row[p.id] = r
            for kind, t in zip(PASSPORT_KINDS, tags, strict=True):
                rows[kind].append({engine._col(c): w for c, w in t.items()})
            docs.append(engine._doc_row(p.about))
            own = engine._own_spellings(s)
            if own:
                engine._spelling[r] = own
        for kind in PASSPORT_KINDS:
            engine._passport[kind] = SparseRows.from_rows(rows[kind])
        engine._doc = SparseRows.from_rows(docs)
        engine._answered = SparseRows.from_rows([{} for _ in profiles])
        engine._recent_raw = np.array([p.recent_activity for p in profiles], dtype=np.float64)
        engine._ok = np.array([p.matchable for p in profiles], dtype=bool)
        engine._views()
        engine._refresh_all()
        return engine

    def update(self, profile: Profile) -> None:
        """Add or replace one member's profile (their learned evidence is kept)."""
        if not isinstance(profile, Profile):
            raise ValueError(f"update expects a Profile, got {type(profile).__name__}")
        tags = (clean_tags(profile.offers), clean_tags(profile.needs), clean_tags(profile.interests))
        s = _spellings(profile)
        for key, name in s.items():
            self._names.setdefault(key, name)
        row = self._row.get(profile.id)
        if row is None:
            row = len(self._ids)
            self._ids.append(profile.id)
            self._row[profile.id] = row
            self._recent_raw = np.append(self._recent_raw, 0.0)
            self._ok = np.append(self._ok, False)
            for name in self._arr:
                self._arr[name] = np.append(self._arr[name], 0.0)
            known = self._unindexed.pop(profile.id, None)
            self._answered.set_row(row, {self._col(c): v for c, v in (known or {}).items()})
        for kind, t in zip(PASSPORT_KINDS, tags, strict=True):
            self._passport[kind].set_row(row, {self._col(c): w for c, w in t.items()})
        self._spelling.pop(row, None)
        own = self._own_spellings(s)
        if own:
            self._spelling[row] = own
        self._set_doc(row, self._doc_row(profile.about))
        self._writable("_recent_raw")[row] = profile.recent_activity
        self._writable("_ok")[row] = profile.matchable
        self._refresh(row)

    def remove(self, member_id: str) -> None:
        """Drop a member from the index; unknown ids are ignored (removing twice is harmless)."""
        row = self._row.pop(str(member_id), None)
        if row is None:
            return
        self._ids[row] = None
        for kind in PASSPORT_KINDS:
            self._passport[kind].set_row(row, {})
        self._spelling.pop(row, None)
        self._set_doc(row, {})
        self._writable("_recent_raw")[row] = 0.0
        self._writable("_ok")[row] = False
        self._refresh(row)

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, member_id: object) -> bool:
        return str(member_id) in self._row

    def _writable(self, attr: str) -> np.ndarray:
        """A small per-member array this process may change (a mapped snapshot's is read-only)."""
        arr = getattr(self, attr)
        if not arr.flags.writeable:
            arr = np.array(arr)
            setattr(self, attr, arr)
        return arr

    def _own_spellings(self, spellings: dict[str, str]) -> dict[str, str]:
        """Only the spellings that differ from the network's usual one (saves a dict per member)."""
        return {k: v for k, v in spellings.items() if self._names.get(k) != v}

    def _col(self, key: str) -> int:
        col = self._cols.get(key)
        if col is None:
            col = self._cols[key] = len(self._keys)
            self._keys.append(key)
        return col

    def _wcol(self, word: str) -> int:
        col = self._wcols.get(word)
        if col is None:
            col = self._wcols[word] = len(self._words)
            self._words.append(word)
            self._wdf = np.append(self._wdf, 0.0)
        return col

    def _doc_row(self, about: str) -> dict[int, float]:
        return {self._wcol(w): v for w, v in doc_weights(Counter(content_words(about))).items()}

    def _set_doc(self, row: int, doc: dict[int, float]) -> None:
        wdf = self._writable("_wdf")
        old, _ = self._doc.row(row)
        if len(old):
            wdf[old] -= 1.0
        self._doc.set_row(row, doc)
        new = np.fromiter(doc, dtype=np.int64, count=len(doc))
        if len(new):
            wdf[new] += 1.0

    def _refresh_all(self) -> None:
        """Recompute the derived rows and the column indexes from passports and answers (array
        operations over the whole index; ``_payload`` is the same for one row)."""
        n = len(self._ids)
        for rows in (*self._passport.values(), self._doc, self._answered):
            if rows.n_rows < n:
                rows.set_row(n - 1, rows.row_dict(n - 1))
            rows.compact()
        n_cols = len(self._keys)
        alive = np.array([pid is not None for pid in self._ids], dtype=bool)
        offers = self._passport["offers"].matrix(n_cols).astype(np.float64)
        answered = self._answered.matrix(n_cols).astype(np.float64)
        expertise = offers.maximum(answered).tocsr()
        expertise.data = np.log1p(expertise.data)
        expertise.eliminate_zeros()
        self._m["loge"] = _rows_of(expertise)
        self._m["offn"] = _rows_of(_scale_rows(offers, _row_max(offers)))
        needs = self._passport["needs"].matrix(n_cols).astype(np.float64)
        needn = _scale_rows(needs, _row_max(needs))
        self._m["needn"] = _rows_of(needn)
        interests = self._passport["interests"].matrix(n_cols).astype(np.float64)
        norms = np.sqrt(np.asarray(interests.multiply(interests).sum(axis=1)).ravel())
        self._m["intn"] = _rows_of(_scale_rows(interests, norms))
        self._arr = {
            "recent": np.where(alive, np.log1p(self._recent_raw), 0.0),
            "need_sum": np.asarray(needn.sum(axis=1), dtype=np.float64).ravel(),
        }
        self._wdf = np.zeros(len(self._words), dtype=np.float64)
        if self._doc.indices.size:
            np.add.at(self._wdf, self._doc.indices, 1.0)
        self._columns = {}
        self._dirty = set()
        for name in ("loge", "doc"):
            self._column_index(name)  # built now, so the first question does not pay for it

    def _refresh(self, row: int) -> None:
        rows, arrays = self._payload(row)
        for name, r in rows.items():
            self._m[name].set_row(row, r)
        for name, value in arrays.items():
            if not self._arr[name].flags.writeable:
                self._arr[name] = np.array(self._arr[name])
            self._arr[name][row] = value
        # The column (inverted) index is rebuilt lazily; until then changed rows are scored from
        # their rows directly, so an update costs one row, not a re-index.
        self._dirty.add(row)
        if len(self._dirty) > DIRTY_LIMIT:
            self._columns = {}
            self._dirty = set()

    def _payload(self, row: int) -> tuple[dict[str, dict[int, float]], dict[str, float]]:
        """The derived rows and values of one member, from their passport and answers."""
        if self._ids[row] is None:
            return {name: {} for name in self._m}, dict.fromkeys(self._arr, 0.0)
        offers = self._passport["offers"].row_dict(row)
        needs = self._passport["needs"].row_dict(row)
        interests = self._passport["interests"].row_dict(row)
        answered = self._answered.row_dict(row)
        # Routing: what the member declared or demonstrated, whichever is stronger.
        expertise = {c: max(offers.get(c, 0.0), answered.get(c, 0.0)) for c in {*offers, *answered}}
        top_offer = max(offers.values(), default=1.0)
        top_need = max(needs.values(), default=1.0)
        int_norm = math.sqrt(sum(v * v for v in interests.values())) or 1.0
        rows = {
            "loge": {c: math.log1p(v) for c, v in expertise.items() if v > 0},
            # Whom to meet: the passport only (reasons name what is on it).
            "offn": {c: v / top_offer for c, v in offers.items()},
            "needn": {c: v / top_need for c, v in needs.items()},
            "intn": {c: v / int_norm for c, v in interests.items()},
        }
        arrays = {
            "recent": math.log1p(self._recent_raw[row]),
            "need_sum": sum(v / top_need for v in needs.values()),
        }
        return rows, arrays

    def _column_index(self, name: str):
        m = self._columns.get(name)
        if m is None:
            rows = self._doc if name == "doc" else self._m[name]
            n_cols = len(self._words) if name == "doc" else len(self._keys)
            m = self._columns[name] = rows.matrix(n_cols).tocsc()
        return m

    # ------------------------------------------------------------------ learning

    def learn(self, events: Iterable[Feedback | Mapping]) -> None:
        """Learn from feedback, in the order it happened. Answers become the history that routing
        scores members by (and their demonstrated tags); introductions and meetings retrain the
        introduction model. Deterministic: everything is recomputed from the history kept so far."""
        batch = [e if isinstance(e, Feedback) else Feedback(**e) for e in events]
        if not batch:
            return
        history = self.history()
        history.extend(batch)
        # Questions' tag sets are the best co-occurrence evidence there is: relearn relatedness.
        # Profiles of members who have answered are left out (their offers echo the tags they
        # answered, which would count the same evidence twice).
        answerers = {e.member for e in history if e.kind in ANSWER_KINDS}
        docs = [
            list(tags)
            for row, pid in enumerate(self._ids)
            if pid is not None and pid not in answerers
            for tags in (self._offers[row], self._needs[row], self._interests[row])
            if tags
        ]
        docs += [list(clean_tags(block[0].tags)) for block in question_blocks(history)]
        for e in history:
            for key, name in display_names(e.tags).items():
                self._names.setdefault(key, name)
        self.relatedness = build_relatedness(docs, self._names)
        self._hist, evidence = build_history(
            history,
            n_rows=len(self._ids),
            row_of=self._row.get,
            col_of=self._col,
            wcol_of=self._wcol,
            concepts_of=lambda tags: list(clean_tags(tags)),
            words_of=content_words,
        )
        self._answered = SparseRows.from_rows(
            [
                {self._col(c): float(v) for c, v in evidence[pid].items()} if pid in evidence else {}
                for pid in self._ids
            ]
        )
        self._unindexed = {m: dict(ev) for m, ev in evidence.items() if m not in self._row}
        self._views()
        self._refresh_all()
        self.intro_model = fit_intro_model(history, self._pair_features_for_learning)

    # ------------------------------------------------------------------ the shared snapshot

    def save(self, directory, *, meta: dict | None = None):
        """Write the index as memory-mappable arrays to a new directory (see ``snapshot.py``)."""
        from .snapshot import save

        return save(self, directory, meta=meta)

    @classmethod
    def load(cls, directory, *, verify: bool = True) -> Engine:
        """Map a snapshot written by ``save``; raises ``SnapshotError`` saying why it cannot."""
        from .snapshot import load

        return load(directory, verify=verify)

    def history(self) -> list[Feedback]:
        """The feedback learned so far, oldest first (read from the snapshot on first use)."""
        if self._history is None:
            self._history = self._history_loader() if self._history_loader else []
        return self._history


def _row_max(m) -> np.ndarray:
    """Largest value of each row (1.0 for an empty row)."""
    out = np.ones(m.shape[0])
    lengths = np.diff(m.indptr)
    nonempty = lengths > 0
    if nonempty.any():
        out[nonempty] = np.maximum.reduceat(m.data, m.indptr[:-1][nonempty])
    return out


def _scale_rows(m, divisors: np.ndarray):
    out = m.copy()
    out.data = out.data / np.repeat(np.where(divisors > 0, divisors, 1.0), np.diff(m.indptr))
    return out


def _rows_of(m) -> SparseRows:
    m = m.tocsr()
    m.sort_indices()
    return SparseRows(m.indptr.astype(np.int64), m.indices.astype(np.int32), m.data.astype(np.float32))


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
