"""The worker's jobs on notifications and email (run by `serendip worker`, see reach/worker.py).

Each job reads a batch of outbox rows and finishes it in one transaction (or, for a sent email,
one transaction per email), so a worker killed at any point leaves every row either done or
still to do: nothing is lost, and nothing done is done again."""

import datetime as dt
import logging
import threading

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, connections, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from serendip.passport.models import Member

from . import tokens
from .mail import build, digest_message, notification_message, verification_message
from .models import AccountEmail, EmailState, Notification, OutboundEmail, OutboundStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = dt.timedelta(seconds=30)  # 30 s, 1 min, 2 min, ... capped at 6 h
BACKOFF_MAX = dt.timedelta(hours=6)


def _locked(qs):
    # PostgreSQL: rows another worker holds are skipped, not waited for. SQLite: the IMMEDIATE
    # transaction already holds the database's write lock.
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs


def backoff(attempts: int) -> dt.timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _verified(members: list[Member]) -> dict[int, str]:
    states = {s.member_id: s for s in AccountEmail.objects.filter(member__in=members)}
    found = {}
    for member in members:
        state, email = states.get(member.pk), member.user.email
        if email and state and state.verified_at and state.address.lower() == email.lower():
            found[member.pk] = email
    return found


def emails_compose(*, limit: int = 500) -> int:
    """Turn notifications waiting for an email into queued emails: only to verified addresses,
    and at most EMAIL_DAILY_CAP a day per member (the rest go to the daily digest)."""
    with transaction.atomic():
        batch = list(
            _locked(Notification.objects.filter(email=EmailState.PENDING))
            .select_related("recipient__user")
            .order_by("id")[:limit]
        )
        if not batch:
            return 0
        members = list({n.recipient_id: n.recipient for n in batch}.values())
        addresses = _verified(members)
        since = timezone.now() - dt.timedelta(days=1)
        sent_today = dict(
            OutboundEmail.objects.filter(member__in=members, created_at__gte=since)
            .exclude(kind__in=["verify", "email_change", "password_reset", "digest"])
            .values("member")
            .annotate(n=Count("id"))
            .values_list("member", "n")
        )
        for n in batch:
            to = addresses.get(n.recipient_id)
            if to is None:
                n.email = EmailState.SKIPPED
            elif sent_today.get(n.recipient_id, 0) >= settings.EMAIL_DAILY_CAP:
                n.email = EmailState.DIGEST
            else:
                notification_message(notification=n, to=to)
                sent_today[n.recipient_id] = sent_today.get(n.recipient_id, 0) + 1
                n.email = EmailState.EMAILED
        Notification.objects.bulk_update(batch, ["email"])
        return len(batch)


def _fail(email: OutboundEmail, exc: Exception, now) -> None:
    email.attempts += 1
    email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if email.attempts >= MAX_ATTEMPTS:
        email.status = OutboundStatus.FAILED
    else:
        email.next_attempt_at = now + backoff(email.attempts)
    email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    log.warning("email %s to %s failed (attempt %d): %s", email.pk, email.to, email.attempts, exc)


def emails_send(*, limit: int = 200) -> int:
    """Send due emails over one connection; returns how many were sent.

    PostgreSQL: each email's row is locked (SKIP LOCKED: several workers share the queue) from
    before it is handed to the mail server until it is marked sent, in one transaction; a
    worker killed before that commit leaves it queued, so it is sent again (with the same
    Message-ID) only if the server had accepted it in the instant before the commit.
    SQLite (one worker): the database is not locked while the mail server talks, since that
    would stall every writer; each email is marked sent right after the server accepts it."""
    smtp = get_connection()
    try:
        if connection.features.has_select_for_update_skip_locked:
            return _send_locked(smtp, limit)
        return _send_unlocked(smtp, limit)
    finally:
        try:
            smtp.close()
        except Exception:  # a broken connection may not close cleanly
            log.debug("closing the mail connection", exc_info=True)


def emails_deliver(*, limit: int = 500) -> int:
    """The worker's sending job: on PostgreSQL with a backlog, EMAIL_SENDERS threads (each its
    own database and SMTP connection, sharing the queue through SKIP LOCKED) send in parallel:
    each email waits on the database and the mail server, rarely on the CPU."""
    senders = settings.EMAIL_SENDERS if connection.features.has_select_for_update_skip_locked else 1
    if senders <= 1 or _due().count() < 2 * senders:
        return emails_send(limit=limit)
    counts: list[int] = []

    def one() -> None:
        try:
            counts.append(emails_send(limit=limit // senders + 1))
        except Exception:
            log.exception("an email sender failed")
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=one, name=f"email-sender-{i}") for i in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)


def _due():
    return OutboundEmail.objects.filter(status=OutboundStatus.QUEUED, next_attempt_at__lte=timezone.now())


def _send_one(smtp, email: OutboundEmail) -> Exception | None:
    try:
        smtp.send_messages([build(email, smtp)])
    except Exception as exc:  # any failure of the mail server is retried later, with backoff
        try:
            smtp.close()
        except Exception:
            log.debug("closing a failed mail connection", exc_info=True)
        return exc
    return None


class _SendFailed(Exception):
    pass


def _claim_sql() -> str:
    table = OutboundEmail._meta.db_table
    return (
        f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1"
        f" WHERE id = (SELECT id FROM {table} WHERE status = %s AND next_attempt_at <= %s AND id > %s"
        f" ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *"
    )


def _send_locked(smtp, limit: int) -> int:
    # The worker's own commits need not wait for a disk flush: if the database server itself
    # crashed, the last fraction of a second of them would be lost whole (never half), and the
    # jobs redo them; an email whose "sent" was lost would go again with the same Message-ID.
    # A killed worker is not affected. Without it each email waits for a flush (BENCHMARKS.md).
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    # In id order from the last one this sender took: rows sent a moment ago (still in the
    # index until vacuum) lie behind it, so a claim reads a few index entries, not all of them.
    sent, sql, after = 0, _claim_sql(), 0
    for _ in range(limit):
        now = timezone.now()
        try:
            # One statement picks the next due email, locks it and marks it sent; the commit
            # waits until the mail server has accepted it, and a failure rolls the mark back.
            with transaction.atomic():
                params = [OutboundStatus.SENT, now, OutboundStatus.QUEUED, now, after]
                email = next(iter(OutboundEmail.objects.raw(sql, params)), None)
                if email is None:
                    break
                after = email.pk
                error = _send_one(smtp, email)
                if error is not None:
                    raise _SendFailed(error)
        except _SendFailed as failed:
            with transaction.atomic():
                email = OutboundEmail.objects.select_for_update().get(pk=email.pk)
                _fail(email, failed.args[0], now)
            continue
        sent += 1
    return sent


def _send_unlocked(smtp, limit: int) -> int:
    sent = 0
    for email in list(_due().order_by("next_attempt_at", "id")[:limit]):
        error = _send_one(smtp, email)
        with transaction.atomic():
            if error is not None:
                _fail(email, error, timezone.now())
                continue
            OutboundEmail.objects.filter(pk=email.pk).update(
                status=OutboundStatus.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1
            )
            sent += 1
    return sent


def digests_send(*, limit: int = 1000) -> int:
    """The daily digest: one email per member with notifications waiting for it."""
    done = 0
    with transaction.atomic():
        waiting = list(
            _locked(Notification.objects.filter(email=EmailState.DIGEST))
            .select_related("recipient__user")
            .order_by("recipient_id", "id")[: limit * 20]
        )
        by_member: dict[int, list[Notification]] = {}
        for n in waiting:
            by_member.setdefault(n.recipient_id, []).append(n)
        members = [items[0].recipient for items in by_member.values()]
        addresses = _verified(members)
        for member in members:
            items = by_member[member.pk]
            to = addresses.get(member.pk)
            if to is not None:
                digest_message(member=member, to=to, notifications=items)
                done += 1
            for n in items:
                n.email = EmailState.DIGESTED if to else EmailState.SKIPPED
        Notification.objects.bulk_update(waiting, ["email"])
    return done


def verifications_queue(*, limit: int = 200) -> int:
    """Ask each member with a new, unverified address to confirm it (signed link). Runs in the
    worker, so sign-up needs no change and costs nothing extra."""
    done = 0
    with transaction.atomic():
        members = list(
            Member.objects.select_related("user")
            .exclude(user__email="")
            .filter(
                Q(account_email__isnull=True)
                | Q(account_email__verification_sent_at__isnull=True)
                | ~Q(account_email__address=F("user__email"))
            )
            .order_by("id")[:limit]
        )
        for member in members:
            state, _created = AccountEmail.objects.get_or_create(
                member=member, defaults={"address": member.user.email}
            )
            if state.verified_at and state.address.lower() == member.user.email.lower():
                continue
            state.address, state.verified_at, state.verification_sent_at = (
                member.user.email,
                None,
                timezone.now(),
            )
            state.save(update_fields=["address", "verified_at", "verification_sent_at"])
            verification_message(
                member=member, token=tokens.make("verify", {"m": member.pk, "e": state.address})
            )
            done += 1
    return done
