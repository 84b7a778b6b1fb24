import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from serendip.network.models import Space
from serendip.passport.models import Member
from serendip.presence.models import CheckIn

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_network_and_running_it_again_duplicates_nothing():
    call_command("demo", stdout=io.StringIO())
    counts = (Space.objects.count(), Member.objects.count(), CheckIn.objects.count())
    assert counts[0] >= 5 and counts[1] >= 30 and counts[2] >= 20
    assert Space.objects.values("country").distinct().count() >= 4
    call_command("demo", stdout=io.StringIO())
    assert (Space.objects.count(), Member.objects.count(), CheckIn.objects.count()) == counts


def test_demo_has_a_dutch_and_an_italian_member_whose_pages_speak_their_language():
    call_command("demo", stdout=io.StringIO())
    assert dict(Space.objects.values_list("slug", "language")) == {
        **dict.fromkeys(("lisboa-lx", "berlin-kreuzberg", "brooklyn-navy-yard"), "en"),
        "utrecht-cs": "nl",
        "amsterdam-zuidas": "nl",
        "milano-isola": "it",
    }
    for username, language, slug in (("sanne", "nl", "utrecht-cs"), ("marco", "it", "milano-isola")):
        member = Member.objects.get(user__username=username)
        assert member.language == language
        assert CheckIn.objects.filter(member=member, space__slug=slug).exists()
        client = Client(headers={"Accept-Language": "en"})
        client.force_login(member.user)
        pages = ["/", "/passport/", f"/spaces/{slug}/", f"/spaces/{slug}/rooms", f"/spaces/{slug}/lobby",
                 "/bookings/", "/passport/balance/", "/questions/", "/meetings/", "/introductions/",
                 "/notifications/"]  # fmt: skip
        for path in pages:
            page = client.get(path)
            assert page.status_code == 200, path
            assert re.search(rb'<html lang="([a-z]+)"', page.content).group(1).decode() == language, path
            # No placeholder left unfilled, no tz database id shown to people (in the text, not
            # the markup: scripts take their own %(...)s patterns from data- attributes).
            text = re.sub(r"<[^>]*>", " ", page.content.decode())
            assert "%(" not in text and "Europe/" not in text, path
