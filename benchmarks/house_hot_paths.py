"""The hot paths before and after a change, in one run: check-in, ledger append, suggestions.

    .venv/bin/python benchmarks/house_hot_paths.py --before DIR --after DIR [--runs 5] [-n 200]

DIR is a source tree of the project (e.g. `git archive <commit> | tar -x -C DIR`); each is
imported in its own process (PYTHONPATH), on its own SQLite file database (the production
backend, writer lock included), migrated once and copied fresh for every run. Runs alternate
between the two trees, so load on the machine hits both alike. In each run, in one process:

* checkin      POST /api/v1/checkins through Django's WSGI handler and the whole middleware
               stack (bearer token; n members, one each; the seat is paid: a ledger write);
* append       `ledger.services.transaction_record` of a two-posting transfer, n times, each
               in its own transaction (the log leaf, the postings, the balances);
* suggestions  GET /api/v1/me/matches for members checked in at one space with tags (the
               engine's index is built before the timing; n requests).

Figures are medians over requests (per run) and over runs, in ms; `ratio` is after/before
(1.0 = the same; above 1 = slower after).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PATHS = ("checkin", "append", "suggestions")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", required=True, type=Path)
    parser.add_argument("--after", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("-n", type=int, default=200, help="requests or calls per path and run")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.db, args.n)
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    with tempfile.TemporaryDirectory(prefix="house-bench-") as tmp:
        templates = {}
        for name, tree in trees.items():
            templates[name] = Path(tmp) / f"{name}.sqlite3"
            run_worker(tree, "migrate", templates[name], args.n)
        results: dict[str, list[dict]] = {name: [] for name in trees}
        for run in range(args.runs):
            order = list(trees) if run % 2 == 0 else list(reversed(trees))
            for name in order:
                db = Path(tmp) / f"{name}-run.sqlite3"
                for suffix in ("", "-wal", "-shm", ".writer-lock"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                shutil.copy(templates[name], db)
                results[name].append(run_worker(trees[name], "measure", db, args.n))
    summary = {
        "command": " ".join(sys.argv),
        "runs": args.runs,
        "n": args.n,
        "before": str(trees["before"]),
        "after": str(trees["after"]),
        "ms": {
            name: {p: round(statistics.median(r[p] for r in results[name]), 3) for p in PATHS}
            for name in trees
        },
    }
    summary["ratio"] = {p: round(summary["ms"]["after"][p] / summary["ms"]["before"][p], 3) for p in PATHS}
    print(json.dumps(summary, indent=2))
    return 0


def run_worker(tree: Path, what: str, db: Path, n: int) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "serendip.settings",
        "SECRET_KEY": "benchmark-only-not-secret",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_MANIFEST": "false",
        "LOG_LEVEL": "CRITICAL",
    }
    out = subprocess.run(
        [sys.executable, __file__, "--before=.", "--after=.", f"--worker={what}", f"--db={db}", f"-n={n}"],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{tree} {what} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1]) if what == "measure" else {}


def worker(what: str, db: str, n: int) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if what == "migrate":
        call_command("migrate", verbosity=0, interactive=False)
        return 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast members
    print(json.dumps(measure(n)))
    return 0


def measure(n: int) -> dict:
    import io

    from django.core.handlers.wsgi import WSGIHandler
    from django.db import transaction

    from serendip.ledger.models import TxKind
    from serendip.ledger.services import Leg, member_account, network_account, transaction_record
    from serendip.network.models import Space
    from serendip.passport.services import member_set_tags, member_signup, token_create
    from serendip.presence.models import CheckIn
    from serendip.presence.services import checkin_cancel, checkin_create

    app = WSGIHandler()

    def call(method: str, path: str, token: str, body: bytes = b"") -> int:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
        }
        status = []
        b"".join(app(environ, lambda s, h: status.append(s)))
        return int(status[0].split()[0])

    def timed(fn, count: int) -> float:
        times = []
        for i in range(count):
            t0 = time.perf_counter()
            fn(i)
            times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1000

    topics = ["python", "django", "ux research", "grant writing", "esg reporting", "rust", "sales", "design"]
    members = []
    for i in range(n):
        m = member_signup(username=f"bench{i}", password="a-long-bench-password", display_name=f"Bench {i}")
        member_set_tags(
            member=m, offers=[topics[i % 8], topics[(i + 3) % 8]], needs=[topics[(i + 5) % 8]]
        )
        members.append(m)
    grant = network_account()
    for m in members:  # enough social capital for a seat, whatever signup pays
        with transaction.atomic():
            transaction_record(
                kind=TxKind.WELCOME_GRANT,
                reason="bench",
                subject=f"bench-grant:{m.pk}",
                beneficiary=m,
                legs=[Leg(grant, -1000), Leg(member_account(m), 1000)],
            )
    space = Space.objects.create(
        name="Bench", slug="bench", city="Utrecht", country="NL", timezone="Europe/Amsterdam",
        seats=n + 10, seat_price=1,
    )
    today = space.local_today().isoformat()
    tokens = [token_create(user=m.user)[1] for m in members]

    def checkin(i: int) -> None:
        body = json.dumps({"space_id": space.pk, "date": today}).encode()
        assert call("POST", "/api/v1/checkins", tokens[i], body) == 201

    def append(i: int) -> None:
        with transaction.atomic():
            transaction_record(
                kind=TxKind.WELCOME_GRANT,
                reason="bench",
                subject=f"bench-append:{i}",
                beneficiary=members[i],
                legs=[Leg(grant, -1), Leg(member_account(members[i]), 1)],
            )

    # Suggestions: a second space where 40 members are present, asked by each of them in turn.
    other = Space.objects.create(
        name="Bench 2", slug="bench-2", city="Utrecht", country="NL", timezone="Europe/Amsterdam",
        seats=n + 10, seat_price=0,
    )
    present = members[:40]
    result = {"checkin": timed(checkin, n)}
    result["append"] = timed(append, n)
    # The check-ins above were at `space` today: those 40 move to the other space.
    for m in present:
        c = CheckIn.objects.get(member=m, date=today)
        checkin_cancel(member=m, checkin_id=c.pk)
        checkin_create(member=m, space_id=other.pk, date=other.local_today())
    assert call("GET", "/api/v1/me/matches", tokens[0]) == 200  # builds the engine's index

    def suggestions(i: int) -> None:
        assert call("GET", "/api/v1/me/matches", tokens[i % len(present)]) == 200

    result["suggestions"] = timed(suggestions, n)
    return result


if __name__ == "__main__":
    sys.exit(main())
