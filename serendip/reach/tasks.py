"""Background tasks (Django's tasks framework, django-tasks' database backend) that the worker
enqueues on a schedule: the jobs that otherwise need cron. A failed run is recorded (admin:
"DB task results", with its traceback) and retried with backoff, up to MAX_ATTEMPTS."""

import datetime as dt
import logging

from django.core.management import call_command
from django.utils import timezone
from django_tasks import task

from serendip.notifications.worker import digests_send

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRY_BASE = dt.timedelta(seconds=30)


def retry_later(task_obj, attempt: int) -> None:
    """Enqueue the next attempt after 30 s, 60 s, 120 s, ... (the failed one stays FAILED)."""
    if attempt >= MAX_ATTEMPTS:
        log.error("%s failed %d times; giving up until its next scheduled run", task_obj.name, attempt)
        return
    delay = RETRY_BASE * (2 ** (attempt - 1))
    task_obj.using(run_after=timezone.now() + delay).enqueue(attempt=attempt + 1)


def _run(task_obj, attempt: int, fn) -> None:
    try:
        fn()
    except Exception:
        retry_later(task_obj, attempt)
        raise


@task()
def matching_rebuild(attempt: int = 1) -> None:
    _run(matching_rebuild, attempt, lambda: call_command("matching", "rebuild", verbosity=0))


@task()
def stats_refresh(attempt: int = 1) -> None:
    _run(stats_refresh, attempt, lambda: call_command("stats", "--refresh", verbosity=0))


@task()
def ledger_publish(attempt: int = 1) -> None:
    _run(ledger_publish, attempt, lambda: call_command("ledger", "publish", verbosity=0))


@task()
def daily_digest(attempt: int = 1) -> None:
    _run(daily_digest, attempt, digests_send)


@task()
def task_results_prune(attempt: int = 1) -> None:
    """Successful task results older than a week go (failures stay for the operator), and so
    do emails sent more than 30 days ago: their bodies name other members."""
    from django_tasks_db.models import DBTaskResult

    from serendip.notifications.models import OutboundEmail

    OutboundEmail.objects.filter(status="sent", sent_at__lt=timezone.now() - dt.timedelta(days=30)).delete()
    DBTaskResult.objects.filter(
        status="SUCCESSFUL", finished_at__lt=timezone.now() - dt.timedelta(days=7)
    ).delete()
