"""API for check-ins and who is present: /checkins, /me/checkins, /spaces/{id}/present, and the
spaces with their free seats today: /spaces, /spaces/{id}."""

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from serendip.apitypes import BodyId, Day, Id, Text, current_member, responses
from serendip.network.models import Space
from serendip.network.selectors import space_get
from serendip.passport.models import TagKind
from serendip.passport.selectors import visible_visibilities

from . import services
from .models import CheckIn
from .selectors import SpaceDay, checkins_here, member_checkins, spaces_with_free_seats

router = Router(tags=["presence"])


class CheckInIn(Schema):
    space_id: BodyId
    date: Day = Field(description="a local date at the space, YYYY-MM-DD")
    focus: Text = Field("", max_length=200)


class CheckInOut(Schema):
    id: int
    space_id: int
    space_name: str
    date: dt.date
    status: str
    focus: str

    @staticmethod
    def resolve_space_name(c: CheckIn) -> str:
        return c.space.name


class PresentOut(Schema):
    """A check-in holding a seat, with its member's passport (`checkins_here` rows)."""

    member_id: int
    display_name: str
    headline: str
    status: str
    focus: str
    offers: list[str]
    needs: list[str]
    interests: list[str]

    @staticmethod
    def resolve_display_name(c: CheckIn) -> str:
        return c.member.display_name

    @staticmethod
    def resolve_headline(c: CheckIn) -> str:
        return c.member.headline

    @staticmethod
    def resolve_offers(c: CheckIn) -> list[str]:
        return [name for kind, name, _ in c.tags if kind == TagKind.OFFER]

    @staticmethod
    def resolve_needs(c: CheckIn) -> list[str]:
        return [name for kind, name, _ in c.tags if kind == TagKind.NEED]

    @staticmethod
    def resolve_interests(c: CheckIn) -> list[str]:
        return [name for kind, name, _ in c.tags if kind == TagKind.INTEREST]


@router.post(
    "/checkins",
    response=responses({201: CheckInOut}, 400, 402, 403, 404, 409, body=True),
    summary="Check in at a space for one of its local dates",
)
def checkin_create(request, payload: CheckInIn):
    member = current_member(request)
    checkin = services.checkin_create(
        member=member, space_id=payload.space_id, date=payload.date, focus=payload.focus
    )
    return Status(201, checkin)


@router.delete(
    "/checkins/{checkin_id}",
    response=responses({204: None}, 400, 403, 404, 409),
    summary="Cancel my check-in; frees the seat",
)
def checkin_cancel(request, checkin_id: Id):
    services.checkin_cancel(member=current_member(request), checkin_id=checkin_id)
    return Status(204, None)


@router.get("/me/checkins", response=responses({200: list[CheckInOut]}), summary="My check-ins, newest first")
def my_checkins(request, limit: int = Query(100, ge=1, le=500)):
    return member_checkins(current_member(request))[:limit]


@router.get(
    "/spaces/{space_id}/present",
    response=responses({200: list[PresentOut]}, 404),
    summary="Who is at a space on a date (default: today there)",
)
def space_present(request, space_id: Id, date: Day | None = None):
    current_member(request)
    space = space_get(space_id=space_id)
    date = date or space.local_today()
    return checkins_here(space=space, date=date, visibilities=visible_visibilities(True))


# --- spaces with their free seats (tagged "network" in the OpenAPI, as they always were) ---


class SpaceOut(Schema):
    """A space with its seats taken on its own local today (a `SpaceDay`)."""

    id: int
    name: str
    slug: str
    city: str
    country: str
    timezone: str
    seats: int
    seat_price: str
    today: dt.date
    free_seats_today: int

    @staticmethod
    def resolve_id(day: SpaceDay) -> int:
        return day.space.pk

    @staticmethod
    def resolve_seat_price(day: SpaceDay) -> str:
        return str(day.space.seat_price)

    @staticmethod
    def resolve_today(day: SpaceDay) -> dt.date:
        return day.date

    @staticmethod
    def resolve_free_seats_today(day: SpaceDay) -> int:
        return day.free

    @staticmethod
    def resolve_name(day: SpaceDay) -> str:
        return day.space.name

    @staticmethod
    def resolve_slug(day: SpaceDay) -> str:
        return day.space.slug

    @staticmethod
    def resolve_city(day: SpaceDay) -> str:
        return day.space.city

    @staticmethod
    def resolve_country(day: SpaceDay) -> str:
        return day.space.country

    @staticmethod
    def resolve_timezone(day: SpaceDay) -> str:
        return day.space.timezone

    @staticmethod
    def resolve_seats(day: SpaceDay) -> int:
        return day.space.seats


@router.get(
    "/spaces",
    auth=None,
    tags=["network"],
    response=responses({200: list[SpaceOut]}, public=True),
    summary="All spaces, with free seats on their local today",
)
def space_list(request):
    return spaces_with_free_seats()


@router.get(
    "/spaces/{space_id}",
    auth=None,
    tags=["network"],
    response=responses({200: SpaceOut}, 404, public=True),
    summary="One space",
)
def space_detail(request, space_id: Id):
    space = space_get(space_id=space_id)
    return spaces_with_free_seats(Space.objects.filter(pk=space.pk))[0]
