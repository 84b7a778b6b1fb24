"""The engine's reasons (``serendip.matching.Reason``: kind, tag, other tag, count) phrased for
people, through gettext, so each phrase can be translated. The engine itself imports no Django;
its English ``text`` is the fallback for a kind this table does not know."""

from django.utils.translation import gettext, ngettext

from serendip.matching import Reason


def _answered(r: Reason) -> str:
    return ngettext(
        "Answered %(count)d question about %(tag)s", "Answered %(count)d questions about %(tag)s", r.count
    ) % {"count": r.count, "tag": r.tag}


def _similar(r: Reason) -> str:
    return ngettext(
        "Answered %(count)d question with a similar title",
        "Answered %(count)d questions with similar titles",
        r.count,
    ) % {"count": r.count}


def _active(r: Reason) -> str:
    return ngettext(
        "Answered %(count)d question in the last 30 days",
        "Answered %(count)d questions in the last 30 days",
        r.count,
    ) % {"count": r.count}


# kind -> phrase with %(tag)s (the suggested member's tag) and %(other)s (the reader's tag).
_PLAIN = {
    "offers": lambda: gettext("Offers %(tag)s on their passport"),
    "offers_related": lambda: gettext("Offers %(tag)s, related to %(other)s"),
    "offers_need": lambda: gettext("Offers %(tag)s, which you need"),
    "offers_need_related": lambda: gettext("Offers %(tag)s, related to %(other)s, which you need"),
    "offers_focus": lambda: gettext("Offers %(tag)s, your focus today"),
    "offers_focus_related": lambda: gettext("Offers %(tag)s, related to %(other)s, your focus today"),
    "needs_offer": lambda: gettext("Needs %(tag)s, which you offer"),
    "needs_offer_related": lambda: gettext("Needs %(tag)s, related to %(other)s, which you offer"),
    "focus_offer": lambda: gettext("Is focusing on %(tag)s today, which you offer"),
    "focus_offer_related": lambda: gettext(
        "Is focusing on %(tag)s today, related to %(other)s, which you offer"
    ),
    "shared_interest": lambda: gettext("You both like %(tag)s"),
}
_COUNTED = {"answered": _answered, "similar_questions": _similar, "active": _active}


def phrase(reason: Reason) -> str:
    """One reason in the active language."""
    if reason.kind in _COUNTED:
        return _COUNTED[reason.kind](reason)
    template = _PLAIN.get(reason.kind)
    if template is None:
        return reason.text
    return template() % {"tag": reason.tag, "other": reason.other_tag}


def phrases(reasons) -> list[str]:
    return [phrase(r) for r in reasons]
