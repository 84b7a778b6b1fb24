"""Memory of the shared matching index under gunicorn; prints JSON.

    .venv/bin/python benchmarks/matching_memory.py [--members 60000] [--answers 3000] [--workers 4]
        [--requests 400] [--runs 3] [--preload]

Synthesises a seed-scale network (``matching_speed.synthesise``: 60,000 members, ~10 tags each,
3,000 answers learned), writes its snapshot once, then for each mode starts a real gunicorn
(sync workers, 127.0.0.1, a free port) whose WSGI app (``benchmarks/matching_app.py``) sets up
Django (the platform's settings) and serves suggestions from the index: ``/route`` (a question,
k=10) and ``/present`` (rank_present among 300, with reasons). Requests go out until every worker
has served its share, then each worker's memory is read from /proc/<pid>/smaps_rollup:

* USS (Private_Clean + Private_Dirty): what this worker alone holds, i.e. what each worker adds;
* PSS: its fair share of pages shared with the others (the mapped index counts 1/N per worker).

Modes: ``shared`` (the platform: every worker maps the snapshot) and ``private`` (each worker
reads the same arrays into its own memory, as an unpickled per-process index did). Also the time
a worker takes to map the snapshot (CRC-32s checked; wall and CPU time: on a loaded machine the
wall time is mostly waiting for a core). Goal (issue 13): with 4 workers each worker
after the first adds <= 50 MB; mapping <= 200 ms. Medians over ``--runs`` fresh servers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> dict:
    with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=60) as r:
        return json.loads(r.read())


def smaps(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, value = line.partition(":")
        parts = value.split()
        if parts and parts[-1] == "kB":
            out[key.strip()] = int(parts[0]) / 1024
    return {
        "rss_mb": round(out["Rss"], 1),
        "pss_mb": round(out["Pss"], 1),
        "uss_mb": round(out["Private_Clean"] + out["Private_Dirty"], 1),
    }


def serve_once(snapshot: Path, mode: str, workers: int, requests: int, preload: bool, workdir: Path) -> dict:
    port = free_port()
    env = {
        **os.environ,
        "MATCHING_APP_SNAPSHOT": str(snapshot),
        "MATCHING_APP_MODE": mode,
        "DJANGO_SETTINGS_MODULE": "serendip.settings",
        "SECRET_KEY": "benchmark-only-not-secret",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{workdir / 'unused.sqlite3'}",
        "SERENDIP_VAR_DIR": str(workdir),
        "PYTHONPATH": f"{HERE}:{ROOT}",
    }
    cmd = [str(BIN / "gunicorn"), "matching_app:app", "--workers", str(workers), "--bind", f"{HOST}:{port}"]
    cmd += ["--timeout", "120", "--log-level", "warning", *(["--preload"] if preload else [])]
    log = (workdir / "gunicorn.log").open("a")
    proc = subprocess.Popen(
        cmd, env=env, cwd=HERE, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.time() + 120
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({proc.returncode}); see {workdir / 'gunicorn.log'}")
            try:
                get(port, "/healthz")
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.3)
        seen: dict[int, dict] = {}

        def hit(i: int) -> dict:
            return get(port, f"/route?seed={i}" if i % 2 else f"/present?seed={i}")

        t_end = time.time() + 300
        i = 0
        with ThreadPoolExecutor(max_workers=workers * 2) as pool:
            while time.time() < t_end:
                for r in pool.map(hit, range(i, i + requests)):
                    w = seen.setdefault(
                        r["pid"], {"requests": 0, "map_ms": r["map_ms"], "map_cpu_ms": r["map_cpu_ms"]}
                    )
                    w["requests"] += 1
                i += requests
                if len(seen) == workers and min(w["requests"] for w in seen.values()) >= requests // (
                    workers * 4
                ):
                    break
        for pid, w in seen.items():
            w.update(smaps(pid))
        by_uss = sorted(seen.values(), key=lambda w: -w["uss_mb"])
        return {
            "workers": by_uss,
            "requests": i,
            "first_worker_uss_mb": by_uss[0]["uss_mb"],
            "max_added_uss_mb": max(w["uss_mb"] for w in by_uss[1:]) if len(by_uss) > 1 else None,
            "pss_total_mb": round(sum(w["pss_mb"] for w in by_uss), 1),
            "map_ms_max": max(w["map_ms"] for w in by_uss),
            "map_cpu_ms_max": max(w["map_cpu_ms"] for w in by_uss),
        }
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=60_000)
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload (Django imported once)")
    parser.add_argument("--modes", default="shared,private")
    args = parser.parse_args()
    from matching_speed import answer_history, synthesise

    from serendip.matching import Engine

    workdir = Path(tempfile.mkdtemp(prefix="matching-memory-"))
    try:
        profiles, world = synthesise(args.members, 7)
        engine = Engine.build(profiles)
        engine.learn(answer_history(profiles, world, args.answers, 7))
        snapshot = engine.save(workdir / "snapshot")
        (workdir / "profile_ids.json").write_text(json.dumps([p.id for p in profiles]))
        del engine, profiles
        size = round(sum(f.stat().st_size for f in snapshot.iterdir()) / 2**20, 1)
        result = {"benchmark": "matching_memory", "members": args.members, "workers": args.workers}
        result.update({"preload": args.preload, "snapshot_mb": size, "runs": args.runs, "modes": {}})
        for mode in args.modes.split(","):
            runs = [
                serve_once(snapshot, mode, args.workers, args.requests, args.preload, workdir)
                for _ in range(args.runs)
            ]
            result["modes"][mode] = {
                "median_max_added_uss_mb": statistics.median(r["max_added_uss_mb"] for r in runs),
                "median_first_worker_uss_mb": statistics.median(r["first_worker_uss_mb"] for r in runs),
                "median_pss_total_mb": statistics.median(r["pss_total_mb"] for r in runs),
                "median_map_ms_max": statistics.median(r["map_ms_max"] for r in runs),
                "median_map_cpu_ms_max": statistics.median(r["map_cpu_ms_max"] for r in runs),
                "runs": runs,
            }
        shared = result["modes"].get("shared")
        if shared:
            result["goals"] = {"added_uss_mb": 50, "map_ms": 200}
            result["goals_met"] = (
                shared["median_max_added_uss_mb"] <= 50 and shared["median_map_ms_max"] <= 200
            )
        result["load_average_1m"] = round(os.getloadavg()[0], 2)
        print(json.dumps(result, indent=2))
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
