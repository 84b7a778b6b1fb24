"""The suggestions API (`/me/matches`). It lives here, above the exchange, because what a
member is shown depends on their arm in the running experiment (`selectors.suggestions_for`)."""

import datetime as dt

from ninja import Field, Router, Schema

from serendip.apitypes import Day, current_member, responses
from serendip.exchange.api import MatchOut
from serendip.exchange.selectors import named_routes
from serendip.presence.selectors import member_checkin_on, member_checkin_today

from .selectors import suggestions_for

router = Router(tags=["exchange"])


class MatchesOut(Schema):
    space_id: int | None
    date: dt.date
    ranked: bool = Field(
        True,
        description="true: ranked best first, with scores and reasons; false: the people present in "
        "random order with no scores or reasons (this member is in an experiment's hold-out)",
    )
    matches: list[MatchOut]


@router.get(
    "/me/matches",
    response=responses({200: MatchesOut}),
    summary="Whom to meet where I am checked in on a date (default: today)",
)
def my_matches(request, date: Day | None = None):
    member = current_member(request)
    checkin = member_checkin_today(member) if date is None else member_checkin_on(member, date)
    if checkin is None:
        return {"space_id": None, "date": date or dt.date.today(), "ranked": True, "matches": []}
    shown = suggestions_for(member=member, space=checkin.space, date=checkin.date)
    return {
        "space_id": checkin.space_id,
        "date": checkin.date,
        "ranked": shown.ranked,
        "matches": named_routes(shown.routes),
    }
