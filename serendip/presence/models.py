"""Check-ins."""

from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class CheckInStatus(models.TextChoices):
    RESERVED = "reserved", pgettext_lazy("check-in status", "Reserved")
    PRESENT = "present", pgettext_lazy("check-in status", "Present")
    CANCELLED = "cancelled", pgettext_lazy("check-in status", "Cancelled")
    NO_SHOW = "no_show", pgettext_lazy("check-in status", "No-show")


# Statuses that hold a seat; a cancelled check-in frees it. A no-show keeps the seat counted
# for that (past) day: the seat was held and nobody else could take it.
SEAT_HOLDING = [CheckInStatus.RESERVED, CheckInStatus.PRESENT, CheckInStatus.NO_SHOW]


class CheckIn(models.Model):
    """A member's seat at a space on one of the space's local dates."""

    member = models.ForeignKey("passport.Member", on_delete=models.CASCADE, related_name="checkins")
    # No index of its own: checkin_space_date (space, date, status) serves every lookup by space.
    space = models.ForeignKey(
        "network.Space", on_delete=models.PROTECT, related_name="checkins", db_index=False
    )
    date = models.DateField()
    status = models.CharField(max_length=10, choices=CheckInStatus.choices, default=CheckInStatus.RESERVED)
    focus = models.CharField(max_length=200, blank=True, help_text="what the member works on today")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            # One space per member per day: the database enforces it, whatever the code path.
            models.UniqueConstraint(
                fields=["member", "date"],
                condition=~Q(status="cancelled"),
                name="checkin_one_space_per_member_per_day",
            ),
            models.CheckConstraint(condition=Q(status__in=CheckInStatus.values), name="checkin_status_valid"),
        ]
        indexes = [models.Index(fields=["space", "date", "status"], name="checkin_space_date")]

    def __str__(self) -> str:
        return f"{self.member} at {self.space} on {self.date}"
