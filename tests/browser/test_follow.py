"""Follow from the pages in chromium (issue 14): a click on Follow next to a person at a space
turns the button into Following in place (HTMX, no reload) and the subscription exists; a tag
chip's menu follows the tag at the space; a hidden member shows no button."""

import pytest

from serendip.notifications.models import Subscription
from serendip.presence.services import checkin_create
from tests.conftest import PASSWORD

from .conftest import VIEWPORTS


@pytest.mark.parametrize("size", VIEWPORTS)
def test_follow_a_person_and_a_tag_at_a_space_in_place(visit, make_member, make_space, size):
    space = make_space(name="Utrecht CS", slug="utrecht-cs")
    me = make_member("ada", display_name="Ada Visser")
    fiona = make_member(display_name="Fiona Funds", offers=["fundraising"])
    ghost = make_member(display_name="Ghost", visibility="hidden")
    for m in (me, fiona, ghost):
        checkin_create(member=m, space_id=space.pk, date=space.local_today())
    v = visit(VIEWPORTS[size])
    v.login(me, PASSWORD)
    v.go("/spaces/utrecht-cs/")
    page = v.page
    page.evaluate("window.notReloaded = true")  # gone if the click loaded a new page
    follow = page.get_by_role("button", name="Follow Fiona Funds")
    assert follow.get_attribute("aria-pressed") == "false"
    follow.click()
    following = page.get_by_role("button", name="Following Fiona Funds")
    following.wait_for()
    assert following.get_attribute("aria-pressed") == "true"
    assert page.evaluate("window.notReloaded") is True
    assert Subscription.objects.filter(member=me, followed=fiona, space=None).exists()
    # Nobody sees a hidden member here, so there is nothing to follow.
    assert page.locator(f'form[action="/following/members/{ghost.pk}"]').count() == 0
    # The tag chip opens a menu: follow people who offer it at this space.
    page.locator("details.tag-menu summary", has_text="fundraising").click()
    page.get_by_role("button", name="Follow “fundraising” at Utrecht CS").click()
    page.get_by_role("button", name="Following “fundraising” at Utrecht CS").wait_for()
    assert Subscription.objects.filter(member=me, tag__name="fundraising", space=space).exists()
    v.check()  # no console errors, failed requests, overflow or serious axe violations
    # And a second click stops following, in place.
    following.click()
    page.get_by_role("button", name="Follow Fiona Funds").wait_for()
    assert not Subscription.objects.filter(member=me, followed=fiona).exists()
    v.go("/following/")
    assert "fundraising" in page.locator("main").inner_text()
