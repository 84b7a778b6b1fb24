"""Benchmark the pure transparency-log core at 1,000,000 leaves; prints JSON.

    .venv/bin/python benchmarks/tlog_bench.py [--leaves N] [--runs R] [--proofs P]

Measures (medians over ``--runs`` repetitions): hashing the leaves, building all
tiles in memory (``tiles.MemoryTileStore``), and the latency of inclusion and
consistency proofs computed from tiles held in a dict (p50/p99 over ``--proofs``
random queries per run).  Goal: p99 < 5 ms for proofs at 1M leaves.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from serendip.ledger import tiles, tlog


def _percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def run(leaves: int, proofs: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    t0 = time.perf_counter()
    hashes = [tlog.leaf_hash(i.to_bytes(8, "big")) for i in range(leaves)]
    t1 = time.perf_counter()
    store = tiles.MemoryTileStore()
    store.append_leaf_hashes(hashes)
    t2 = time.perf_counter()

    inc, con = [], []
    for _ in range(proofs):
        size = rng.randint(leaves // 2, leaves)
        index = rng.randrange(size)
        s = time.perf_counter()
        proof = tiles.inclusion_proof(index, size, store.read_tiles)
        inc.append(time.perf_counter() - s)
        old = rng.randint(1, size)
        s = time.perf_counter()
        tiles.consistency_proof(old, size, store.read_tiles)
        con.append(time.perf_counter() - s)
    # Spot-check correctness outside the timed region.
    size = leaves
    tlog.verify_inclusion(
        hashes[index],
        index,
        size,
        tiles.inclusion_proof(index, size, store.read_tiles),
        tiles.root(size, store.read_tiles),
    )
    del proof
    return {
        "hash_leaves_s": t1 - t0,
        "build_tiles_s": t2 - t1,
        "tiles": len(store.tiles),
        "inclusion_p50_ms": _percentile(inc, 0.50) * 1e3,
        "inclusion_p99_ms": _percentile(inc, 0.99) * 1e3,
        "consistency_p50_ms": _percentile(con, 0.50) * 1e3,
        "consistency_p99_ms": _percentile(con, 0.99) * 1e3,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leaves", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--proofs", type=int, default=2000)
    args = ap.parse_args()
    results = [run(args.leaves, args.proofs, seed) for seed in range(args.runs)]
    out: dict[str, object] = {"leaves": args.leaves, "runs": args.runs, "proofs_per_run": args.proofs}
    for key in results[0]:
        out[key] = round(statistics.median(r[key] for r in results), 4)
    out["python"] = sys.version.split()[0]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
