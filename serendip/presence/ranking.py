"""A placeholder ranking for "Today at <space>": shared tags and need<->offer overlap.

The Serendipity Machine (serendip.matching) replaces this; it stays as the fallback the
pages use until the engine's index is wired in.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Ranked:
    item: object
    score: float
    reason: str


def rank_by_overlap(viewer: dict[str, dict[str, float]], others: list[tuple[object, dict]]) -> list[Ranked]:
    """Rank `others` (item, tags-by-kind) for a viewer's tags-by-kind; best first, ties by input order."""
    my_offers, my_needs, my_interests = (set(viewer[k]) for k in ("offer", "need", "interest"))
    ranked = []
    for item, tags in others:
        they_offer, they_need, their_interests = (set(tags[k]) for k in ("offer", "need", "interest"))
        helps_me = sorted(they_offer & my_needs)
        i_help = sorted(my_offers & they_need)
        shared = sorted((my_interests | my_offers) & (their_interests | they_offer))
        # Both directions of need<->offer count most; a shared interest adds a little.
        score = 2.0 * len(helps_me) + 2.0 * len(i_help) + 0.5 * len(shared)
        parts = []
        if helps_me:
            parts.append(f"offers {', '.join(helps_me[:3])}, which you need")
        if i_help:
            parts.append(f"needs {', '.join(i_help[:3])}, which you offer")
        if shared and not parts:
            parts.append(f"you share {', '.join(shared[:3])}")
        reason = "; ".join(parts).capitalize() if parts else "Here today"
        ranked.append(Ranked(item=item, score=score, reason=reason))
    return sorted(ranked, key=lambda r: -r.score)
