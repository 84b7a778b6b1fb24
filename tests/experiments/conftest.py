"""Fixtures of the experiments' tests: people at a space, an experiment with outcomes."""

import pytest

from serendip.presence.services import checkin_create

from .factories import with_outcomes


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
    return with_outcomes(make_member, make_space)
