"""Reads of passports: a member's tags by kind, the timeline, who may see whom."""

from django.db.models import Prefetch, QuerySet

from .models import Activity, Member, MemberTag, Visibility


def member_for_user(user) -> Member | None:
    if not user or not user.is_authenticated:
        return None
    try:
        return user.member  # cached when the bearer token's query found it
    except Member.DoesNotExist:
        return None


def member_tags_by_kind(member: Member) -> dict[str, dict[str, float]]:
    """{"offer": {tag: weight}, "need": {...}, "interest": {...}}, using prefetched rows if present."""
    grouped: dict[str, dict[str, float]] = {"offer": {}, "need": {}, "interest": {}}
    for mt in member.member_tags.all():
        grouped[mt.kind][mt.tag.name] = mt.weight
    return grouped


def members_with_tags() -> QuerySet[Member]:
    return Member.objects.prefetch_related(
        Prefetch("member_tags", queryset=MemberTag.objects.select_related("tag"))
    )


def member_timeline(member: Member, *, limit: int = 50) -> list[Activity]:
    return list(Activity.objects.filter(member=member)[:limit])


def visible_visibilities(viewer_is_member: bool) -> list[str]:
    """Which visibility settings a viewer may see: members see members and public passports."""
    return [Visibility.PUBLIC, Visibility.MEMBERS] if viewer_is_member else [Visibility.PUBLIC]
