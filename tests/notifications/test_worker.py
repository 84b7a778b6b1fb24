"""The worker: periodic tasks enqueued once and retried with backoff; one tick does the whole
path from a check-in to an email; killed with SIGKILL mid-batch it loses and repeats nothing."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from serendip.notifications.models import Notification, OutboundEmail, Schedule
from serendip.notifications.services import subscription_create
from serendip.presence.services import checkin_create
from serendip.reach import tasks as reach_tasks
from serendip.reach.worker import SCHEDULE, TaskRunner, recover_stale, run_once, schedule_due

from .conftest import Sink


@task()
def always_fails(attempt: int = 1) -> None:
    def fail():
        raise RuntimeError("the mail relay is down")

    reach_tasks._run(always_fails, attempt, fail)


@pytest.mark.django_db
def test_each_periodic_task_is_enqueued_once_when_due():
    now = timezone.now()
    assert sorted(schedule_due(now)) == sorted(name for name, _t, _e in SCHEDULE)
    assert schedule_due(now) == [] and schedule_due(now + dt.timedelta(seconds=30)) == []
    assert schedule_due(now + dt.timedelta(minutes=1, seconds=1)) == ["ledger_publish"]
    assert DBTaskResult.objects.count() == len(SCHEDULE) + 1
    assert Schedule.objects.get(name="stats_refresh").next_run_at == now + dt.timedelta(days=1)


@pytest.mark.django_db
def test_a_failing_task_is_recorded_and_retried_with_growing_backoff():
    always_fails.enqueue()
    runner = TaskRunner(worker_id="test")
    delays = []
    for attempt in range(1, reach_tasks.MAX_ATTEMPTS + 1):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - dt.timedelta(seconds=1))
        before = timezone.now()
        assert runner.run_one()
        failed = DBTaskResult.objects.filter(status="FAILED").order_by("-finished_at").first()
        assert failed.exception_class_path == "builtins.RuntimeError" and "relay is down" in failed.traceback
        retry = DBTaskResult.objects.filter(status="READY").first()
        if attempt == reach_tasks.MAX_ATTEMPTS:
            assert retry is None  # gave up until its next scheduled run
        else:
            assert retry.args_kwargs["kwargs"] == {"attempt": attempt + 1}
            delays.append(round((retry.run_after - before).total_seconds()))
    assert delays == [30, 60, 120, 240]


@pytest.mark.django_db
def test_a_task_left_running_by_a_dead_worker_is_marked_failed():
    always_fails.enqueue()
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - dt.timedelta(hours=2))
    assert recover_stale() == 1 and DBTaskResult.objects.get().status == "FAILED"


@pytest.mark.django_db
def test_one_tick_takes_a_check_in_to_the_followers_inbox_and_email(
    make_member, make_space, verify, settings
):
    settings.CHECKIN_FANOUT_SETTLE_SECONDS = 0
    space = make_space()
    fiona, follower = make_member(display_name="Fiona"), verify(make_member())
    checkin_create(member=follower, space_id=space.pk, date=space.local_today())
    subscription_create(member=follower, followed_id=fiona.pk)
    checkin_create(member=fiona, space_id=space.pk, date=space.local_today())
    _no_periodic_jobs()
    run_once()
    assert Notification.objects.get(recipient=follower).kind == "followed_checked_in"
    assert [m.to for m in mail.outbox] == [[follower.user.email]]
    assert "Fiona, whom you follow, checked in" in mail.outbox[0].body


def _no_periodic_jobs():
    """Keep the periodic jobs (which write the matching snapshot and keys under var/) away."""
    Schedule.objects.bulk_create(
        [Schedule(name=name, next_run_at=timezone.now() + dt.timedelta(days=1)) for name, _t, _e in SCHEDULE]
    )


@pytest.mark.django_db
def test_a_scheduled_task_runs_in_the_worker():
    reach_tasks.stats_refresh.enqueue()
    assert TaskRunner(worker_id="test").run_one()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def _worker(env, log):
    # Its output goes to a file, not a pipe: nothing reads a pipe here, a full one would stall
    # the worker, and an unread pipe is an unclosed file when the test ends.
    return subprocess.Popen(
        [sys.executable, "-m", "serendip.manage", "worker", "--interval", "0.2", "--max-seconds", "120"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    make_member, make_space, verify, tmp_path
):
    """SIGKILL while the worker is inside a batch of emails (the mail server is holding the
    30th message before accepting it); a new worker then finishes. Every follower has exactly
    one notification and every email arrived exactly once."""
    space = make_space(seats=200)
    star = make_member(display_name="Star", offers=["fundraising"])
    followers = [verify(make_member()) for _ in range(60)]
    for f in followers:
        checkin_create(member=f, space_id=space.pk, date=space.local_today())
        subscription_create(member=f, tag="fundraising")
    checkin_create(member=star, space_id=space.pk, date=space.local_today())
    _no_periodic_jobs()
    sink = Sink(hold_at=30)
    sink.controller.start()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "DJANGO_SETTINGS_MODULE": "serendip.settings",
    }
    if db.get("PASSWORD"):
        env["DATABASE_URL"] = env["DATABASE_URL"].replace(f"{db['USER']}@", f"{db['USER']}:{db['PASSWORD']}@")
    env["CHECKIN_FANOUT_SETTLE_SECONDS"] = "0"
    # One sender, so the kill lands exactly while it waits on the mail server for the 30th
    # email: with several, another could be between the server's "accepted" and its commit,
    # the one moment a kill makes an email go twice (with the same Message-ID; ARCHITECTURE.md).
    env["EMAIL_SENDERS"] = "1"
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 (closed in finally)
    try:
        first = _worker(env, log)
        assert sink.holding.wait(60), "the worker never reached the 30th email"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert len(sink.messages) == 29
        sink.release()
        second = _worker(env, log)
        sink.wait_for(60, timeout=60)
        deadline = time.monotonic() + 30
        while OutboundEmail.objects.filter(status="queued").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    finally:
        log.close()
        sink.release()
        sink.controller.stop()
    told = Notification.objects.filter(kind="followed_checked_in").values_list("recipient_id", flat=True)
    assert sorted(told) == sorted(f.pk for f in followers)  # each exactly once
    ids = [message_from_bytes(m)["Message-ID"] for m in sink.messages]
    assert len(ids) == len(set(ids)) == 60
    assert set(ids) == set(OutboundEmail.objects.filter(status="sent").values_list("message_id", flat=True))
