"""Reads of passports: a member's tags by kind, the timeline, who may see whom."""

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils.translation import gettext as _

from .models import Activity, BillingDetails, Member, MemberTag, Visibility


def billing_details(member: Member) -> BillingDetails | None:
    """The member's billing details, or None when they gave none."""
    return BillingDetails.objects.filter(member=member).first()


def member_for_user(user) -> Member | None:
    if not user or not user.is_authenticated:
        return None
    try:
        return user.member  # cached when the bearer token's query found it
    except Member.DoesNotExist:
        return None


TagRow = tuple[str, str, float]  # (kind, tag name, weight)


def group_tags(rows: Iterable[TagRow]) -> dict[str, dict[str, float]]:
    """{"offer": {tag: weight}, "need": {...}, "interest": {...}} from (kind, name, weight) rows."""
    grouped: dict[str, dict[str, float]] = {"offer": {}, "need": {}, "interest": {}}
    for kind, name, weight in rows:
        grouped[kind][name] = weight
    return grouped


def member_tags_by_kind(member: Member) -> dict[str, dict[str, float]]:
    """`group_tags` of one member, using prefetched rows if present."""
    return group_tags((mt.kind, mt.tag.name, mt.weight) for mt in member.member_tags.all())


def tags_of_members(member_ids: Iterable[int]) -> dict[int, list[TagRow]]:
    """Each member's (kind, tag name, weight) rows in MemberTag order, as plain rows in one query
    (lists of many members' tags: model instances for them cost more than the query)."""
    tags: dict[int, list[TagRow]] = {pk: [] for pk in member_ids}
    rows = (
        MemberTag.objects.filter(member_id__in=list(tags))
        .order_by(*MemberTag._meta.ordering)
        .values_list("member_id", "kind", "tag__name", "weight")
    )
    for member_id, kind, name, weight in rows:
        tags[member_id].append((kind, name, weight))
    return tags


def members_with_tags() -> QuerySet[Member]:
    return Member.objects.prefetch_related(
        Prefetch("member_tags", queryset=MemberTag.objects.select_related("tag"))
    )


def member_timeline(member: Member, *, limit: int = 50) -> list[Activity]:
    return list(Activity.objects.filter(member=member)[:limit])


def visible_visibilities(viewer_is_member: bool) -> list[str]:
    """Which visibility settings a viewer may see: members see members and public passports."""
    return [Visibility.PUBLIC, Visibility.MEMBERS] if viewer_is_member else [Visibility.PUBLIC]


POPULAR_TAGS_SECONDS = 24 * 3600  # an unused key expires; a changed network makes a new key at once


def popular_tags(*, limit: int = 500) -> list[str]:
    """The network's own tags, most held first: the passport editor's autocomplete.

    Counting groups every member's tags (at seed scale about half a million rows, most of the
    passport page's time), so the list is kept in the shared cache under a key made of the
    latest passport edit and the number of passports: every tag edit touches `Member.updated_at`
    (the matching index relies on the same), and a deleted passport changes the count, so a
    changed network is counted afresh on its next view and never served stale."""
    stamp = Member.objects.aggregate(last=Max("updated_at"), n=Count("id"))
    key = f"popular_tags:{limit}:{stamp['n']}:{stamp['last'].isoformat() if stamp['last'] else ''}"
    tags = cache.get(key)
    if tags is None:
        rows = (
            MemberTag.objects.values("tag__name")
            .annotate(n=Count("id"))
            .order_by("-n", "tag__name")
            .values_list("tag__name", flat=True)[:limit]
        )
        tags = list(rows)
        cache.set(key, tags, POPULAR_TAGS_SECONDS)
    return tags


def photo_for(*, viewer: Member | None, member_id: int) -> bytes | None:
    """A member's picture if `viewer` may see their passport (by its visibility; always their own)."""
    if not 0 < member_id < 2**63:
        return None
    row = Member.objects.filter(pk=member_id).values_list("visibility", "photo__data").first()
    if row is None or row[1] is None:
        return None
    visibility, data = row
    if viewer is not None and viewer.pk == member_id:
        return bytes(data)
    return bytes(data) if visibility in visible_visibilities(viewer is not None) else None


def shown_name(member: Member, viewer: Member | None) -> str:
    """The name `viewer` may see for `member`: a hidden member is "A member" to everyone but
    themselves (questions, answers: hidden means not linked to what they do)."""
    if member.visibility == Visibility.HIDDEN and (viewer is None or viewer.pk != member.pk):
        return _("A member")
    return member.display_name


def shown_id(member: Member, viewer: Member | None) -> int | None:
    """`member`'s id as `viewer` may see it: None for a hidden member (see shown_name)."""
    if member.visibility == Visibility.HIDDEN and (viewer is None or viewer.pk != member.pk):
        return None
    return member.pk
