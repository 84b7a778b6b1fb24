"""Experiments and members in a chosen arm, for the experiments' tests."""

import datetime as dt

from serendip.exchange.services import (
    introduction_create,
    introduction_respond,
    meeting_confirm,
    meeting_record,
    outcome_record,
)
from serendip.experiments import assignment
from serendip.experiments.services import experiment_create
from serendip.presence.services import checkin_create

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


def with_outcomes(make_member, make_space):
    """Four members at one space today; a (suggested) asks b (hold-out) for an introduction,
    they meet and a reports paid work; c (hold-out) is at a quiet space alone."""
    experiment = an_experiment()
    busy, quiet = make_space(seats=10), make_space(seats=10)
    a = member_in(make_member, experiment, assignment.SUGGESTED)
    b = member_in(make_member, experiment, assignment.HOLDOUT)
    c = member_in(make_member, experiment, assignment.HOLDOUT)
    d = member_in(make_member, experiment, assignment.SUGGESTED)
    today = busy.local_today()
    for m in (a, b, d):
        checkin_create(member=m, space_id=busy.pk, date=today)
    checkin_create(member=c, space_id=quiet.pk, date=today)
    intro = introduction_create(member=a, recipient_id=b.pk)
    introduction_respond(member=b, introduction_id=intro.pk, accept=True)
    meeting = meeting_record(member=a, other_id=b.pk, date=today)
    meeting_confirm(member=b, meeting_id=meeting.pk, rating=5)
    outcome_record(member=a, meeting_id=meeting.pk, kind="paid_work")
    return experiment, (a, b, c, d)
