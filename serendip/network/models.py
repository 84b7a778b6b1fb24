"""Spaces and rooms."""

import datetime as dt
import functools
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


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

    def local_today(self, now: dt.datetime | None = None) -> dt.date:
        return (now or timezone.now()).astimezone(self.tz).date()


class Room(models.Model):
    """A bookable meeting room, priced in euros (cents, exact)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=80)
    capacity = models.PositiveIntegerField()
    hourly_price_cents = models.PositiveIntegerField()
    amenities = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["space", "name"]
        constraints = [models.UniqueConstraint(fields=["space", "name"], name="room_name_unique_per_space")]

    def __str__(self) -> str:
        return f"{self.name} at {self.space.name}"
