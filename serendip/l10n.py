"""Local formats in the active language (issue 16): money through Babel's CLDR data, time zones
named for people, numbers through Django's localization, and the languages a member or a space
may choose. Which language is active for a request is decided by `site.middleware.LanguageMiddleware`;
everything here formats for whatever language is active (or the one passed in)."""

import datetime as dt
import functools
import zoneinfo
from decimal import Decimal

from babel import Locale
from babel.dates import get_timezone_location
from babel.numbers import format_currency
from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import pgettext

# The money every price and invoice is in today (rooms are priced in euro cents).
CURRENCY = "EUR"

# Which language a space's lobby screen and public page speak by default, by the space's country;
# the rest of the world gets English. Only languages we have catalogues for belong here (Flemish
# Belgium or Italian-speaking Switzerland are multilingual: their hosts choose in host settings).
COUNTRY_LANGUAGES = {"NL": "nl", "IT": "it"}


def language_choices() -> list[tuple[str, str]]:
    """The languages people may choose: settings.LANGUAGES (each named in itself). A callable, so
    that adding a language needs no migration of the fields that offer them."""
    return list(settings.LANGUAGES)


def supported(code: str | None) -> str | None:
    """`code` if it is one of our languages (after Django's fallbacks: "nl-be" -> "nl"), else None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def follows_space_language(view):
    """Mark a page of one space (its URL has `slug`) that speaks the space's language to visitors
    who chose none (site.middleware.LanguageMiddleware): the lobby screen, the space's public
    page and its meeting rooms."""
    view.follows_space_language = True
    return view


def language_of(member) -> str:
    """The language to write to a member in when no request says it (emails, the digest, the
    calendar feed): their own choice, else English. A browser's Accept-Language is not known there."""
    return supported(getattr(member, "language", "")) or settings.LANGUAGE_CODE


def language_for_country(country: str) -> str:
    """The default language of a space in `country` (ISO 3166-1 alpha-2)."""
    return COUNTRY_LANGUAGES.get((country or "").upper(), settings.LANGUAGE_CODE)


def _active(language: str | None) -> str:
    return language or translation.get_language() or settings.LANGUAGE_CODE


@functools.lru_cache(maxsize=32)
def babel_locale(language: str) -> Locale:
    # Plain "en" in CLDR is American English; for money that is what we want ("€12.50").
    return Locale.parse(translation.to_locale(language))


def money(cents: int | None, *, currency: str = CURRENCY, language: str | None = None) -> str:
    """An amount in cents in the language's convention: en "€12.50", nl "€ 12,50", it "12,50 €".
    Negative amounts (credit notes) keep their minus sign where the locale puts it."""
    if cents is None or cents == "":
        return ""
    amount = Decimal(int(cents)) / 100
    return format_currency(amount, currency, locale=babel_locale(_active(language)))


def number(value, *, decimal_pos: int | None = None, language: str | None = None) -> str:
    """A plain number (social capital, counts) with the language's decimal and thousands separators."""
    if value is None or value == "":
        return ""
    with translation.override(_active(language)):
        return formats.number_format(value, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True)


@functools.lru_cache(maxsize=256)
def _city(tz_name: str, language: str) -> str:
    return get_timezone_location(zoneinfo.ZoneInfo(tz_name), locale=babel_locale(language), return_city=True)


def timezone_name(tz: str | zoneinfo.ZoneInfo | dt.tzinfo, *, language: str | None = None) -> str:
    """A time zone as people say it: "Amsterdam time", "ora di Roma", "tijd in New York" (CLDR's
    exemplar city in the language, inside a translated pattern), never the tz database id.
    UTC (and anything CLDR has no city for) reads as "UTC"."""
    name = getattr(tz, "key", None) or str(tz)
    if name in {"UTC", "Etc/UTC", "GMT"}:
        return "UTC"
    language = _active(language)
    try:
        city = _city(name, language)
    except (LookupError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        return name
    with translation.override(language):
        return pgettext("time zone named by its city", "%(city)s time") % {"city": city}


def country_name(code: str, *, language: str | None = None) -> str:
    """A country by its ISO 3166-1 alpha-2 code in the language (CLDR): "IT" -> "Italy", "Italië",
    "Italia"; an unknown code as it is."""
    code = (code or "").upper()
    return babel_locale(_active(language)).territories.get(code, code)
