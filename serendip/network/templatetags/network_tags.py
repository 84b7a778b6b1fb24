"""Template filters for the network pages: euro amounts from cents, occupancy as a percentage."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from serendip.l10n import money, number

register = template.Library()


@register.filter
def euros(cents) -> str:
    """Money, everywhere it is shown (pages, invoices and their PDF, emails): cents in the active
    language's convention through Babel (`serendip.l10n.money`): 1234550 -> en "€12,345.50",
    nl "€ 12.345,50", it "12.345,50 €". Credit notes keep a (typographic) minus sign."""
    return money(cents).replace("-", "\N{MINUS SIGN}")


@register.filter
def percent(rate) -> str:
    if rate is None:
        return "—"
    return pgettext("a percentage", "%(number)s%%") % {"number": number(round(rate * 100))}


@register.filter
def hours(value) -> str:
    """1.5 -> "1.5 h" / "1,5 u" / "1,5 h"; whole hours without decimals."""
    rounded = round(float(value), 1)
    shown = number(int(rounded)) if rounded == int(rounded) else number(rounded, decimal_pos=1)
    return pgettext("a number of hours, abbreviated", "%(number)s h") % {"number": shown}


@register.filter
def url_breaks(url: str) -> str:
    """An address shown on a screen, without its scheme, that may wrap only after "/" or "."
    (never mid-word): "https://x.org/spaces/a/" -> "x.<wbr>org/<wbr>spaces/<wbr>a/"."""
    text = str(url).split("://", 1)[-1]
    return mark_safe(re.sub(r"([/.])", r"\1<wbr>", escape(text)))
