"""Writes of the experiments: creating and changing an experiment (periods never overlap;
name, share and start are fixed once anyone is assigned), storing members' arms, and
analysing an experiment into its stored result."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from serendip.errors import Conflict, InvalidInput

from . import analysis, assignment
from .models import Assignment, Experiment, ExperimentResult
from .outcomes import OUTCOMES, exposure_by_member, outcomes_by_member


def check_experiment(
    *,
    name: str,
    holdout_share: float,
    starts_on: dt.date,
    ends_on: dt.date,
    min_others_present: int,
    experiment: Experiment | None = None,
) -> None:
    """Raise InvalidInput/Conflict unless these settings can be saved (nothing is written)."""
    if not name or len(name) > 60:
        raise InvalidInput(_("an experiment needs a name of at most 60 characters"))
    if not 0.0 <= holdout_share <= assignment.MAX_HOLDOUT_SHARE:
        raise InvalidInput(
            _("the hold-out share must be between 0 and %(max)s") % {"max": assignment.MAX_HOLDOUT_SHARE}
        )
    if ends_on < starts_on:
        raise InvalidInput(_("an experiment's last day cannot be before its first"))
    if not 0 <= min_others_present <= 1000:
        raise InvalidInput(_("others present for exposure must be between 0 and 1000"))
    others = Experiment.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
    if experiment is not None:
        others = others.exclude(pk=experiment.pk)
    clash = others.first()
    if clash is not None:
        raise Conflict(
            _("the period overlaps experiment %(name)s; experiments run one after another")
            % {"name": clash.name}
        )
    if experiment is not None and experiment.assignments.exists():
        fixed = (experiment.name, experiment.holdout_share, experiment.starts_on)
        if (name, holdout_share, starts_on) != fixed:
            raise Conflict(
                _("members are already assigned: the name, hold-out share and first day can no longer change")
            )


@transaction.atomic
def experiment_create(
    *,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    holdout_share: float = assignment.DEFAULT_HOLDOUT_SHARE,
    min_others_present: int = 3,
    description: str = "",
) -> Experiment:
    check_experiment(
        name=name,
        holdout_share=holdout_share,
        starts_on=starts_on,
        ends_on=ends_on,
        min_others_present=min_others_present,
    )
    return Experiment.objects.create(
        name=name,
        description=description,
        holdout_share=holdout_share,
        starts_on=starts_on,
        ends_on=ends_on,
        min_others_present=min_others_present,
    )


@transaction.atomic
def experiment_update(
    *,
    experiment: Experiment,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    holdout_share: float,
    min_others_present: int,
    description: str = "",
) -> Experiment:
    Experiment.objects.select_for_update().filter(pk=experiment.pk).first()
    check_experiment(
        name=name,
        holdout_share=holdout_share,
        starts_on=starts_on,
        ends_on=ends_on,
        min_others_present=min_others_present,
        experiment=experiment,
    )
    experiment.name, experiment.description = name, description
    experiment.holdout_share, experiment.min_others_present = holdout_share, min_others_present
    experiment.starts_on, experiment.ends_on = starts_on, ends_on
    experiment.save()
    return experiment


@transaction.atomic
def assignments_ensure(*, experiment: Experiment, member_ids: list[int]) -> dict[int, str]:
    """Each member's stored arm, storing the hash's arm for those not yet assigned. A stored
    arm is never rewritten (concurrent first sights insert the same row; one wins)."""
    mine = Assignment.objects.filter(experiment=experiment)
    stored = dict(mine.filter(member_id__in=member_ids).values_list("member_id", "arm"))
    missing = [m for m in dict.fromkeys(member_ids) if m not in stored]
    if missing:
        holdout = assignment.holdout_mask(experiment.name, missing, experiment.holdout_share)
        arms = [assignment.HOLDOUT if h else assignment.SUGGESTED for h in holdout]
        rows = [
            Assignment(experiment=experiment, member_id=m, arm=a) for m, a in zip(missing, arms, strict=True)
        ]
        Assignment.objects.bulk_create(
            rows,
            ignore_conflicts=True,
            batch_size=5000,
        )
        stored.update(mine.filter(member_id__in=missing).values_list("member_id", "arm"))
    return stored


@transaction.atomic
def experiment_analyse(
    *,
    experiment: Experiment,
    today: dt.date | None = None,
    replicates: int = analysis.BOOTSTRAP_REPLICATES,
) -> ExperimentResult:
    """Analyse the experiment up to `today` (or its last day) and store the result."""
    through = min(experiment.ends_on, today or timezone.now().date())
    exposure = exposure_by_member(experiment, through=through)
    members = sorted(exposure)
    arms = dict(Assignment.objects.filter(experiment=experiment).values_list("member_id", "arm"))
    missing = [m for m in members if m not in arms]  # exposed, but never saw a suggestions page
    for start in range(0, len(missing), 5000):  # bounded IN lists
        arms.update(assignments_ensure(experiment=experiment, member_ids=missing[start : start + 5000]))
    outcomes = outcomes_by_member(experiment, through=through)
    counts = np.array([[outcomes[k].get(m, 0) for k in OUTCOMES] for m in members], dtype=float).reshape(
        len(members), len(OUTCOMES)
    )
    result = analysis.analyse(
        exposure=np.array([exposure[m] for m in members], dtype=float),
        counts=counts,
        holdout=np.array([arms[m] == assignment.HOLDOUT for m in members], dtype=bool),
        outcomes=list(OUTCOMES),
        replicates=replicates,
        seed=experiment.pk,
    )
    stored, _created = ExperimentResult.objects.update_or_create(
        experiment=experiment,
        defaults={"computed_at": timezone.now(), "through": through, "data": result.as_dict()},
    )
    return stored


def experiments_refresh(*, today: dt.date | None = None) -> int:
    """Analyse every experiment that has started (`serendip stats --refresh`); how many."""
    today = today or timezone.now().date()
    started = list(Experiment.objects.filter(starts_on__lte=today))
    for experiment in started:
        experiment_analyse(experiment=experiment, today=today)
    return len(started)
