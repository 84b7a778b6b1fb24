"""The one check for free text that services accept (titles, answers, focus, house rules...)."""

from serendip.errors import InvalidInput


def clean_text(
    value: str | None, *, field: str, max_length: int, multiline: bool = True, required: bool = False
) -> str:
    """Trimmed text (single-line text also has its whitespace collapsed), or InvalidInput when it
    holds a NUL (which PostgreSQL cannot store), is empty but required, or is too long."""
    value = value or ""
    value = value.strip() if multiline else " ".join(value.split())
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character")
    if required and not value:
        raise InvalidInput(f"{field} cannot be empty")
    if len(value) > max_length:
        raise InvalidInput(f"{field} can be at most {max_length} characters (got {len(value)})")
    return value
