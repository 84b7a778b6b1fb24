"""Benchmark a member's data export and erasure for a long history, on SQLite; prints JSON.

    .venv/bin/python benchmarks/rights_export.py [--transactions 10000] [--days 730] [--runs 5]

On a fresh SQLite database in a temporary directory: one member with `--days` daily check-ins
(a seat paid each day), `--transactions` ledger transactions through `transaction_record`
(each a log leaf), as many timeline lines, and 200 questions with answers; 20 other members.
Measures `export_build` (the whole ZIP, including every transaction's inclusion proof against
one checkpoint; median of `--runs`, after one warm-up that also integrates the log) and the
erasure (`_erase`, median of 3, each rolled back). The question behind it: can the export run
in the request, or must it be a background task?
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print where one export's time goes")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="serendip-rights-bench-"))
    os.environ.update(
        SECRET_KEY="bench",
        DEBUG="false",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        SERENDIP_VAR_DIR=str(tmp),
        LEDGER_ORIGIN="bench.example/ledger",
        LOG_LEVEL="ERROR",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serendip.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)

    from serendip.credentials import multikey
    from serendip.exchange.models import Answer, Question
    from serendip.ledger.services import Leg, member_account, network_account, transaction_record
    from serendip.network.models import Space
    from serendip.passport.models import Activity
    from serendip.passport.services import member_signup
    from serendip.presence.models import CheckIn
    from serendip.rights.export import export_build
    from serendip.rights.services import _erase

    settings.CREDENTIALS_ISSUER_KEY = multikey.generate()[0]
    others = [
        member_signup(username=f"o{i}", password="bench-password-123", display_name=f"O {i}")
        for i in range(20)
    ]
    member = member_signup(username="long", password="bench-password-123", display_name="Long History")
    space = Space.objects.create(
        name="Bench", slug="bench", city="Utrecht", country="NL", timezone="Europe/Amsterdam", seats=100
    )
    started = time.perf_counter()
    network, account = network_account(), member_account(member)
    for i in range(args.transactions):
        transaction_record(
            kind="answer_accepted",
            reason=f"bench {i}",
            subject=f"bench:{i}",
            beneficiary=member,
            legs=[Leg(network, -100), Leg(account, 100)],
        )
    today = timezone.localdate()
    CheckIn.objects.bulk_create(
        CheckIn(
            member=member, space=space, date=today - dt.timedelta(days=d), status="present", focus=f"day {d}"
        )
        for d in range(1, args.days + 1)
    )
    Activity.objects.bulk_create(
        Activity(member=member, verb="checked_in", summary=f"Checked in, day {i}", created_at=timezone.now())
        for i in range(args.transactions)
    )
    for i in range(200):
        q = Question.objects.create(asker=member, title=f"Question {i}", body="body " * 50)
        Answer.objects.create(question=q, author=others[i % 20], body="answer " * 50)
        Answer.objects.create(
            question=Question.objects.create(asker=others[i % 20], title=f"Q{i}"),
            author=member,
            body="mine " * 50,
        )
    fill = time.perf_counter() - started

    size = len(export_build(member))  # warm-up: integrates the log (a checkpoint) once
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(export_build, member)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        export_build(member)
        times.append(time.perf_counter() - t0)

    erase_times = []
    for _ in range(3):
        with transaction.atomic():
            t0 = time.perf_counter()
            _erase(member)
            erase_times.append(time.perf_counter() - t0)
            transaction.set_rollback(True)

    print(
        json.dumps(
            {
                "database": "sqlite (WAL, IMMEDIATE)",
                "transactions": args.transactions,
                "checkins": args.days,
                "timeline": args.transactions,
                "questions_and_answers": 400,
                "fill_s": round(fill, 1),
                "export_zip_bytes": size,
                "export_median_s": round(statistics.median(times), 3),
                "export_runs_s": [round(t, 3) for t in times],
                "erase_median_s": round(statistics.median(erase_times), 3),
            },
            indent=2,
        )
    )
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
