"""Spaces, their opening hours and meeting rooms; room bookings and their invoices."""

import datetime as dt
import functools
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from serendip.l10n import language_choices

from .vat import vat_rate_for


@functools.cache
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _known_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone (e.g. Europe/Amsterdam)")


class Space(models.Model):
    """A co-working location. Seats are paid in social capital (SC); dates are its local dates."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    city = models.CharField(max_length=80)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. NL")
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    seats = models.PositiveIntegerField()
    seat_price = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), help_text="price of a day's seat, in SC"
    )
    hosts = models.ManyToManyField("passport.Member", related_name="hosted_spaces", blank=True)
    cancellation_free_hours = models.PositiveSmallIntegerField(
        default=24, help_text="room bookings can be cancelled free of charge until this many hours before"
    )
    house_rules = models.TextField(max_length=2000, blank=True)
    # Who sells the rooms, as an EU invoice must say (set in the admin). Empty: the network's
    # operator sells on the space's behalf (settings.INVOICE_OPERATOR).
    address = models.CharField(
        max_length=200, blank=True, default="", db_default="", help_text="street, number and postcode"
    )
    legal_name = models.CharField(
        max_length=120, blank=True, default="", db_default="", help_text="the company on invoices"
    )
    vat_id = models.CharField(
        max_length=20,
        blank=True,
        default="",
        db_default="",
        help_text="VAT identification number, e.g. NL123456789B01",
    )
    iban = models.CharField(
        max_length=34, blank=True, default="", db_default="", help_text="bank account for room invoices"
    )
    bic = models.CharField(max_length=11, blank=True, default="", db_default="")
    # What its lobby screen and public page speak to visitors who chose no language themselves.
    language = models.CharField(
        _("language"),
        max_length=8,
        default="en",
        db_default="en",
        choices=language_choices,
        help_text=_("the lobby screen's and the public page's language, unless a visitor chose one"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "city", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(seat_price__gte=0), name="space_seat_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def vat_rate(self) -> Decimal:
        """VAT in percent on meeting rooms, by the space's country (see vat.py)."""
        return vat_rate_for(self.country)

    def local_today(self, now: dt.datetime | None = None) -> dt.date:
        return (now or timezone.now()).astimezone(self.tz).date()


class Weekday(models.IntegerChoices):
    # Django's own (translated) day names: no new strings for the translators.
    MONDAY = 0, WEEKDAYS[0]
    TUESDAY = 1, WEEKDAYS[1]
    WEDNESDAY = 2, WEEKDAYS[2]
    THURSDAY = 3, WEEKDAYS[3]
    FRIDAY = 4, WEEKDAYS[4]
    SATURDAY = 5, WEEKDAYS[5]
    SUNDAY = 6, WEEKDAYS[6]


class OpeningHours(models.Model):
    """When a space is open on a weekday, in its local time. No row: closed that day.
    `closes` 00:00 means midnight at the end of the day (so 00:00 to 00:00 is open all day)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["space", "weekday"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.UniqueConstraint(fields=["space", "weekday"], name="opening_hours_one_per_weekday"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday_valid"),
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")) | Q(closes=dt.time(0)),
                name="opening_hours_close_after_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Room(models.Model):
    """A bookable meeting room, priced in euro cents per hour, excluding VAT."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=80)
    capacity = models.PositiveIntegerField()
    hourly_price_cents = models.PositiveIntegerField(help_text="euro cents per hour, excluding VAT")
    amenities = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True, help_text="inactive rooms cannot be booked")

    class Meta:
        ordering = ["space", "name"]
        constraints = [
            models.UniqueConstraint(fields=["space", "name"], name="room_name_unique_per_space"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} at {self.space.name}"


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("booking status", "Confirmed")
    CANCELLED = "cancelled", pgettext_lazy("booking status", "Cancelled")


class PaymentStatus(models.TextChoices):
    # Pending: only inside the booking's transaction, before the provider answers.
    PENDING = "pending", pgettext_lazy("payment status", "Pending")
    # Invoiced: invoice issued; payment due by transfer.
    INVOICED = "invoiced", pgettext_lazy("payment status", "Invoiced")
    # Paid: set by a payment provider only, never by the client.
    PAID = "paid", pgettext_lazy("payment status", "Paid")
    # Credited: refunded; a credit note cancels the invoice.
    CREDITED = "credited", pgettext_lazy("payment status", "Credited")


class Booking(models.Model):
    """A member's booking of a room. Times are aware UTC instants; the space's time zone says
    what they mean locally. Amounts are fixed when booked (net + VAT = gross, euro cents)."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings")
    member = models.ForeignKey("passport.Member", on_delete=models.PROTECT, related_name="room_bookings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    title = models.CharField(max_length=80, blank=True, help_text="shown on the lobby screen's schedule")
    status = models.CharField(max_length=10, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED)
    net_cents = models.PositiveIntegerField()
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, help_text="percent")
    vat_cents = models.PositiveIntegerField()
    gross_cents = models.PositiveIntegerField()
    free_cancellation_until = models.DateTimeField(help_text="the space's policy when this was booked")
    payment_provider = models.CharField(max_length=20)
    payment_status = models.CharField(max_length=10, choices=PaymentStatus.choices)
    payment_reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"),
            models.CheckConstraint(
                condition=Q(gross_cents=F("net_cents") + F("vat_cents")), name="booking_gross_is_net_plus_vat"
            ),
            models.CheckConstraint(condition=Q(status__in=BookingStatus.values), name="booking_status_valid"),
            models.CheckConstraint(
                condition=Q(payment_status__in=PaymentStatus.values), name="booking_payment_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["room", "starts_at"], name="booking_room_start"),
            models.Index(fields=["member", "-starts_at"], name="booking_member_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.starts_at:%Y-%m-%d %H:%M}Z"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return self.room.space.tz

    @property
    def local_starts_at(self) -> dt.datetime:
        return self.starts_at.astimezone(self.tz)

    @property
    def local_ends_at(self) -> dt.datetime:
        return self.ends_at.astimezone(self.tz)

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def refunded(self) -> bool:
        return self.payment_status == PaymentStatus.CREDITED


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceCounter(models.Model):
    """The last number a space used in a year. Issuing locks this row, so numbers have no
    gaps: a failed booking rolls its increment back with everything else."""

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="invoice_counters")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "year"], name="invoice_counter_unique")]

    def __str__(self) -> str:
        return f"{self.space.slug} {self.year}: {self.last}"


class Invoice(models.Model):
    """An invoice or credit note for a booking; the space is the seller. Never changed once
    issued: a refund is a new credit note (negative amounts) in the same number series."""

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="invoices")
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=12, choices=InvoiceKind.choices)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=100, unique=True)
    issued_at = models.DateTimeField()
    issue_date = models.DateField(help_text="the seller's local date")
    seller_name = models.CharField(max_length=120)
    seller_address = models.CharField(max_length=200)
    seller_vat_id = models.CharField(max_length=20, blank=True, default="", db_default="")
    payment_details = models.CharField(
        max_length=200, blank=True, default="", db_default="", help_text="account holder, IBAN and BIC"
    )
    buyer_name = models.CharField(max_length=80)
    buyer_email = models.CharField(max_length=254, blank=True, default="", db_default="")
    # The member's billing details as they were at issue (empty on invoices issued before members
    # could give them, and when they gave none): an invoice never changes afterwards.
    buyer_company = models.CharField(max_length=120, blank=True, default="", db_default="")
    buyer_address = models.CharField(
        max_length=300, blank=True, default="", db_default="", help_text="lines separated by newlines"
    )
    buyer_vat_id = models.CharField(max_length=20, blank=True, default="", db_default="")
    supply_date = models.DateField(null=True, blank=True, help_text="the booking's local date")
    description = models.CharField(max_length=300)
    net_cents = models.IntegerField()
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    vat_cents = models.IntegerField()
    gross_cents = models.IntegerField()
    currency = models.CharField(max_length=3, default="EUR")

    class Meta:
        ordering = ["space", "year", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["space", "year", "sequence"], name="invoice_number_unique"),
            models.UniqueConstraint(fields=["booking", "kind"], name="invoice_one_per_kind_per_booking"),
            models.CheckConstraint(
                condition=Q(gross_cents=F("net_cents") + F("vat_cents")), name="invoice_gross_is_net_plus_vat"
            ),
            models.CheckConstraint(condition=Q(kind__in=InvoiceKind.values), name="invoice_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"
