"""Template filters for the network pages: euro amounts from cents, occupancy as a percentage."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def euros(cents) -> str:
    """1234550 -> "€12,345.50"; negative amounts (credit notes) get a minus sign."""
    if cents is None or cents == "":
        return ""
    cents = int(cents)
    sign = "−" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}€{whole:,}.{rest:02d}"


@register.filter
def percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


@register.filter
def hours(value) -> str:
    return f"{value:.1f}".removesuffix(".0") + " h"


@register.filter
def url_breaks(url: str) -> str:
    """An address shown on a screen, without its scheme, that may wrap only after "/" or "."
    (never mid-word): "https://x.org/spaces/a/" -> "x.<wbr>org/<wbr>spaces/<wbr>a/"."""
    text = str(url).split("://", 1)[-1]
    return mark_safe(re.sub(r"([/.])", r"\1<wbr>", escape(text)))
