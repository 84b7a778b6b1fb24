"""Routing by the answer history: recency, shared tags and titles, and the per-network choice of
the decay (shrunk to the prior: it moves only on enough clear evidence)."""

import pytest

from serendip.matching import Engine, Feedback, Profile, history


def answers(pairs):
    return [
        Feedback(kind="answer_given", member=m, other="asker", tags=tags, text=f"{title} {i}")
        for i, (m, tags, title) in enumerate(pairs)
    ]


def test_recent_answers_count_more_than_old_ones():
    people = [Profile(id="old", offers=["espresso"]), Profile(id="new", offers=["espresso"])]
    engine = Engine.build(people)
    engine.learn(answers([("old", ["espresso"], "shot")] * 30 + [("new", ["espresso"], "shot")] * 10))
    assert engine.route(tags=["espresso"], k=2)[0].id == "new"  # 10 recent answers beat 30 old ones


def test_titles_carry_what_tags_miss():
    people = [Profile(id="a"), Profile(id="b")]
    engine = Engine.build(people)
    engine.learn(
        answers(
            [("a", ["coffee"], "burr grinder calibration"), ("b", ["coffee"], "milk frothing temperature")]
            * 40
        )
    )
    assert engine.route(tags=["coffee"], text="How do I calibrate my burr grinder?", k=2)[0].id == "a"
    assert engine.route(tags=["coffee"], text="Frothing milk at what temperature?", k=2)[0].id == "b"


def _rotating(n_questions: int):
    """Three experts take turns on "x", 30 questions each (which memory suits it is for the
    validation to find out: the test checks that clear evidence moves the decay)."""
    out = []
    for i in range(n_questions):
        out.append((f"expert{(i // 30) % 3}", ["x"], "question"))
        out.append((f"noise{i % 7}", ["y"], "other"))
    return out


def _build(events):
    words: dict[str, int] = {}
    return history.build_history(
        events,
        n_rows=0,
        row_of=lambda m: None,
        col_of=lambda c: {"x": 0, "y": 1}.setdefault(c, 2),
        wcol_of=lambda w: words.setdefault(w, len(words)),
        concepts_of=lambda tags: list(tags),
        words_of=str.split,
    )[0]


def test_the_decay_stays_at_the_prior_on_a_thin_history(monkeypatch):
    monkeypatch.setattr(history, "LEARN_DECAY", True)
    hist = _build(answers(_rotating(10)))
    assert hist.decay_share == history.DECAY_SHARE
    assert hist.validation["questions"] < history.MIN_VALIDATION


def test_the_network_s_own_past_moves_the_decay_only_by_a_clear_margin(monkeypatch):
    monkeypatch.setattr(history, "LEARN_DECAY", True)
    hist = _build(answers(_rotating(300)))
    assert hist.validation["questions"] >= history.MIN_VALIDATION
    mrr = {float(c): v for c, v in hist.validation["mrr_by_tau_multiple"].items()}
    best = max(mrr, key=mrr.get)
    assert best != 1.0 and mrr[best] > mrr[1.0]
    if mrr[best] < mrr[1.0] * (1 + history.MARGIN):
        assert hist.decay_share == history.DECAY_SHARE  # not clear enough: the prior stands
    monkeypatch.setattr(history, "MARGIN", 0.0)
    assert _build(answers(_rotating(300))).decay_share == pytest.approx(history.DECAY_SHARE * best)
    monkeypatch.setattr(history, "MARGIN", 10.0)
    assert _build(answers(_rotating(300))).decay_share == history.DECAY_SHARE
    monkeypatch.setattr(history, "LEARN_DECAY", False)
    monkeypatch.setattr(history, "MARGIN", 0.0)
    assert _build(answers(_rotating(300))).decay_share == history.DECAY_SHARE
