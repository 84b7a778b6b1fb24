"""The worker's speed: fanning out a check-in that matches 1,000 subscriptions, and sending
10,000 queued emails to a local SMTP sink (aiosmtpd in its own process, on a free port).

    .venv/bin/python benchmarks/reach_worker.py [--database-url URL] [--runs 5] [--emails 10000]

Without --database-url a fresh SQLite database is made in a temporary directory; a
PostgreSQL URL may name a used database (it is migrated; the rows made here are new ones). Goals (issue 14):
fan-out < 1 s; 10,000 emails < 60 s. Prints JSON; each fan-out figure is the median of
--runs after one warm-up run (the notifications are deleted and the cursor rewound between runs).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--emails", type=int, default=10000)
    parser.add_argument(
        "--senders", type=int, default=1, help="concurrent workers sending (PostgreSQL: SKIP LOCKED)"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="serendip-reach-"))
    port = free_port()
    os.environ.update(
        DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'reach.sqlite3'}",
        SERENDIP_VAR_DIR=str(tmp),
        DJANGO_SETTINGS_MODULE="serendip.settings",
        SECRET_KEY="benchmark-only-not-secret",
        DEBUG="false",
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        EMAIL_DAILY_CAP="1000000",
        LOG_LEVEL="ERROR",
    )
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        return run(args, tmp)
    finally:
        sink.terminate()
        sink.wait(10)


def run(args, tmp: Path) -> int:
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from serendip.network.models import Space
    from serendip.notifications.models import Notification, OutboundEmail, Subscription, WorkerCursor
    from serendip.notifications.outbox import email_queue
    from serendip.notifications.worker import emails_deliver
    from serendip.passport.models import Member, MemberTag, Tag, TagKind
    from serendip.presence.models import CheckIn
    from serendip.presence.tasks import CURSOR, checkins_fanout

    User = get_user_model()
    n = args.subscriptions
    run_id = os.urandom(4).hex()  # a database used before keeps its rows; these are new ones
    space = Space.objects.create(
        name="Bench",
        slug=f"bench-{run_id}",
        city="Utrecht",
        country="NL",
        timezone="Europe/Amsterdam",
        seats=n + 10,
    )
    today = space.local_today()
    pw = make_password("x")
    users = User.objects.bulk_create(
        [User(username=f"bench-{run_id}-{i}", password=pw) for i in range(n + 1)]
    )
    members = Member.objects.bulk_create(
        [Member(user=u, display_name=f"Member {i}") for i, u in enumerate(users)]
    )
    star, followers = members[0], members[1:]
    tag = Tag.objects.create(name=f"fundraising {run_id}")
    MemberTag.objects.create(member=star, tag=tag, kind=TagKind.OFFER, weight=2)
    # Half follow the person, network-wide, and are here today; half follow the tag at this space.
    CheckIn.objects.bulk_create([CheckIn(member=m, space=space, date=today) for m in followers[: n // 2]])
    Subscription.objects.bulk_create(
        [Subscription(member=m, followed=star) for m in followers[: n // 2]]
        + [Subscription(member=m, tag=tag, space=space) for m in followers[n // 2 :]]
    )
    checkin = CheckIn.objects.create(member=star, space=space, date=today)
    fanout = []
    for _ in range(args.runs + 1):  # the first run is a warm-up (a worker process is long-lived)
        Notification.objects.filter(recipient__in=members).delete()
        WorkerCursor.objects.update_or_create(name=CURSOR, defaults={"position": checkin.pk - 1})
        t0 = time.perf_counter()
        checkins_fanout(settle=dt.timedelta(0))
        fanout.append(time.perf_counter() - t0)
    fanout = fanout[1:]
    told = Notification.objects.filter(kind="followed_checked_in", recipient__in=members).count()
    assert told == n, told

    Notification.objects.filter(recipient__in=members).delete()
    OutboundEmail.objects.filter(status="queued").update(status="failed")  # only this run's are sent
    text = "Hello,\n\n- Someone you follow checked in at Bench today\n\nOpen: http://127.0.0.1:8000/spaces/bench/\n"
    html = f"<p>{text}</p>"
    t0 = time.perf_counter()
    for i in range(args.emails):
        email_queue(
            to=f"{run_id}-{i}@example.org",
            kind="followed_checked_in",
            subject="Someone you follow",
            text=text,
            html=html,
            headers={"List-Unsubscribe": "<http://127.0.0.1:8000/unsubscribe/x>"},
        )
    queue_s = time.perf_counter() - t0

    def sender() -> None:
        from django.db import connection as own

        deadline = time.monotonic() + 600
        try:
            while OutboundEmail.objects.filter(status="queued").exists() and time.monotonic() < deadline:
                emails_deliver(limit=500)
        finally:
            own.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=sender) for _ in range(args.senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    send_s = time.perf_counter() - t0
    sent = OutboundEmail.objects.filter(status="sent", to__startswith=f"{run_id}-").count()
    out = {
        "date": timezone.now().isoformat(timespec="seconds"),
        "database": connection.vendor,
        "machine": {"nproc": os.cpu_count(), "load_average": os.getloadavg()},
        "fanout_subscriptions": n,
        "fanout_notifications_written": told,
        "fanout_seconds_median": round(statistics.median(fanout), 4),
        "fanout_seconds_runs": [round(x, 4) for x in fanout],
        "fanout_goal_seconds": 1.0,
        "emails": args.emails,
        "emails_sent": sent,
        "emails_queue_seconds": round(queue_s, 2),
        "emails_send_seconds": round(send_s, 2),
        "emails_per_second": round(sent / send_s, 1),
        "emails_goal_seconds": 60,
        "senders": args.senders,
        "smtp_sink": "aiosmtpd.handlers.Sink in its own process, one SMTP connection per 500 emails",
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
