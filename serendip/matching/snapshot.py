"""The index on disk, shared by every process: a directory of ``.npy`` arrays that are opened
with ``mmap_mode="r"`` (the operating system keeps one copy in its page cache, however many
processes map it), plus ``strings.json`` (ids, tag keys and spellings, words), ``history.json``
(the feedback learned from, read only if ``learn`` is called again) and ``header.json``, written
last: format name and version, every file's dtype, shape and CRC-32. No pickle: loading runs no
code from the file. A snapshot of another format version, or a file whose size, shape or checksum
disagrees with the header, is refused with ``SnapshotError`` saying which and why.

A loaded engine is read-only underneath: ``update``/``remove`` keep their rows in a small
in-process overlay (``rows.SparseRows``) and never write to the mapped arrays.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .history import History
from .intro import IntroModel
from .rows import SparseRows
from .types import Feedback
from .vocab import Relatedness

FORMAT = "serendip-matching-index"
VERSION = 1  # bump on any change to what is stored or how it is read
HEADER = "header.json"


class SnapshotError(Exception):
    """The snapshot cannot be used (missing, another version, damaged); the message says why."""


class MappedRelatedness(Relatedness):
    """Tag relatedness read from arrays (neighbour lists of each key, as CSR over ``keys``)."""

    def __init__(self, keys: list[str], rows: SparseRows) -> None:
        super().__init__(neighbours={})
        self._keys, self._rows = keys, rows
        self._index = {k: i for i, k in enumerate(keys)}

    def similar(self, key: str) -> list[tuple[str, float]]:
        i = self._index.get(key)
        if i is None:
            return []
        cols, sims = self._rows.row(i)
        return [
            (self._keys[c], round(float(s), 6)) for c, s in zip(cols.tolist(), sims.tolist(), strict=True)
        ]


def _relatedness_arrays(rel: Relatedness) -> tuple[list[str], SparseRows]:
    if isinstance(rel, MappedRelatedness):
        return rel._keys, rel._rows
    keys = sorted({k for k, v in rel.neighbours.items()} | {o for v in rel.neighbours.values() for o, _ in v})
    index = {k: i for i, k in enumerate(keys)}
    rows = SparseRows.from_rows([{index[o]: s for o, s in rel.neighbours.get(k, [])} for k in keys])
    return keys, rows


def _crc(data: bytes | memoryview) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def save(engine, directory: str | os.PathLike, *, meta: dict | None = None) -> Path:
    """Write the engine to a new directory (which must not exist); returns it."""
    directory = Path(directory)
    if engine._dirty or any(m._over for m in engine._m.values()):
        engine._refresh_all()  # fold in-process updates into plain arrays first
    directory.mkdir(parents=True)
    arrays: dict[str, np.ndarray] = {}

    def rows(prefix: str, r: SparseRows) -> None:
        for part, arr in r.arrays().items():
            arrays[f"{prefix}.{part}"] = arr

    for kind, r in engine._passport.items():
        rows(f"passport_{kind}", r)
    rows("doc", engine._doc)
    rows("answered", engine._answered)
    for name, r in engine._m.items():
        rows(f"m_{name}", r)
    for name in ("qt", "qw", "answers"):
        rows(f"hist_{name}", getattr(engine._hist, name))
    rel_keys, rel_rows = _relatedness_arrays(engine.relatedness)
    rows("related", rel_rows)
    for name in ("loge", "doc"):
        csc = engine._column_index(name)
        arrays[f"csc_{name}.indptr"] = csc.indptr.astype(np.int64)
        arrays[f"csc_{name}.indices"] = csc.indices.astype(np.int32)
        arrays[f"csc_{name}.data"] = csc.data.astype(np.float32)
    for name, arr in engine._arr.items():
        arrays[f"arr_{name}"] = arr
    arrays["recent_raw"] = engine._recent_raw
    arrays["ok"] = engine._ok
    arrays["wdf"] = engine._wdf
    spec = {}
    for name, arr in sorted(arrays.items()):
        arr = np.ascontiguousarray(arr)
        np.save(directory / f"{name}.npy", arr, allow_pickle=False)
        spec[name] = {"dtype": arr.dtype.str, "shape": list(arr.shape), "crc32": _crc(arr.tobytes())}
    im = engine.intro_model
    strings = {
        "ids": engine._ids,
        "keys": engine._keys,
        "words": engine._words,
        "names": engine._names,
        "spelling": {str(r): s for r, s in engine._spelling.items()},
        "unindexed": engine._unindexed,
        "idf": engine._hist.idf,
        "n_answers": engine._hist.n_answers,
        "related_keys": rel_keys,
        "csc_shapes": {name: list(engine._column_index(name).shape) for name in ("loge", "doc")},
        "intro": {
            "weights": None if im.weights is None else [float(w) for w in im.weights],
            "bias": float(im.bias),
            "accepted": dict(im.accepted),
            "declined": dict(im.declined),
        },
    }
    history = [
        {"kind": e.kind, "member": e.member, "other": e.other, "tags": list(e.tags), "text": e.text}
        for e in engine.history()
    ]
    files = {}
    for name, payload in (("strings.json", strings), ("history.json", history)):
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        (directory / name).write_bytes(data)
        files[name] = {"bytes": len(data), "crc32": _crc(data)}
    header = {"format": FORMAT, "version": VERSION, "arrays": spec, "files": files, "meta": meta or {}}
    tmp = directory / (HEADER + ".tmp")
    tmp.write_text(json.dumps(header, indent=1, sort_keys=True))
    tmp.replace(directory / HEADER)
    return directory


def read_header(directory: str | os.PathLike) -> dict:
    path = Path(directory) / HEADER
    try:
        header = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise SnapshotError(f"{path} is missing (an unfinished or deleted snapshot)") from exc
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{path} is unreadable: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise SnapshotError(f"{path} is not a {FORMAT} header")
    if header.get("version") != VERSION:
        raise SnapshotError(
            f"{path} has format version {header.get('version')!r}; this code reads version {VERSION}"
        )
    return header


def _read_json(directory: Path, name: str, spec: dict):
    data = (directory / name).read_bytes()
    if len(data) != spec["bytes"] or _crc(data) != spec["crc32"]:
        raise SnapshotError(f"{directory / name} is damaged (size or CRC-32 differs from the header)")
    return json.loads(data)


def load(directory: str | os.PathLike, *, verify: bool = True):
    """Map a snapshot written by ``save``. ``verify`` checks every array's CRC-32 (reading each
    page once; they stay in the shared page cache)."""
    from .engine import Engine

    directory = Path(directory)
    header = read_header(directory)
    arrays: dict[str, np.ndarray] = {}
    for name, spec in header["arrays"].items():
        path = directory / f"{name}.npy"
        try:
            arr = np.load(path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"{path} is missing or damaged: {exc}") from exc
        if arr.dtype.str != spec["dtype"] or list(arr.shape) != spec["shape"]:
            raise SnapshotError(f"{path} has {arr.dtype.str} {list(arr.shape)}, the header says {spec}")
        if verify and _crc(arr.data if arr.size else b"") != spec["crc32"]:
            raise SnapshotError(f"{path} is damaged (CRC-32 differs from the header)")
        arrays[name] = arr
    try:
        strings = _read_json(directory, "strings.json", header["files"]["strings.json"])
    except (OSError, ValueError, KeyError) as exc:
        raise SnapshotError(f"{directory / 'strings.json'} is missing or damaged: {exc}") from exc

    def rows(prefix: str) -> SparseRows:
        return SparseRows(arrays[f"{prefix}.indptr"], arrays[f"{prefix}.indices"], arrays[f"{prefix}.data"])

    engine = Engine(MappedRelatedness(strings["related_keys"], rows("related")))
    engine._ids = strings["ids"]
    engine._row = {pid: r for r, pid in enumerate(engine._ids) if pid is not None}
    engine._keys = strings["keys"]
    engine._cols = {k: i for i, k in enumerate(engine._keys)}
    engine._words = strings["words"]
    engine._wcols = {w: i for i, w in enumerate(engine._words)}
    engine._names = strings["names"]
    engine._spelling = {int(r): s for r, s in strings["spelling"].items()}
    engine._unindexed = strings["unindexed"]
    engine._passport = {kind: rows(f"passport_{kind}") for kind in ("offers", "needs", "interests")}
    engine._doc = rows("doc")
    engine._answered = rows("answered")
    engine._m = {name: rows(f"m_{name}") for name in ("loge", "offn", "needn", "intn")}
    engine._hist = History(
        qt=rows("hist_qt"),
        qw=rows("hist_qw"),
        answers=rows("hist_answers"),
        idf=strings["idf"],
        n_answers=strings["n_answers"],
    )
    engine._arr = {name: arrays[f"arr_{name}"] for name in ("recent", "need_sum")}
    engine._recent_raw = arrays["recent_raw"]
    engine._ok = arrays["ok"]
    engine._wdf = arrays["wdf"]
    engine._columns = {}
    for name in ("loge", "doc"):
        m = sp.csc_matrix(tuple(strings["csc_shapes"][name]), dtype=np.float32)
        # Assigned, not passed to the constructor: scipy would copy and check the mapped arrays.
        m.data, m.indices, m.indptr = (
            arrays[f"csc_{name}.data"],
            arrays[f"csc_{name}.indices"],
            arrays[f"csc_{name}.indptr"],
        )
        engine._columns[name] = m
    intro = strings["intro"]
    engine.intro_model = IntroModel(
        weights=None if intro["weights"] is None else np.asarray(intro["weights"]),
        bias=intro["bias"],
    )
    engine.intro_model.accepted.update(intro["accepted"])
    engine.intro_model.declined.update(intro["declined"])
    history_spec = header["files"].get("history.json")

    def read_history() -> list[Feedback]:
        return [Feedback(**e) for e in _read_json(directory, "history.json", history_spec)]

    engine._history = None
    engine._history_loader = read_history
    engine.snapshot_meta = header["meta"]
    engine._views()
    return engine
