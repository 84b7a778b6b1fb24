"""Reasons as data, and their English phrasing.

A reason names only what a person put on their passport or what they did, says which, names each
tag once, and a suggestion carries at most ``MAX_REASONS``. The engine returns ``Reason`` records
(kind, tag, other_tag, count) with this English text as a fallback; the platform phrases the same
kinds through gettext (``serendip/exchange/reasons.py``) so they can be translated.
"""

from __future__ import annotations

from .types import Reason

MAX_REASONS = 3

# kind -> (English phrase for count == 1, for count != 1). {tag}: the suggested member's tag,
# {other}: the reader's tag it relates to, {count}: how many.
TEMPLATES: dict[str, tuple[str, str]] = {
    # routing: why this member for this question
    "answered": ("Answered 1 question about {tag}", "Answered {count} questions about {tag}"),
    "offers": ("Offers {tag} on their passport", "Offers {tag} on their passport"),
    "offers_related": ("Offers {tag}, related to {other}", "Offers {tag}, related to {other}"),
    "similar_questions": (
        "Answered 1 question with a similar title",
        "Answered {count} questions with similar titles",
    ),
    "active": ("Answered 1 question in the last 30 days", "Answered {count} questions in the last 30 days"),
    # whom to meet: why this member for the reader
    "offers_need": ("Offers {tag}, which you need", "Offers {tag}, which you need"),
    "offers_need_related": (
        "Offers {tag}, related to {other}, which you need",
        "Offers {tag}, related to {other}, which you need",
    ),
    "offers_focus": ("Offers {tag}, your focus today", "Offers {tag}, your focus today"),
    "offers_focus_related": (
        "Offers {tag}, related to {other}, your focus today",
        "Offers {tag}, related to {other}, your focus today",
    ),
    "needs_offer": ("Needs {tag}, which you offer", "Needs {tag}, which you offer"),
    "needs_offer_related": (
        "Needs {tag}, related to {other}, which you offer",
        "Needs {tag}, related to {other}, which you offer",
    ),
    "focus_offer": (
        "Is focusing on {tag} today, which you offer",
        "Is focusing on {tag} today, which you offer",
    ),
    "focus_offer_related": (
        "Is focusing on {tag} today, related to {other}, which you offer",
        "Is focusing on {tag} today, related to {other}, which you offer",
    ),
    "shared_interest": ("You both like {tag}", "You both like {tag}"),
}


def english(kind: str, tag: str = "", other_tag: str = "", count: int = 0) -> str:
    one, many = TEMPLATES[kind]
    return (one if count == 1 else many).format(tag=tag, other=other_tag, count=count)


class ReasonList:
    """Collects candidate reasons with a strength; ``top()`` keeps the strongest, at most
    MAX_REASONS, skipping any that would name a tag (by concept key) already named."""

    def __init__(self) -> None:
        self._items: list[tuple[float, int, Reason, tuple[str, ...]]] = []

    def add(
        self,
        strength: float,
        kind: str,
        *,
        tag: str = "",
        other_tag: str = "",
        count: int = 0,
        keys: tuple[str, ...] = (),
    ) -> None:
        text = english(kind, tag, other_tag, count)
        reason = Reason(kind=kind, tag=tag, other_tag=other_tag, count=count, text=text)
        self._items.append((strength, len(self._items), reason, keys))

    def top(self) -> tuple[Reason, ...]:
        out: list[Reason] = []
        named: set[str] = set()
        kinds: set[str] = set()
        for _, _, reason, keys in sorted(self._items, key=lambda r: (-r[0], r[1])):
            if named.intersection(keys):
                continue
            if not keys and reason.kind in kinds:  # tagless reasons (activity, titles): once each
                continue
            out.append(reason)
            named.update(keys)
            kinds.add(reason.kind)
            if len(out) == MAX_REASONS:
                break
        return tuple(out)
