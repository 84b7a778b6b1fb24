"""API for spaces: /spaces."""

from ninja import Router, Schema

from serendip.api import Id
from serendip.presence.selectors import spaces_with_free_seats

from .models import Space
from .selectors import space_get

router = Router(tags=["network"])


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
    "/spaces", auth=None, response=list[SpaceOut], summary="All spaces, with free seats on their local today"
)
def space_list(request):
    return [space_out(day) for day in spaces_with_free_seats()]


@router.get("/spaces/{space_id}", auth=None, response=SpaceOut, summary="One space")
def space_detail(request, space_id: Id):
    space = space_get(space_id=space_id)
    return space_out(spaces_with_free_seats(Space.objects.filter(pk=space.pk))[0])
