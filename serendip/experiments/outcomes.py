"""What the analysis reads: each member's days of exposure and outcomes over an experiment."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db.models import Count, F, Window
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
    held = CheckIn.objects.filter(date__gte=experiment.starts_on, date__lte=last, status__in=HOLDING_A_SEAT)
    # How many hold a seat at the same space that day, counted by the database (a window), so
    # only the exposed check-ins' member ids come back.
    here = held.annotate(here=Window(Count("id"), partition_by=[F("space_id"), F("date")]))
    exposed = here.filter(here__gt=experiment.min_others_present).values_list("member_id", flat=True)
    return _count(exposed.iterator(chunk_size=50_000))


def outcomes_by_member(experiment: Experiment, *, through: dt.date) -> dict[str, dict[int, int]]:
    """Each outcome's count per member over the period (intention to treat: every outcome of
    an assigned member in the period counts, whatever page it came from)."""
    last = min(experiment.ends_on, through)
    start, end = _day_bounds(experiment.starts_on, last)
    intros = Introduction.objects.filter(created_at__gte=start, created_at__lt=end)
    meetings = Meeting.objects.filter(
        status=MeetingStatus.CONFIRMED, date__gte=experiment.starts_on, date__lte=last
    )
    led = Outcome.objects.filter(
        kind__in=[OutcomeKind.PAID_WORK, OutcomeKind.COLLABORATION], meeting__in=meetings
    )

    def per(qs, field: str, counted: str = "id") -> dict[int, int]:
        n = Count(counted, distinct=counted != "id")  # ids are unique already: no DISTINCT sort
        return dict(qs.values(field).annotate(n=n).values_list(field, "n"))

    confirmed = per(meetings, "member_low_id")
    for member, n in per(meetings, "member_high_id").items():
        confirmed[member] = confirmed.get(member, 0) + n
    return {
        "introductions_requested": per(intros, "requester_id"),
        "introductions_accepted": per(intros.filter(status=IntroductionStatus.ACCEPTED), "requester_id"),
        "meetings_confirmed": confirmed,
        "meetings_led_to_work": per(led, "member_id", counted="meeting_id"),
    }


def _count(ids) -> dict[int, int]:
    values, n = np.unique(np.fromiter(ids, dtype=np.int64), return_counts=True)
    return dict(zip(values.tolist(), n.tolist(), strict=True))
