"""API: /me/notifications (list, unread count, mark read), /me/subscriptions (CRUD),
/me/notification-preferences, /me/calendar-feed."""

from datetime import datetime
from typing import Annotated

from django.urls import reverse
from ninja import Field, Router, Schema, Status

from serendip.apitypes import TAG_RULES, Id, Tag, current_member, responses
from serendip.errors import InvalidInput

from . import selectors, services
from .kinds import KINDS, Channel
from .models import Notification, Subscription

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(description=f"one of {', '.join(KINDS)}")
    text: str = Field(description="what happened, in the reader's language")
    url: str = Field(description="the page of what it is about")
    actor_id: int | None
    created_at: datetime
    read: bool

    @staticmethod
    def resolve_read(n: Notification) -> bool:
        return n.read_at is not None


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class SubscriptionIn(Schema):
    member_id: Id | None = Field(None, description="follow this member (or give `tag`)")
    tag: Tag | None = Field(None, description=f"follow members who offer this tag; {TAG_RULES}")
    space_id: Id | None = Field(None, description="only at this space; empty: wherever I am that day")


class SubscriptionOut(Schema):
    id: int
    member_id: int | None
    member_name: str | None
    tag: str | None
    space_id: int | None
    space_name: str | None
    created_at: datetime

    @staticmethod
    def resolve_member_id(s: Subscription) -> int | None:
        return s.followed_id

    @staticmethod
    def resolve_member_name(s: Subscription) -> str | None:
        return s.followed.display_name if s.followed else None

    @staticmethod
    def resolve_tag(s: Subscription) -> str | None:
        return s.tag.name if s.tag else None

    @staticmethod
    def resolve_space_name(s: Subscription) -> str | None:
        return s.space.name if s.space else None


class PreferencesIO(Schema):
    channels: dict[str, Channel] = Field(description="kind -> inapp | email | digest | off")


class FeedOut(Schema):
    url: str = Field(description="the private iCalendar feed: shown once; a new one replaces it")


@router.get(
    "/me/notifications",
    response=responses({200: list[NotificationOut]}),
    summary="My notifications, newest first",
)
def notification_list(request, unread: bool = False, limit: Annotated[int, Field(ge=1, le=200)] = 50):
    return selectors.notification_list(current_member(request), unread_only=unread, limit=limit)


@router.get(
    "/me/notifications/unread-count", response=responses({200: UnreadOut}), summary="How many are unread"
)
def notification_unread(request):
    return {"unread": selectors.unread_count(current_member(request))}


@router.post(
    "/me/notifications/{notification_id}/read",
    response=responses({200: NotificationOut}, 403, 404),
    summary="Mark one notification read",
)
def notification_read(request, notification_id: Id):
    return services.notification_mark_read(member=current_member(request), notification_id=notification_id)


@router.post(
    "/me/notifications/read-all",
    response=responses({200: MarkedOut}, 403),
    summary="Mark all my notifications read",
)
def notification_read_all(request):
    return {"marked": services.notification_mark_all_read(member=current_member(request))}


@router.get(
    "/me/subscriptions", response=responses({200: list[SubscriptionOut]}), summary="Members and tags I follow"
)
def subscription_list(request):
    return list(selectors.subscription_list(current_member(request)))


@router.post(
    "/me/subscriptions",
    response=responses({201: SubscriptionOut}, 403, 400, 404, 409, body=True),
    summary="Follow a member, or members who offer a tag: told when they check in where I am"
    " (or at `space_id`)",
)
def subscription_create(request, payload: SubscriptionIn):
    sub = services.subscription_create(
        member=current_member(request),
        followed_id=payload.member_id,
        tag=payload.tag,
        space_id=payload.space_id,
    )
    return Status(201, selectors.subscription_list(sub.member).get(pk=sub.pk))


@router.delete(
    "/me/subscriptions/{subscription_id}", response=responses({204: None}, 403, 404), summary="Stop following"
)
def subscription_delete(request, subscription_id: Id):
    services.subscription_delete(member=current_member(request), subscription_id=subscription_id)
    return Status(204, None)


@router.get(
    "/me/notification-preferences", response=responses({200: PreferencesIO}), summary="How I get each kind"
)
def preferences_get(request):
    return {"channels": selectors.preference_map(current_member(request))}


@router.put(
    "/me/notification-preferences",
    response=responses({200: PreferencesIO}, 403, 400, body=True),
    summary="Set how I get some kinds (the others keep theirs)",
)
def preferences_put(request, payload: PreferencesIO):
    member = current_member(request)
    unknown = sorted(set(payload.channels) - set(KINDS))
    if unknown:
        raise InvalidInput(f"unknown kinds: {', '.join(unknown)}; known: {', '.join(KINDS)}")
    services.preferences_set(member=member, channels={k: str(v) for k, v in payload.channels.items()})
    return {"channels": selectors.preference_map(member)}


@router.post(
    "/me/calendar-feed",
    response=responses({201: FeedOut}, 403),
    summary="A new private calendar feed URL (check-ins, meetings, bookings); the old one stops working",
)
def calendar_feed_create(request):
    raw = services.calendar_feed_create(member=current_member(request))
    return Status(201, {"url": request.build_absolute_uri(reverse("calendar_feed", args=[raw]))})


@router.delete(
    "/me/calendar-feed", response=responses({204: None}, 403), summary="Revoke my calendar feed URL"
)
def calendar_feed_revoke(request):
    services.calendar_feed_revoke(member=current_member(request))
    return Status(204, None)
