"""`/me/matches` asks the one selector: ranked for most, random order for the hold-out."""

import ast
from pathlib import Path

import pytest

import serendip
from serendip.experiments import assignment
from serendip.presence.services import checkin_create

from .factories import an_experiment, member_in


@pytest.fixture
def here(make_space, make_member):
    space = make_space(seats=20)
    others = [make_member(offers=["fundraising"], needs=["python"]) for _ in range(5)]
    for m in others:
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    return space, others


@pytest.mark.django_db
@pytest.mark.parametrize("arm", [assignment.SUGGESTED, assignment.HOLDOUT])
def test_my_matches_follow_my_arm(here, make_member, api_as, arm):
    space, others = here
    experiment = an_experiment()
    me = member_in(make_member, experiment, arm, offers=["python"], needs=["fundraising"])
    checkin_create(member=me, space_id=space.pk, date=space.local_today())
    body = api_as(me).get("/me/matches").json()
    assert body["space_id"] == space.pk
    assert sorted(m["member_id"] for m in body["matches"]) == sorted(m.pk for m in others)
    if arm == assignment.HOLDOUT:
        assert body["ranked"] is False
        assert all(m["reasons"] == [] and m["score"] == 0 for m in body["matches"])
    else:
        assert body["ranked"] is True
        assert all(m["reasons"] for m in body["matches"])


@pytest.mark.django_db
def test_my_matches_without_a_checkin_are_empty(make_member, api_as):
    an_experiment()
    body = api_as(make_member()).get("/me/matches").json()
    assert body["matches"] == [] and body["ranked"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("arm", [assignment.SUGGESTED, assignment.HOLDOUT])
def test_the_space_page_follows_my_arm(here, make_member, client, arm):
    space, others = here
    experiment = an_experiment()
    me = member_in(make_member, experiment, arm, offers=["python"], needs=["fundraising"])
    checkin_create(member=me, space_id=space.pk, date=space.local_today())
    client.force_login(me.user)
    html = client.get(f"/spaces/{space.slug}/").content.decode()
    assert all(m.display_name in html for m in others)
    if arm == assignment.HOLDOUT:
        assert "in random order" in html and "Suggested for you" not in html
        assert "Why meet:" not in html  # no reasons
    else:
        assert "Suggested for you" in html and "Why meet:" in html


def test_only_the_experiments_selector_asks_for_ranked_suggestions():
    # Pages and APIs go through experiments.selectors.suggestions_for, so no page can show the
    # hold-out a ranked list by calling the exchange's ranking directly. (Explaining an
    # introduction to its recipient, `site/views.py:_why_meet`, reads suggestions_for too.)
    root = Path(serendip.__file__).parent
    callers = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            imported = (
                isinstance(node, ast.ImportFrom)
                and node.module in ("serendip.exchange.routing", "routing")
                and any(alias.name == "suggestions" for alias in node.names)
            )
            called = (
                isinstance(node, ast.Attribute)
                and node.attr == "suggestions"
                and isinstance(node.value, ast.Name)
                and node.value.id == "routing"
            )
            if imported or called:
                callers.add(path.relative_to(root).as_posix())
    assert callers == {"experiments/selectors.py"}
