"""Daily aggregates behind the insights pages, so they render fast at seed scale.

Rebuilt by `insights.services.stats_refresh` (`serendip stats --refresh`, nightly, and at the
end of `serendip simulate`). They are a cache of the real tables: dropping them loses nothing.
"""

from django.db import models


class DailyStats(models.Model):
    """Network totals for one date. Check-ins and meetings count by their (space-local) date;
    joins, introductions, questions and outcomes by the UTC date they were made."""

    date = models.DateField(unique=True)
    checkins = models.PositiveIntegerField(default=0)  # seat-holding check-ins
    active_members = models.PositiveIntegerField(default=0)  # distinct members checked in that day
    active_members_7d = models.PositiveIntegerField(default=0)  # ... in the 7 days ending that day
    new_members = models.PositiveIntegerField(default=0)
    introductions = models.PositiveIntegerField(default=0)
    meetings = models.PositiveIntegerField(default=0)  # confirmed
    questions = models.PositiveIntegerField(default=0)
    paid_work = models.PositiveIntegerField(default=0)  # outcomes reported as paid work
    room_booked_hours = models.FloatField(default=0)
    room_open_hours = models.FloatField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["date"]
        verbose_name_plural = "daily stats"

    def __str__(self) -> str:
        return f"stats {self.date}"


class SpaceDailyStats(models.Model):
    """One space's day: check-ins, confirmed meetings and meeting-room hours (network selectors)."""

    space = models.ForeignKey("network.Space", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    checkins = models.PositiveIntegerField(default=0)
    meetings = models.PositiveIntegerField(default=0)
    room_booked_hours = models.FloatField(default=0)
    room_open_hours = models.FloatField(default=0)

    class Meta:
        ordering = ["space", "date"]
        verbose_name_plural = "space daily stats"
        constraints = [models.UniqueConstraint(fields=["space", "date"], name="space_daily_stats_unique")]
        indexes = [models.Index(fields=["date"], name="space_daily_stats_date")]

    def __str__(self) -> str:
        return f"stats {self.space_id} {self.date}"


class TagStats(models.Model):
    """How many members offer, need or are interested in a tag (the supply/demand gaps)."""

    tag = models.OneToOneField("passport.Tag", on_delete=models.CASCADE, related_name="+")
    offers = models.PositiveIntegerField(default=0)
    needs = models.PositiveIntegerField(default=0)
    interests = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-needs"]
        verbose_name_plural = "tag stats"

    def __str__(self) -> str:
        return f"tag {self.tag_id}: {self.offers} offer, {self.needs} need"
