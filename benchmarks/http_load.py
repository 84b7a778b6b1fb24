"""HTTP load on the main endpoints with wrk against a real gunicorn server; prints JSON.

    .venv/bin/python benchmarks/http_load.py --database-url sqlite:////abs/path.sqlite3 \
        [--duration 10] [--connections 50] [--threads 2] [--workers 4] [--runs 3]

The database must hold a simulated network (`serendip simulate`). In one invocation it starts
`gunicorn serendip.wsgi` (sync workers) on 127.0.0.1, warms every worker up (the matching
index is built per process), then runs wrk against, in turn and `--runs` times:

* ceiling   GET /healthz: a bare Django JSON view through the whole middleware stack;
* checkin   POST /api/v1/checkins with bearer tokens: each request a new check-in (a
            different member and date), so every one counts seats under the lock and pays;
* space     GET /spaces/<slug>/ as a signed-in member checked in there today (who is here,
            ranked by the Serendipity Machine), at the busiest space of the day;
* matches   GET /api/v1/me/matches for members checked in today.

Each figure is the median over runs of requests/s and wrk's p50/p99 latency; ratios are to
the ceiling measured in the same invocation. wrk and the server share the machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRK_DIR = Path(__file__).resolve().parent / "wrk"
BIN = ROOT / ".venv" / "bin"


VAR_DIR = Path(tempfile.mkdtemp(prefix="serendip-bench-var-"))  # the matching snapshot, per invocation


def server_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SERENDIP_VAR_DIR=str(VAR_DIR),
        DJANGO_SETTINGS_MODULE="serendip.settings",
        SECRET_KEY="benchmark-only-not-secret",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATIC_MANIFEST="false",
        LOG_LEVEL="ERROR",
    )
    return env


def prepare(database_url: str, workdir: Path, *, run: int, runs: int, members: int) -> dict:
    """Tokens, session cookies and targets, made in the benchmark database (a subprocess, so
    this process never imports Django with another database)."""
    code = f"""
import datetime as dt, json, random
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db.models import Count
from importlib import import_module
from serendip.ledger.models import Account
from serendip.network.models import Space
from serendip.passport.models import Member
from serendip.passport.services import token_create
from serendip.presence.models import CheckIn

rng = random.Random(42)
today = dt.datetime.now(dt.UTC).date()
busiest = (CheckIn.objects.filter(date=today, status__in=["present", "reserved"]).values("space")
           .annotate(n=Count("id")).order_by("-n").first())
space = Space.objects.get(pk=busiest["space"])
here = ["present", "reserved"]
present = list(CheckIn.objects.filter(space=space, date=space.local_today(), status__in=here)
               .values_list("member", flat=True)[:50])
present_anywhere = list(CheckIn.objects.filter(date=today, status__in=["present", "reserved"])
                        .values_list("member", flat=True)[:400])
# Check-in members: rich enough for several seats, nothing booked after today; a disjoint slice per run.
rich = list(Account.objects.filter(kind="member", balance__gte=1500).order_by("member_id")
            .values_list("member_id", flat=True))
booked = set(CheckIn.objects.filter(date__gt=today).values_list("member_id", flat=True))
rich = [m for m in rich if m not in booked]
per_run = min({members}, len(rich) // {runs})
chosen = rich[{run} * per_run:({run} + 1) * per_run]
members = {{m.pk: m for m in Member.objects.filter(pk__in=set(chosen) | set(present) | set(present_anywhere))
           .select_related("user")}}
def token(pk):
    return token_create(user=members[pk].user)[1]
engine = import_module(settings.SESSION_ENGINE)
def cookie(pk):
    s = engine.SessionStore()
    user = members[pk].user
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key
out = {{
    "space_slug": space.slug,
    "space_present": busiest["n"],
    "checkin_tokens": [token(m) for m in chosen],
    "checkin_spaces": list(Space.objects.order_by("-seats", "pk").values_list("pk", flat=True)[:100]),
    "checkin_dates": [(today + dt.timedelta(days=d)).isoformat() for d in range(2, 80)],
    "match_tokens": [token(m) for m in present_anywhere[:200]],
    "space_cookies": [cookie(m) for m in present[:50]],
}}
print(json.dumps(out))
"""
    env = server_env(database_url)
    done = subprocess.run(
        [str(BIN / "python"), "-c", code], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"prepare failed:\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    files = {}
    for key in ("checkin_tokens", "checkin_spaces", "checkin_dates", "match_tokens", "space_cookies"):
        path = workdir / f"{key}.txt"
        path.write_text("\n".join(str(x) for x in data[key]) + "\n")
        files[key] = str(path)
    return {**data, "files": files}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    cmd = [
        str(BIN / "gunicorn"),
        "serendip.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(
        cmd, env=server_env(database_url), cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"gunicorn did not answer on :{port}; see {log}")


def build_snapshot(database_url: str) -> float:
    """`serendip matching rebuild`: workers then load the index from the snapshot."""
    t0 = time.time()
    subprocess.run(
        [str(BIN / "serendip"), "matching", "rebuild"],
        env=server_env(database_url),
        check=True,
        capture_output=True,
    )
    return time.time() - t0


def warm_up(port: int, prep: dict, workers: int) -> float:
    """Load the matching index in every worker before measuring (it is per process): concurrent
    requests, so every worker gets some."""
    from concurrent.futures import ThreadPoolExecutor

    t0 = time.time()
    token = prep["match_tokens"][0] if prep["match_tokens"] else None
    cookie = prep["space_cookies"][0] if prep["space_cookies"] else None

    def hit(i: int) -> None:
        if i % 2 and cookie:
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/spaces/{prep['space_slug']}/",
                headers={"Cookie": f"sessionid={cookie}"},
            )
        else:
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/me/matches", headers={"Authorization": f"Bearer {token}"}
            )
        with urllib.request.urlopen(req, timeout=300) as r:
            r.read()

    if token:
        with ThreadPoolExecutor(workers * 2) as pool:
            list(pool.map(hit, range(workers * 12)))
    return time.time() - t0


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def wrk(url: str, script: str, env: dict, *, duration: int, connections: int, threads: int) -> dict:
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(WRK_DIR / script),
        url,
    ]
    out = subprocess.run(
        cmd,
        env={**os.environ, **env, "BENCH_THREADS": str(threads)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50_ms": _ms(lat["50"]),
        "p99_ms": _ms(lat["99"]),
        "requests": total,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else None,
    }


def median_of(samples: list[dict]) -> dict:
    return {
        "rps": round(statistics.median(s["rps"] for s in samples), 1),
        "p50_ms": round(statistics.median(s["p50_ms"] for s in samples), 2),
        "p99_ms": round(statistics.median(s["p99_ms"] for s in samples), 2),
        "non_2xx": sum(s["non_2xx"] for s in samples),
        "requests": sum(s["requests"] for s in samples),
        "runs": samples,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--members", type=int, default=4000, help="members checking in per run")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="serendip-http-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    results: dict[str, list] = {"ceiling": [], "checkin": [], "space": [], "matches": []}
    proc = None
    try:
        preps = []
        for r in range(args.runs):
            (workdir / str(r)).mkdir()
            preps.append(
                prepare(args.database_url, workdir / str(r), run=r, runs=args.runs, members=args.members)
            )
        snapshot = build_snapshot(args.database_url)
        proc = start_server(args.database_url, port, args.workers, workdir / "gunicorn.log")
        warm = warm_up(port, preps[0], args.workers)
        opts = dict(duration=args.duration, connections=args.connections, threads=args.threads)
        space_path = f"/spaces/{preps[0]['space_slug']}/"
        for r in range(args.runs):
            f = preps[r]["files"]
            results["ceiling"].append(
                wrk(
                    f"{base}/healthz",
                    "bearer_get.lua",
                    {"BENCH_TOKENS": f["match_tokens"], "BENCH_PATH": "/healthz"},
                    **opts,
                )
            )
            results["checkin"].append(
                wrk(
                    f"{base}/api/v1/checkins",
                    "checkin.lua",
                    {
                        "BENCH_TOKENS": f["checkin_tokens"],
                        "BENCH_SPACES": f["checkin_spaces"],
                        "BENCH_DATES": f["checkin_dates"],
                    },
                    **opts,
                )
            )
            results["space"].append(
                wrk(
                    f"{base}{space_path}",
                    "cookie_get.lua",
                    {"BENCH_COOKIES": f["space_cookies"], "BENCH_PATH": space_path},
                    **opts,
                )
            )
            results["matches"].append(
                wrk(
                    f"{base}/api/v1/me/matches",
                    "bearer_get.lua",
                    {"BENCH_TOKENS": f["match_tokens"], "BENCH_PATH": "/api/v1/me/matches"},
                    **opts,
                )
            )
            print(
                f"http_load run {r + 1}/{args.runs}: "
                + ", ".join(f"{k} {v[-1]['rps']:.0f} req/s" for k, v in results.items()),
                file=sys.stderr,
                flush=True,
            )
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    summary = {k: median_of(v) for k, v in results.items()}
    ceiling = summary["ceiling"]["rps"]
    for k in ("checkin", "space", "matches"):
        summary[k]["ratio_to_ceiling"] = round(summary[k]["rps"] / ceiling, 3) if ceiling else None
    out = {
        "database": args.database_url.split(":", 1)[0],
        "server": f"gunicorn {args.workers} sync workers",
        "load": f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {args.runs} runs (median)",
        "space": preps[0]["space_slug"],
        "space_present_today": preps[0]["space_present"],
        "matching_snapshot_seconds": round(snapshot, 1),
        "warm_up_seconds": round(warm, 1),
        "endpoints": {
            "ceiling": "GET /healthz",
            "checkin": "POST /api/v1/checkins",
            "space": "GET /spaces/<slug>/ (signed in)",
            "matches": "GET /api/v1/me/matches",
        },
        "results": summary,
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
