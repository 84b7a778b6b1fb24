"""VAT on meeting rooms by the space's country: standard rates in percent (2025).

A space charges the rate of its own country; the rate used is stored on each booking and
invoice, so a later change of rate never rewrites an issued invoice. Countries without VAT
(e.g. the US, where sales tax is local) charge 0 here until a host's tax setup says otherwise.
"""

from decimal import Decimal

STANDARD_RATES: dict[str, Decimal] = {
    code: Decimal(rate)
    for code, rate in {
        "AT": "20", "BE": "21", "BG": "20", "CH": "8.1", "CY": "19", "CZ": "21", "DE": "19",
        "DK": "25", "EE": "24", "ES": "21", "FI": "25.5", "FR": "20", "GB": "20", "GR": "24",
        "HR": "25", "HU": "27", "IE": "23", "IT": "22", "LT": "21", "LU": "17", "LV": "21",
        "MT": "18", "NL": "21", "NO": "25", "PL": "23", "PT": "23", "RO": "21", "SE": "25",
        "SI": "22", "SK": "23",
    }.items()
}  # fmt: skip


def vat_rate_for(country: str) -> Decimal:
    return STANDARD_RATES.get((country or "").upper(), Decimal("0"))


def vat_cents(net_cents: int, rate: Decimal) -> int:
    """VAT on a net amount, rounded half up to a whole cent (exact decimal arithmetic)."""
    sign = -1 if net_cents < 0 else 1
    exact = Decimal(abs(net_cents)) * rate / Decimal(100)
    return sign * int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
