"""Every page's answer time for one client at seed scale (issue 15's goal: p95 < 200 ms).

    DATABASE_URL=sqlite:///var/bench-pages/seed.sqlite3 .venv/bin/python benchmarks/page_speed.py [--runs 30]

Needs a database filled by `serendip simulate --scale seed` (and migrated). One client, one
request at a time, through Django's whole stack in-process (test client: middleware, sessions,
templates, the database; no socket or WSGI server). Each page is requested 3 times to warm up
(the first builds the matching index), then `--runs` times; the median and 95th percentile are
written to benchmarks/results/pages-<database>-seed.json and printed.

Who asks: the member with the most check-ins among those at today's busiest space (so the
space page has suggestions, and "my" pages have history), a host of that space (simulated
spaces have none: the member with the lowest id is made its host, the one write this script
makes), the booker of an invoice (the member's own if they have one), and nobody (anonymous
pages).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serendip.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from serendip.exchange.models import Question, QuestionStatus  # noqa: E402
from serendip.network.models import Invoice, Space  # noqa: E402
from serendip.passport.models import Member  # noqa: E402
from serendip.presence.models import SEAT_HOLDING, CheckIn  # noqa: E402

GOAL_MS = 200


def pick():
    """(space, member, host, question, invoice) at seed scale, as the docstring says."""
    busiest = None
    for space in Space.objects.all():
        n = CheckIn.objects.filter(space=space, date=space.local_today(), status__in=SEAT_HOLDING).count()
        if busiest is None or n > busiest[1]:
            busiest = (space, n)
    space = busiest[0]
    here = CheckIn.objects.filter(space=space, date=space.local_today(), status__in=SEAT_HOLDING)
    member_id = (
        CheckIn.objects.filter(member_id__in=here.values("member_id"))
        .values("member_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("member_id", flat=True)
        .first()
    )
    member = here.select_related("member__user").get(member_id=member_id).member
    host = space.hosts.select_related("user").first()
    if host is None:  # simulated spaces have no hosts: appoint one (a write to the benchmark database)
        host = Member.objects.exclude(pk=member.pk).select_related("user").order_by("pk").first()
        space.hosts.add(host)
    question = Question.objects.filter(status=QuestionStatus.OPEN).order_by("-created_at").first()
    # The member's own invoice; if they have none, someone else's, opened by its booker.
    invoice = (
        Invoice.objects.filter(booking__member=member).first()
        or Invoice.objects.select_related("booking__member__user").first()
    )
    return space, member, host, question, invoice


def pages(space, question, invoice) -> dict[str, list[str]]:
    s = space.slug
    return {
        "anonymous": [
            "/", "/spaces/", f"/spaces/{s}/", f"/spaces/{s}/rooms", f"/spaces/{s}/lobby", "/login/",
        ],
        "member": [
            "/", "/spaces/", f"/spaces/{s}/", f"/spaces/{s}/rooms", "/passport/", "/passport/balance/",
            "/questions/", f"/questions/{question.pk}/", "/introductions/", "/meetings/", "/bookings/",
        ],
        "booker": [f"/invoices/{invoice.number}"],
        "host": [f"/host/{s}/", f"/host/{s}/settings"],
    }  # fmt: skip


def measure(client: Client, path: str, runs: int) -> dict:
    for _ in range(3):
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(((time.perf_counter() - t) * 1000, sql))

    with connection.execute_wrapper(timed):  # one more request, to count and time its statements
        client.get(path)
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "runs": runs,
        "statements": len(statements),
        "sql_ms": round(sum(ms for ms, _sql in statements), 1),
        "_queries": statements,
    }


def show_queries(statements: list[tuple[float, str]], top: int) -> None:
    """The slowest statements of one request, for --profile."""
    for ms, sql in sorted(statements, key=lambda s: -s[0])[:top]:
        print(f"    {ms:7.1f} ms  {sql[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", default="", help="measure only the paths containing this text")
    parser.add_argument(
        "--out", default="", help="the JSON file (default benchmarks/results/pages-<database>-seed.json)"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="print each page's N slowest statements"
    )
    args = parser.parse_args()
    space, member, host, question, invoice = pick()
    clients = {"anonymous": Client(), "member": Client(), "booker": Client(), "host": Client()}
    clients["member"].force_login(member.user)
    clients["booker"].force_login(invoice.booking.member.user)
    if host is not None:
        clients["host"].force_login(host.user)
    # Warm every page once (URLconf, templates, the matching index), then move what the process
    # holds into the collector's permanent generation, as serendip/wsgi.py does in each server
    # process: otherwise every few requests a full collection walks it all (0.5-0.7 s here).
    for who, paths in pages(space, question, invoice).items():
        for path in paths:
            clients[who].get(path)
    gc.collect()
    gc.freeze()
    results = []
    for who, paths in pages(space, question, invoice).items():
        if who == "host" and host is None:
            continue
        for path in paths:
            if args.only not in path:
                continue
            row = {"who": who, "path": path, **measure(clients[who], path, args.runs)}
            queries = row.pop("_queries")
            results.append(row)
            mark = "ok" if row["p95_ms"] < GOAL_MS else "SLOW"
            print(
                f"{who:9} {path:45} median {row['median_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
                f"{row['statements']:3} statements {row['sql_ms']:6.1f} ms  {mark}"
            )
            if args.profile:
                show_queries(queries, args.profile)
    vendor = connection.vendor
    out = {
        "database": vendor,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "space": space.slug,
        "checked_in_today": CheckIn.objects.filter(
            space=space, date=space.local_today(), status__in=SEAT_HOLDING
        ).count(),
        "goal_p95_ms": GOAL_MS,
        "pages": results,
        "slowest_p95_ms": max(r["p95_ms"] for r in results),
    }
    path = Path(args.out) if args.out else ROOT / "benchmarks" / "results" / f"pages-{vendor}-seed.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    load = out["load_average_1_5_15"]
    print(f"slowest p95 {out['slowest_p95_ms']} ms (goal < {GOAL_MS} ms), load average {load} -> {path}")


if __name__ == "__main__":
    main()
