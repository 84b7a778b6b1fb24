"""The check of a member's billing details: every problem at once, by field.

VAT ids are checked with python-stdnum (`stdnum.eu.vat`: each EU country's VIES format and check
digits, e.g. NL000099998B57, DE136695976, EL094259216 for Greece, XI for Northern Ireland),
without asking VIES over the network: whether the number is registered is VIES's to say, its
shape and check digits are ours. The VAT id's country must be the billing address's.
"""

import re

from babel import Locale
from django.utils.translation import gettext as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

from serendip.text import bad_character

FIELDS = {"name": 80, "company": 120, "street": 200, "postcode": 20, "city": 80, "country": 2, "vat_id": 20}
# VAT prefixes that are not the country's ISO code.
VAT_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ"}  # CLDR regions with two-letter codes
COUNTRIES = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
)


def country_choices(language: str) -> list[tuple[str, str]]:
    """Every country, by its name in `language`, for a form's select."""
    names = Locale.parse(language).territories
    return sorted(((code, names.get(code, code)) for code in COUNTRIES), key=lambda c: c[1].casefold())


def vat_country(vat_id: str) -> str:
    """The ISO country of a (compact) EU VAT id: "EL…" -> "GR"."""
    return VAT_PREFIX_COUNTRY.get(vat_id[:2], vat_id[:2])


def check_billing(raw: dict[str, str | None]) -> tuple[dict[str, str], dict[str, str]]:
    """(cleaned fields, {field: problem}). Everything is optional, but what is given must add up:
    an address has a street, a city and a country; a VAT id is valid, belongs to a company and
    to the address's country."""
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field, max_length in FIELDS.items():
        value = " ".join(str(raw.get(field) or "").split())
        if field == "vat_id":  # as people write it: "NL 0000.99.998.B57" -> "NL000099998B57"
            value = re.sub(r"[\s.\-/,]", "", value).upper()
        problem = bad_character(value)
        if problem:
            errors[field] = problem
        elif len(value) > max_length:
            errors[field] = _("at most %(n)d characters") % {"n": max_length}
        clean[field] = value
    country = clean["country"] = clean["country"].upper()
    if country and country not in COUNTRIES:
        errors["country"] = _("choose a country from the list")
    if any(clean[f] for f in ("street", "postcode", "city")) or country:
        for field in ("street", "city", "country"):
            if not clean[field] and field not in errors:
                errors[field] = _("an address needs a street, a city and a country")
    if clean["vat_id"] and "vat_id" not in errors:
        try:
            clean["vat_id"] = eu_vat.validate(clean["vat_id"])
            if clean["vat_id"].startswith("GR"):  # accepted as Greece's, but VIES writes EL
                clean["vat_id"] = "EL" + clean["vat_id"][2:]
        except StdnumError:
            errors["vat_id"] = _(
                "not a valid EU VAT id: it starts with the country's code (NL, DE, FR, EL for Greece…) "
                "followed by that country's number, e.g. NL000099998B57"
            )
        else:
            if not clean["company"] and "company" not in errors:
                errors["company"] = _("a VAT id belongs to a company: give its name")
            if not country and "country" not in errors:
                errors["country"] = _("give the country of the address that goes with the VAT id")
            elif country and vat_country(clean["vat_id"]) != country and "country" not in errors:
                errors["vat_id"] = _("this VAT id is from another country than the address (%(code)s)") % {
                    "code": vat_country(clean["vat_id"])
                }
    return clean, {field: errors[field] for field in FIELDS if field in errors}
