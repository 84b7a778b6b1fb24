"""Issuing invoices and credit notes for room bookings, numbered per space and year without gaps.

The space is the seller. `invoice_issue` takes the space's counter row for the year with
`SELECT ... FOR UPDATE` (SQLite: the IMMEDIATE transaction already serialises writers) and
writes the invoice in the caller's transaction, so a booking that fails afterwards rolls its
number back too: numbers are consecutive, 1, 2, 3, ... in every year.
"""

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from serendip.l10n import country_name, number, timezone_name
from serendip.passport.models import BillingDetails

from .models import Booking, Invoice, InvoiceCounter, InvoiceKind


def invoice_number(*, slug: str, year: int, sequence: int) -> str:
    return f"{slug.upper()}-{year}-{sequence:05d}"


def _next_sequence(*, space, year: int) -> int:
    """Locks and increments the space's counter for `year`; the caller holds the lock until commit."""
    counter = InvoiceCounter.objects.select_for_update().filter(space=space, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                InvoiceCounter.objects.create(space=space, year=year, last=0)
        except IntegrityError:
            pass  # created by a concurrent first invoice of the year; lock that row instead
        counter = InvoiceCounter.objects.select_for_update().get(space=space, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def booking_description(booking: Booking) -> str:
    """The invoice line, written once at issue (an invoice never changes) in the language of the
    member who booked, or the space's when they chose none: "Meeting room Dom, Mon 30 Nov 2026,
    14:00-16:00 (Amsterdam time), 2 h"."""
    start, end = booking.local_starts_at, booking.local_ends_at
    language = booking.member.language or booking.room.space.language
    with translation.override(language):
        return pgettext(
            "an invoice line", "Meeting room %(room)s, %(day)s, %(start)s–%(end)s (%(zone)s), %(hours)s h"
        ) % {
            "room": booking.room.name,
            "day": formats.date_format(start, "DAY_MONTH_YEAR_FORMAT"),
            "start": formats.time_format(start, "TIME_FORMAT"),
            "end": formats.time_format(end, "TIME_FORMAT"),
            "zone": timezone_name(booking.room.space.tz),
            "hours": number(Decimal(booking.minutes) / 60),  # quarters of an hour: exact
        }


def seller_details(space) -> dict[str, str]:
    """Who sells: the space's own company when the admin gave one, else the network's operator."""
    if space.legal_name and space.vat_id:
        name, vat_id, iban, bic = space.legal_name, space.vat_id, space.iban, space.bic
        address = (
            f"{space.address}, {space.city}, {space.country}"
            if space.address
            else f"{space.city}, {space.country}"
        )
    else:
        op = settings.INVOICE_OPERATOR
        name = f"{op['name']} for {space.name}"
        address, vat_id, iban, bic = op["address"], op["vat_id"], op["iban"], op["bic"]
    payment = f"{name}, IBAN {iban}" + (f", BIC {bic}" if bic else "") if iban else ""
    return {
        "seller_name": name[:120],
        "seller_address": address[:200],
        "seller_vat_id": vat_id[:20],
        "payment_details": payment[:200],
    }


def buyer_details(booking: Booking, *, original: Invoice | None = None) -> dict[str, str]:
    """Whom the invoice is made out to: the member's billing details as they are now (their
    display name when they gave no name), copied onto the invoice. A credit note names the
    customer of the invoice it cancels, whatever they changed since."""
    if original is not None:
        fields = ("buyer_name", "buyer_email", "buyer_company", "buyer_address", "buyer_vat_id")
        return {f: getattr(original, f) for f in fields}
    member = booking.member
    billing = BillingDetails.objects.filter(member=member).first()
    details = {
        "buyer_name": (billing.name if billing and billing.name else member.display_name)[:80],
        "buyer_email": member.user.email,
        "buyer_company": "",
        "buyer_address": "",
        "buyer_vat_id": "",
    }
    if billing is not None:
        language = member.language or booking.room.space.language
        place = " ".join(p for p in (billing.postcode, billing.city) if p)
        country = country_name(billing.country, language=language) if billing.country else ""
        lines = [line for line in (billing.street, place, country) if line]
        details.update(
            buyer_company=billing.company,
            buyer_address="\n".join(lines)[:300],
            buyer_vat_id=billing.vat_id,
        )
    return details


@transaction.atomic
def invoice_issue(*, booking: Booking, kind: str = InvoiceKind.INVOICE) -> Invoice:
    """Issue the booking's invoice, or a credit note that cancels it (negative amounts)."""
    space = booking.room.space
    now = timezone.now()
    issue_date = space.local_today(now)
    sequence = _next_sequence(space=space, year=issue_date.year)
    sign = -1 if kind == InvoiceKind.CREDIT_NOTE else 1
    description = booking_description(booking)
    original = None
    if kind == InvoiceKind.CREDIT_NOTE:
        original = booking.invoices.filter(kind=InvoiceKind.INVOICE).first()
        # In the language the invoice's own line was written in (booking_description).
        with translation.override(booking.member.language or booking.room.space.language):
            description = _("Credit for invoice %(number)s: %(description)s") % {
                "number": original.number if original else "",
                "description": description,
            }
    return Invoice.objects.create(
        space=space,
        booking=booking,
        kind=kind,
        year=issue_date.year,
        sequence=sequence,
        number=invoice_number(slug=space.slug, year=issue_date.year, sequence=sequence),
        issued_at=now,
        issue_date=issue_date,
        **seller_details(space),
        **buyer_details(booking, original=original),
        supply_date=booking.local_starts_at.date(),
        description=description[:300],
        net_cents=sign * booking.net_cents,
        vat_rate=booking.vat_rate,
        vat_cents=sign * booking.vat_cents,
        gross_cents=sign * booking.gross_cents,
    )
