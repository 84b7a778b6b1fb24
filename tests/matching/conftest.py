"""Fixtures for the pure matching engine: small hand-made networks, no Django, no database."""

import pytest

from serendip.matching import Profile


@pytest.fixture
def ml_network() -> list[Profile]:
    """A network where "machine learning" and "deep learning" co-occur in many profiles."""
    people = [
        Profile(id=str(i), offers=["machine learning", "deep learning", "python"], interests=["chess"])
        for i in range(1, 6)
    ]
    people += [
        Profile(id="dl", offers={"deep learning": 3.0, "pytorch": 1.0}),
        Profile(id="baker", offers=["sourdough", "pastry"], interests=["cycling"]),
        Profile(id="chef", offers=["sourdough", "knife skills"]),
        Profile(id="web", offers=["javascript", "css"]),
    ]
    return people


@pytest.fixture
def meeting_network() -> list[Profile]:
    return [
        Profile(
            id="me", offers=["python", "django"], needs=["ux research", "fundraising"], interests=["cycling"]
        ),
        # two-sided: offers what I need and needs what I offer
        Profile(id="both", offers=["ux research"], needs=["python"], interests=["cycling"]),
        # one-sided: offers what I need, needs nothing I offer
        Profile(id="one", offers=["ux research"], needs=["accounting"]),
        # nothing in common
        Profile(id="none", offers=["pottery"], needs=["welding"]),
        Profile(id="shy", offers=["fundraising"], needs=["python"], hidden=True),
        Profile(id="out", offers=["fundraising"], needs=["django"], open_to_matching=False),
    ]
