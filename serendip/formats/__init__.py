"""Date and time formats per language (settings.FORMAT_MODULE_PATH): Django's own, plus a few
named formats the pages use instead of hard-coded ones (`{{ day|date:"DAY_MONTH_FORMAT" }}`).

Every language defines every name here (a name missing in a language would print its letters).
English is written the British way (24-hour clock, day before month) like the rest of our English;
Dutch and Italian use lower-case abbreviated months (`b`: "zo 29 nov", "dom 29 nov")."""

from django.utils.translation import gettext_noop

# Django's Italian catalogue capitalises month names ("29 Novembre 2026"); Italian, like Dutch,
# writes them in lower case inside a date. Our catalogue comes first (LOCALE_PATHS), so these
# entries, translated by our translators, replace Django's. Not used directly.
MONTH_NAMES = [
    # Translators: the months' names as they appear inside a date ("29 November 2026"), in lower
    # case where your language writes them so ("29 novembre 2026").
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
]

# The named formats every language defines (tests/test_l10n.py checks they do).
NAMED = [
    "DAY_MONTH_FORMAT",  # a day in a list: "Sun 29 Nov"
    "DAY_MONTH_YEAR_FORMAT",  # the same with its year: "Sun 29 Nov 2026"
    "WEEKDAY_FORMAT",  # a heading: "Sunday 29 November"
    "WEEKDAY_YEAR_FORMAT",  # the same with its year: "Sunday 29 November 2026"
    "SHORT_DAY_FORMAT",  # a day of this week: "Sun 29"
    "DAY_MONTH_TIME_FORMAT",  # a recent moment: "29 Nov 14:05"
]
