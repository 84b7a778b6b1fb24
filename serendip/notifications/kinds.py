"""The kinds of notification: what each says, and how a member gets it unless they choose otherwise.

Texts are rendered when shown (not when stored), so each member reads them in their language.
"""

import contextlib
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from serendip.l10n import number, timezone_name


class Channel(models.TextChoices):
    INAPP = "inapp", _("In the app only")
    EMAIL = "email", _("Email now")
    DIGEST = "digest", _("Daily digest email")
    OFF = "off", _("Off")


@dataclass(frozen=True)
class Kind:
    label: str
    text: str  # %-format with the notification's params
    default: str = Channel.EMAIL


KINDS: dict[str, Kind] = {
    "question_routed": Kind(
        _("A question was routed to you"), _("%(actor)s asked a question you may answer: “%(title)s”")
    ),
    "answer_posted": Kind(
        _("Your question got an answer"), _("%(actor)s answered your question “%(title)s”")
    ),
    "answer_accepted": Kind(
        _("Your answer was accepted"),
        _("%(actor)s accepted your answer to “%(title)s”: you earned %(earned)s SC"),
    ),
    "introduction_requested": Kind(
        _("Someone asks to be introduced to you"), _("%(actor)s would like to meet you")
    ),
    "introduction_accepted": Kind(
        _("Your introduction was accepted"), _("%(actor)s accepted your introduction request")
    ),
    "introduction_declined": Kind(
        _("Your introduction was declined"), _("%(actor)s said no thanks to an introduction"), Channel.INAPP
    ),
    "meeting_to_confirm": Kind(
        _("A meeting waits for your confirmation"),
        _("%(actor)s says you met at %(space)s on %(date)s: please confirm"),
    ),
    "booking_confirmed": Kind(
        _("A room booking is confirmed"), _("Your booking of %(room)s at %(space)s on %(when)s is confirmed")
    ),
    "booking_cancelled": Kind(
        _("A room booking is cancelled"), _("Your booking of %(room)s at %(space)s on %(when)s is cancelled")
    ),
    "followed_checked_in": Kind(
        _("Someone you follow checked in where you are"),
        _("%(actor)s, whom you follow, checked in at %(space)s today"),
    ),
    "low_balance": Kind(
        _("Your balance is too low for your next seat"),
        _("You have %(balance)s SC; a seat at %(space)s costs %(price)s SC"),
    ),
}
KIND_CHOICES = [(name, kind.label) for name, kind in KINDS.items()]


# A check-in told because of a followed tag, not the person.
FOLLOWED_TAG_TEXT = _("%(actor)s, who offers “%(tag)s”, checked in at %(space)s today")


# Params that are amounts of social capital, stored as "12.50": shown as numbers of the reader's
# language ("12,50").
SC_PARAMS = ("earned", "balance", "price")


def localized(params: dict) -> dict:
    """The stored params (machine formats: ISO dates, "12.50") as the reader's language writes them.
    A booking's time is stored as `starts_at`/`ends_at` (ISO, with offset) and `tz`, and read as
    `when` ("Mon 30 Nov 2026, 14:00-16:00 (Amsterdam time)"); older rows kept a ready `when`."""
    out = dict(params)
    for key in SC_PARAMS:
        with contextlib.suppress(KeyError, InvalidOperation, ValueError):
            out[key] = number(Decimal(str(params[key])), decimal_pos=2)
    with contextlib.suppress(KeyError, TypeError, ValueError):
        out["date"] = formats.date_format(dt.date.fromisoformat(params["date"]), "DATE_FORMAT")
    try:
        tz = zoneinfo.ZoneInfo(params["tz"])
        start = dt.datetime.fromisoformat(params["starts_at"]).astimezone(tz)
        end = dt.datetime.fromisoformat(params["ends_at"]).astimezone(tz)
    except (KeyError, TypeError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        pass
    else:
        out["when"] = pgettext(
            "a booking's day, hours and time zone", "%(day)s, %(start)s–%(end)s (%(zone)s)"
        ) % {
            "day": formats.date_format(start, "DAY_MONTH_YEAR_FORMAT"),
            "start": formats.time_format(start, "TIME_FORMAT"),
            "end": formats.time_format(end, "TIME_FORMAT"),
            "zone": timezone_name(tz),
        }
    return out


def render(kind: str, params: dict) -> str:
    """A notification's text in the active language (the viewer's, or the email's recipient's)."""
    spec = KINDS.get(kind)
    if spec is None:
        return kind
    text = FOLLOWED_TAG_TEXT if kind == "followed_checked_in" and params.get("tag") else spec.text
    try:
        return str(text) % localized(params)
    except (KeyError, TypeError, ValueError):
        return str(spec.label)
