"""Notifications (the in-app outbox of events), subscriptions, preferences, the email outbox,
account-email state, calendar feeds and the worker's bookkeeping."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from serendip.passport.models import Member

from .kinds import KIND_CHOICES, Channel, render


class EmailState(models.TextChoices):
    NONE = "none", _("No email")
    PENDING = "pending", _("Email to be sent")
    DIGEST = "digest", _("In the next daily digest")
    EMAILED = "emailed", _("Emailed")
    DIGESTED = "digested", _("Sent in a digest")
    SKIPPED = "skipped", _("Not emailed (no verified address)")


class Notification(models.Model):
    """One thing a member should know. Written in the same transaction as the event it tells
    of (the outbox); emails are made from it after commit, by the worker."""

    recipient = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    actor = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    # What the notification is about, e.g. "checkin:12": one notification per recipient, kind and subject.
    subject = models.CharField(max_length=80, blank=True)
    email = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.NONE)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject"],
                condition=~Q(subject=""),
                name="notification_once_per_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(fields=["recipient"], condition=Q(read_at=None), name="notification_unread"),
            models.Index(fields=["email"], condition=Q(email="pending"), name="notification_email_pending"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return render(self.kind, self.params)


class Subscription(models.Model):
    """Follow a member or a tag they offer: told when they check in at a space I am at today
    (`space` empty), or at the one space I chose."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="subscriptions")
    followed = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    tag = models.ForeignKey(
        "passport.Tag", null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    space = models.ForeignKey(
        "network.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(followed__isnull=False, tag__isnull=True)
                | Q(followed__isnull=True, tag__isnull=False),
                name="subscription_member_or_tag",
            ),
            # Empty columns compare equal here (NULLS NOT DISTINCT, which SQLite lacks).
            models.UniqueConstraint(
                "member",
                Coalesce("followed", 0),
                Coalesce("tag", 0),
                Coalesce("space", 0),
                name="subscription_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["followed"], name="subscription_followed"),
            models.Index(fields=["tag"], name="subscription_tag"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} follows {self.followed_id or self.tag_id}"


class Preference(models.Model):
    """How a member wants one kind of notification (no row: the kind's default)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="preference_once_per_kind"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="preference_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind}: {self.channel}"


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")


class OutboundEmail(models.Model):
    """An email to send: the worker sends it after the commit that queued it, retrying with
    backoff. Its Message-ID is fixed when queued, so a retry is recognisably the same message."""

    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to = models.EmailField()
    # A notification kind, "digest", or an account email ("verify", "email_change", "password_reset").
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    text = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(default=list, blank=True)  # [{"filename", "content", "mimetype"}]
    message_id = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Senders take queued emails in id order (notifications/worker.py: _claim_sql).
            models.Index(fields=["id"], condition=Q(status="queued"), name="outbound_queued"),
            models.Index(fields=["member", "-created_at"], name="outbound_member_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"


class AccountEmail(models.Model):
    """The state of a member's address: verified or not, and when we last asked."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="account_email")
    address = models.EmailField()
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.address} ({'verified' if self.verified_at else 'unverified'})"


class CalendarFeed(models.Model):
    """A member's private calendar feed: only the token's SHA-256 is stored; revoking deletes it."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="calendar_feed")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.member_id}"


class WorkerCursor(models.Model):
    """How far a worker job has read an append-only table (e.g. check-ins fanned out)."""

    name = models.CharField(max_length=60, unique=True)
    position = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} at {self.position}"


class Schedule(models.Model):
    """When a periodic job is next due; the worker enqueues it as a task then (one worker does,
    under this row's lock)."""

    name = models.CharField(max_length=60, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} next at {self.next_run_at}"
