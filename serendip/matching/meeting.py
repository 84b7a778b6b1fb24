"""Whom to meet among those present: a = share of my needs (plus today's focus) met by your offers,
b = share of your needs met by my offers, both through related tags; score = harmonic mean(a, b)
+ 0.25 max(a, b) + 0.3 shared interests (two-sided beats one-sided). Passports only: what a member
answered routes questions to them, but a suggestion to meet names only what they put on their
passport. Learned introduction feedback nudges the score by a factor in [0.5, 1.5]."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from .reasons import ReasonList
from .routing import check_k
from .types import Match
from .vocab import phrase_keys


class MeetingMixin:
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
        k = check_k(k)
        if isinstance(present, str):
            raise ValueError("present must be a collection of member ids, not one string")
        me = self._row.get(str(member))
        if me is None:
            return []
        focus = {str(i): str(t) for i, t in (focus or {}).items() if t}
        rows = sorted({r for r in (self._row.get(str(p)) for p in present) if r is not None and r != me})
        rows = [r for r in rows if self._ok[r]]
        if not rows or self._ids[me] is None:
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
        out = []
        for j in order:
            why = self._pair_reasons(me, rows[j], focus, mine)
            out.append(
                Match(id=self._ids[rows[j]], score=float(score[j]), reasons=[r.text for r in why], why=why)
            )
        return out

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
        offers = self._offers[row]
        top = max(offers.values(), default=1.0)
        vec = {c: (v / top, c) for c, v in offers.items() if v > 0}
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
    ) -> tuple:
        """Tags on the other member's passport that meet mine (or today's focus), and back."""
        my_id, their_id = self._ids[me], self._ids[them]
        my_sp, their_sp = self._spelling.get(me, {}), self._spelling.get(them, {})

        def name(sp: dict[str, str], key: str) -> str:
            return sp.get(key) or self._names.get(key, key)

        my_focus = self._focus_keys(focus.get(my_id, "")) if focus.get(my_id) else {}
        their_focus = self._focus_keys(focus.get(their_id, "")) if focus.get(their_id) else {}
        out = ReasonList()
        their_offers = self._offers[them]
        top = max(their_offers.values(), default=1.0)
        need_vec, _, _ = mine
        for c, (w, src) in need_vec.items():
            if c not in their_offers:
                continue
            strength = w * their_offers[c] / top
            from_focus = src in my_focus and src not in self._needs[me]
            if src == c:
                kind = "offers_focus" if from_focus else "offers_need"
                out.add(strength + 1, kind, tag=name(their_sp, c), keys=(c,))
            else:
                kind = "offers_focus_related" if from_focus else "offers_need_related"
                out.add(strength, kind, tag=name(their_sp, c), other_tag=name(my_sp, src), keys=(c, src))
        my_offers = self._offers[me]
        their_needs, _ = self._need_vector(them, focus.get(their_id))
        for c, (w, src) in their_needs.items():
            if c not in my_offers:
                continue
            from_focus = src in their_focus and src not in self._needs[them]
            if src == c:
                kind = "focus_offer" if from_focus else "needs_offer"
                out.add(w + 1, kind, tag=name(their_sp, src), keys=(c,))
            else:
                kind = "focus_offer_related" if from_focus else "needs_offer_related"
                out.add(w, kind, tag=name(their_sp, src), other_tag=name(my_sp, c), keys=(src, c))
        for c in sorted(set(self._interests[me]) & set(self._interests[them])):
            out.add(0.5, "shared_interest", tag=name(their_sp, c), keys=(c,))
        return out.top()


def _pair_matrix(parts: dict[str, np.ndarray]) -> np.ndarray:
    return np.column_stack([parts["a"], parts["b"], parts["harmonic"], parts["shared"]])
