"""Members, tags and the append-only timeline."""

import secrets

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serendip.l10n import language_choices
from serendip.tags import MAX_TAG_LENGTH

from .timeline import activity_text


def new_pseudonym() -> str:
    # The id under which a member appears in the public ledger log: random, so it reveals nothing.
    return secrets.token_hex(16)


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone, including the lobby screen")
    MEMBERS = "members", _("Signed-in members only")
    HIDDEN = "hidden", _("Nobody (I won't appear in who is here)")


class Verification(models.TextChoices):
    """How an account was shown to be a real person (onboarding.services.member_verify)."""

    ARRIVAL = "arrival", _("A space confirmed their first arrival")
    EMAIL = "email", _("Confirmed their e-mail address")
    OPERATOR = "operator", _("Vouched for by the operator (demo, imports)")


class Member(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    display_name = models.CharField(max_length=80)
    headline = models.CharField(max_length=120, blank=True)
    about = models.TextField(max_length=2000, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS)
    open_to_matching = models.BooleanField(default=True)
    pseudonym = models.CharField(max_length=32, unique=True, default=new_pseudonym, editable=False)
    # Set once by `member_mark_verified`; the welcome grant is paid then (onboarding).
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_how = models.CharField(max_length=10, choices=Verification.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Touched by every passport or tag edit: the matching index refreshes what changed since.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # 0: no picture (pages show initials); else the Photo's version, part of its URL for caching.
    photo_version = models.PositiveIntegerField(default=0, db_default=0)
    # The language of their pages, emails and calendar feed; blank: as their browser asks
    # (site.middleware.LanguageMiddleware says what wins when).
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", db_default="", choices=language_choices
    )

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="member_visibility_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class Photo(models.Model):
    """A member's profile picture: a square JPEG made by `member_photo_set` (resized, EXIF gone).
    Kept in the database, apart from Member so that member queries never load it."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="photo")
    data = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"photo of {self.member_id}"


class Tag(models.Model):
    """A normalised skill or topic; `name` is always `serendip.tags.normalise_tag` output."""

    name = models.CharField(max_length=MAX_TAG_LENGTH, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TagKind(models.TextChoices):
    OFFER = "offer", _("Offers")
    NEED = "need", _("Needs")
    INTEREST = "interest", _("Interested in")


class MemberTag(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="member_tags")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="member_tags")
    kind = models.CharField(max_length=10, choices=TagKind.choices)
    weight = models.FloatField(default=1.0)

    class Meta:
        ordering = ["kind", "-weight", "tag__name"]
        constraints = [
            models.UniqueConstraint(fields=["member", "tag", "kind"], name="member_tag_unique"),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=10), name="member_tag_weight_range"
            ),
            models.CheckConstraint(condition=Q(kind__in=TagKind.values), name="member_tag_kind_valid"),
        ]
        indexes = [models.Index(fields=["tag", "kind"])]

    def __str__(self) -> str:
        return f"{self.member} {self.kind} {self.tag}"


class Activity(models.Model):
    """The passport timeline: what a member did. Append-only: rows are written by
    `activity_record` and never changed (the admin offers no change or delete)."""

    # No index of its own: activity_member_recent (member, -created_at) serves every lookup by member.
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="activities", db_index=False)
    verb = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "-created_at"], name="activity_member_recent")]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.member}: {self.summary}"

    @property
    def text(self) -> str:
        """The line in the active language (passport.timeline); `summary` is the stored English one."""
        return activity_text(self.verb, self.extra, self.summary)


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored. `prefix` (public) finds the row quickly."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The user's session auth hash (an HMAC of the password hash) when the token was issued: a
    # token lives only as long as the password it was issued under, like Django's sessions, so
    # any password change (page, admin, `changepassword`) revokes every token at once.
    auth_hash = models.CharField(max_length=128, default="")

    def __str__(self) -> str:
        return f"token {self.prefix}… of {self.user}"


class Session(AbstractBaseSession):
    """A browser session (Django's database sessions, `passport/sessions.py`), with the signed-in
    user's id so that "sign out everywhere" can find every session of a user."""

    user_pk = models.BigIntegerField(null=True, blank=True, db_index=True)

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore


class BillingDetails(models.Model):
    """Whom a member's invoices are made out to (name, company, address, VAT id), when they
    gave it. Invoices copy these at issue (network.invoices), so a later edit changes no invoice.
    Checked by passport.billing.check_billing; written by services.billing_details_set."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="billing")
    name = models.CharField(_("name on invoices"), max_length=80, blank=True)
    company = models.CharField(_("company"), max_length=120, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    vat_id = models.CharField(_("VAT id"), max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"billing details of member {self.member_id}"
