"""The training path (plain dicts) and the index (sparse matrices) must compute the same route
features, or the learned model would be applied to numbers it was not trained on."""

from collections import Counter

import numpy as np
import pytest

from serendip.matching import Engine, Feedback, Profile
from serendip.matching.features import Evidence, doc_weights, idle_count, scalar_features
from serendip.matching.vocab import clean_tags, content_words


def test_index_features_equal_training_features():
    people = [
        Profile(
            id="a", offers={"espresso": 2, "milk": 1}, about="Barista who loves latte art", recent_activity=3
        ),
        Profile(id="b", offers=["grinders"], recent_activity=1),
        Profile(id="c", offers=["tea"]),
    ]
    engine = Engine.build(people)
    engine.learn(
        [
            Feedback(
                kind="answer_given", member="a", other="x", tags=["espresso"], text="Why is my espresso sour?"
            ),
            Feedback(
                kind="answer_accepted",
                member="a",
                other="x",
                tags=["espresso"],
                text="Why is my espresso sour?",
            ),
            Feedback(
                kind="answer_given", member="b", other="y", tags=["grinders", "espresso"], text="Burr grinder"
            ),
        ]
    )
    q = engine._query(["espresso", "milk", "grinders"], "latte art with a burr grinder")
    matrix = engine.route_features(q)
    for member, profile in zip("abc", people, strict=True):
        ev = engine._evidence.get(member) or Evidence()
        offers = clean_tags(profile.offers)
        expertise = {c: max(offers.get(c, 0.0), ev.answered.get(c, 0)) for c in {*offers, *ev.answered}}
        doc = doc_weights(Counter(content_words(profile.about)) + ev.words)
        want = scalar_features(
            q,
            expertise,
            ev.accepted,
            doc,
            n_accepted=ev.n_accepted,
            n_answers=ev.n_answers,
            recent=max(profile.recent_activity, engine._window.get(member, 0)),
            idle=idle_count(engine._evidence.get(member), engine._answers_seen),
        )
        assert matrix[engine._row[member]] == pytest.approx(np.array(want), rel=1e-5, abs=1e-6)


def test_the_column_index_scores_like_the_row_features():
    people = [
        Profile(id=str(i), offers={"espresso": i + 1, "milk": 1, f"tag{i}": 2}, about=f"barista {i}")
        for i in range(6)
    ]
    engine = Engine.build(people)
    engine.update(
        Profile(id="2", offers={"espresso": 9, "tea": 1}, about="tea and espresso", recent_activity=4)
    )
    engine.update(Profile(id="new", offers=["espresso", "brand new"], recent_activity=1))
    model = engine.route_model
    model.weights = np.random.default_rng(0).normal(size=len(model.weights))
    for tags, text in [
        (["espresso"], "barista milk"),
        (["brand new", "tea"], ""),
        (["milk"], "espresso tea"),
    ]:
        q = engine._query(tags, text)
        fast = engine._route_logits(q)
        slow = model.logit(engine.route_features(q))
        assert fast == pytest.approx(slow, rel=1e-4, abs=1e-4)
