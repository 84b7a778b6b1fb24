"""Reads of the exchange: the lobby's questions of the day are the space's local day."""

import datetime as dt

import pytest

from serendip.exchange.models import Question
from serendip.exchange.selectors import open_questions_at
from serendip.exchange.services import question_ask
from serendip.presence.services import checkin_create

pytestmark = pytest.mark.django_db


def test_the_lobby_lists_questions_of_the_spaces_local_day(make_member, make_space):
    # Tokyo is UTC+9: just after its midnight it is still yesterday in UTC.
    space = make_space(timezone="Asia/Tokyo", country="JP")
    asker = make_member()
    checkin_create(member=asker, space_id=space.pk, date=space.local_today())
    today = question_ask(asker=asker, title="Asked just after midnight", here=True)
    yesterday = question_ask(asker=asker, title="Asked just before midnight", here=True)
    midnight = dt.datetime.combine(space.local_today(), dt.time(0), tzinfo=space.tz)
    Question.objects.filter(pk=today.pk).update(created_at=midnight + dt.timedelta(minutes=5))
    Question.objects.filter(pk=yesterday.pk).update(created_at=midnight - dt.timedelta(minutes=5))
    assert [q.pk for q in open_questions_at(space)] == [today.pk]
