"""Experiments (a hold-out over a period), members' stored arms, and the latest analysis."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serendip.passport.models import Member

from . import assignment


class Arm(models.TextChoices):
    SUGGESTED = assignment.SUGGESTED, _("suggested (ranked, with reasons)")
    HOLDOUT = assignment.HOLDOUT, _("hold-out (random order, no reasons)")


class Experiment(models.Model):
    """A randomised hold-out over a period. Periods of experiments do not overlap, so every
    day has at most one experiment; name and share are fixed once members are assigned."""

    name = models.SlugField(
        _("name"), max_length=60, unique=True, help_text=_("Part of every member's assignment hash.")
    )
    description = models.TextField(_("description"), blank=True)
    holdout_share = models.FloatField(
        _("hold-out share"),
        default=assignment.DEFAULT_HOLDOUT_SHARE,
        validators=[MinValueValidator(0.0), MaxValueValidator(assignment.MAX_HOLDOUT_SHARE)],
        help_text=_("Share of members who see the people present in random order (0 to 0.2)."),
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    min_others_present = models.PositiveSmallIntegerField(
        _("others present for exposure"),
        default=3,
        help_text=_("A check-in day counts as exposure when at least this many others hold a seat there."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("experiment")
        verbose_name_plural = _("experiments")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="experiment_period"),
            models.CheckConstraint(
                condition=Q(holdout_share__gte=0) & Q(holdout_share__lte=assignment.MAX_HOLDOUT_SHARE),
                name="experiment_holdout_share",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on} – {self.ends_on})"


class Assignment(models.Model):
    """A member's arm in an experiment: written once, never changed."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    arm = models.CharField(max_length=10, choices=Arm.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        constraints = [
            models.UniqueConstraint(fields=["experiment", "member"], name="one_assignment_per_experiment")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.arm}"


class ExperimentResult(models.Model):
    """The latest analysis of an experiment (`serendip stats --refresh` recomputes it)."""

    experiment = models.OneToOneField(Experiment, on_delete=models.CASCADE, related_name="result")
    computed_at = models.DateTimeField()
    through = models.DateField(help_text=_("The last day the analysis covers."))
    data = models.JSONField()

    class Meta:
        verbose_name = _("experiment result")

    def __str__(self) -> str:
        return f"{self.experiment_id} through {self.through}"
