import pytest

from serendip.passport.models import Member
from serendip.passport.selectors import popular_tags
from serendip.passport.services import member_edit
from serendip.rights.services import member_erase
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_popular_tags_come_most_held_first(make_member):
    make_member(offers=["python", "django"])
    make_member(offers=["python"], needs=["django"])
    make_member(interests=["python"])
    assert popular_tags()[:2] == ["python", "django"]


def test_popular_tags_are_counted_once_until_a_passport_changes(make_member, django_assert_num_queries):
    make_member(offers=["python"])
    popular_tags()
    with django_assert_num_queries(2):  # the change stamp and the cached list, no count
        assert popular_tags() == ["python"]


def test_a_tag_edit_shows_in_popular_tags_at_once(make_member):
    ann = make_member(offers=["python"])
    assert popular_tags() == ["python"]
    member_edit(member=ann, offers=["python", "rust"])
    assert popular_tags() == ["python", "rust"]
    member_edit(member=ann, offers=["rust"])
    assert popular_tags() == ["rust"]


def test_an_erased_passport_leaves_popular_tags_at_once(make_member):
    make_member(offers=["python"])
    gone = make_member(offers=["cobol"])
    assert set(popular_tags()) == {"python", "cobol"}
    member_erase(member=gone, password=PASSWORD)
    assert popular_tags() == ["python"]


def test_a_deleted_passport_leaves_popular_tags_at_once(make_member, django_user_model):
    from serendip.passport.models import MemberTag, Tag

    make_member(offers=["python"])
    popular_tags()
    # A passport without history (no account yet) can be deleted outright: no other passport changes.
    user = django_user_model.objects.create_user("bare", password=PASSWORD)
    bare = Member.objects.create(user=user, display_name="Bare")
    MemberTag.objects.create(member=bare, tag=Tag.objects.create(name="cobol"), kind="offer", weight=1)
    assert set(popular_tags()) == {"python", "cobol"}
    Member.objects.filter(pk=bare.pk).update(updated_at=Member.objects.exclude(pk=bare.pk).first().updated_at)
    bare.delete()
    assert popular_tags() == ["python"]
