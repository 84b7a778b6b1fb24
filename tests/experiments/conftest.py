"""Fixtures of the experiments' tests: people at a space, an experiment with outcomes."""

import pytest

from serendip.exchange.services import (
    introduction_create,
    introduction_respond,
    meeting_confirm,
    meeting_record,
    outcome_record,
)
from serendip.experiments import assignment
from serendip.presence.services import checkin_create

from .factories import an_experiment, member_in


@pytest.fixture
def space_with_people(make_space, make_member):
    space = make_space(seats=20)
    people = [make_member(offers=["python"], needs=["design"]) for _ in range(4)]
    people += [make_member(offers=["design"], needs=["python"]) for _ in range(4)]
    for m in people:
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    return space, people


@pytest.fixture
def experiment_with_outcomes(make_member, make_space):
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
