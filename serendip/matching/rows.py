"""A growable sparse row matrix (CSR arrays) whose rows can be replaced in place, so one member's
update costs one splice of the arrays instead of a rebuild of the whole index."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class SparseRows:
    """Rows of (column, value) pairs; ``matrix(n_cols)`` gives a cached scipy CSR view."""

    def __init__(self) -> None:
        self.indptr = np.zeros(1, dtype=np.int64)
        self.indices = np.zeros(0, dtype=np.int32)
        self.data = np.zeros(0, dtype=np.float32)
        self._cache: sp.csr_matrix | None = None

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    @classmethod
    def from_rows(cls, rows: list[dict[int, float]]) -> SparseRows:
        out = cls()
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        out.indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        total = int(out.indptr[-1])
        out.indices = np.empty(total, dtype=np.int32)
        out.data = np.empty(total, dtype=np.float32)
        pos = 0
        for r in rows:
            if r:
                cols = sorted(r)
                out.indices[pos : pos + len(cols)] = cols
                out.data[pos : pos + len(cols)] = [r[c] for c in cols]
                pos += len(cols)
        return out

    @classmethod
    def concat(cls, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> SparseRows:
        """Stack row blocks given as (indptr, indices, data)."""
        out = cls()
        if not parts:
            return out
        offsets = np.cumsum([0] + [int(p[0][-1]) for p in parts[:-1]])
        out.indptr = np.concatenate([[0]] + [p[0][1:] + off for p, off in zip(parts, offsets, strict=True)])
        out.indptr = out.indptr.astype(np.int64)
        out.indices = np.concatenate([p[1] for p in parts]).astype(np.int32)
        out.data = np.concatenate([p[2] for p in parts]).astype(np.float32)
        return out

    def dot_rows(self, rows: np.ndarray, vec: np.ndarray) -> np.ndarray:
        """``matrix[rows] @ vec`` without building the sliced matrix (a few hundred rows per call:
        scipy's slicing overhead would cost more than the arithmetic)."""
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        total = int(lengths.sum())
        if total == 0 or len(vec) == 0:
            return np.zeros(len(rows), dtype=np.float64)
        # Positions of every stored value of the selected rows, in row order.
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        cols = self.indices[offsets]
        known = cols < len(vec)
        products = np.where(known, self.data[offsets] * vec[np.minimum(cols, len(vec) - 1)], 0.0)
        owner = np.repeat(np.arange(len(rows)), lengths)
        return np.bincount(owner, weights=products, minlength=len(rows))

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        if i >= self.n_rows:  # a row being appended has no values yet
            return self.indices[:0], self.data[:0]
        a, b = self.indptr[i], self.indptr[i + 1]
        return self.indices[a:b], self.data[a:b]

    def row_dict(self, i: int) -> dict[int, float]:
        cols, vals = self.row(i)
        return dict(zip(cols.tolist(), vals.tolist(), strict=True))

    def set_row(self, i: int, row: dict[int, float]) -> None:
        cols = sorted(row)
        new_idx = np.asarray(cols, dtype=np.int32)
        new_val = np.asarray([row[c] for c in cols], dtype=np.float32)
        if i == self.n_rows:
            self.indices = np.concatenate([self.indices, new_idx])
            self.data = np.concatenate([self.data, new_val])
            self.indptr = np.append(self.indptr, self.indptr[-1] + len(cols))
        else:
            a, b = int(self.indptr[i]), int(self.indptr[i + 1])
            self.indices = np.concatenate([self.indices[:a], new_idx, self.indices[b:]])
            self.data = np.concatenate([self.data[:a], new_val, self.data[b:]])
            self.indptr[i + 1 :] += len(cols) - (b - a)
        self._cache = None

    def matrix(self, n_cols: int) -> sp.csr_matrix:
        if self._cache is None or self._cache.shape[1] != n_cols:
            m = sp.csr_matrix((self.n_rows, n_cols), dtype=np.float32)
            # Assigning the arrays directly skips scipy's O(nnz) format checks on every query.
            m.data, m.indices, m.indptr = self.data, self.indices, self.indptr
            self._cache = m
        return self._cache
