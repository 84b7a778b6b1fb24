"""API for check-ins and who is present: /checkins, /me/checkins, /spaces/{id}/present, and the
spaces with their free seats today: /spaces, /spaces/{id}."""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from serendip.apitypes import Id, Text, current_member
from serendip.network.models import Space
from serendip.network.selectors import space_get
from serendip.passport.selectors import group_tags, visible_visibilities

from . import services
from .models import CheckIn
from .selectors import checkins_here, member_checkins, spaces_with_free_seats

router = Router(tags=["presence"])


class CheckInIn(Schema):
    space_id: Id
    date: dt.date
    focus: Text = Field("", max_length=200)


class CheckInOut(Schema):
    id: int
    space_id: int
    space_name: str
    date: dt.date
    status: str
    focus: str


class PresentOut(Schema):
    member_id: int
    display_name: str
    headline: str
    status: str
    focus: str
    offers: list[str]
    needs: list[str]
    interests: list[str]


def checkin_out(c: CheckIn) -> dict:
    return {
        "id": c.pk,
        "space_id": c.space_id,
        "space_name": c.space.name,
        "date": c.date,
        "status": c.status,
        "focus": c.focus,
    }


@router.post(
    "/checkins", response={201: CheckInOut}, summary="Check in at a space for one of its local dates"
)
def checkin_create(request, payload: CheckInIn):
    member = current_member(request)
    checkin = services.checkin_create(
        member=member, space_id=payload.space_id, date=payload.date, focus=payload.focus
    )
    return Status(201, checkin_out(checkin))


@router.delete("/checkins/{checkin_id}", response={204: None}, summary="Cancel my check-in; frees the seat")
def checkin_cancel(request, checkin_id: Id):
    services.checkin_cancel(member=current_member(request), checkin_id=checkin_id)
    return Status(204, None)


@router.get("/me/checkins", response=list[CheckInOut], summary="My check-ins, newest first")
def my_checkins(request, limit: int = Query(100, ge=1, le=500)):
    return [checkin_out(c) for c in member_checkins(current_member(request))[:limit]]


@router.get("/spaces/{space_id}/present", response=list[PresentOut], summary="Who is at a space on a date")
def space_present(request, space_id: Id, date: dt.date | None = None):
    current_member(request)
    space = space_get(space_id=space_id)
    rows = checkins_here(
        space=space, date=date or space.local_today(), visibilities=visible_visibilities(True)
    )
    out = []
    for c in rows:
        tags = group_tags(c.tags)
        out.append(
            {
                "member_id": c.member_id,
                "display_name": c.member.display_name,
                "headline": c.member.headline,
                "status": c.status,
                "focus": c.focus,
                "offers": list(tags["offer"]),
                "needs": list(tags["need"]),
                "interests": list(tags["interest"]),
            }
        )
    return out


# --- spaces with their free seats (tagged "network" in the OpenAPI, as they always were) ---


class SpaceOut(Schema):
    id: int
    name: str
    slug: str
    city: str
    country: str
    timezone: str
    seats: int
    seat_price: str
    today: str
    free_seats_today: int


def space_out(day) -> dict:
    s = day.space
    return {
        "id": s.pk,
        "name": s.name,
        "slug": s.slug,
        "city": s.city,
        "country": s.country,
        "timezone": s.timezone,
        "seats": s.seats,
        "seat_price": str(s.seat_price),
        "today": day.date.isoformat(),
        "free_seats_today": day.free,
    }


@router.get(
    "/spaces",
    auth=None,
    tags=["network"],
    response=list[SpaceOut],
    summary="All spaces, with free seats on their local today",
)
def space_list(request):
    return [space_out(day) for day in spaces_with_free_seats()]


@router.get("/spaces/{space_id}", auth=None, tags=["network"], response=SpaceOut, summary="One space")
def space_detail(request, space_id: Id):
    space = space_get(space_id=space_id)
    return space_out(spaces_with_free_seats(Space.objects.filter(pk=space.pk))[0])
