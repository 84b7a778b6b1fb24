"""The WSGI app `benchmarks/matching_memory.py` runs under gunicorn: Django set up as the
platform's workers have it, and suggestions served from the matching snapshot, mapped on first use
(``MATCHING_APP_MODE=shared``) or read into the worker's own memory (``private``)."""

import json
import os
import random
import time
from pathlib import Path

import django
import numpy as np

django.setup()

from serendip.matching import Engine  # noqa: E402
from serendip.matching.rows import SparseRows  # noqa: E402

_state: dict = {}


def _privatise(engine: Engine) -> None:
    """Copy every mapped array into this process (what a per-process index costs)."""
    rows = [*engine._passport.values(), engine._doc, engine._answered, *engine._m.values()]
    rows += [engine._hist.qt, engine._hist.qw, engine._hist.answers, engine.relatedness._rows]
    for r in rows:
        assert isinstance(r, SparseRows)
        r.indptr, r.indices, r.data = np.array(r.indptr), np.array(r.indices), np.array(r.data)
    for m in engine._columns.values():
        m.indptr, m.indices, m.data = np.array(m.indptr), np.array(m.indices), np.array(m.data)
    engine._arr = {k: np.array(v) for k, v in engine._arr.items()}
    engine._recent_raw, engine._ok, engine._wdf = (
        np.array(a) for a in (engine._recent_raw, engine._ok, engine._wdf)
    )


def _engine() -> Engine:
    if "engine" not in _state:
        path = Path(os.environ["MATCHING_APP_SNAPSHOT"])
        t0, c0 = time.perf_counter(), time.process_time()
        engine = Engine.load(path)
        map_ms, map_cpu_ms = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
        if os.environ.get("MATCHING_APP_MODE") == "private":
            _privatise(engine)
        ids = json.loads((path.parent / "profile_ids.json").read_text())
        _state.update(engine=engine, map_ms=round(map_ms, 1), map_cpu_ms=round(map_cpu_ms, 1), ids=ids)
    return _state["engine"]


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/healthz":
        body = {"ok": True}
    else:
        engine = _engine()
        query = dict(p.split("=", 1) for p in environ.get("QUERY_STRING", "").split("&") if "=" in p)
        rng = random.Random(int(query.get("seed", "0")))
        if path == "/route":
            tags = rng.sample(engine._keys, rng.randint(1, 3))
            got = engine.route(tags=tags, text=f"How do I get started with {tags[0]}?", k=10)
        else:
            present = rng.sample(_state["ids"], 300)
            got = engine.rank_present(present[0], present=present, k=10)
        body = {
            "pid": os.getpid(),
            "map_ms": _state["map_ms"],
            "map_cpu_ms": _state["map_cpu_ms"],
            "n": len(got),
            "reasons": [m.reasons for m in got],
        }
    data = json.dumps(body).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
