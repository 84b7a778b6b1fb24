"""Issued credentials (with their status list entry) and erasures (with the invoice retention)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class CredentialKind(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    ACHIEVEMENT = "achievement", _("Achievement (Open Badge)")


class IssuedCredential(models.Model):
    """A credential the network issued. Its primary key is its entry in the network's
    Bitstring Status List (list `id // STATUS_LIST_SIZE`, bit `id % STATUS_LIST_SIZE`), so
    revoking it is setting `revoked_at`. No copy of the credential is kept: a member
    downloads a fresh one whenever they like."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey("passport.Member", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=CredentialKind.choices)
    achievement = models.CharField(max_length=80, blank=True)  # e.g. "answers:python", "meetings"
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["member", "kind"], name="credential_member_kind")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=CredentialKind.values), name="credential_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} credential {self.uid}"


class Erasure(models.Model):
    """A deleted passport: when, and until when its invoices are kept by law."""

    member = models.OneToOneField("passport.Member", on_delete=models.PROTECT, related_name="erasure")
    erased_at = models.DateTimeField()
    invoices_kept_until = models.DateField(null=True, blank=True)
    invoices_removed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"erasure of member {self.member_id} at {self.erased_at:%Y-%m-%d}"


class DataExport(models.Model):
    """A member's export prepared in the background (a long history): the ZIP, kept for a few
    days (`serendip rights purge` removes older ones; erasure removes them at once)."""

    member = models.ForeignKey("passport.Member", on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    data = models.BinaryField(null=True, blank=True)
    failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["member", "-requested_at"], name="data_export_member_recent")]

    def __str__(self) -> str:
        return f"export {self.pk} of member {self.member_id}"

    @property
    def ready(self) -> bool:
        return self.finished_at is not None and not self.failed
