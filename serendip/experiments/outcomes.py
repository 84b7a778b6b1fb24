"""What the analysis reads: each member's days of exposure and outcomes over an experiment."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.utils.translation import gettext_lazy as _

from serendip.exchange.models import (
    Introduction,
    IntroductionStatus,
    Meeting,
    MeetingStatus,
    Outcome,
    OutcomeKind,
)
from serendip.presence.models import CheckIn, CheckInStatus

from .models import Experiment

# The outcomes per member-day of exposure, in the order of the analysis' columns.
OUTCOMES = {
    "introductions_requested": _("Introductions requested"),
    "introductions_accepted": _("Introductions accepted"),
    "meetings_confirmed": _("Confirmed meetings"),
    "meetings_led_to_work": _("Meetings that led to paid work or a collaboration"),
}
HOLDING_A_SEAT = [CheckInStatus.RESERVED, CheckInStatus.PRESENT]


def _day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(first, dt.time(0), tzinfo=dt.UTC),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC),
    )


def exposure_by_member(experiment: Experiment, *, through: dt.date) -> dict[int, int]:
    """Member-days of exposure: days in the period on which the member held a seat at a space
    where at least `min_others_present` others held one too."""
    last = min(experiment.ends_on, through)
    rows = list(
        CheckIn.objects.filter(
            date__gte=experiment.starts_on, date__lte=last, status__in=HOLDING_A_SEAT
        ).values_list("member_id", "space_id", "date")
    )
    if not rows:
        return {}
    member = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    space = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    day = np.fromiter((r[2].toordinal() for r in rows), dtype=np.int64, count=len(rows))
    # How many hold a seat at each (space, day); a member's day is exposure if enough others do.
    _, group, size = np.unique(
        np.stack([space, day], axis=1), axis=0, return_inverse=True, return_counts=True
    )
    exposed = size[group.ravel()] - 1 >= experiment.min_others_present
    members, days = np.unique(member[exposed], return_counts=True)
    return dict(zip(members.tolist(), days.tolist(), strict=True))


def outcomes_by_member(experiment: Experiment, *, through: dt.date) -> dict[str, dict[int, int]]:
    """Each outcome's count per member over the period (intention to treat: every outcome of
    an assigned member in the period counts, whatever page it came from)."""
    last = min(experiment.ends_on, through)
    start, end = _day_bounds(experiment.starts_on, last)
    intros = Introduction.objects.filter(created_at__gte=start, created_at__lt=end)
    meetings = Meeting.objects.filter(
        status=MeetingStatus.CONFIRMED, date__gte=experiment.starts_on, date__lte=last
    )
    led = (
        Outcome.objects.filter(
            kind__in=[OutcomeKind.PAID_WORK, OutcomeKind.COLLABORATION],
            meeting__in=meetings,
        )
        .values_list("member_id", "meeting_id")
        .distinct()
    )

    def count(ids) -> dict[int, int]:
        values, n = np.unique(np.fromiter(ids, dtype=np.int64), return_counts=True)
        return dict(zip(values.tolist(), n.tolist(), strict=True))

    pairs = list(meetings.values_list("member_low_id", "member_high_id"))
    return {
        "introductions_requested": count(intros.values_list("requester_id", flat=True)),
        "introductions_accepted": count(
            intros.filter(status=IntroductionStatus.ACCEPTED).values_list("requester_id", flat=True)
        ),
        "meetings_confirmed": count(m for pair in pairs for m in pair),
        "meetings_led_to_work": count(member for member, _meeting in led),
    }
