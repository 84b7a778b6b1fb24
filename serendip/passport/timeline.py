"""The passport timeline's lines in the reader's language (issue 16).

An activity's `verb` names a sentence and its `extra` holds what fills it (names and titles as
they were then, dates as ISO strings, formatted when shown). The stored `summary` stays the
English line the admin and the data export show; it is also the fallback for activities written
before their params were kept (and for a verb this module does not know)."""

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

TEXTS = {
    "joined": _("Joined Serendip"),
    "verified": _("Account verified: welcome grant received"),
    "checked_in": _("Checked in at %(space_name)s for %(date)s"),
    "checked_in:focus": _("Checked in at %(space_name)s for %(date)s: %(focus)s"),
    "checkin_cancelled": _("Cancelled check-in at %(space_name)s for %(date)s"),
    "checkin_cancelled:refunded": _("Cancelled check-in at %(space_name)s for %(date)s (seat refunded)"),
    "arrived": _("Arrived at %(space_name)s"),
    "room_booked": _("Booked %(room_name)s at %(space_name)s on %(starts)s–%(ends)s"),
    "room_booking_cancelled:refunded": _(
        "Cancelled %(room_name)s at %(space_name)s on %(starts)s (refunded)"
    ),
    "room_booking_cancelled": _("Cancelled %(room_name)s at %(space_name)s on %(starts)s (not refunded)"),
    "asked": _("Asked: %(title)s"),
    "answered": _("Answered: %(title)s"),
    "answer_accepted": _("Your answer was accepted: %(title)s"),
    # Translators: %(name)s wrote the answer the member accepted.
    "accepted_answer": _("Accepted %(name)s's answer: %(title)s"),
    "question_deleted": _("Deleted question: %(title)s"),
    "introduction_made": _("Introduced %(requester)s to %(recipient)s"),
    "introduction_requested": _("Asked to meet %(name)s"),
    "introduction_accepted": _("Accepted an introduction to %(name)s"),
    "introduction_declined": _("Declined an introduction to %(name)s"),
    "meeting_recorded": _("Met %(name)s at %(space_name)s"),
    "meeting_confirmed": _("Meeting with %(name)s confirmed"),
    "outcome_recorded:paid_work": _("Meeting with %(name)s: led to paid work"),
    "outcome_recorded:collaboration": _("Meeting with %(name)s: a new collaboration"),
    "outcome_recorded:learned": _("Meeting with %(name)s: learned something useful"),
    "outcome_recorded:nothing_yet": _("Meeting with %(name)s: nothing yet"),
    "passport_updated": _("Updated passport"),
    "tags_changed:added": _("Changed tags: added %(added)s"),
    "tags_changed:removed": _("Changed tags: removed %(removed)s"),
    "tags_changed:both": _("Changed tags: added %(added)s; removed %(removed)s"),
    "tags_changed": _("Changed tag weights"),
    "photo_changed": _("Changed profile picture"),
    "photo_removed": _("Removed profile picture"),
}


def some(names: list[str], *, shown: int = 5) -> str:
    """ "a, b, c, d, e and 3 more": a timeline line says when it leaves names out."""
    if len(names) <= shown:
        return ", ".join(names)
    more = len(names) - shown
    return ngettext("%(names)s and %(n)s more", "%(names)s and %(n)s more", more) % {
        "names": ", ".join(names[:shown]),
        "n": more,
    }


def _key(verb: str, extra: dict) -> str:
    if verb == "checked_in" and extra.get("focus"):
        return "checked_in:focus"
    if verb in {"checkin_cancelled", "room_booking_cancelled"} and extra.get("refunded"):
        return f"{verb}:refunded"
    if verb == "outcome_recorded":
        return f"outcome_recorded:{extra.get('kind')}"
    if verb == "tags_changed":
        added, removed = extra.get("added"), extra.get("removed")
        return (
            "tags_changed:both"
            if added and removed
            else "tags_changed:added"
            if added
            else ("tags_changed:removed" if removed else "tags_changed")
        )
    return verb


def _params(extra: dict) -> dict:
    params = dict(extra)
    if isinstance(extra.get("date"), str):
        params["date"] = formats.date_format(dt.date.fromisoformat(extra["date"]), "DATE_FORMAT")
    for key, fmt in (("starts", "SHORT_DATETIME_FORMAT"), ("ends", "TIME_FORMAT")):
        if isinstance(extra.get(key), str):
            params[key] = formats.date_format(dt.datetime.fromisoformat(extra[key]), fmt)
    for key in ("added", "removed"):  # "offer:python" -> "python"
        if isinstance(extra.get(key), list):
            params[key] = some([str(t).split(":", 1)[-1] for t in extra[key]])
    return params


def activity_text(verb: str, extra: dict, summary: str) -> str:
    """The activity's line in the active language; the stored English summary if its params are missing."""
    text = TEXTS.get(_key(verb, extra or {}))
    if text is None:
        return summary
    try:
        return str(text) % _params(extra or {})
    except (KeyError, TypeError, ValueError):
        return summary
