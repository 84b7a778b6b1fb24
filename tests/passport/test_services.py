import datetime as dt

import pytest
from django.utils import timezone

from serendip.errors import Conflict, InvalidInput
from serendip.passport.models import Activity, ApiToken, MemberTag, Tag
from serendip.passport.selectors import member_tags_by_kind, members_with_tags
from serendip.passport.services import (
    MAX_TAGS_PER_KIND,
    member_edit,
    member_set_tags,
    member_signup,
    token_authenticate,
    token_create,
    token_revoke,
)

pytestmark = pytest.mark.django_db


def tags_of(member):
    return member_tags_by_kind(members_with_tags().get(pk=member.pk))


def test_signup_creates_a_member_with_a_timeline_entry():
    member = member_signup(username="ada", password="a-long-test-password", display_name="Ada")
    assert member.user.check_password("a-long-test-password")
    assert [a.verb for a in Activity.objects.filter(member=member)] == ["joined"]
    assert len(member.pseudonym) == 32


def test_signup_rejects_a_taken_username_in_any_case(make_member):
    make_member("ada")
    with pytest.raises(Conflict):
        member_signup(username="ADA", password="a-long-test-password", display_name="Other")


def test_signup_rejects_a_weak_password():
    with pytest.raises(InvalidInput):
        member_signup(username="bob", password="123", display_name="Bob")


def test_tags_are_normalised_so_variants_are_one_tag(make_member):
    member = make_member()
    member_set_tags(member=member, offers={"Python ": 2, "PYTHON": 3, "Django": 1})
    assert tags_of(member)["offer"] == {"python": 3.0, "django": 1.0}
    other = make_member()
    member_set_tags(member=other, needs=["python"])
    assert Tag.objects.filter(name="python").count() == 1


def test_setting_one_kind_leaves_the_others(make_member):
    member = make_member(offers=["python"], needs=["fundraising"], interests=["cycling"])
    member_set_tags(member=member, needs=["ux research"])
    assert tags_of(member) == {
        "offer": {"python": 1.0},
        "need": {"ux research": 1.0},
        "interest": {"cycling": 1.0},
    }


def test_the_same_tag_may_be_offered_and_needed(make_member):
    member = make_member(offers=["python"], needs=["python"])
    assert MemberTag.objects.filter(member=member).count() == 2


@pytest.mark.parametrize(
    "offers, message",
    [
        (["   "], "empty"),
        (["x" * 51], "at most 50"),
        ({"python": 0}, "weight"),
        ({"python": 11}, "weight"),
        ({"python": "heavy"}, "number"),
        ([f"tag {i}" for i in range(MAX_TAGS_PER_KIND + 1)], "at most"),
    ],
)
def test_bad_tags_are_rejected_and_nothing_changes(make_member, offers, message):
    member = make_member(offers=["python"])
    with pytest.raises(InvalidInput, match=message):
        member_set_tags(member=member, offers=offers)
    assert tags_of(member)["offer"] == {"python": 1.0}


def test_tag_changes_land_on_the_timeline(make_member):
    member = make_member(offers=["python"])
    member_set_tags(member=member, offers=["python", "django"])
    entry = Activity.objects.filter(member=member, verb="tags_changed").first()
    assert entry.extra["added"] == ["offer:django"]
    assert "django" in entry.summary


def test_an_unchanged_tag_set_writes_no_timeline_entry(make_member):
    member = make_member(offers=["python"])
    before = Activity.objects.filter(member=member).count()
    member_set_tags(member=member, offers=["Python"])
    assert Activity.objects.filter(member=member).count() == before


def test_an_edit_is_all_or_nothing(make_member):
    member = make_member(offers=["python"])
    with pytest.raises(InvalidInput):
        member_edit(member=member, headline="New headline", offers=[""])
    member.refresh_from_db()
    assert member.headline == ""


def test_headline_too_long_is_rejected(make_member):
    with pytest.raises(InvalidInput, match="headline"):
        member_edit(member=make_member(), headline="x" * 121)


def test_a_token_authenticates_until_revoked(make_member):
    member = make_member()
    token, raw = token_create(user=member.user)
    assert raw not in (token.digest, token.prefix) and len(token.digest) == 64
    assert token_authenticate(raw=raw).user == member.user
    assert token_authenticate(raw=raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    token_revoke(token=token)
    assert token_authenticate(raw=raw) is None


def test_an_expired_token_does_not_authenticate(make_member):
    member = make_member()
    token, raw = token_create(user=member.user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert token_authenticate(raw=raw) is None


def test_a_token_of_a_deactivated_user_does_not_authenticate(make_member):
    member = make_member()
    _, raw = token_create(user=member.user)
    member.user.is_active = False
    member.user.save()
    assert token_authenticate(raw=raw) is None
