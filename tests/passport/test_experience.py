"""Issue 15, defect 12: every tag problem at once; the timeline says when it leaves tags out."""

import pytest

from serendip.errors import InvalidInput
from serendip.passport.models import Activity
from serendip.passport.services import member_set_tags

pytestmark = pytest.mark.django_db


def test_every_tag_problem_is_reported_at_once(make_member):
    with pytest.raises(InvalidInput) as caught:
        member_set_tags(
            member=make_member(), offers={"python": 0, "x" * 60: 1}, needs={"django": 11}, interests=["  "]
        )
    detail = caught.value.detail
    assert "'python'" in detail and "'django'" in detail and "x" * 60 in detail and "interest" in detail


def test_the_timeline_names_five_tags_and_counts_the_rest(make_member):
    member = make_member()
    member_set_tags(member=member, offers=[f"skill {n}" for n in range(8)])
    summary = Activity.objects.filter(member=member, verb="tags_changed").latest("id").summary
    assert summary.endswith("and 3 more") and summary.count("skill") == 5
