"""Local formats (serendip.l10n, serendip/formats): money, numbers, dates and time zones in en, nl, it."""

import datetime as dt
import importlib
import zoneinfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation

from serendip import formats as named_formats
from serendip.l10n import country_name, language_for_country, money, number, supported, timezone_name
from serendip.notifications.kinds import render

NBSP = "\N{NO-BREAK SPACE}"


def plain(text: str) -> str:
    # CLDR puts no-break spaces where a line must not break ("€ 12,50"); compare them as spaces.
    return text.replace(NBSP, " ").replace("\N{NARROW NO-BREAK SPACE}", " ")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "€12.50"), ("nl", "€ 12,50"), ("it", "12,50 €")],
)
def test_money_follows_the_language(language, expected):
    assert plain(money(1250, language=language)) == expected
    with translation.override(language):
        assert plain(money(1250)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "€1,234,567.89"), ("nl", "€ 1.234.567,89"), ("it", "1.234.567,89 €")],
)
def test_money_groups_thousands(language, expected):
    assert plain(money(123456789, language=language)) == expected


def test_money_of_nothing_is_empty():
    assert money(None) == ""
    assert money("") == ""


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "−€12.50"), ("nl", "€ −12,50"), ("it", "−12,50 €")],
)
def test_the_euros_filter_is_money_in_the_active_language(language, expected):
    template = Template("{% load network_tags %}{{ cents|euros }}")
    with translation.override(language):
        assert plain(template.render(Context({"cents": -1250}))) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "1,234.5"), ("nl", "1.234,5"), ("it", "1.234,5")],
)
def test_numbers_follow_the_language(language, expected):
    assert number(1234.5, decimal_pos=1, language=language) == expected


@pytest.mark.parametrize(
    ("language", "units", "signed", "expected"),
    [
        ("en", 1250, True, "+12.50"),
        ("nl", 1250, True, "+12,50"),
        ("it", -500, False, "−5,00"),
        ("nl", 0, False, "0,00"),
    ],
)
def test_social_capital_is_a_number_of_the_language(language, units, signed, expected):
    template = Template("{% load ui %}{{ units|sc:signed }}")
    with translation.override(language):
        assert template.render(Context({"units": units, "signed": signed})) == expected


def test_time_zones_are_named_by_their_city():
    assert timezone_name("Europe/Amsterdam", language="en") == "Amsterdam time"
    assert timezone_name(zoneinfo.ZoneInfo("America/New_York"), language="en") == "New York time"
    assert timezone_name("UTC", language="nl") == "UTC"
    # CLDR names the city in the reader's language; the pattern is our translators' (until they
    # have translated it, the English pattern holds the local city name).
    assert "Lisbona" in timezone_name("Europe/Lisbon", language="it")
    assert "Lissabon" in timezone_name("Europe/Lisbon", language="nl")
    assert "Roma" in timezone_name("Europe/Rome", language="it")
    for language in ("en", "nl", "it"):
        assert "/" not in timezone_name("Europe/Rome", language=language)


def test_an_unknown_time_zone_is_shown_as_it_is():
    assert timezone_name("Mars/Olympus_Mons", language="en") == "Mars/Olympus_Mons"


def test_countries_are_named_in_the_language():
    assert country_name("IT", language="en") == "Italy"
    assert country_name("IT", language="nl") == "Italië"
    assert country_name("NL", language="it") == "Paesi Bassi"
    assert country_name("XX", language="it") == "XX"


def test_a_spaces_default_language_is_its_countrys():
    assert language_for_country("NL") == "nl"
    assert language_for_country("it") == "it"
    assert language_for_country("US") == "en"
    assert language_for_country("") == "en"


def test_supported_languages_and_their_variants():
    assert supported("nl-BE") == "nl"
    assert supported("it") == "it"
    assert supported("de") is None
    assert supported("") is None


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_language_defines_every_named_format(language):
    module = importlib.import_module(f"serendip.formats.{language}.formats")
    for name in named_formats.NAMED:
        assert getattr(module, name, None), f"{language} lacks {name}"


@pytest.mark.parametrize(
    ("language", "day", "weekday", "date"),
    [
        ("en", "Mon 30 Nov", "Monday 30 November 2026", "30 november 2026"),
        ("nl", "ma 30 nov", "maandag 30 november 2026", "30 november 2026"),
        ("it", "Lun 30 nov", "Lunedì 30 novembre 2026", "30 novembre 2026"),
    ],
)
def test_dates_read_as_the_language_writes_them(language, day, weekday, date):
    # Compared case-blind where the case is the catalogue's (Italian months: the next test).
    monday = dt.date(2026, 11, 30)
    with translation.override(language):
        assert formats.date_format(monday, "DAY_MONTH_FORMAT") == day
        assert formats.date_format(monday, "DATE_FORMAT").casefold() == date
        assert formats.date_format(monday, "WEEKDAY_YEAR_FORMAT").casefold() == weekday.casefold()
        assert formats.time_format(dt.time(14, 5), "TIME_FORMAT") == "14:05"


def test_italian_months_are_lower_case_once_translated():
    # Django's own Italian catalogue says "Novembre"; ours overrides it (serendip/formats/__init__.py).
    with translation.override("it"):
        if translation.gettext("November") == "Novembre":
            pytest.skip("our Italian catalogue does not translate the month names yet (Django's does)")
        assert formats.date_format(dt.date(2026, 11, 30), "DATE_FORMAT") == "30 novembre 2026"


def test_a_booking_notification_speaks_the_readers_language():
    params = {
        "room": "Dom",
        "space": "Seats2meet Utrecht CS",
        "starts_at": "2026-11-30T14:00:00+01:00",
        "ends_at": "2026-11-30T16:00:00+01:00",
        "tz": "Europe/Amsterdam",
    }
    with translation.override("en"):
        english = render("booking_confirmed", params)
    assert "Mon 30 Nov 2026, 14:00–16:00 (Amsterdam time)" in english
    with translation.override("nl"):
        dutch = render("booking_confirmed", params)
    assert "ma 30 nov 2026" in dutch
    assert "Europe/Amsterdam" not in english + dutch


def test_older_booking_notifications_keep_their_stored_time():
    params = {"room": "Dom", "space": "Utrecht", "when": "2026-11-30 14:00–16:00"}
    with translation.override("en"):
        assert "2026-11-30 14:00–16:00" in render("booking_confirmed", params)


def test_amounts_and_dates_in_notifications_are_localized():
    with translation.override("nl"):
        text = render("low_balance", {"balance": "1.50", "space": "Milano", "price": "5.00"})
        assert "1,50" in text and "5,00" in text
        meeting = render("meeting_to_confirm", {"actor": "Ada", "space": "Milano", "date": "2026-11-30"})
        assert "30 november 2026" in meeting
