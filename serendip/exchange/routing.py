"""Routing and suggestions through the Serendipity Machine, with the platform's rules applied.

The engine is a pure function of its index and arguments; the rules that depend on the
database (routing caps, who is present, "no thanks", recent meetings, hidden members) are
applied here by what is passed in as `exclude`, `among` and `present`.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from serendip.matching.vocab import squash
from serendip.passport.models import Member
from serendip.presence.selectors import present_member_ids, present_with_focus

from . import machine
from .models import Introduction, IntroductionStatus, Meeting, MeetingStatus
from .reasons import phrases

SUGGESTIONS_PER_DAY = 10  # whom-to-meet suggestions shown to a member per day
RECENT_MEETING_DAYS = 30  # pairs who met this recently are not suggested again


@dataclass(frozen=True)
class Route:
    member_id: int
    score: float
    reasons: list[str]


def route(*, tags: list[str], text: str, k: int, exclude: set[int], space=None) -> list[Route]:
    """The k members best able to answer, network-wide or among those at `space` today."""
    if not tags and not text.strip():
        return []
    kwargs = {}
    if space is not None:
        among = [
            str(i) for i in present_member_ids(space=space, date=space.local_today()) if i not in exclude
        ]
        if not among:
            return []
        kwargs["among"] = among
    matches = machine.engine().route(tags=tags, text=text, k=k, exclude={str(i) for i in exclude}, **kwargs)
    return [Route(member_id=int(m.id), score=float(m.score), reasons=phrases(m.why)) for m in matches]


def not_to_suggest(member: Member) -> set[int]:
    """Members never suggested to `member`: any "no thanks" between them, and recent meetings."""
    declined = Introduction.objects.filter(
        Q(requester=member) | Q(recipient=member), status=IntroductionStatus.DECLINED
    ).values_list("requester_id", "recipient_id")
    since = dt.date.today() - dt.timedelta(days=RECENT_MEETING_DAYS)
    met = Meeting.objects.filter(
        Q(recorded_by=member) | Q(other=member), status=MeetingStatus.CONFIRMED, date__gte=since
    ).values_list("recorded_by_id", "other_id")
    return {i for pair in [*declined, *met] for i in pair} - {member.pk}


def suggestions(*, member: Member, space, date: dt.date, k: int = SUGGESTIONS_PER_DAY) -> list[Route]:
    """Whom `member` should meet among those at `space` on `date`, best first, with reasons."""
    here = present_with_focus(space=space, date=date)
    skip = not_to_suggest(member) | {member.pk}
    present = [str(member_id) for member_id, _ in here if member_id not in skip]
    if not present:
        return []
    focus = {str(member_id): text for member_id, text in here if text}
    matches = machine.engine().rank_present(
        str(member.pk), present=present, k=min(k, SUGGESTIONS_PER_DAY), focus=focus
    )
    return [Route(member_id=int(m.id), score=float(m.score), reasons=phrases(m.why)) for m in matches]


def related_tags(names: list[str], *, known: list[str], limit: int = 8) -> list[str]:
    """Tags close to `names` by the engine's learned relatedness, among the network's `known`
    tags and not already in `names`: the passport editor's suggestions."""
    relatedness = machine.engine().relatedness
    by_key = {squash(n): n for n in reversed(known)}  # the most held spelling wins
    mine = {squash(n) for n in names}
    scores: dict[str, float] = {}
    for key in mine:
        for other, sim in relatedness.similar(key):
            if other not in mine and other in by_key:
                scores[other] = max(sim, scores.get(other, 0.0))
    return [by_key[k] for k, _ in sorted(scores.items(), key=lambda kv: -kv[1])[:limit]]
