"""The one check for free text that services accept (titles, answers, focus, house rules...)."""

import re

from django.utils.translation import gettext as _

from serendip.errors import InvalidInput

# Lone UTF-16 surrogates (JSON's "\ud800") are not characters: no UTF-8 encoder, and so no
# database, accepts them.
_SURROGATE = re.compile("[\ud800-\udfff]")


def bad_character(value: str) -> str | None:
    """Why `value` cannot be stored as text (a NUL, a lone surrogate), or None when it can."""
    if "\x00" in value:
        return _("contains a NUL character")
    if _SURROGATE.search(value):
        return _("contains a lone UTF-16 surrogate (not a character)")
    return None


def clean_text(
    value: str | None, *, field: str, max_length: int, multiline: bool = True, required: bool = False
) -> str:
    """Trimmed text (single-line text also has its whitespace collapsed), or InvalidInput when it
    holds a NUL (which PostgreSQL cannot store) or a lone surrogate, is empty but required, or is
    too long."""
    value = value or ""
    value = value.strip() if multiline else " ".join(value.split())
    problem = bad_character(value)
    if problem:
        raise InvalidInput(f"{field} {problem}")
    if required and not value:
        raise InvalidInput(f"{field} cannot be empty")
    if len(value) > max_length:
        raise InvalidInput(f"{field} can be at most {max_length} characters (got {len(value)})")
    return value
