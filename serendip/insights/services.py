"""Writes of insights: rebuild the daily aggregates from the real tables."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from serendip.exchange.models import Introduction, Meeting, MeetingStatus, Outcome, OutcomeKind, Question
from serendip.network.models import Booking, Room, Space
from serendip.network.selectors import network_today, room_occupancy_by_day
from serendip.passport.models import Member, MemberTag, TagKind
from serendip.presence.models import SEAT_HOLDING, CheckIn

from .models import DailyStats, SpaceDailyStats, TagStats

RECENT_DAYS = 14  # an incremental refresh recomputes this many days back (late confirmations)
OCCUPANCY_CHUNK = 28  # days per call of the network's occupancy selector


def _by_date(qs, field: str, start: dt.date, end: dt.date) -> dict[dt.date, int]:
    """{UTC date: rows} for rows whose datetime `field` falls in [start, end]."""
    return dict(
        qs.annotate(d=TruncDate(field, tzinfo=dt.UTC))
        .filter(d__gte=start, d__lte=end)
        .values("d")
        .annotate(n=Count("pk"))
        .values_list("d", "n")
    )


def _first_date() -> dt.date | None:
    dates = [
        CheckIn.objects.aggregate(d=Min("date"))["d"],
        Meeting.objects.aggregate(d=Min("date"))["d"],
    ]
    joined = Member.objects.aggregate(d=Min("created_at"))["d"]
    if joined:
        dates.append(joined.astimezone(dt.UTC).date())
    dates = [d for d in dates if d]
    return min(dates) if dates else None


def _occupancy(start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], tuple[float, float]]:
    """{(space id, date): (booked hours, open hours)} from `network.selectors`, for spaces with rooms."""
    first_booking = Booking.objects.aggregate(s=Min("starts_at"))["s"]
    if first_booking is None:
        return {}
    start = max(start, first_booking.astimezone(dt.UTC).date() - dt.timedelta(days=1))
    found = {}
    spaces = Space.objects.filter(pk__in=Room.objects.filter(active=True).values("space")).order_by("pk")
    for space in spaces:
        day = start
        while day <= end:
            days = min(OCCUPANCY_CHUNK, (end - day).days + 1)
            by_room = room_occupancy_by_day(space=space, start=day, days=days)
            for per_day in by_room.values():
                for date, occ in per_day.items():
                    booked, open_ = found.get((space.pk, date), (0.0, 0.0))
                    found[(space.pk, date)] = (booked + occ.booked_hours, open_ + occ.open_hours)
            day += dt.timedelta(days=days)
    return found


@transaction.atomic
def stats_refresh(*, full: bool = False, days: int = RECENT_DAYS, today: dt.date | None = None) -> int:
    """Recompute the aggregates for the last `days` days (or everything with `full`); returns days."""
    today = today or network_today()
    end = today + dt.timedelta(days=1)  # tomorrow's reservations already count
    first = _first_date()
    if first is None:
        DailyStats.objects.all().delete()
        SpaceDailyStats.objects.all().delete()
        _tags_refresh()
        return 0
    start = first if full else max(first, today - dt.timedelta(days=days - 1))
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]

    holding = CheckIn.objects.filter(status__in=SEAT_HOLDING)
    space_checkins = defaultdict(int)
    for space_id, date, n in (
        holding.filter(date__gte=start, date__lte=end)
        .values("space", "date")
        .annotate(n=Count("id"))
        .values_list("space", "date", "n")
    ):
        space_checkins[(space_id, date)] = n
    # Distinct members per day and per trailing week, from one pass over (date, member).
    present: dict[dt.date, set[int]] = defaultdict(set)
    for date, member in holding.filter(date__gte=start - dt.timedelta(days=6), date__lte=end).values_list(
        "date", "member"
    ):
        present[date].add(member)
    space_meetings = {
        (s, d): n
        for s, d, n in Meeting.objects.filter(status=MeetingStatus.CONFIRMED, date__gte=start, date__lte=end)
        .values("space", "date")
        .annotate(n=Count("id"))
        .values_list("space", "date", "n")
    }
    new_members = _by_date(Member.objects.all(), "created_at", start, end)
    intros = _by_date(Introduction.objects.all(), "created_at", start, end)
    questions = _by_date(Question.objects.all(), "created_at", start, end)
    paid = _by_date(Outcome.objects.filter(kind=OutcomeKind.PAID_WORK), "created_at", start, end)
    occupancy = _occupancy(start, end)

    now = timezone.now()
    rows, space_rows = [], []
    keys = sorted(set(space_checkins) | set(space_meetings) | set(occupancy), key=lambda k: (k[1], k[0]))
    per_date: dict[dt.date, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0])
    for space_id, date in keys:
        booked, open_ = occupancy.get((space_id, date), (0.0, 0.0))
        c, m = space_checkins.get((space_id, date), 0), space_meetings.get((space_id, date), 0)
        space_rows.append(
            SpaceDailyStats(
                space_id=space_id,
                date=date,
                checkins=c,
                meetings=m,
                room_booked_hours=booked,
                room_open_hours=open_,
            )
        )
        agg = per_date[date]
        agg[0] += c
        agg[1] += m
        agg[2] += booked
        agg[3] += open_
    for date in dates:
        week: set[int] = set()
        for i in range(7):
            week |= present.get(date - dt.timedelta(days=i), set())
        c, m, booked, open_ = per_date.get(date, [0, 0, 0.0, 0.0])
        rows.append(
            DailyStats(
                date=date,
                checkins=c,
                active_members=len(present.get(date, ())),
                active_members_7d=len(week),
                new_members=new_members.get(date, 0),
                introductions=intros.get(date, 0),
                meetings=m,
                questions=questions.get(date, 0),
                paid_work=paid.get(date, 0),
                room_booked_hours=booked,
                room_open_hours=open_,
                refreshed_at=now,
            )
        )
    DailyStats.objects.filter(date__gte=start).delete()
    SpaceDailyStats.objects.filter(date__gte=start).delete()
    DailyStats.objects.bulk_create(rows, batch_size=1000)
    SpaceDailyStats.objects.bulk_create(space_rows, batch_size=1000)
    _tags_refresh()
    return len(dates)


def _tags_refresh() -> None:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"offer": 0, "need": 0, "interest": 0})
    for tag_id, kind, n in (
        MemberTag.objects.values("tag", "kind").annotate(n=Count("id")).values_list("tag", "kind", "n")
    ):
        counts[tag_id][kind] = n
    TagStats.objects.all().delete()
    TagStats.objects.bulk_create(
        [
            TagStats(tag_id=t, offers=c[TagKind.OFFER], needs=c[TagKind.NEED], interests=c[TagKind.INTEREST])
            for t, c in counts.items()
        ],
        batch_size=1000,
    )
