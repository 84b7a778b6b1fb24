"""Worker jobs of presence: after a check-in, tell those who follow the member (or a tag they
offer) and are at that space that day, or chose it; warn a member whose balance no longer pays
for a seat there.

The check-in request does none of this and writes nothing extra: the check-in row itself is
the event. The worker reads check-ins past a cursor, in id order, once they are
CHECKIN_FANOUT_SETTLE_SECONDS old (a check-in's transaction is short: it holds the space's lock;
the delay leaves room for one that committed after a later id), and finishes each batch
(notifications and the cursor) in one transaction, so a killed worker redoes the batch and
the once-per-subject constraint keeps any notification from being written twice."""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from serendip.ledger.models import Account
from serendip.ledger.services import format_sc, seat_units
from serendip.notifications.models import Subscription, WorkerCursor
from serendip.notifications.services import can_be_followed, notify, notify_many
from serendip.passport.models import MemberTag, TagKind

from .models import SEAT_HOLDING, CheckIn, CheckInStatus

CURSOR = "presence.checkins_fanout"


def followers_at(checkin: CheckIn) -> dict[int, str]:
    """{subscriber id: why} for a check-in: who follows the member, or a tag they offer, and
    chose this space or holds a seat here that day. Never the member themself."""
    member = checkin.member
    offered = dict(
        MemberTag.objects.filter(member=member, kind=TagKind.OFFER).values_list("tag_id", "tag__name")
    )
    here = CheckIn.objects.filter(space_id=checkin.space_id, date=checkin.date, status__in=SEAT_HOLDING)
    rows = (
        Subscription.objects.filter(Q(followed=member) | Q(tag_id__in=list(offered)))
        .exclude(member_id=member.pk)
        .filter(Q(space_id=checkin.space_id) | Q(space__isnull=True, member_id__in=here.values("member_id")))
        .values_list("member_id", "followed_id", "tag_id")
    )
    found: dict[int, str] = {}
    for subscriber, followed, tag in rows:
        if followed:
            found[subscriber] = "follow"  # following the person says more than a tag
        else:
            found.setdefault(subscriber, offered[tag])
    return found


def checkin_fanout(checkin: CheckIn) -> int:
    """Notifications for one check-in, in the caller's transaction."""
    member = checkin.member
    # Hidden or opted-out members are announced to nobody (they cannot be followed either).
    if checkin.status == CheckInStatus.CANCELLED or not can_be_followed(member):
        return 0
    by_why: dict[str, list[int]] = defaultdict(list)
    for subscriber, why in followers_at(checkin).items():
        by_why[why].append(subscriber)
    url = reverse("space_today", args=[checkin.space.slug])
    written = 0
    for why, subscribers in by_why.items():
        written += notify_many(
            recipient_ids=subscribers,
            kind="followed_checked_in",
            actor=member,
            params={
                "actor": member.display_name,
                "space": checkin.space.name,
                **({} if why == "follow" else {"tag": why}),
            },
            url=url,
            subject=f"checkin:{checkin.pk}",
        )
    return written


def low_balance_check(checkin: CheckIn, balances: dict[int, int]) -> None:
    price = seat_units(checkin.space)
    balance = balances.get(checkin.member_id, 0)
    if checkin.status == CheckInStatus.CANCELLED or price == 0 or balance >= price:
        return
    notify(
        recipient=checkin.member,
        kind="low_balance",
        params={
            "balance": format_sc(balance).removesuffix(" SC"),
            "space": checkin.space.name,
            "price": format_sc(price).removesuffix(" SC"),
        },
        url=reverse("balance"),
        subject=f"balance:{checkin.date.isoformat()}",
    )


def checkins_fanout(*, limit: int = 500, settle: dt.timedelta | None = None) -> int:
    """Fan out the next batch of settled check-ins; returns how many check-ins were read."""
    if settle is None:
        settle = dt.timedelta(seconds=settings.CHECKIN_FANOUT_SETTLE_SECONDS)
    with transaction.atomic():
        cursor, _created = WorkerCursor.objects.get_or_create(name=CURSOR)
        if connection.features.has_select_for_update:
            cursor = WorkerCursor.objects.select_for_update().get(pk=cursor.pk)  # one fan-out at a time
        batch = list(
            CheckIn.objects.filter(pk__gt=cursor.position, created_at__lte=timezone.now() - settle)
            .select_related("member", "space")
            .order_by("pk")[:limit]
        )
        if not batch:
            return 0
        balances = dict(
            Account.objects.filter(member_id__in={c.member_id for c in batch}).values_list(
                "member_id", "balance"
            )
        )
        for checkin in batch:
            checkin_fanout(checkin)
            low_balance_check(checkin, balances)
        cursor.position = batch[-1].pk
        cursor.save(update_fields=["position"])
        return len(batch)
