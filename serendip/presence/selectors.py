"""Reads of presence: free seats, who is here, a member's check-ins."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from serendip.network.models import Space
from serendip.passport.models import Member
from serendip.passport.selectors import tags_of_members

from .models import SEAT_HOLDING, CheckIn, CheckInStatus


@dataclass(frozen=True)
class SpaceDay:
    space: Space
    date: dt.date
    taken: int

    @property
    def free(self) -> int:
        return max(self.space.seats - self.taken, 0)

    @property
    def hours(self):
        """Today's OpeningHours row (None: closed today); from a prefetch of `opening_hours`."""
        return next((h for h in self.space.opening_hours.all() if h.weekday == self.date.weekday()), None)


def spaces_with_free_seats(spaces: QuerySet[Space] | None = None) -> list[SpaceDay]:
    """Each space with its seats taken on its own local today (one query per distinct local date)."""
    spaces = list(spaces if spaces is not None else Space.objects.all())
    by_date: dict[dt.date, list[Space]] = defaultdict(list)
    for space in spaces:
        by_date[space.local_today()].append(space)
    taken: dict[int, int] = {}
    for date, group in by_date.items():
        rows = (
            CheckIn.objects.filter(date=date, space__in=group, status__in=SEAT_HOLDING)
            .values("space_id")
            .annotate(n=Count("id"))
        )
        taken.update({r["space_id"]: r["n"] for r in rows})
    return [SpaceDay(space=s, date=s.local_today(), taken=taken.get(s.pk, 0)) for s in spaces]


def space_cards(member: Member | None) -> tuple[list[SpaceDay], int | None]:
    """Every space for the spaces page and home, and the member's own space's id: that space
    (where they last checked in) first, then by country, city and name; with today's hours
    and free seats."""
    days = spaces_with_free_seats(Space.objects.prefetch_related("opening_hours"))
    own = None
    if member is not None:
        own = (
            CheckIn.objects.filter(member=member)
            .exclude(status=CheckInStatus.CANCELLED)
            .order_by("-date", "-id")
            .values_list("space_id", flat=True)
            .first()
        )
        days.sort(key=lambda d: d.space.pk != own)  # stable: the rest keep their order
    return days, own


def space_day(space: Space, date: dt.date) -> SpaceDay:
    taken = CheckIn.objects.filter(space=space, date=date, status__in=SEAT_HOLDING).count()
    return SpaceDay(space=space, date=date, taken=taken)


def checkins_here(*, space: Space, date: dt.date, visibilities: list[str] | None = None) -> list[CheckIn]:
    """Check-ins holding a seat at a space on a date (reserved or present), with their members.

    Each check-in gets `tags`: its member's (kind, tag name, weight) rows (`tags_of_members`:
    a busy space has hundreds of tags; model instances for them were most of the page's
    time). `visibilities` limits whose passports are shown (None:
    everyone, for hosts)."""
    qs = CheckIn.objects.filter(
        space=space, date=date, status__in=[CheckInStatus.RESERVED, CheckInStatus.PRESENT]
    ).select_related("member")
    if visibilities is not None:
        qs = qs.filter(member__visibility__in=visibilities)
    checkins = list(qs.order_by("member__display_name", "id"))
    tags = tags_of_members(c.member_id for c in checkins)
    for c in checkins:
        c.tags = tags[c.member_id]
    return checkins


def space_checkins_for_host(space: Space, date: dt.date) -> list[CheckIn]:
    """Every check-in at a space on a date except cancelled ones, whatever the member's
    visibility: hosts see who actually holds their seats."""
    return list(
        CheckIn.objects.filter(space=space, date=date)
        .exclude(status=CheckInStatus.CANCELLED)
        .select_related("member")
        .order_by("member__display_name", "id")
    )


def member_checkins(member: Member, *, upcoming_only: bool = False) -> QuerySet[CheckIn]:
    qs = CheckIn.objects.filter(member=member).select_related("space")
    if upcoming_only:
        qs = qs.filter(~Q(status=CheckInStatus.CANCELLED), date__gte=dt.date.today() - dt.timedelta(days=1))
    return qs


def member_checkin_on(member: Member, date: dt.date) -> CheckIn | None:
    return (
        CheckIn.objects.filter(member=member, date=date, status__in=SEAT_HOLDING)
        .select_related("space")
        .first()
    )


def member_checkin_today(member: Member) -> CheckIn | None:
    """The member's seat-holding check-in for today, today being the local date of its space."""
    utc_today = dt.datetime.now(dt.UTC).date()
    near = CheckIn.objects.filter(
        member=member,
        date__range=(utc_today - dt.timedelta(days=1), utc_today + dt.timedelta(days=1)),
        status__in=[CheckInStatus.RESERVED, CheckInStatus.PRESENT],
    ).select_related("space")
    return next((c for c in near if c.date == c.space.local_today()), None)


def present_member_ids(*, space: Space, date: dt.date) -> list[int]:
    return list(
        CheckIn.objects.filter(
            space=space, date=date, status__in=[CheckInStatus.RESERVED, CheckInStatus.PRESENT]
        ).values_list("member_id", flat=True)
    )


def present_with_focus(*, space: Space, date: dt.date) -> list[tuple[int, str]]:
    """(member id, focus today) of everyone holding a seat at a space on a date."""
    return list(
        CheckIn.objects.filter(
            space=space, date=date, status__in=[CheckInStatus.RESERVED, CheckInStatus.PRESENT]
        ).values_list("member_id", "focus")
    )
