"""Run every benchmark and write benchmarks/results/latest.json (`make bench`).

    .venv/bin/python benchmarks/run_all.py [--quick] [--skip-postgres] [--reuse]
        [--postgres-url postgres://postgres@127.0.0.1:5432/bench] [--runs 3]

Steps, each recorded in the results file (a failing step is recorded, not fatal):

1. the machine (nproc, CPU model, RAM, Python, SQLite and PostgreSQL versions);
2. `serendip simulate` at seed scale (60k members, 207 spaces, 30 countries, 365 days) into a
   fresh SQLite file under var/bench/ and into PostgreSQL database `bench` (recreated with
   psql): wall time, rows/s, check-ins/s (one run each: a run is minutes);
3. insights at seed scale: `stats --refresh --full` time, and the operator and host pages'
   render time (Django test client, median of 5 after a warm-up);
4. HTTP load (benchmarks/http_load.py: gunicorn + wrk, 50 connections, ceiling in the same run)
   on both databases;
5. the hold-out experiment's analysis on each simulated database, and its validation over
   synthetic networks (experiment_effect.py);
6. the other engineers' benchmarks, called as they are: matching_speed.py, routing_quality.py,
   tlog_bench.py and ledger_log.py (if present).

`--quick` uses the demo scale and short runs (a smoke test of the suite, not figures to report);
`--reuse` keeps an existing var/bench/seed.sqlite3 and PostgreSQL `bench` instead of simulating.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "benchmarks" / "results"
BENCH_VAR = ROOT / "var" / "bench"


def env_for(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="serendip.settings",
        SECRET_KEY="benchmark-only-not-secret",
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="false",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        SERENDIP_VAR_DIR=str(BENCH_VAR),
    )
    return env


def sh(cmd: list[str], *, env=None, timeout=3600) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=True)


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(
        next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1]
    )
    import sqlite3

    pg = None
    if shutil.which("psql"):
        try:
            pg = sh(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "show server_version", "test"]
            ).stdout.strip()
        except (subprocess.SubprocessError, OSError):
            pg = None
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
        "load_average_at_start": os.getloadavg(),
        "note": "2 cores shared with other work; the load generator runs on the same machine",
    }


def simulate(database_url: str, scale_args: list[str]) -> dict:
    sh([str(BIN / "serendip"), "migrate", "--no-input", "-v", "0"], env=env_for(database_url))
    t0 = time.perf_counter()
    done = sh([str(BIN / "serendip"), "simulate", *scale_args, "--json"], env=env_for(database_url))
    wall = time.perf_counter() - t0
    out = json.loads(done.stdout)
    rows = sum(out["rows"].values())
    return {
        "command": "serendip simulate " + " ".join(scale_args),
        "wall_seconds": round(wall, 1),
        "simulate_seconds": out["seconds"],
        "stats_refresh_seconds": out["stats_refresh_seconds"],
        "rows": rows,
        "rows_per_second": round(rows / out["seconds"]),
        "checkins": out["checkins"],
        "checkins_per_second": round(out["checkins"] / out["seconds"]),
        "summary": {k: v for k, v in out.items() if k != "rows"},
        "rows_by_table": out["rows"],
    }


PAGES = """
import json, statistics, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.utils import timezone
from serendip.passport.models import Member
from serendip.presence.models import CheckIn
from serendip.insights.selectors import headline_dict

User = get_user_model()
out = {}
t = time.perf_counter(); call_command("stats", "--refresh", "--full", stdout=open("/dev/null", "w"),
    stderr=open("/dev/null", "w")); out["stats_refresh_full_seconds"] = round(time.perf_counter() - t, 2)
t = time.perf_counter(); headline_dict(); out["stats_json_seconds"] = round(time.perf_counter() - t, 3)
op, _ = User.objects.get_or_create(username="bench-operator", defaults={"is_staff": True})
op.is_staff = True; op.save()
Member.objects.get_or_create(user=op, defaults={"display_name": "Bench operator"})
busiest = (CheckIn.objects.filter(date=timezone.now().date()).values("space__slug").annotate(n=Count("id"))
           .order_by("-n").first())
c = Client(); c.force_login(op)
host_path = f"/insights/spaces/{busiest['space__slug']}/"
for name, path in (("operator_page", "/insights/"), ("host_page", host_path)):
    assert c.get(path).status_code == 200
    times = []
    for _ in range(5):
        t = time.perf_counter(); r = c.get(path); times.append(time.perf_counter() - t)
        assert r.status_code == 200
    out[name] = {"path": path, "median_ms": round(statistics.median(times) * 1000, 1),
                 "max_ms": round(max(times) * 1000, 1), "runs": 5}
print(json.dumps(out))
"""


def pages(database_url: str) -> dict:
    done = sh([str(BIN / "python"), "-c", PAGES], env=env_for(database_url))
    return json.loads(done.stdout.strip().splitlines()[-1])


def script_json(args: list[str], *, timeout: int, env=None) -> dict:
    done = sh([str(BIN / "python"), *args], env=env, timeout=timeout)
    text = done.stdout.strip()
    start = text.find("{")
    return json.loads(text[start:])


def recreate_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "test", "-c"]
    sh([*admin, f'DROP DATABASE IF EXISTS "{name}"'])
    sh([*admin, f'CREATE DATABASE "{name}"'])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args()

    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    scale = (
        ["--scale", "demo"]
        if args.quick
        else ["--members", "60000", "--spaces", "207", "--countries", "30", "--days", "365", "--seed", "1"]
    )
    duration = 3 if args.quick else 10
    runs = 1 if args.quick else args.runs
    sqlite_path = BENCH_VAR / ("demo.sqlite3" if args.quick else "seed.sqlite3")
    databases = {"sqlite": f"sqlite:///{sqlite_path}"}
    if not args.skip_postgres:
        databases["postgresql"] = args.postgres_url
    results: dict = {"machine": machine(), "quick": args.quick, "steps": {}}

    def step(name: str, fn):
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            results["steps"][name] = {"ok": True, **fn()}
        except Exception as exc:  # a failed step is a result too
            detail = getattr(exc, "stderr", "") or ""
            results["steps"][name] = {"ok": False, "error": f"{exc}", "stderr": detail[-2000:]}
        results["steps"][name]["step_seconds"] = round(time.perf_counter() - t0, 1)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
        print(f"bench: {name} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)

    def exists(db: str, url: str) -> bool:
        if db == "sqlite":
            return sqlite_path.exists()
        name = url.rsplit("/", 1)[1]
        admin = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc"]
        query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
        return sh([*admin, query, "test"]).stdout.strip() == "1"

    for db, url in databases.items():
        if not (args.reuse and exists(db, url)):
            if db == "sqlite":
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
            else:
                recreate_postgres(url)
            step(f"simulate_{db}", lambda url=url: simulate(url, scale))
        step(f"insights_pages_{db}", lambda url=url: pages(url))
        step(
            f"http_{db}",
            lambda url=url: script_json(
                [
                    "benchmarks/http_load.py",
                    "--database-url",
                    url,
                    "--duration",
                    str(duration),
                    "--runs",
                    str(runs),
                ],
                timeout=1800,
            ),
        )
        step(
            f"experiment_{db}",
            lambda url=url: script_json(
                [
                    "benchmarks/experiment_effect.py",
                    "--database-url",
                    url,
                    "--networks",
                    "0",
                    "--runs",
                    str(runs),
                ],
                timeout=1800,
            ),
        )
    step(
        "experiment_validation",
        lambda: script_json(
            ["benchmarks/experiment_effect.py", "--networks", "50" if args.quick else "200"], timeout=1800
        ),
    )
    bench = ROOT / "benchmarks"
    step(
        "matching_speed",
        lambda: script_json(
            [
                "benchmarks/matching_speed.py",
                "--runs",
                str(runs),
                *(["--members", "5000"] if args.quick else []),
            ],
            timeout=1800,
        ),
    )
    if (bench / "routing_quality.py").exists():
        step("routing_quality", lambda: script_json(["benchmarks/routing_quality.py"], timeout=1800))
    step(
        "tlog_bench",
        lambda: script_json(
            [
                "benchmarks/tlog_bench.py",
                "--runs",
                str(runs),
                *(["--leaves", "100000"] if args.quick else []),
            ],
            timeout=1800,
        ),
    )
    if (bench / "ledger_log.py").exists():
        step(
            "ledger_log",
            lambda: script_json(
                [
                    "benchmarks/ledger_log.py",
                    "--runs",
                    str(runs),
                    *(["--leaves", "100000"] if args.quick else []),
                ],
                timeout=2400,
            ),
        )
    results["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    failed = [k for k, v in results["steps"].items() if not v.get("ok")]
    print(f"bench: wrote {args.out}" + (f"; failed: {', '.join(failed)}" if failed else ""), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
