"""Tag normalisation shared by the passport, the matching engine and every import path.

Pure Python, no Django: the engine and outside evaluations call the same function the
passport does, so "Python ", "python" and "PYTHON" are one tag everywhere.
"""

import re
import unicodedata

MAX_TAG_LENGTH = 50

_WHITESPACE = re.compile(r"\s+")


class TagError(ValueError):
    """A raw tag that normalises to nothing usable."""


def normalise_tag(raw: str) -> str:
    """Return the canonical form of a tag: NFKC, case-folded, whitespace collapsed, length-limited.

    Raises TagError for a non-string, or a tag that is empty after normalisation or longer than
    MAX_TAG_LENGTH characters (we reject rather than truncate: a cut-off tag is a different tag).
    """
    if not isinstance(raw, str):
        raise TagError(f"a tag must be text, not {type(raw).__name__}")
    # NFKC folds compatibility forms (full-width letters, ligatures); casefold handles ß and
    # friends; a second NFKC pass re-composes what casefold decomposed.
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold())
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n\r")
    text = _WHITESPACE.sub(" ", text).strip()
    if not text:
        raise TagError("a tag cannot be empty")
    if len(text) > MAX_TAG_LENGTH:
        raise TagError(f"a tag can be at most {MAX_TAG_LENGTH} characters (got {len(text)})")
    return text
