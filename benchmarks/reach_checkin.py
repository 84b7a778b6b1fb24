"""Check-in requests/s with 10,000 subscriptions in place vs none, in the same invocation.

    .venv/bin/python benchmarks/reach_checkin.py --database-url sqlite:////abs/seed.sqlite3 \
        [--subscriptions 10000] [--runs 3] [--duration 10] [--workers 4] [--connections 50]

The goal (issue 14): within 5 % - the fan-out to followers happens in the worker, not in the
request. The same harness as http_load.py (a fresh gunicorn per run, warmed up, idle-checked,
wrk with a new check-in per request): runs alternate between the two states (none, subs,
subs, none, none, subs, ...) so drift on a shared machine falls on both; each figure is the
median of its runs. The subscriptions are people and tags that check-in members offer,
network-wide and at one space (realistic: every check-in matches some), made in one
transaction and removed at the end. No worker runs during the measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import http_load as h  # the shared harness beside this script

SUBSCRIBE = """
import json, random, sys
import django
django.setup()
from django.db import transaction
from serendip.network.models import Space
from serendip.notifications.models import Subscription
from serendip.passport.models import Member, MemberTag
n = int(sys.argv[1])
with transaction.atomic():
    Subscription.objects.all().delete()
    if n:
        rng = random.Random(7)
        members = list(Member.objects.order_by("pk").values_list("pk", flat=True))
        tags = list(MemberTag.objects.filter(kind="offer").values_list("tag_id", flat=True).distinct())
        spaces = list(Space.objects.order_by("-seats").values_list("pk", flat=True)[:100])
        rows, seen = [], set()
        while len(rows) < n:
            who = rng.choice(members)
            by_tag = rng.random() < 0.5
            target = rng.choice(tags) if by_tag else rng.choice(members)
            space = rng.choice(spaces) if rng.random() < 0.5 else None
            key = (who, by_tag, target, space)
            if key in seen or (not by_tag and target == who):
                continue
            seen.add(key)
            rows.append(Subscription(member_id=who, tag_id=target if by_tag else None,
                                     followed_id=None if by_tag else target, space_id=space))
        Subscription.objects.bulk_create(rows, batch_size=2000)
print(json.dumps({"subscriptions": Subscription.objects.count()}))
"""


def subscribe(database_url: str, n: int) -> int:
    done = subprocess.run(
        [str(h.BIN / "python"), "-c", SUBSCRIBE, str(n)],
        env=h.server_env(database_url),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode:
        raise SystemExit(f"subscriptions failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["subscriptions"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--subscriptions", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3, help="runs per state")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--members", type=int, default=2000, help="members checking in per run")
    parser.add_argument("--var-dir", type=Path)
    args = parser.parse_args()
    h.VAR_DIR = (args.var_dir or h.default_var_dir(args.database_url)).resolve()
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    workdir = Path(tempfile.mkdtemp(prefix="serendip-reach-"))
    log = workdir / "gunicorn.log"
    order = []
    for r in range(args.runs):  # none, subs | subs, none | none, subs ...
        order += [0, args.subscriptions] if r % 2 == 0 else [args.subscriptions, 0]
    preps = []
    for i in range(len(order)):
        (workdir / str(i)).mkdir()
        preps.append(
            h.prepare(args.database_url, workdir / str(i), run=i, runs=len(order), members=args.members)
        )
    snapshot = h.ensure_snapshot(args.database_url, force=False)
    opts = dict(duration=args.duration, connections=args.connections, threads=args.threads)
    samples: dict[int, list] = {0: [], args.subscriptions: []}
    baseline = None
    try:
        for i, n in enumerate(order):
            have = subscribe(args.database_url, n)
            f = preps[i]["files"]
            server = h.Server(args.database_url, args.workers, log)
            try:
                h.warm_up(server.port, "checkin", preps[i], args.workers, "/")
                if baseline is None:
                    baseline = h.idle_latency(server.port, 15)
                idle = h.wait_idle(server.port, baseline)
                sample = h.wrk(
                    f"http://{h.HOST}:{server.port}/api/v1/checkins",
                    "checkin.lua",
                    {
                        "BENCH_TOKENS": f["checkin_tokens"],
                        "BENCH_SPACES": f["checkin_spaces"],
                        "BENCH_DATES": f["checkin_dates"],
                    },
                    **opts,
                )
            finally:
                server.stop()
            samples[n].append(
                {**sample, "subscriptions": have, "idle_before": idle, "load": os.getloadavg()[0]}
            )
            print(
                f"reach_checkin {i + 1}/{len(order)}: {have} subscriptions, {sample['rps']:.1f} req/s "
                f"(p50 {sample['p50_ms']} ms, non-2xx {sample['non_2xx']})",
                file=sys.stderr,
                flush=True,
            )
    finally:
        subscribe(args.database_url, 0)
    none = statistics.median(s["rps"] for s in samples[0])
    subs = statistics.median(s["rps"] for s in samples[args.subscriptions])
    out = {
        "date": started,
        "machine": h.machine(),
        "database": args.database_url.split(":", 1)[0],
        "load": f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s,"
        f" gunicorn {args.workers} workers",
        "matching_snapshot": snapshot,
        "checkin_rps_no_subscriptions": round(none, 1),
        f"checkin_rps_{args.subscriptions}_subscriptions": round(subs, 1),
        "ratio": round(subs / none, 4),
        "goal": "ratio >= 0.95",
        "runs": {str(k): v for k, v in samples.items()},
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
