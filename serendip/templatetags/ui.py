"""Template filters every page may use: default avatars and suggestion reasons as chips."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

from serendip.l10n import country_name as _country_name
from serendip.l10n import number, timezone_name

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


@register.filter
def sc(units, signed: bool = False) -> str:
    """Social capital from ledger units (1/100 SC) as a number of the active language: 1250 ->
    "12.50" / "12,50"; `|sc:True` shows a sign: "+12,50", and a minus sign below zero."""
    if units is None or units == "":
        return ""
    units = int(units)
    shown = number(abs(units) / 100, decimal_pos=2)
    if units < 0:
        return "\N{MINUS SIGN}" + shown
    return ("+" + shown) if signed else shown


@register.filter
def tz_name(tz) -> str:
    """A space's time zone as people say it in the active language ("Amsterdam time", "ora di Roma")."""
    return timezone_name(tz)


@register.filter
def country_name(code) -> str:
    """An ISO 3166 country code as the active language names it ("NL" -> "Netherlands", "Paesi Bassi")."""
    return _country_name(code)


@register.simple_tag
def languages_in_themselves() -> list[tuple[str, str]]:
    """settings.LANGUAGES as written there: each language named in itself ("Italiano"). Django's
    get_available_languages runs the names through the catalogue (a Dutch page would offer "Engels")."""
    return list(settings.LANGUAGES)
