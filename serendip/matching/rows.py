"""Sparse rows (CSR arrays) with an in-process overlay: the base arrays may be read-only memory
maps shared by every process (see ``snapshot.py``); ``set_row`` never writes to them, it keeps
the new row in a small overlay that reads consult first. ``compact()`` folds the overlay into new
private arrays (done when the index is rebuilt, or when a full matrix is asked for)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

_EMPTY_I = np.zeros(0, dtype=np.int32)
_EMPTY_F = np.zeros(0, dtype=np.float32)


class SparseRows:
    """Rows of (column, value) pairs; ``matrix(n_cols)`` gives a scipy CSR view (no copy)."""

    def __init__(
        self,
        indptr: np.ndarray | None = None,
        indices: np.ndarray | None = None,
        data: np.ndarray | None = None,
    ) -> None:
        self.indptr = np.zeros(1, dtype=np.int64) if indptr is None else indptr
        self.indices = _EMPTY_I if indices is None else indices
        self.data = _EMPTY_F if data is None else data
        self._over: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._n_rows = len(self.indptr) - 1
        self._cache: sp.csr_matrix | None = None

    @property
    def n_rows(self) -> int:
        return self._n_rows

    @property
    def base_rows(self) -> int:
        return len(self.indptr) - 1

    @classmethod
    def from_rows(cls, rows: list[dict[int, float]]) -> SparseRows:
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        total = int(indptr[-1])
        indices = np.empty(total, dtype=np.int32)
        data = np.empty(total, dtype=np.float32)
        pos = 0
        for r in rows:
            if r:
                cols = sorted(r)
                indices[pos : pos + len(cols)] = cols
                data[pos : pos + len(cols)] = [r[c] for c in cols]
                pos += len(cols)
        return cls(indptr, indices, data)

    @classmethod
    def concat(cls, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> SparseRows:
        """Stack row blocks given as (indptr, indices, data)."""
        if not parts:
            return cls()
        offsets = np.cumsum([0] + [int(p[0][-1]) for p in parts[:-1]])
        indptr = np.concatenate([[0]] + [p[0][1:] + off for p, off in zip(parts, offsets, strict=True)])
        return cls(
            indptr.astype(np.int64),
            np.concatenate([p[1] for p in parts]).astype(np.int32),
            np.concatenate([p[2] for p in parts]).astype(np.float32),
        )

    def dot_rows(self, rows: np.ndarray, vec: np.ndarray) -> np.ndarray:
        """``matrix[rows] @ vec`` without building the sliced matrix (a few hundred rows per call:
        scipy's slicing overhead would cost more than the arithmetic)."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros(len(rows), dtype=np.float64)
        if len(vec) == 0 or len(rows) == 0:
            return out
        in_base = rows < self.base_rows
        total = 0
        if in_base.any():
            base = np.where(in_base, rows, 0)
            starts = self.indptr[base]
            lengths = np.where(in_base, self.indptr[base + 1] - starts, 0)
            total = int(lengths.sum())
        if total:
            # Positions of every stored value of the selected rows, in row order.
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
            cols = self.indices[offsets]
            known = cols < len(vec)
            products = np.where(known, self.data[offsets] * vec[np.minimum(cols, len(vec) - 1)], 0.0)
            owner = np.repeat(np.arange(len(rows)), lengths)
            out = np.bincount(owner, weights=products, minlength=len(rows))
        if self._over:
            for j, r in enumerate(rows.tolist()):
                if r in self._over:
                    cols, vals = self._over[r]
                    known = cols < len(vec)
                    out[j] = float(np.dot(vals[known], vec[cols[known]]))
        return out

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        got = self._over.get(i)
        if got is not None:
            return got
        if i >= self.base_rows:  # a row being appended has no values yet
            return _EMPTY_I, _EMPTY_F
        a, b = self.indptr[i], self.indptr[i + 1]
        return self.indices[a:b], self.data[a:b]

    def row_dict(self, i: int) -> dict[int, float]:
        cols, vals = self.row(i)
        return dict(zip(cols.tolist(), vals.tolist(), strict=True))

    def set_row(self, i: int, row: dict[int, float]) -> None:
        cols = sorted(row)
        self._over[i] = (
            np.asarray(cols, dtype=np.int32),
            np.asarray([row[c] for c in cols], dtype=np.float32),
        )
        self._n_rows = max(self._n_rows, i + 1)
        self._cache = None

    def compact(self) -> None:
        """Fold the overlay into new (private) base arrays."""
        if not self._over and self.base_rows == self._n_rows:
            return
        rows = [self.row(i) for i in range(self._n_rows)]
        lengths = np.fromiter((len(c) for c, _ in rows), dtype=np.int64, count=len(rows))
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        indices = np.concatenate([c for c, _ in rows]).astype(np.int32) if rows else _EMPTY_I
        data = np.concatenate([v for _, v in rows]).astype(np.float32) if rows else _EMPTY_F
        self.indptr, self.indices, self.data = indptr, indices, data
        self._over = {}
        self._cache = None

    def matrix(self, n_cols: int) -> sp.csr_matrix:
        if self._over or self.base_rows != self._n_rows:
            self.compact()
        if self._cache is None or self._cache.shape[1] != n_cols:
            m = sp.csr_matrix((self.n_rows, n_cols), dtype=np.float32)
            # Assigning the arrays directly skips scipy's O(nnz) format checks (and copies).
            m.data, m.indices, m.indptr = self.data, self.indices, self.indptr
            self._cache = m
        return self._cache

    def arrays(self) -> dict[str, np.ndarray]:
        """The compacted CSR arrays, for a snapshot."""
        self.compact()
        return {"indptr": self.indptr, "indices": self.indices, "data": self.data}
