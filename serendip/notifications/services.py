"""Writes of notifications, subscriptions, preferences, queued emails, account email and feeds.

`notify` and `notify_many` run inside the caller's transaction (the domain service that made
the event): the event and its notifications commit together or not at all. Emails are made
and sent after commit by the worker (`worker.py`)."""

import hashlib
import secrets
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from serendip.errors import Conflict, InvalidInput, NotFound
from serendip.passport.models import Member, Tag, Visibility
from serendip.tags import TagError, normalise_tag

from . import tokens
from .kinds import KINDS, Channel
from .mail import email_change_message
from .models import (
    AccountEmail,
    CalendarFeed,
    EmailState,
    Notification,
    OutboundEmail,
    Preference,
    Subscription,
)

User = get_user_model()
MAX_SUBSCRIPTIONS = 200

_EMAIL_STATE = {
    Channel.EMAIL: EmailState.PENDING,
    Channel.DIGEST: EmailState.DIGEST,
    Channel.INAPP: EmailState.NONE,
}


def channels_for(member_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each member's channel for `kind` (their preference, else the kind's default)."""
    member_ids = list(member_ids)
    default = KINDS[kind].default
    chosen = dict(
        Preference.objects.filter(member_id__in=member_ids, kind=kind).values_list("member_id", "channel")
    )
    return {pk: chosen.get(pk, default) for pk in member_ids}


def notify_many(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    params: dict,
    url: str = "",
    actor: Member | None = None,
    subject: str = "",
) -> int:
    """Tell each recipient (never the actor, nobody who turned the kind off). A notification
    with a `subject` is written once per recipient and kind however often this runs. Returns
    how many were written (or already there)."""
    if kind not in KINDS:
        raise InvalidInput(f"unknown notification kind {kind!r}")
    wanted = {pk for pk in recipient_ids if actor is None or pk != actor.pk}
    if not wanted:
        return 0
    channels = channels_for(wanted, kind)
    rows = [
        Notification(
            recipient_id=pk,
            kind=kind,
            actor=actor,
            params=params,
            url=url[:300],
            subject=subject,
            email=_EMAIL_STATE[channel],
        )
        for pk, channel in sorted(channels.items())
        if channel != Channel.OFF
    ]
    # ignore_conflicts: a repeated subject is skipped without an error (no savepoint, and the
    # caller's transaction stays usable).
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(subject))
    return len(rows)


def notify(
    *,
    recipient: Member,
    kind: str,
    params: dict,
    url: str = "",
    actor: Member | None = None,
    subject: str = "",
) -> int:
    return notify_many(
        recipient_ids=[recipient.pk], kind=kind, params=params, url=url, actor=actor, subject=subject
    )


@transaction.atomic
def notification_mark_read(*, member: Member, notification_id: int) -> Notification:
    found = Notification.objects.filter(pk=notification_id, recipient=member).first()
    if found is None:
        raise NotFound(f"no notification with id {notification_id}")
    if found.read_at is None:
        found.read_at = timezone.now()
        found.save(update_fields=["read_at"])
    return found


@transaction.atomic
def notification_mark_all_read(*, member: Member) -> int:
    return Notification.objects.filter(recipient=member, read_at=None).update(read_at=timezone.now())


# Subscriptions -------------------------------------------------------------------------


def can_be_followed(member: Member) -> bool:
    """Whether others may follow `member`: not hidden, and not opted out of being suggested
    ("Suggest me to others" off). Following someone announces their check-ins to the follower,
    which is exactly what a member who opted out asked us not to do. The pages ask this too, to
    show a Follow button only where the API would accept it."""
    return member.visibility != Visibility.HIDDEN and member.open_to_matching


@transaction.atomic
def subscription_create(
    *, member: Member, followed_id: int | None = None, tag: str | None = None, space_id: int | None = None
) -> Subscription:
    """Follow a member or a tag, network-wide (no space) or at one space."""
    if (followed_id is None) == (tag is None):
        raise InvalidInput(_("follow either a member or a tag"))
    followed = tag_row = space = None
    if followed_id is not None:
        followed = Member.objects.filter(pk=followed_id).first() if 0 < followed_id < 2**63 else None
        if followed is not None and followed.pk == member.pk:
            raise InvalidInput(_("you cannot follow yourself"))
        # Hidden and opted-out members are reported like absent ones: who they are is not ours to
        # learn.
        if followed is None or not can_be_followed(followed):
            raise NotFound(f"no member with id {followed_id}")
    else:
        try:
            name = normalise_tag(tag or "")
        except TagError as exc:
            raise InvalidInput(f"tag: {exc}") from exc
        tag_row, _created = Tag.objects.get_or_create(name=name)
    if space_id is not None:
        space_model = Subscription._meta.get_field("space").related_model
        space = space_model.objects.filter(pk=space_id).first()
        if space is None:
            raise NotFound(f"no space with id {space_id}")
    if Subscription.objects.filter(member=member).count() >= MAX_SUBSCRIPTIONS:
        raise Conflict(f"at most {MAX_SUBSCRIPTIONS} subscriptions")
    try:
        with transaction.atomic():
            return Subscription.objects.create(member=member, followed=followed, tag=tag_row, space=space)
    except IntegrityError as exc:
        raise Conflict(_("you already follow this")) from exc


@transaction.atomic
def subscription_delete(*, member: Member, subscription_id: int) -> None:
    deleted, _rows = Subscription.objects.filter(pk=subscription_id, member=member).delete()
    if not deleted:
        raise NotFound(f"no subscription with id {subscription_id}")


# Preferences ---------------------------------------------------------------------------


@transaction.atomic
def preference_set(*, member: Member, kind: str, channel: str) -> Preference:
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}")
    if channel not in Channel.values:
        raise InvalidInput(f"channel must be one of {', '.join(Channel.values)}")
    pref, _created = Preference.objects.update_or_create(
        member=member, kind=kind, defaults={"channel": channel}
    )
    return pref


@transaction.atomic
def preferences_set(*, member: Member, channels: dict[str, str]) -> None:
    """Several kinds at once, all or nothing."""
    for kind, channel in channels.items():
        if kind not in KINDS or channel not in Channel.values:
            raise InvalidInput(f"{kind}: channel must be one of {', '.join(Channel.values)}")
    for kind, channel in channels.items():
        preference_set(member=member, kind=kind, channel=channel)


@transaction.atomic
def unsubscribe_apply(*, token: str) -> tuple[Member, str]:
    """One-click unsubscribe (RFC 8058): no more email of this kind (it stays in the app).
    A tampered or expired token raises InvalidInput and changes nothing."""
    try:
        payload = tokens.read("unsubscribe", token, max_age=tokens.UNSUBSCRIBE_MAX_AGE)
    except tokens.BadToken as exc:
        raise InvalidInput(_("This unsubscribe link is invalid or has expired.")) from exc
    member = Member.objects.filter(pk=payload.get("m")).first()
    kind = payload.get("k")
    if member is None or (kind not in KINDS and kind != "digest"):
        raise InvalidInput(_("This unsubscribe link is invalid or has expired."))
    kinds = list(KINDS) if kind == "digest" else [kind]
    for one in kinds:
        current = channels_for([member.pk], one)[member.pk]
        if current in (Channel.EMAIL, Channel.DIGEST):
            preference_set(member=member, kind=one, channel=Channel.INAPP)
    return member, kind


# Queued email --------------------------------------------------------------------------


@transaction.atomic
def email_retry(*, email_ids: Iterable[int]) -> int:
    """The operator's "retry now" (admin): failed or waiting emails are due again."""
    return (
        OutboundEmail.objects.filter(pk__in=list(email_ids))
        .exclude(status="sent")
        .update(status="queued", next_attempt_at=timezone.now())
    )


# Account email -------------------------------------------------------------------------


def verified_address(member: Member) -> str | None:
    """The member's address if it is verified, else None: no email goes to an unverified one."""
    state = AccountEmail.objects.filter(member=member).first()
    email = member.user.email
    if email and state and state.verified_at and state.address.lower() == email.lower():
        return email
    return None


@transaction.atomic
def email_verify(*, token: str) -> Member:
    """Mark the address in the token verified, if it is still the member's address."""
    try:
        payload = tokens.read("verify", token, max_age=tokens.VERIFY_MAX_AGE)
    except tokens.BadToken as exc:
        raise InvalidInput(_("This verification link is invalid or has expired.")) from exc
    member = Member.objects.select_related("user").filter(pk=payload.get("m")).first()
    address = payload.get("e", "")
    if member is None or not address or member.user.email.lower() != str(address).lower():
        raise InvalidInput(_("This verification link is invalid or has expired."))
    state, _created = AccountEmail.objects.select_for_update().get_or_create(
        member=member, defaults={"address": address}
    )
    state.address = address
    if state.verified_at is None:
        state.verified_at = timezone.now()
    state.save(update_fields=["address", "verified_at"])
    return member


@transaction.atomic
def email_mark_verified(*, member: Member) -> None:
    """For seeded demo members and operators' own tools: the current address counts as verified."""
    AccountEmail.objects.update_or_create(
        member=member, defaults={"address": member.user.email, "verified_at": timezone.now()}
    )


def check_email(address: str) -> str:
    address = (address or "").strip()
    if len(address) > 254 or "\x00" in address:
        raise InvalidInput(_("Enter a valid email address."))
    try:
        validate_email(address)
    except ValidationError as exc:
        raise InvalidInput(_("Enter a valid email address.")) from exc
    return address


@transaction.atomic
def email_change_request(*, member: Member, new_email: str) -> OutboundEmail:
    """Send a confirmation link to the new address; the address changes only when it is followed."""
    new_email = check_email(new_email)
    if new_email.lower() == member.user.email.lower():
        raise InvalidInput(_("That is already your address."))
    if User.objects.filter(email__iexact=new_email).exclude(pk=member.user_id).exists():
        # Said the same way as success would be, to the page: the owner of the address gets nothing.
        raise Conflict(_("That address belongs to another account."))
    token = tokens.make("email_change", {"m": member.pk, "e": new_email})
    return email_change_message(member=member, new_email=new_email, token=token)


@transaction.atomic
def email_change_confirm(*, token: str) -> Member:
    try:
        payload = tokens.read("email_change", token, max_age=tokens.EMAIL_CHANGE_MAX_AGE)
    except tokens.BadToken as exc:
        raise InvalidInput(_("This confirmation link is invalid or has expired.")) from exc
    member = Member.objects.select_related("user").filter(pk=payload.get("m")).first()
    new_email = payload.get("e")
    if member is None or not new_email:
        raise InvalidInput(_("This confirmation link is invalid or has expired."))
    if User.objects.filter(email__iexact=new_email).exclude(pk=member.user_id).exists():
        raise Conflict(_("That address belongs to another account."))
    user = member.user
    user.email = new_email
    user.save(update_fields=["email"])
    AccountEmail.objects.update_or_create(
        member=member, defaults={"address": new_email, "verified_at": timezone.now()}
    )
    return member


# Calendar feeds ------------------------------------------------------------------------


def feed_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, member: Member) -> str:
    """A new private feed token (any earlier one stops working). Returned once, stored as a hash."""
    raw = secrets.token_urlsafe(24)
    CalendarFeed.objects.update_or_create(member=member, defaults={"digest": feed_digest(raw)})
    return raw


@transaction.atomic
def calendar_feed_revoke(*, member: Member) -> None:
    CalendarFeed.objects.filter(member=member).delete()
