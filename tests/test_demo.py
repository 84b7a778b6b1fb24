import io

import pytest
from django.core.management import call_command

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
