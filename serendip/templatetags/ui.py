"""Template filters every page may use: default avatars and suggestion reasons as chips."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()

MAX_REASONS = 3


@register.filter
def initials(name: str) -> str:
    """The default avatar: up to two initials of a name ("Ada Visser" -> "AV")."""
    words = [w for w in str(name).split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:1] + words[1:][-1:]).upper() or "?"


@register.filter
def reason_chips(reasons) -> list[str]:
    """The engine's reasons as short chips: at most three, none repeated, none empty."""
    seen: dict[str, None] = {}
    for reason in reasons or ():
        text = str(reason).strip()
        if text and text.casefold() not in {s.casefold() for s in seen}:
            seen[text] = None
    return list(seen)[:MAX_REASONS]


@register.filter
def get_item(mapping, key):
    """{{ states|get_item:member_id }}: a dict lookup by a variable key (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def in_set(value, collection) -> bool:
    return value in (collection or ())


@register.simple_tag
def avatar(member, size: int = 40):
    """A member's picture, or their initials on a coloured disc when they have none."""
    if getattr(member, "photo_version", 0):
        url = reverse("photo_image", args=[member.pk]) + f"?v={member.photo_version}"
        return format_html(
            '<img class="avatar" src="{}" alt="" width="{}" height="{}" loading="lazy">', url, size, size
        )
    return format_html('<span class="avatar" aria-hidden="true">{}</span>', initials(member.display_name))
