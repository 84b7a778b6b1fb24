"""Experiments and members in a chosen arm, for the experiments' tests."""

import datetime as dt

from serendip.experiments import assignment
from serendip.experiments.services import experiment_create

TODAY = dt.date.today()


def an_experiment(name="spring", share=0.2, **kw):
    defaults = dict(starts_on=TODAY - dt.timedelta(days=10), ends_on=TODAY + dt.timedelta(days=10))
    defaults.update(kw)
    return experiment_create(name=name, holdout_share=share, min_others_present=1, **defaults)


def member_in(make_member, experiment, arm, **kw):
    """A member whose hash puts them in `arm` (members are made until one lands there)."""
    for _ in range(200):
        m = make_member(**kw)
        if assignment.arm(experiment.name, m.pk, experiment.holdout_share) == arm:
            return m
    raise AssertionError("no member landed in the arm")
