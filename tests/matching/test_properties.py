"""Invariants of routing and whom-to-meet ranking over random small networks (hypothesis)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serendip.matching import Engine, Profile

TAGS = [
    "python",
    "django",
    "ux research",
    "ML",
    "machine learning",
    "deep learning",
    "coffee",
    "java script",
    "JavaScript",
    "fundraising",
    "cycling",
    "",
    "  ",
    "sourdough",
]

tag_lists = st.lists(st.sampled_from(TAGS), max_size=5)
profiles = st.lists(
    st.builds(
        Profile,
        id=st.integers(0, 30).map(str),
        offers=tag_lists,
        needs=tag_lists,
        interests=tag_lists,
        recent_activity=st.floats(0, 50),
        hidden=st.booleans(),
    ),
    max_size=25,
    unique_by=lambda p: p.id,
)
ids = st.lists(st.integers(0, 35).map(str), max_size=10)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles, tag_lists, st.text(max_size=40), st.integers(1, 12), ids)
def test_route_respects_k_exclusions_visibility_and_order(people, tags, text, k, exclude):
    engine = Engine.build(people)
    got = engine.route(tags=tags, text=text, k=k, exclude=set(exclude))
    hidden = {p.id for p in people if p.hidden}
    assert len(got) <= k
    assert not {m.id for m in got} & (set(exclude) | hidden)
    assert len({m.id for m in got}) == len(got)
    scores = [m.score for m in got]
    assert scores == sorted(scores, reverse=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles, st.integers(0, 30).map(str), ids, st.integers(1, 12))
def test_rank_present_returns_only_visible_others_who_are_present(people, member, present, k):
    engine = Engine.build(people)
    got = engine.rank_present(member, present=present, k=k)
    visible = {p.id for p in people if p.matchable}
    assert len(got) <= k
    assert all(m.id in present and m.id in visible and m.id != member for m in got)
    scores = [m.score for m in got]
    assert scores == sorted(scores, reverse=True)
    assert all(m.reasons for m in got)
