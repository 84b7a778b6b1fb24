"""Behaviour of the Serendipity Machine: routing, whom-to-meet ranking, reasons, exclusions,
determinism, incremental updates and bad input."""

import subprocess
import sys

import pytest

from serendip.matching import Engine, Feedback, Match, Profile


def ids(matches: list[Match]) -> list[str]:
    return [m.id for m in matches]


# ------------------------------------------------------------------ whom to meet


def test_it_ranks_two_sided_pairs_above_one_sided(meeting_network):
    engine = Engine.build(meeting_network)
    got = engine.rank_present("me", present=["both", "one", "none"], k=10)
    assert ids(got)[:2] == ["both", "one"]
    assert got[0].score > got[1].score


def test_it_explains_matches_with_real_complementary_and_shared_tags(meeting_network):
    engine = Engine.build(meeting_network)
    best = engine.rank_present("me", present=["both"], k=1)[0]
    text = " | ".join(best.reasons)
    assert "Offers ux research, which you need" in best.reasons
    assert "Needs python, which you offer" in best.reasons
    assert "cycling" in text


def test_it_never_returns_hidden_opted_out_or_self(meeting_network):
    engine = Engine.build(meeting_network)
    got = ids(engine.rank_present("me", present=["me", "shy", "out", "both", "one"], k=10))
    assert "me" not in got and "shy" not in got and "out" not in got
    routed = ids(engine.route(tags=["fundraising"], k=10))
    assert "shy" not in routed and "out" not in routed


def test_it_skips_unknown_present_ids_and_returns_nothing_for_an_unknown_member(meeting_network):
    engine = Engine.build(meeting_network)
    assert ids(engine.rank_present("me", present=["ghost", "both"], k=5)) == ["both"]
    assert engine.rank_present("ghost", present=["both"], k=5) == []


def test_it_counts_todays_focus_in_matching():
    people = [
        Profile(id="me", offers=["python"]),
        Profile(id="designer", offers=["logo design"], needs=["python"]),
        Profile(id="lawyer", offers=["contract law"], needs=["python"]),
    ]
    engine = Engine.build(people)
    got = engine.rank_present(
        "me", present=["designer", "lawyer"], focus={"me": "Today: a contract law question"}
    )
    assert got[0].id == "lawyer"
    assert any("contract law" in r and "today" in r for r in got[0].reasons)
    # and focus is per call, not remembered
    again = engine.rank_present("me", present=["designer", "lawyer"])
    assert again[0].score == again[1].score


def test_it_names_the_related_tag_pair_in_reasons(ml_network):
    people = [*ml_network, Profile(id="learner", needs=["machine learning"])]
    engine = Engine.build(people)
    got = engine.rank_present("learner", present=["dl", "baker"], k=5)
    assert ids(got) == ["dl"]
    assert any("deep learning" in r and "machine learning" in r for r in got[0].reasons)


# ------------------------------------------------------------------ routing


def test_it_routes_to_members_who_offer_the_tags(ml_network):
    engine = Engine.build(ml_network)
    got = engine.route(tags=["sourdough"], text="Why is my starter sluggish?", k=3)
    assert set(ids(got)[:2]) == {"baker", "chef"}
    assert any("sourdough" in r for r in got[0].reasons)


def test_it_finds_deep_learning_for_a_machine_learning_question(ml_network):
    engine = Engine.build(
        [p for p in ml_network if p.id != "1"] + [Profile(id="1", offers=["machine learning"])]
    )
    got = engine.route(tags=["machine learning"], k=10, exclude={"2", "3", "4", "5", "1"})
    assert got[0].id == "dl"
    assert any("deep learning" in r and "machine learning" in r for r in got[0].reasons)


def test_it_relates_an_acronym_to_its_phrase(ml_network):
    engine = Engine.build([*ml_network, Profile(id="ml-person", offers=["ML"])])
    got = engine.route(tags=["machine learning"], k=20, exclude={"1", "2", "3", "4", "5"})
    assert "ml-person" in ids(got)[:2]


@pytest.mark.parametrize("variant", ["java script", "JavaScript", "Java-Script", " JAVASCRIPT "])
def test_it_treats_spelling_variants_as_one_tag(ml_network, variant):
    engine = Engine.build(ml_network)
    assert engine.route(tags=[variant], k=1)[0].id == "web"


def test_it_finds_tags_in_the_question_text(ml_network):
    engine = Engine.build(ml_network)
    assert engine.route(tags=[], text="Any tips for knife skills?", k=1)[0].id == "chef"


def test_it_never_routes_to_the_asker(ml_network):
    engine = Engine.build(ml_network)
    assert "web" not in ids(engine.route(tags=["css"], k=10, exclude={"web"}))
    assert "web" not in ids(engine.route(tags=["css"], k=10, exclude="web"))


def test_learning_is_deterministic(ml_network):
    events = [
        Feedback(
            kind="answer_given", member=str(i % 5 + 1), other="web", tags=["python"], text=f"question {i}"
        )
        for i in range(40)
    ] + [Feedback(kind="answer_accepted", member="2", other="web", tags=["python"], text="question 1")]
    a, b = Engine.build(ml_network), Engine.build(ml_network)
    a.learn(events)
    b.learn(events)
    assert a.route(tags=["python"], text="question", k=10) == b.route(tags=["python"], text="question", k=10)


def test_it_learns_who_answers_a_topic_from_feedback():
    people = [Profile(id=str(i), offers=["espresso", "grinders"], recent_activity=2) for i in range(8)]
    engine = Engine.build(people)
    before = ids(engine.route(tags=["espresso"], text="Channeling in my espresso puck", k=8))
    star = before[-1]
    events = []
    for n in range(30):
        events.append(
            Feedback(
                kind="answer_given", member=star, other="x", tags=["espresso"], text=f"espresso shot {n}"
            )
        )
        events.append(
            Feedback(
                kind="answer_accepted", member=star, other="x", tags=["espresso"], text=f"espresso shot {n}"
            )
        )
        other = str((n % 7) + (1 if (n % 7) >= int(star) else 0))
        if other != star:
            events.append(
                Feedback(
                    kind="answer_given", member=other, other="y", tags=["grinders"], text=f"burr grinder {n}"
                )
            )
    engine.learn(events)
    after = engine.route(tags=["espresso"], text="Channeling in my espresso puck", k=8)
    assert after[0].id == star
    assert any("espresso" in r for r in after[0].reasons)


def test_it_reranks_introductions_by_what_members_accepted_before(meeting_network):
    people = [*meeting_network, Profile(id="one2", offers=["ux research"], needs=["accounting"])]
    engine = Engine.build(people)
    before = engine.rank_present("me", present=["both", "one", "one2", "none"])
    assert before[1].score == before[2].score  # "one" and "one2" look alike
    events = [Feedback(kind="introduction_declined", member="me", other="one") for _ in range(6)]
    events += [Feedback(kind="introduction_accepted", member="me", other="one2") for _ in range(6)]
    events += [Feedback(kind="meeting_confirmed", member="me", other="both") for _ in range(3)]
    engine.learn(events)
    after = engine.rank_present("me", present=["both", "one", "one2", "none"])
    assert ids(after)[:3] == ["both", "one2", "one"]


def test_it_spreads_equally_suited_experts_across_questions():
    people = [Profile(id=str(i), offers=["tea"]) for i in range(6)]
    engine = Engine.build(people)
    firsts = {engine.route(tags=["tea"], text=f"question {n} about tea", k=1)[0].id for n in range(30)}
    assert len(firsts) >= 3


# ------------------------------------------------------------------ determinism and incremental updates


def test_two_builds_give_the_same_results(ml_network, meeting_network):
    people = ml_network + meeting_network
    a, b = Engine.build(people), Engine.build(list(reversed(people)))
    assert a.route(tags=["python"], text="django orm", k=10) == b.route(
        tags=["python"], text="django orm", k=10
    )
    assert a.rank_present("me", present=[p.id for p in people]) == b.rank_present(
        "me", present=[p.id for p in people]
    )


def _same(got: list[Match], want: list[Match]) -> None:
    assert ids(got) == ids(want)
    assert [m.reasons for m in got] == [m.reasons for m in want]
    assert [m.score for m in got] == pytest.approx([m.score for m in want], rel=1e-5)


def test_an_incremental_update_equals_a_rebuild_with_the_same_relatedness(ml_network, meeting_network):
    people = ml_network + meeting_network
    engine = Engine.build(people)
    changed = Profile(
        id="baker", offers=["sourdough", "python", "pottery"], needs=["django"], interests=["cycling"]
    )
    newcomer = Profile(id="new", offers=["ux research", "brand new tag"], needs=["python"], recent_activity=3)
    engine.update(changed)
    engine.update(newcomer)
    engine.remove("chef")
    now = [changed if p.id == "baker" else p for p in people if p.id != "chef"] + [newcomer]
    fresh = Engine.build(now, relatedness=engine.relatedness)
    for tags, text in [
        (["python"], "django"),
        (["sourdough"], ""),
        (["ux research"], "user interviews"),
        (["brand new tag"], ""),
    ]:
        _same(engine.route(tags=tags, text=text, k=20), fresh.route(tags=tags, text=text, k=20))
    everyone = [p.id for p in now] + ["chef"]
    for who in ("me", "baker", "new"):
        _same(
            engine.rank_present(who, present=everyone, k=20), fresh.rank_present(who, present=everyone, k=20)
        )
    assert "chef" not in ids(engine.route(tags=["knife skills"], k=20))


def test_removing_an_unknown_member_is_harmless(ml_network):
    engine = Engine.build(ml_network)
    engine.remove("nobody")
    engine.remove("baker")
    engine.remove("baker")
    assert "baker" not in ids(engine.route(tags=["pastry"], k=10))


# ------------------------------------------------------------------ bad input


def test_it_returns_nothing_for_a_query_with_no_usable_tags_and_no_text(ml_network):
    engine = Engine.build(ml_network)
    assert engine.route(tags=[], k=5) == []
    assert engine.route(tags=["", "   "], text="", k=5) == []
    assert engine.route(tags=["x" * 500], k=5) == []


def test_it_rejects_huge_tag_lists_and_bad_k(ml_network):
    engine = Engine.build(ml_network)
    with pytest.raises(ValueError, match="at most"):
        engine.route(tags=[f"t{i}" for i in range(10_000)], k=5)
    for k in (0, -1, "3", 2.5):
        with pytest.raises(ValueError, match="k must"):
            engine.route(tags=["python"], k=k)
        with pytest.raises(ValueError, match="k must"):
            engine.rank_present("1", present=["2"], k=k)


def test_it_drops_unusable_profile_tags_and_bounds_huge_profiles():
    people = [
        Profile(id=7, offers={"": 1.0, "python": 2.0, "x" * 80: 1.0, "rust": -1.0, "go": float("nan")}),
        Profile(id="big", offers=[f"tag {i}" for i in range(10_000)]),
    ]
    engine = Engine.build(people)
    assert ids(engine.route(tags=["python"], k=1)) == ["7"]
    assert ids(engine.route(tags=["rust"], k=5)) != ["7"] or True  # no crash is the point
    assert engine.route(tags=["tag 0"], k=1)[0].id == "big"  # kept: the first 200 of equal weight


def test_it_rejects_duplicate_ids_and_unknown_feedback_kinds():
    with pytest.raises(ValueError, match="duplicate"):
        Engine.build([Profile(id="1"), Profile(id=1)])
    with pytest.raises(ValueError, match="unknown feedback kind"):
        Feedback(kind="upvote", member="1")


def test_it_works_on_an_empty_network():
    engine = Engine.build([])
    assert engine.route(tags=["python"], k=3) == []
    assert engine.rank_present("1", present=["2"]) == []
    engine.learn([Feedback(kind="answer_given", member="1", tags=["python"], text="q")])
    engine.update(Profile(id="1", offers=["python"]))
    assert ids(engine.route(tags=["python"], k=3)) == ["1"]


def test_the_engine_imports_no_django():
    code = "import sys, serendip.matching; sys.exit(1 if 'django' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_sparse_row_products_match_scipy():
    import numpy as np

    from serendip.matching.rows import SparseRows

    rng = np.random.default_rng(3)
    rows = [
        {int(c): float(rng.random()) for c in rng.choice(20, size=rng.integers(0, 6), replace=False)}
        for _ in range(50)
    ]
    store = SparseRows.from_rows(rows)
    store.set_row(7, {19: 2.0, 0: 1.0})
    vec = rng.random(20).astype(np.float32)
    pick = np.array([0, 7, 7, 49, 3])
    assert store.dot_rows(pick, vec) == pytest.approx(store.matrix(20)[pick] @ vec, rel=1e-5)


def test_route_among_limits_candidates_to_those_given():
    profiles = [
        Profile(id="1", offers={"python": 3.0}),
        Profile(id="2", offers={"python": 1.0}),
        Profile(id="3", offers={"knitting": 1.0}),
    ]
    engine = Engine.build(profiles)
    assert engine.route(tags=["python"], k=5)[0].id == "1"
    got = [m.id for m in engine.route(tags=["python"], k=5, among=["2", "3", "unknown"])]
    assert "1" not in got and got[0] == "2"
    assert engine.route(tags=["python"], k=5, among=[]) == []


def test_what_members_need_is_not_related_to_what_they_offer():
    # Many developers need UX research; that must not make "python" close to "ux research".
    profiles = [Profile(id=str(i), offers=["python", "django"], needs=["ux research"]) for i in range(20)]
    profiles += [
        Profile(id="ux", offers=["ux research", "user interviews"]),
        Profile(id="me", needs=["python"]),
    ]
    engine = Engine.build(profiles)
    got = engine.rank_present("me", present=["ux", "1"], k=2)
    assert got[0].id == "1"
    assert all("ux research" not in r for m in got for r in m.reasons)
