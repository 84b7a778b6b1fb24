"""Where a check-in's time goes, in one process (no HTTP, no load generator); prints JSON.

    .venv/bin/python benchmarks/checkin_cost.py --database-url sqlite:////abs/copy-of-seed.sqlite3 \
        [--requests 1500] [--runs 3]

Run it on a copy of a simulated database (it adds check-ins). Each run, interleaved so that
machine load hits all alike:

* healthz       GET /healthz through Django's WSGI handler and the whole middleware stack;
* checkin       POST /api/v1/checkins the same way (bearer token, a new member and date each);
* service       `presence.services.checkin_create` called directly (the transaction alone);

and, for the service calls of the last run, the time of each SQL statement (an execute
wrapper: database work plus Django's cursor wrapper) and of the commit. Figures are medians
over requests (per run) and over runs; `ratio` is healthz / checkin time, the in-process
counterpart of http_load.py's ratio of requests/s.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=1500, help="check-ins per kind and run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="serendip.settings",
        SECRET_KEY=os.environ.get("SECRET_KEY", "benchmark-only-not-secret"),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="false",
        LOG_LEVEL="CRITICAL",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.utils import timezone

    from serendip.errors import ServiceError
    from serendip.ledger.models import Account
    from serendip.network.models import Space
    from serendip.passport.models import Member
    from serendip.passport.services import token_create
    from serendip.presence.models import CheckIn
    from serendip.presence.services import checkin_create

    app = WSGIHandler()
    today = timezone.now().date()
    # Members with money and no future check-in; the 100 largest spaces; 21 dates (coprime
    # with 100, so every space sees every date).
    booked = set(CheckIn.objects.filter(date__gt=today).values_list("member_id", flat=True))
    rich = [
        m
        for m in Account.objects.filter(kind="member", balance__gte=3000).values_list("member_id", flat=True)
        if m not in booked
    ]
    need = 2 * args.requests * args.runs
    if len(rich) < need:
        raise SystemExit(f"only {len(rich)} members can pay for {need} check-ins: use a larger network")
    random.Random(1).shuffle(rich)
    chosen = Member.objects.select_related("user").in_bulk(rich[:need])
    per_kind = args.requests * args.runs
    api_members = [chosen[pk] for pk in rich[:per_kind]]
    service_members = iter(chosen[pk] for pk in rich[per_kind : 2 * per_kind])
    # Tokens are made ahead, outside the timing.
    tokens = iter(token_create(user=m.user)[1] for m in api_members)
    tokens = iter(list(tokens))
    spaces = list(Space.objects.order_by("-seats", "pk").values_list("pk", flat=True)[:100])
    dates = [today + dt.timedelta(days=d) for d in range(5, 26)]
    counter = iter(range(10**9))

    def target():
        n = next(counter)
        return spaces[n % len(spaces)], dates[n % len(dates)]

    def call(method, path, body=b"", headers=()):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
            **dict(headers),
        }
        status = []
        b"".join(app(environ, lambda s, h: status.append(s)))
        return status[0]

    def timed(fn, n):
        out, statuses = [], collections.Counter()
        for _ in range(n):
            t0 = time.perf_counter()
            statuses[fn()] += 1
            out.append((time.perf_counter() - t0) * 1000)
        return statistics.median(out), dict(statuses)

    def api_checkin():
        space, date = target()
        body = json.dumps({"space_id": space, "date": date.isoformat()}).encode()
        return call("POST", "/api/v1/checkins", body, {"HTTP_AUTHORIZATION": f"Bearer {next(tokens)}"})

    def service_checkin():
        space, date = target()
        try:
            checkin_create(member=next(service_members), space_id=space, date=date)
            return "ok"
        except ServiceError as exc:
            return type(exc).__name__

    for _ in range(3):
        call("GET", "/healthz")
    runs = []
    sql_time, sql_count = collections.Counter(), collections.Counter()
    commits: list[float] = []
    plain_commit = connection.commit

    def wrapper(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = sql[:60]
            sql_time[key] += time.perf_counter() - t0
            sql_count[key] += 1

    def timed_commit():
        t0 = time.perf_counter()
        try:
            return plain_commit()
        finally:
            commits.append(time.perf_counter() - t0)

    for r in range(args.runs):
        healthz, _ = timed(lambda: call("GET", "/healthz"), args.requests)
        checkin, checkin_statuses = timed(api_checkin, args.requests)
        if r == args.runs - 1:  # the last run's service calls, statement by statement
            connection.commit = timed_commit
            with connection.execute_wrapper(wrapper):
                service, service_statuses = timed(service_checkin, args.requests)
            del connection.commit
        else:
            service, service_statuses = timed(service_checkin, args.requests)
        runs.append(
            {
                "healthz_ms": round(healthz, 3),
                "checkin_ms": round(checkin, 3),
                "service_ms": round(service, 3),
                "ratio": round(healthz / checkin, 3),
                "checkin_statuses": checkin_statuses,
                "service_outcomes": service_statuses,
            }
        )
        print(f"checkin_cost run {r + 1}/{args.runs}: {runs[-1]}", file=sys.stderr, flush=True)
    n = args.requests
    out = {
        "database": connection.vendor,
        "requests_per_run": n,
        "median_of_runs": {
            k: round(statistics.median(run[k] for run in runs), 3)
            for k in ("healthz_ms", "checkin_ms", "service_ms", "ratio")
        },
        "runs": runs,
        "service_statements_last_run": {
            sql: {"per_checkin": round(sql_count[sql] / n, 2), "mean_ms": round(t / sql_count[sql] * 1000, 3)}
            for sql, t in sql_time.most_common()
        },
        "service_commit_mean_ms": round(statistics.mean(commits) * 1000, 3) if commits else None,
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
