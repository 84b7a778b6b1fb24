"""Reads of insights: the seed's headline numbers (live counts) and their trends (daily aggregates)."""

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db.models import Count, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from serendip.exchange.models import Introduction, Meeting, MeetingStatus, Outcome, OutcomeKind
from serendip.experiments.analysis import proportion_interval
from serendip.network.models import Space
from serendip.network.selectors import network_today, space_occupancy_by_day, week_start
from serendip.passport.models import Member, MemberTag, TagKind
from serendip.presence.models import SEAT_HOLDING, CheckIn

from .models import DailyStats, SpaceDailyStats, TagStats

TREND_DAYS = 28  # a headline's trend: the last 28 days against the 28 before
OCCUPANCY_DAYS = 28


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: float
    display: str
    recent: float | None = None  # the last TREND_DAYS days
    previous: float | None = None  # the TREND_DAYS before those
    note: str = ""  # what exactly is counted, and how sure the figure is

    @property
    def change(self) -> float | None:
        if self.recent is None or not self.previous:
            return None
        return (self.recent - self.previous) / self.previous


def _windows(today: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    recent = (today - dt.timedelta(days=TREND_DAYS - 1), today)
    previous = (recent[0] - dt.timedelta(days=TREND_DAYS), recent[0] - dt.timedelta(days=1))
    return recent, previous


def _sum(field: str, window: tuple[dt.date, dt.date]) -> float:
    return DailyStats.objects.filter(date__range=window).aggregate(s=Sum(field))["s"] or 0


def _occupancy_rate(window: tuple[dt.date, dt.date]) -> float | None:
    agg = DailyStats.objects.filter(date__range=window).aggregate(
        b=Sum("room_booked_hours"), o=Sum("room_open_hours")
    )
    return agg["b"] / agg["o"] if agg["o"] else None


def _count(n: int) -> str:
    """A count in the active language's digits grouping (1,234 / 1.234)."""
    return number_format(n, force_grouping=True)


def _percent(share: float, decimals: int) -> str:
    """A share as a percentage in the active language's decimals (16.7% / 16,7%)."""
    # Translators: a percentage; the number is already formatted (e.g. "16,7").
    return _("%(number)s%%") % {"number": number_format(100 * share, decimals)}


def headline_numbers(*, today: dt.date | None = None) -> list[Headline]:
    """The seed's numbers, counted live; trends from the daily aggregates."""
    today = today or network_today()
    recent, previous = _windows(today)
    members = Member.objects.count()
    paid_members = Outcome.objects.filter(kind=OutcomeKind.PAID_WORK).values("member").distinct().count()
    occupancy = _occupancy_rate((today - dt.timedelta(days=OCCUPANCY_DAYS), today - dt.timedelta(days=1)))
    spaces = Space.objects.count()
    countries = Space.objects.values("country").distinct().count()
    checkins = CheckIn.objects.filter(status__in=SEAT_HOLDING).count()
    intros = Introduction.objects.count()
    meetings = Meeting.objects.filter(status=MeetingStatus.CONFIRMED).count()

    def trend(field):
        return _sum(field, recent), _sum(field, previous)

    return [
        Headline("checkins", _("Check-ins"), checkins, _count(checkins), *trend("checkins")),
        Headline("members", _("Professionals"), members, _count(members), *trend("new_members")),
        Headline("spaces", _("Spaces"), spaces, _count(spaces)),
        Headline("countries", _("Countries"), countries, _count(countries)),
        Headline(
            "introductions",
            _("Matches acted on (introductions)"),
            intros,
            _count(intros),
            *trend("introductions"),
        ),
        Headline("meetings", _("Meetings (confirmed)"), meetings, _count(meetings), *trend("meetings")),
        Headline(
            "room_occupancy",
            _("Meeting-room occupancy (last %(days)s days)") % {"days": OCCUPANCY_DAYS},
            occupancy or 0.0,
            "–" if occupancy is None else _percent(occupancy, 0),
            _occupancy_rate(recent),
            _occupancy_rate(previous),
        ),
        Headline(
            "paid_work_share",
            _("Members whose meetings led to paid work"),
            paid_members / members if members else 0.0,
            # Translators: the share of members, then how many members per one with paid work.
            _("%(share)s (1 in %(n)s)")
            % {"share": _percent(paid_members / members, 1), "n": number_format(members / paid_members, 1)}
            if paid_members
            else _percent(0, 0),
            *trend("paid_work"),
            note=paid_work_note(paid_members, members),
        ),
    ]


def paid_work_note(paid_members: int, members: int) -> str:
    """The paid-work share's definition and 95 % interval, so it compares honestly with the
    seed's "1 in 6" (a count cannot say the network caused it: see the experiments below)."""
    ci = proportion_interval(paid_members, members)
    if ci.low is None:
        return str(_("No members yet."))
    return _(
        "Members who reported paid work as an outcome of a confirmed meeting, out of all "
        "%(members)s members; 95%% interval %(low)s–%(high)s (Wilson). Seats2meet's "
        "“1 in 6” is %(seed)s."
    ) % {
        "members": _count(members),
        "low": _percent(ci.low, 1),
        "high": _percent(ci.high, 1),
        "seed": _percent(1 / 6, 1),
    }


def headline_dict(*, today: dt.date | None = None) -> dict:
    """The headline numbers as plain data (for `serendip stats --json`)."""
    out = {}
    for h in headline_numbers(today=today):
        d = asdict(h)
        d["change"] = h.change
        out[h.key] = d
    return out


def weekly_series(*, weeks: int = 52, today: dt.date | None = None) -> dict:
    """Per ISO week (Monday): check-ins, active members (distinct in the week), introductions,
    confirmed meetings, paid-work outcomes and room occupancy."""
    today = today or network_today()
    first = week_start(today) - dt.timedelta(weeks=weeks - 1)
    series: dict[dt.date, dict] = {}
    for row in DailyStats.objects.filter(date__gte=first, date__lte=today).order_by("date"):
        w = week_start(row.date)
        s = series.setdefault(
            w,
            {
                "checkins": 0,
                "active": 0,
                "introductions": 0,
                "meetings": 0,
                "paid_work": 0,
                "b": 0.0,
                "o": 0.0,
            },
        )
        s["checkins"] += row.checkins
        s["introductions"] += row.introductions
        s["meetings"] += row.meetings
        s["paid_work"] += row.paid_work
        s["b"] += row.room_booked_hours
        s["o"] += row.room_open_hours
        if row.date.weekday() == 6 or row.date == today:  # the week's distinct members, on its last day
            s["active"] = row.active_members_7d
    weeks_sorted = sorted(series)
    # The charts start where the network's history does, not with months of zeros before it.
    while weeks_sorted and not any(
        series[weeks_sorted[0]][k] for k in ("checkins", "introductions", "meetings", "paid_work", "b")
    ):
        weeks_sorted.pop(0)
    return {
        "weeks": [w.isoformat() for w in weeks_sorted],
        "checkins": [series[w]["checkins"] for w in weeks_sorted],
        "active_members": [series[w]["active"] for w in weeks_sorted],
        "introductions": [series[w]["introductions"] for w in weeks_sorted],
        "meetings": [series[w]["meetings"] for w in weeks_sorted],
        "paid_work": [series[w]["paid_work"] for w in weeks_sorted],
        "room_occupancy": [
            round(series[w]["b"] / series[w]["o"], 3) if series[w]["o"] else None for w in weeks_sorted
        ],
    }


def tag_gaps(*, limit: int = 15) -> dict:
    """The most needed tags with how many offer them, and the widest gaps (needed, scarcely offered)."""
    rows = list(TagStats.objects.select_related("tag").order_by("-needs", "tag__name")[:limit])
    gaps = sorted(
        TagStats.objects.select_related("tag").filter(needs__gt=0).order_by("-needs")[:200],
        key=lambda t: (-(t.needs - t.offers), t.tag.name),
    )[:limit]
    offered = list(TagStats.objects.select_related("tag").order_by("-offers", "tag__name")[:limit])
    return {
        "needed": [{"tag": t.tag.name, "needs": t.needs, "offers": t.offers} for t in rows],
        "offered": [{"tag": t.tag.name, "needs": t.needs, "offers": t.offers} for t in offered],
        "gaps": [
            {"tag": t.tag.name, "needs": t.needs, "offers": t.offers, "gap": t.needs - t.offers} for t in gaps
        ],
    }


def by_country(*, days: int = 365, today: dt.date | None = None) -> list[dict]:
    """Spaces, check-ins and meetings per country over the last `days` days, largest first."""
    today = today or network_today()
    since = today - dt.timedelta(days=days - 1)
    spaces = dict(Space.objects.values("country").annotate(n=Count("id")).values_list("country", "n"))
    cities = defaultdict(set)
    for country, city in Space.objects.values_list("country", "city"):
        cities[country].add(city)
    totals = (
        SpaceDailyStats.objects.filter(date__gte=since, date__lte=today)
        .values("space__country")
        .annotate(checkins=Sum("checkins"), meetings=Sum("meetings"))
    )
    found = {r["space__country"]: r for r in totals}
    rows = [
        {
            "country": c,
            "spaces": spaces[c],
            "cities": len(cities[c]),
            "checkins": (found.get(c) or {}).get("checkins") or 0,
            "meetings": (found.get(c) or {}).get("meetings") or 0,
        }
        for c in spaces
    ]
    return sorted(rows, key=lambda r: (-r["checkins"], r["country"]))


def stats_refreshed_at() -> dt.datetime | None:
    return DailyStats.objects.order_by("-refreshed_at").values_list("refreshed_at", flat=True).first()


# --- one space, for its hosts -----------------------------------------------------------------


def space_insights(space: Space, *, today: dt.date | None = None) -> dict:
    """Today's presence and occupancy at a space, this week's by day, and the tags present today."""
    today = today or space.local_today()
    monday = week_start(today)
    week = [monday + dt.timedelta(days=i) for i in range(7)]
    per_day = dict(
        CheckIn.objects.filter(space=space, date__range=(week[0], week[-1]), status__in=SEAT_HOLDING)
        .values("date")
        .annotate(n=Count("id"))
        .values_list("date", "n")
    )
    status_today = dict(
        CheckIn.objects.filter(space=space, date=today)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    rooms = space_occupancy_by_day(space=space, start=monday, days=7)
    present_ids = CheckIn.objects.filter(space=space, date=today, status__in=SEAT_HOLDING).values("member")
    tags = (
        MemberTag.objects.filter(member__in=present_ids)
        .values("tag__name", "kind")
        .annotate(n=Count("id"))
        .order_by("-n", "tag__name")
    )
    by_kind: dict[str, list] = {TagKind.OFFER: [], TagKind.NEED: [], TagKind.INTEREST: []}
    for row in tags:
        if len(by_kind[row["kind"]]) < 12:
            by_kind[row["kind"]].append({"tag": row["tag__name"], "members": row["n"]})
    held = sum(status_today.get(s, 0) for s in SEAT_HOLDING)
    today_rooms = next((occ for d, occ in rooms if d == today), None)
    return {
        "today": today,
        "seats": space.seats,
        "held": held,
        "present": status_today.get("present", 0),
        "reserved": status_today.get("reserved", 0),
        "seat_occupancy": held / space.seats if space.seats else None,
        "room_occupancy_today": today_rooms.rate if today_rooms else None,
        "week": [
            {
                "date": d.isoformat(),
                "checkins": per_day.get(d, 0),
                "seat_occupancy": round(per_day.get(d, 0) / space.seats, 3) if space.seats else None,
                "room_occupancy": None if occ.rate is None else round(occ.rate, 3),
            }
            for d, occ in rooms
        ],
        "offers": by_kind[TagKind.OFFER],
        "needs": by_kind[TagKind.NEED],
        "interests": by_kind[TagKind.INTEREST],
    }
