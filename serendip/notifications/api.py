"""API: /me/notifications (list, unread count, mark read), /me/subscriptions (CRUD),
/me/notification-preferences, /me/calendar-feed."""

from datetime import datetime
from typing import Annotated

from django.urls import reverse
from ninja import Field, Router, Schema, Status

from serendip.apitypes import Id, Text, current_member
from serendip.errors import InvalidInput

from . import selectors, services
from .kinds import KINDS, Channel
from .models import Notification, Subscription

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    actor_id: int | None
    created_at: datetime
    read: bool


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class SubscriptionIn(Schema):
    member_id: Id | None = Field(None, description="follow this member (or give `tag`)")
    tag: Text | None = Field(None, description="follow members who offer this tag")
    space_id: Id | None = Field(None, description="only at this space; empty: wherever I am that day")


class SubscriptionOut(Schema):
    id: int
    member_id: int | None
    member_name: str | None
    tag: str | None
    space_id: int | None
    space_name: str | None
    created_at: datetime


class PreferencesIO(Schema):
    channels: dict[str, Channel] = Field(description="kind -> inapp | email | digest | off")


class FeedOut(Schema):
    url: str


def _notification_out(n: Notification) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "text": n.text,
        "url": n.url,
        "actor_id": n.actor_id,
        "created_at": n.created_at,
        "read": n.read_at is not None,
    }


def _subscription_out(s: Subscription) -> dict:
    return {
        "id": s.pk,
        "member_id": s.followed_id,
        "member_name": s.followed.display_name if s.followed else None,
        "tag": s.tag.name if s.tag else None,
        "space_id": s.space_id,
        "space_name": s.space.name if s.space else None,
        "created_at": s.created_at,
    }


@router.get("/me/notifications", response=list[NotificationOut], summary="My notifications, newest first")
def notification_list(request, unread: bool = False, limit: Annotated[int, Field(ge=1, le=200)] = 50):
    member = current_member(request)
    return [
        _notification_out(n) for n in selectors.notification_list(member, unread_only=unread, limit=limit)
    ]


@router.get("/me/notifications/unread-count", response=UnreadOut, summary="How many are unread")
def notification_unread(request):
    return {"unread": selectors.unread_count(current_member(request))}


@router.post(
    "/me/notifications/{notification_id}/read", response=NotificationOut, summary="Mark one notification read"
)
def notification_read(request, notification_id: Id):
    n = services.notification_mark_read(member=current_member(request), notification_id=notification_id)
    return _notification_out(n)


@router.post("/me/notifications/read-all", response=MarkedOut, summary="Mark all my notifications read")
def notification_read_all(request):
    return {"marked": services.notification_mark_all_read(member=current_member(request))}


@router.get("/me/subscriptions", response=list[SubscriptionOut], summary="Members and tags I follow")
def subscription_list(request):
    return [_subscription_out(s) for s in selectors.subscription_list(current_member(request))]


@router.post("/me/subscriptions", response={201: SubscriptionOut}, summary="Follow a member or a tag")
def subscription_create(request, payload: SubscriptionIn):
    sub = services.subscription_create(
        member=current_member(request),
        followed_id=payload.member_id,
        tag=payload.tag,
        space_id=payload.space_id,
    )
    return Status(201, _subscription_out(selectors.subscription_list(sub.member).get(pk=sub.pk)))


@router.delete("/me/subscriptions/{subscription_id}", response={204: None}, summary="Stop following")
def subscription_delete(request, subscription_id: Id):
    services.subscription_delete(member=current_member(request), subscription_id=subscription_id)
    return Status(204, None)


@router.get("/me/notification-preferences", response=PreferencesIO, summary="How I get each kind")
def preferences_get(request):
    return {"channels": selectors.preference_map(current_member(request))}


@router.put("/me/notification-preferences", response=PreferencesIO, summary="Set how I get some kinds")
def preferences_put(request, payload: PreferencesIO):
    member = current_member(request)
    unknown = sorted(set(payload.channels) - set(KINDS))
    if unknown:
        raise InvalidInput(f"unknown kinds: {', '.join(unknown)}; known: {', '.join(KINDS)}")
    services.preferences_set(member=member, channels={k: str(v) for k, v in payload.channels.items()})
    return {"channels": selectors.preference_map(member)}


@router.post("/me/calendar-feed", response={201: FeedOut}, summary="A new private calendar feed URL")
def calendar_feed_create(request):
    raw = services.calendar_feed_create(member=current_member(request))
    return Status(201, {"url": request.build_absolute_uri(reverse("calendar_feed", args=[raw]))})


@router.delete("/me/calendar-feed", response={204: None}, summary="Revoke my calendar feed URL")
def calendar_feed_revoke(request):
    services.calendar_feed_revoke(member=current_member(request))
    return Status(204, None)
