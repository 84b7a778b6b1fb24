"""How room bookings are paid: a small provider interface and the "invoice" provider.

A provider is called inside the booking's transaction: `charge` when a booking is made,
`refund` when it is cancelled in time. It answers with the payment status to store; the
client never sets one. A card or PSP provider can plug in later by implementing the same two
methods (and moving a booking to "paid" from its webhook) and registering in PROVIDERS.
"""

from dataclasses import dataclass
from typing import Protocol

from .invoices import invoice_issue
from .models import Booking, InvoiceKind, PaymentStatus


@dataclass(frozen=True)
class PaymentResult:
    status: str  # a PaymentStatus value
    reference: str  # the provider's id for it: here, the invoice or credit note number


class PaymentProvider(Protocol):
    name: str

    def charge(self, *, booking: Booking) -> PaymentResult: ...

    def refund(self, *, booking: Booking) -> PaymentResult: ...


class InvoiceProvider:
    """Pay by bank transfer against a numbered invoice; a refund is a credit note."""

    name = "invoice"

    def charge(self, *, booking: Booking) -> PaymentResult:
        invoice = invoice_issue(booking=booking, kind=InvoiceKind.INVOICE)
        return PaymentResult(status=PaymentStatus.INVOICED, reference=invoice.number)

    def refund(self, *, booking: Booking) -> PaymentResult:
        credit = invoice_issue(booking=booking, kind=InvoiceKind.CREDIT_NOTE)
        return PaymentResult(status=PaymentStatus.CREDITED, reference=credit.number)


PROVIDERS: dict[str, PaymentProvider] = {"invoice": InvoiceProvider()}
DEFAULT_PROVIDER = "invoice"


def provider_named(name: str) -> PaymentProvider:
    return PROVIDERS[name]


def provider_for(space) -> PaymentProvider:
    """Every space invoices for now; a per-space choice goes here when a second provider exists."""
    return PROVIDERS[DEFAULT_PROVIDER]
