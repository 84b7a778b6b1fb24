"""Tag concepts, text tokens and learned relatedness."""

from serendip.matching.vocab import build_relatedness, clean_tags, content_words, phrase_keys, squash


def test_it_folds_spelling_variants_into_one_concept():
    assert clean_tags(["JavaScript", "java script", "Java-Script"]) == {"javascript": 3.0}
    assert squash("node.js") == squash("nodejs")


def test_it_drops_unusable_tags_and_weights():
    assert clean_tags({"": 1, "ok": 2, "bad": 0, "nan": float("nan"), 5: 1, "x" * 51: 1}) == {"ok": 2.0}


def test_it_keeps_the_strongest_tags_of_a_huge_profile():
    got = clean_tags({f"t{i}": float(i) for i in range(1000)}, limit=10)
    assert set(got) == {f"t{i}" for i in range(990, 1000)}


def test_it_tokenises_text_keeping_programming_words():
    assert "c++" in content_words("How do I learn C++ and node.js?")
    assert "node.js" in content_words("How do I learn C++ and node.js?")
    assert ("coldbrew", "cold brew") in phrase_keys("Is cold brew stronger?")


def test_it_learns_relatedness_from_co_occurrence_ngrams_and_acronyms():
    docs = (
        [["machinelearning", "deeplearning"]] * 4
        + [["sourdough", "pastry"]] * 4
        + [["ml"], ["postgresql"], ["postgres"]]
    )
    names = {
        "machinelearning": "machine learning",
        "deeplearning": "deep learning",
        "ml": "ml",
        "sourdough": "sourdough",
        "pastry": "pastry",
        "postgresql": "postgresql",
        "postgres": "postgres",
    }
    rel = build_relatedness(docs, names)
    assert "deeplearning" in dict(rel.similar("machinelearning"))
    assert "pastry" not in dict(rel.similar("machinelearning"))
    assert "machinelearning" in dict(rel.similar("ml"))
    assert "postgresql" in dict(rel.similar("postgres"))
