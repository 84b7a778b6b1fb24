"""HTTP load on the main endpoints with wrk against a real gunicorn server; prints JSON.

    .venv/bin/python benchmarks/http_load.py --database-url sqlite:////abs/path.sqlite3 \
        [--duration 10] [--connections 50] [--threads 2] [--workers 4] [--runs 3] \
        [--var-dir DIR] [--rebuild-snapshot] [--endpoints checkin,space,matches]

The database must hold a simulated network (`serendip simulate`). Before any server starts,
the matching snapshot (`$SERENDIP_VAR_DIR/matching/`) is made sure of: `serendip
matching rebuild` runs (same environment) when it is missing, older than the SQLite file, made
from another database or from different passports/feedback (a fingerprint kept beside it), or
when `--rebuild-snapshot` is given. Workers then load it (~1 s) instead of building the index.

Runs cannot pollute each other: for every endpoint and every run a fresh `gunicorn
serendip.wsgi` (sync workers, 127.0.0.1 only, a new port) is started, warmed up (every worker
loads what the endpoint needs), checked idle (sequential /healthz latency back to the idle
baseline), measured, then stopped with its whole process group (quick shutdown, then KILL): a
slow endpoint's queued requests die with its server. On each server, in turn:

* ceiling   GET /healthz: a bare Django JSON view through the whole middleware stack
            (the same server, measured just before the endpoint);
* the endpoint, one of
  checkin   POST /api/v1/checkins with bearer tokens: each request a new check-in (a
            different member and date), so every one counts seats under the lock and pays;
  space     GET /spaces/<slug>/ as a signed-in member checked in there today (who is here,
            ranked by the Serendipity Machine), at the busiest space of the day;
  matches   GET /api/v1/me/matches for members checked in today.

Every wrk run is bounded in time (`--duration`, wrk's 10 s request timeout, a hard subprocess
timeout) and so in requests. Each figure is the median over runs of requests/s and wrk's
p50/p99 latency; each endpoint's ratio is to the median of the ceilings measured on its own
servers in this invocation. wrk and the server share the machine's cores.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRK_DIR = Path(__file__).resolve().parent / "wrk"
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"  # the only host this script ever sends requests to
SNAPSHOT = "matching/CURRENT"  # names the current generation of the shared index
FINGERPRINT = "matching/fingerprint.json"
ENDPOINTS = {
    "ceiling": "GET /healthz",
    "checkin": "POST /api/v1/checkins",
    "space": "GET /spaces/<slug>/ (signed in)",
    "matches": "GET /api/v1/me/matches",
}


def sqlite_path(database_url: str) -> Path | None:
    if not database_url.startswith("sqlite:"):
        return None
    return Path(database_url.split(":///", 1)[1]).resolve()


def default_var_dir(database_url: str) -> Path:
    """Beside the SQLite file (var/bench for run_all), else var/bench/pg-<database>."""
    db = sqlite_path(database_url)
    if db is not None:
        return db.parent
    return ROOT / "var" / "bench" / f"pg-{database_url.rsplit('/', 1)[1]}"


VAR_DIR = ROOT / "var" / "bench"  # set in main()


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
# Check-in targets: the 100 largest spaces, on future dates where they are less than a quarter
# full in all (earlier benchmark runs fill dates; a full space answers 409, not a check-in).
spaces = list(Space.objects.order_by("-seats", "pk")[:100])
total_seats = sum(sp.seats for sp in spaces)
horizon = [today + dt.timedelta(days=d) for d in range(2, 80)]
taken = dict(CheckIn.objects.filter(date__in=horizon, space__in=spaces, status__in=here)
             .values_list("date").annotate(n=Count("id")))
dates = [d.isoformat() for d in horizon if taken.get(d, 0) * 4 < total_seats]
skipped = len(horizon) - len(dates)
if len(dates) < 2:
    raise SystemExit("no future dates with room left at the largest spaces: use a fresh database")
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
    "checkin_spaces": [sp.pk for sp in spaces],
    "checkin_dates": dates[:-1],
    "warmup_date": dates[-1],
    "dates_skipped_full": skipped,
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


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * UNITS[m.group(2)]


FINGERPRINT_CODE = """
import json
import django
django.setup()
from django.db import connection
from django.db.models import Max
from serendip.exchange.models import Answer, Introduction, Meeting
from serendip.passport.models import Member
ident = None
if connection.vendor == "postgresql":
    with connection.cursor() as c:
        c.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
        ident = c.fetchone()[0]
print(json.dumps({
    "database": ident,
    "members": Member.objects.count(),
    "passports_updated": str(Member.objects.aggregate(m=Max("updated_at"))["m"]),
    "feedback": [Answer.objects.count(), Introduction.objects.count(), Meeting.objects.count()],
}, sort_keys=True))
"""


def ensure_snapshot(database_url: str, *, force: bool) -> dict:
    """Make sure the matching snapshot exists and is this database's before any server starts."""
    snapshot = VAR_DIR / SNAPSHOT
    sidecar = VAR_DIR / FINGERPRINT
    done = subprocess.run(
        [str(BIN / "python"), "-c", FINGERPRINT_CODE],
        env=server_env(database_url),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode:
        raise SystemExit(f"fingerprint failed:\n{done.stderr[-3000:]}")
    fingerprint = {"url": database_url, **json.loads(done.stdout.strip().splitlines()[-1])}
    reason = None
    db = sqlite_path(database_url)
    if force:
        reason = "--rebuild-snapshot"
    elif not snapshot.exists():
        reason = "missing"
    elif db is not None and snapshot.stat().st_mtime < max(
        p.stat().st_mtime for p in (db, Path(f"{db}-wal")) if p.exists()
    ):
        reason = "older than the database file"
    elif not sidecar.exists():
        reason = "no fingerprint beside it"
    elif json.loads(sidecar.read_text()) != fingerprint:
        reason = "made from another database or other passports/feedback"
    if reason is None:
        return {"rebuilt": False, "path": str(snapshot)}
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    print(
        f"http_load: matching snapshot {reason}: serendip matching rebuild ...", file=sys.stderr, flush=True
    )
    t0 = time.time()
    subprocess.run(
        [str(BIN / "serendip"), "matching", "rebuild"],
        env=server_env(database_url),
        check=True,
        capture_output=True,
        timeout=1800,
    )
    sidecar.write_text(json.dumps(fingerprint, sort_keys=True) + "\n")
    return {"rebuilt": True, "reason": reason, "seconds": round(time.time() - t0, 1), "path": str(snapshot)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None, timeout: float = 30) -> float:
    """One request to 127.0.0.1; its latency in ms (raises on an error status)."""
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", headers=headers or {})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=timeout) as r:
        r.read()
    return (time.perf_counter() - t0) * 1000


def post(port: int, path: str, body: dict, headers: dict) -> float:
    req = urllib.request.Request(
        f"http://{HOST}:{port}{path}",
        data=json.dumps(body).encode(),
        headers={**headers, "Content-Type": "application/json"},
        method="POST",
    )
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        r.read()
    return (time.perf_counter() - t0) * 1000


class Server:
    """A gunicorn in its own process group on 127.0.0.1, stopped with all its workers."""

    def __init__(self, database_url: str, workers: int, log: Path):
        self.port = free_port()
        cmd = [
            str(BIN / "gunicorn"),
            "serendip.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{self.port}",
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(
            cmd,
            env=server_env(database_url),
            cwd=ROOT,
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() reaches every worker
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}); see {log}")
            try:
                get(self.port, "/healthz", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not answer on :{self.port}; see {log}")

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGQUIT)  # quick shutdown: queued requests are dropped
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # any worker left behind
        if self.proc.poll() is None:
            self.proc.wait(timeout=10)


def idle_latency(port: int, n: int = 7) -> float:
    """Median of n sequential /healthz requests (ms): the server is idle when this is low."""
    return statistics.median(get(port, "/healthz", timeout=10) for _ in range(n))


def wait_idle(port: int, baseline_ms: float, *, limit_s: float = 60) -> dict:
    """Wait until /healthz answers as fast as on an idle server (bounded); raise if it never does."""
    threshold = max(3 * baseline_ms, baseline_ms + 5)
    t0 = time.time()
    while True:
        lat = idle_latency(port)
        if lat <= threshold:
            return {"healthz_ms": round(lat, 2), "waited_s": round(time.time() - t0, 1)}
        if time.time() - t0 > limit_s:
            raise SystemExit(
                f"server not idle after {limit_s:.0f} s: /healthz {lat:.1f} ms > {threshold:.1f}"
            )
        time.sleep(1)


def warm_up(port: int, endpoint: str, prep: dict, workers: int, space_path: str) -> dict:
    """Requests the endpoint needs, concurrently (so every worker serves some: each loads the
    matching snapshot, opens its database connection and imports its code paths), in rounds
    until a round's slowest request is no longer a first-request outlier (bounded)."""
    token = prep["match_tokens"][0]
    cookie = prep["space_cookies"][0] if prep["space_cookies"] else None
    # Check-in warm-up: real check-ins on a date the measured run does not use.
    spare = iter(prep["checkin_tokens"][::-1])
    last_date = prep["warmup_date"]  # not among the measured dates

    def hit(i: int) -> float:
        if endpoint == "checkin":
            body = {
                "space_id": int(prep["checkin_spaces"][i % len(prep["checkin_spaces"])]),
                "date": last_date,
                "focus": "warm-up",
            }
            return post(port, "/api/v1/checkins", body, {"Authorization": f"Bearer {next(spare)}"})
        if endpoint == "space" and cookie:
            return get(port, space_path, {"Cookie": f"sessionid={cookie}"}, timeout=120)
        if endpoint == "matches":
            return get(port, "/api/v1/me/matches", {"Authorization": f"Bearer {token}"}, timeout=120)
        return get(port, "/healthz")

    t0 = time.time()
    rounds = []
    with ThreadPoolExecutor(workers * 2) as pool:
        for _ in range(8):
            lat = list(pool.map(hit, range(workers * 4)))
            lat_h = list(pool.map(lambda _: get(port, "/healthz"), range(workers * 4)))
            rounds.append(round(max(lat), 1))
            if len(rounds) >= 2 and max(lat) < 3 * statistics.median(lat) + 50 and max(lat_h) < 500:
                break
    return {"seconds": round(time.time() - t0, 1), "max_ms_per_round": rounds}


def wrk(url: str, script: str, env: dict, *, duration: int, connections: int, threads: int) -> dict:
    assert url.startswith(f"http://{HOST}:"), url
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
        timeout=duration + 60,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    statuses = re.search(r"^statuses: (\{.*\})$", out, re.M)
    first_error = re.search(r"^first non-2xx body: (.*)$", out, re.M)
    return {
        **({"statuses": json.loads(statuses.group(1))} if statuses else {}),
        **({"first_non_2xx_body": first_error.group(1)} if first_error else {}),
        "rps": rps,
        "p50_ms": _ms(lat["50"]) if "50" in lat else None,
        "p99_ms": _ms(lat["99"]) if "99" in lat else None,
        "requests": total,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else None,
    }


def median_of(samples: list[dict]) -> dict:
    def med(key):
        vals = [s[key] for s in samples if s[key] is not None]
        return round(statistics.median(vals), 2) if vals else None

    return {
        "rps": round(statistics.median(s["rps"] for s in samples), 1),
        "p50_ms": med("p50_ms"),
        "p99_ms": med("p99_ms"),
        "non_2xx": sum(s["non_2xx"] for s in samples),
        "requests": sum(s["requests"] for s in samples),
        "non_2xx_share": round(
            sum(s["non_2xx"] for s in samples) / max(1, sum(s["requests"] for s in samples)), 4
        ),
        "runs": samples,
    }


def machine() -> dict:
    cpu = next(
        (
            x.split(":", 1)[1].strip()
            for x in Path("/proc/cpuinfo").read_text().splitlines()
            if x.startswith("model name")
        ),
        None,
    )
    mem_kb = int(
        next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1]
    )
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_kb / 1024 / 1024, 1)}


def main() -> int:
    global VAR_DIR
    # SIGTERM (e.g. a caller's timeout) unwinds through the `finally` that stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--members", type=int, default=4000, help="members checking in per run")
    parser.add_argument("--var-dir", type=Path, help="SERENDIP_VAR_DIR (the snapshot's directory)")
    parser.add_argument("--rebuild-snapshot", action="store_true")
    parser.add_argument("--endpoints", default="checkin,space,matches")
    args = parser.parse_args()
    endpoints = [e for e in args.endpoints.split(",") if e]
    assert set(endpoints) <= {"checkin", "space", "matches"}, endpoints
    VAR_DIR = (args.var_dir or default_var_dir(args.database_url)).resolve()

    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    load_start = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="serendip-http-"))
    log = workdir / "gunicorn.log"
    preps = []
    for r in range(args.runs):
        (workdir / str(r)).mkdir()
        preps.append(
            prepare(args.database_url, workdir / str(r), run=r, runs=args.runs, members=args.members)
        )
    snapshot = ensure_snapshot(args.database_url, force=args.rebuild_snapshot)
    opts = dict(duration=args.duration, connections=args.connections, threads=args.threads)
    space_path = f"/spaces/{preps[0]['space_slug']}/"
    ceilings: dict[str, list] = {e: [] for e in endpoints}
    results: dict[str, list] = {e: [] for e in endpoints}
    servers: list[dict] = []
    baseline = None
    for r in range(args.runs):
        f = preps[r]["files"]
        for e in endpoints:
            server = Server(args.database_url, args.workers, log)
            try:
                base = f"http://{HOST}:{server.port}"
                warm = warm_up(server.port, e, preps[r], args.workers, space_path)
                if baseline is None:
                    baseline = idle_latency(server.port, 15)
                idle_before_ceiling = wait_idle(server.port, baseline)
                ceiling = wrk(
                    f"{base}/healthz",
                    "bearer_get.lua",
                    {"BENCH_TOKENS": f["match_tokens"], "BENCH_PATH": "/healthz"},
                    **opts,
                )
                idle_before = wait_idle(server.port, baseline)
                if e == "checkin":
                    script, env = (
                        "checkin.lua",
                        {
                            "BENCH_TOKENS": f["checkin_tokens"],
                            "BENCH_SPACES": f["checkin_spaces"],
                            "BENCH_DATES": f["checkin_dates"],
                        },
                    )
                    url = f"{base}/api/v1/checkins"
                elif e == "space":
                    script, env = (
                        "cookie_get.lua",
                        {"BENCH_COOKIES": f["space_cookies"], "BENCH_PATH": space_path},
                    )
                    url = f"{base}{space_path}"
                else:
                    script, env = (
                        "bearer_get.lua",
                        {
                            "BENCH_TOKENS": f["match_tokens"],
                            "BENCH_PATH": "/api/v1/me/matches",
                        },
                    )
                    url = f"{base}/api/v1/me/matches"
                sample = wrk(url, script, env, **opts)
            finally:
                server.stop()
            ceilings[e].append(ceiling)
            results[e].append(sample)
            servers.append(
                {
                    "run": r + 1,
                    "endpoint": e,
                    "warm_up": warm,
                    "idle_before_ceiling": idle_before_ceiling,
                    "idle_before_endpoint": idle_before,
                    "load_average": os.getloadavg()[0],
                }
            )
            print(
                f"http_load run {r + 1}/{args.runs} {e}: ceiling {ceiling['rps']:.0f} req/s, "
                f"{e} {sample['rps']:.1f} req/s (p50 {sample['p50_ms']} ms, p99 {sample['p99_ms']} ms, "
                f"non-2xx {sample['non_2xx']})",
                file=sys.stderr,
                flush=True,
            )
    summary: dict = {}
    all_ceilings = [c for e in endpoints for c in ceilings[e]]
    summary["ceiling"] = median_of(all_ceilings)
    for e in endpoints:
        summary[e] = median_of(results[e])
        own = median_of(ceilings[e])
        summary[e]["ceiling_rps_same_servers"] = own["rps"]
        summary[e]["ratio_to_ceiling"] = round(summary[e]["rps"] / own["rps"], 4) if own["rps"] else None
    out = {
        "date": started,
        "commit": commit,
        "machine": {**machine(), "load_average_at_start": load_start, "load_average_at_end": os.getloadavg()},
        "database": args.database_url.split(":", 1)[0],
        "server": f"gunicorn {args.workers} sync workers, restarted for every endpoint and run",
        "load": f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {args.runs} runs (median)",
        "space": preps[0]["space_slug"],
        "space_present_today": preps[0]["space_present"],
        "checkin_dates_skipped_crowded": preps[0]["dates_skipped_full"],
        "matching_snapshot": snapshot,
        "idle_healthz_baseline_ms": round(baseline, 2) if baseline else None,
        "endpoints": {k: v for k, v in ENDPOINTS.items() if k == "ceiling" or k in endpoints},
        "results": summary,
        "servers": servers,
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
