"""The engine's input and output records: Profile (a member's passport as the engine sees it),
Feedback (what happened after a match or a routed question) and Match (a suggestion with reasons)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

FEEDBACK_KINDS = frozenset(
    {
        "answer_given",
        "answer_accepted",
        "introduction_accepted",
        "introduction_declined",
        "meeting_confirmed",
    }
)

TagWeights = Mapping[str, float] | Iterable[str]


@dataclass(frozen=True)
class Profile:
    """A member's tags and activity. Tags are raw strings as typed; the engine normalises them.

    ``offers``/``needs``/``interests`` are a mapping tag -> weight (> 0) or a plain list of tags
    (weight 1). ``recent_activity`` counts contributions in the last 30 days. Hidden or opted-out
    members stay in the index (so they can be shown again cheaply) but are never returned.
    """

    id: str
    offers: TagWeights = ()
    needs: TagWeights = ()
    interests: TagWeights = ()
    about: str = ""
    recent_activity: float = 0.0
    hidden: bool = False
    open_to_matching: bool = True

    def __post_init__(self) -> None:
        if self.id is None or str(self.id) == "":
            raise ValueError("a profile needs a non-empty id")
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "about", "" if self.about is None else str(self.about))
        try:
            activity = float(self.recent_activity or 0.0)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"recent_activity must be a number, not {self.recent_activity!r}") from exc
        # Negative or non-finite activity is a data error upstream; treat it as "no activity".
        object.__setattr__(
            self, "recent_activity", activity if math.isfinite(activity) and activity > 0 else 0.0
        )

    @property
    def matchable(self) -> bool:
        return not self.hidden and self.open_to_matching


@dataclass(frozen=True)
class Feedback:
    """One event the engine learns from.

    ``member`` gave the answer / received the introduction; ``other`` is the asker / the person
    introduced (may be None). ``tags`` and ``text`` describe the question or the match.
    """

    kind: str
    member: str
    other: str | None = None
    tags: Iterable[str] = ()
    text: str = ""

    def __post_init__(self) -> None:
        if self.kind not in FEEDBACK_KINDS:
            raise ValueError(f"unknown feedback kind {self.kind!r}; expected one of {sorted(FEEDBACK_KINDS)}")
        if self.member is None or str(self.member) == "":
            raise ValueError("feedback needs a member")
        object.__setattr__(self, "member", str(self.member))
        object.__setattr__(self, "other", None if self.other is None else str(self.other))
        tags = [self.tags] if isinstance(self.tags, str) else list(self.tags or ())
        object.__setattr__(self, "tags", tuple(tags))
        object.__setattr__(self, "text", "" if self.text is None else str(self.text))


@dataclass(frozen=True)
class Reason:
    """Why a member was suggested, as data: the platform phrases it in the reader's language.

    ``kind`` names the phrase (see ``reasons.TEMPLATES``), ``tag`` is a tag on the suggested
    member's passport or in their answer history (as they or the network spell it), ``other_tag``
    a tag of the reader's it relates to, ``count`` how many (answers, questions). ``text`` is the
    English phrase, for callers without translations."""

    kind: str
    tag: str = ""
    other_tag: str = ""
    count: int = 0
    text: str = ""


@dataclass(frozen=True)
class Match:
    """A suggested member, best first: ``why`` the structured reasons (at most three, no tag
    named twice), ``reasons`` their English text."""

    id: str
    score: float
    reasons: list[str] = field(default_factory=list)
    why: tuple[Reason, ...] = ()
