"""Reads: a member's notifications, unread count, subscriptions, preferences, the demo outbox."""

from django.db.models import QuerySet

from serendip.passport.models import Member

from .kinds import KINDS
from .models import CalendarFeed, Notification, OutboundEmail, Preference, Subscription
from .services import feed_digest


def notification_list(member: Member, *, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    qs = Notification.objects.filter(recipient=member).select_related("actor")
    if unread_only:
        qs = qs.filter(read_at=None)
    return list(qs[: max(1, min(limit, 200))])


def unread_count(member: Member) -> int:
    return Notification.objects.filter(recipient=member, read_at=None).count()


def subscription_list(member: Member) -> QuerySet[Subscription]:
    return Subscription.objects.filter(member=member).select_related("followed", "tag", "space")


def followed_members(member: Member) -> dict[int, int]:
    """{followed member id: subscription id} of `member`'s network-wide follows of people (the
    follows a Follow button makes and shows)."""
    rows = Subscription.objects.filter(member=member, followed__isnull=False, space__isnull=True)
    return dict(rows.values_list("followed_id", "pk"))


def followed_tags(member: Member) -> dict[tuple[str, int | None], int]:
    """{(tag name, space id or None for everywhere): subscription id} of `member`'s tag follows."""
    rows = Subscription.objects.filter(member=member, tag__isnull=False)
    return {(name, space): pk for name, space, pk in rows.values_list("tag__name", "space_id", "pk")}


def preference_map(member: Member) -> dict[str, str]:
    """{kind: channel} for every kind, defaults filled in."""
    chosen = dict(Preference.objects.filter(member=member).values_list("kind", "channel"))
    return {kind: chosen.get(kind, spec.default) for kind, spec in KINDS.items()}


def member_for_feed(raw: str) -> Member | None:
    if not raw or len(raw) > 100:
        return None
    feed = CalendarFeed.objects.select_related("member").filter(digest=feed_digest(raw)).first()
    return feed.member if feed else None


def outbox_recent(limit: int = 100) -> QuerySet[OutboundEmail]:
    return OutboundEmail.objects.order_by("-created_at", "-id")[:limit]
