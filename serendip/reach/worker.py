"""`serendip worker`: runs the outbox jobs every tick, enqueues the periodic tasks when due and
runs enqueued tasks (django-tasks' database backend), until stopped.

The outbox jobs (check-in fan-out, notification emails, verification emails, sending) are not
tasks of their own: each reads rows a committed transaction left and finishes them in its own
transaction, so they need no queue entry and a killed worker simply redoes the unfinished batch."""

import datetime as dt
import logging
import os
import signal
import socket
import time
from collections.abc import Callable

from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from serendip.notifications.models import Schedule
from serendip.notifications.worker import emails_compose, emails_deliver, verifications_queue
from serendip.presence.tasks import checkins_fanout

from . import tasks

log = logging.getLogger(__name__)

# Run in this order: fan-out makes notifications, compose makes emails, send sends. Each at
# most every `every` seconds (the verification job scans members for new addresses: rarer).
PUMPS: list[tuple[str, Callable[[], int], float]] = [
    ("checkins_fanout", checkins_fanout, 0),
    ("verifications_queue", verifications_queue, 10),
    ("emails_compose", emails_compose, 0),
    ("emails_deliver", emails_deliver, 0),
]
_last_run: dict[str, float] = {}

# (name, task, every): enqueued when due; the first run is due when the worker first starts.
SCHEDULE = [
    ("ledger_publish", tasks.ledger_publish, dt.timedelta(minutes=1)),
    ("stats_refresh", tasks.stats_refresh, dt.timedelta(days=1)),
    ("matching_rebuild", tasks.matching_rebuild, dt.timedelta(days=1)),
    ("daily_digest", tasks.daily_digest, dt.timedelta(days=1)),
    ("task_results_prune", tasks.task_results_prune, dt.timedelta(days=1)),
]
STALE_RUNNING = dt.timedelta(hours=1)


def schedule_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue each periodic task that is due, once, however many workers run."""
    now = now or timezone.now()
    enqueued = []
    for name, task_obj, every in SCHEDULE:
        with transaction.atomic():
            row, _created = Schedule.objects.get_or_create(name=name, defaults={"next_run_at": now})
            qs = Schedule.objects.filter(pk=row.pk, next_run_at__lte=now)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            row = qs.first()
            if row is None:
                continue
            task_obj.enqueue()  # the task row commits with the schedule's new time, or neither
            row.next_run_at, row.last_enqueued_at = now + every, now
            row.save(update_fields=["next_run_at", "last_enqueued_at"])
            enqueued.append(name)
    return enqueued


def run_pumps() -> int:
    done = 0
    for name, pump, every in PUMPS:
        now = time.monotonic()
        if every and now - _last_run.get(name, -every) < every:
            continue
        _last_run[name] = now
        try:
            done += pump()
        except Exception:  # one job failing must not stop the others; it is retried next tick
            log.exception("worker job %s failed", name)
    return done


class TaskRunner:
    """Runs one enqueued task at a time with django-tasks-db's own claim and bookkeeping."""

    def __init__(self, worker_id: str):
        self.worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        self.worker_id = worker_id

    def run_one(self) -> bool:
        ready = DBTaskResult.objects.ready().filter(backend_name="default")
        with exclusive_transaction(ready.db):
            result = ready.get_locked()
            if result is not None:
                result.claim(self.worker_id)
        if result is None:
            return False
        self.worker.run_task(result)
        return True


def recover_stale(now: dt.datetime | None = None) -> int:
    """Tasks left RUNNING by a worker that died (kill -9) are marked failed, so the operator
    sees them; periodic ones run again at their next time."""
    now = now or timezone.now()
    stale = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=now - STALE_RUNNING)
    return stale.update(
        status="FAILED", finished_at=now, exception_class_path="serendip.reach.worker.WorkerDied"
    )


def run_once(runner: TaskRunner | None = None) -> int:
    """One tick: schedule, outbox jobs, then the ready tasks. Returns the work done."""
    schedule_due()
    done = run_pumps()
    runner = runner or TaskRunner(worker_id=f"{socket.gethostname()}-{os.getpid()}")
    while runner.run_one():
        done += 1
    return done


def run_forever(*, interval: float = 1.0, max_seconds: float | None = None) -> None:
    runner = TaskRunner(worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64])
    running = True

    def stop(signum, frame):
        nonlocal running
        log.warning("worker: %s, stopping after this tick", signal.strsignal(signum))
        running = False

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    recover_stale()
    started = time.monotonic()
    while running and (max_seconds is None or time.monotonic() - started < max_seconds):
        close_old_connections()
        try:
            done = run_once(runner)
        except Exception:
            log.exception("worker tick failed")
            done = 0
        if not done and running:
            time.sleep(interval)
