"""Reasons are true and short: every tag a reason names is on that person's passport or in their
answer history as stated, no tag is named twice, at most three reasons (hypothesis)."""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serendip.matching import Engine, Feedback, Profile
from serendip.matching.reasons import MAX_REASONS, TEMPLATES
from serendip.matching.vocab import clean_tags

TAGS = ["python", "django", "ux research", "ML", "machine learning", "deep learning", "coffee", "espresso"]
TAGS += ["java script", "JavaScript", "fundraising", "cycling", "sourdough", "esg reporting"]

tag_lists = st.lists(st.sampled_from(TAGS), max_size=4)
people = st.lists(
    st.builds(
        Profile,
        id=st.integers(0, 15).map(str),
        offers=tag_lists,
        needs=tag_lists,
        interests=tag_lists,
        recent_activity=st.integers(0, 5),
    ),
    min_size=2,
    max_size=16,
    unique_by=lambda p: p.id,
)
answers = st.lists(
    st.tuples(st.integers(0, 15).map(str), tag_lists, st.sampled_from(["a", "b", "c"])), max_size=30
)


def key(tag: str) -> str:
    (k,) = clean_tags([tag])
    return k


def keys_of(tags) -> set[str]:
    return set(clean_tags(tags))


def check_shape(match) -> None:
    assert len(match.why) <= MAX_REASONS
    assert [r.text for r in match.why] == match.reasons
    named = [key(t) for r in match.why for t in (r.tag, r.other_tag) if t]
    assert len(named) == len(set(named)), match.why  # no tag named twice
    assert all(r.kind in TEMPLATES for r in match.why)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people, answers, tag_lists, st.sampled_from(["", "a question about espresso and python"]))
def test_route_reasons_name_only_the_passport_or_the_answers(network, history, q_tags, text):
    engine = Engine.build(network)
    events = [
        Feedback(kind="answer_given", member=m, other="asker", tags=tags, text=f"question {i} {word}")
        for i, (m, tags, word) in enumerate(history)
    ]
    engine.learn(events)
    answered: dict[str, Counter] = {}
    for e in events:
        answered.setdefault(e.member, Counter()).update(keys_of(e.tags))
    by_id = {p.id: p for p in network}
    asked = keys_of(q_tags) | set(clean_tags(text.split()))
    for m in engine.route(tags=q_tags, text=text, k=20):
        check_shape(m)
        for r in m.why:
            if r.kind == "answered":
                assert answered[m.id][key(r.tag)] == r.count, (m.id, r)
            elif r.kind in ("offers", "offers_related"):
                assert key(r.tag) in keys_of(by_id[m.id].offers), (m.id, r)
            if r.other_tag:
                assert key(r.other_tag) in asked or r.other_tag in text
            if r.kind == "active":
                assert r.count == by_id[m.id].recent_activity


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people, answers)
def test_meeting_reasons_name_only_the_two_passports(network, history):
    engine = Engine.build(network)
    # Answer history must never leak into whom-to-meet reasons ("Offers esg reporting" from answers).
    engine.learn([Feedback(kind="answer_given", member=m, other="x", tags=t, text=w) for m, t, w in history])
    by_id = {p.id: p for p in network}
    for me in by_id:
        mine = by_id[me]
        for m in engine.rank_present(me, present=list(by_id), k=20):
            check_shape(m)
            assert m.why, "a suggestion needs a reason"
            theirs = by_id[m.id]
            for r in m.why:
                if r.kind.startswith("offers_need"):
                    assert key(r.tag) in keys_of(theirs.offers)
                    assert key(r.other_tag or r.tag) in keys_of(mine.needs)
                elif r.kind.startswith("needs_offer"):
                    assert key(r.tag) in keys_of(theirs.needs)
                    assert key(r.other_tag or r.tag) in keys_of(mine.offers)
                elif r.kind == "shared_interest":
                    assert key(r.tag) in keys_of(theirs.interests) & keys_of(mine.interests)
                else:
                    raise AssertionError(f"unexpected reason without focus: {r}")


def test_the_reported_defects_are_gone():
    """Issue 15 item 5: no "Offers esg reporting" for a tag only answered, no need named thrice."""
    network = [
        Profile(id="me", offers=["python"], needs=["python", "django", "postgresql"]),
        Profile(id="dev", offers=["python", "django", "postgresql"], needs=["python"]),
        Profile(id="esg", offers=["accounting"], needs=["python"]),
    ]
    engine = Engine.build(network)
    engine.learn(
        [
            Feedback(kind="answer_given", member="esg", other="me", tags=["esg reporting"], text=f"q{i}")
            for i in range(4)
        ]
    )
    dev = engine.rank_present("me", present=["dev", "esg"])[0]
    assert dev.id == "dev"
    assert sum("python" in r for r in dev.reasons) == 1, dev.reasons
    assert len(dev.reasons) <= 3
    esg = next(m for m in engine.rank_present("me", present=["dev", "esg"]) if m.id == "esg")
    assert not any("esg" in r for r in esg.reasons)
    routed = engine.route(tags=["esg reporting"], k=1)[0]
    assert routed.id == "esg"
    assert routed.reasons[0] == "Answered 4 questions about esg reporting"
