"""The shared snapshot: arrays mapped read-only, the same answers as the engine that wrote it,
updates in a private overlay, and refusal of other versions and damaged files."""

import json

import numpy as np
import pytest

from serendip.matching import Engine, Feedback, Profile
from serendip.matching.snapshot import VERSION, SnapshotError


@pytest.fixture
def learned(ml_network, meeting_network):
    engine = Engine.build(ml_network + meeting_network)
    engine.learn(
        [
            Feedback(
                kind="answer_given", member=str(i % 5 + 1), other="web", tags=["python"], text=f"orm q{i}"
            )
            for i in range(12)
        ]
        + [Feedback(kind="answer_given", member="baker", other="me", tags=["sourdough"], text="starter")]
        + [Feedback(kind="introduction_accepted", member="me", other="both") for _ in range(6)]
        + [Feedback(kind="introduction_declined", member="me", other="one") for _ in range(6)]
    )
    return engine


QUERIES = [(["python"], "orm question"), (["sourdough"], ""), (["deep learning"], "ml"), ([], "starter")]


def test_a_loaded_snapshot_answers_like_the_engine_that_wrote_it(learned, tmp_path):
    learned.save(tmp_path / "s")
    loaded = Engine.load(tmp_path / "s")
    assert isinstance(loaded._doc.indices, np.memmap)  # mapped, not read into this process
    assert not loaded._m["loge"].data.flags.writeable
    for tags, text in QUERIES:
        assert loaded.route(tags=tags, text=text, k=20) == learned.route(tags=tags, text=text, k=20)
    everyone = list(learned._row)
    for who in ("me", "baker", "1"):
        assert loaded.rank_present(who, present=everyone) == learned.rank_present(who, present=everyone)


def test_updates_on_a_loaded_snapshot_stay_in_the_process(learned, tmp_path):
    learned.save(tmp_path / "s")
    before = {p.name: p.read_bytes() for p in (tmp_path / "s").iterdir()}
    loaded = Engine.load(tmp_path / "s")
    loaded.update(Profile(id="new", offers=["knitting"], recent_activity=2))
    loaded.update(Profile(id="web", offers=["knitting", "css"]))
    loaded.remove("chef")
    learned.update(Profile(id="new", offers=["knitting"], recent_activity=2))
    learned.update(Profile(id="web", offers=["knitting", "css"]))
    learned.remove("chef")
    for tags, text in [*QUERIES, (["knitting"], ""), (["knife skills"], "")]:
        assert loaded.route(tags=tags, text=text, k=20) == learned.route(tags=tags, text=text, k=20)
    assert "chef" not in [m.id for m in loaded.route(tags=["knife skills"], k=20)]
    assert {p.name: p.read_bytes() for p in (tmp_path / "s").iterdir()} == before
    # learning again on a loaded engine reads the history back from the snapshot
    more = [Feedback(kind="answer_given", member="new", other="me", tags=["knitting"], text="yarn")]
    loaded.learn(more)
    learned.learn(more)
    assert loaded.route(tags=["knitting"], text="yarn", k=5) == learned.route(
        tags=["knitting"], text="yarn", k=5
    )


def test_another_version_is_refused(learned, tmp_path):
    learned.save(tmp_path / "s")
    header = json.loads((tmp_path / "s" / "header.json").read_text())
    header["version"] = VERSION + 1
    (tmp_path / "s" / "header.json").write_text(json.dumps(header))
    with pytest.raises(SnapshotError, match="version"):
        Engine.load(tmp_path / "s")


@pytest.mark.parametrize("victim", ["m_loge.data.npy", "strings.json", "hist_answers.indptr.npy"])
def test_a_damaged_file_is_refused(learned, tmp_path, victim):
    learned.save(tmp_path / "s")
    path = tmp_path / "s" / victim
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF  # flip bits in the payload, keep the size
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotError, match="damaged"):
        Engine.load(tmp_path / "s")


def test_a_missing_or_truncated_snapshot_is_refused(learned, tmp_path):
    with pytest.raises(SnapshotError, match="missing"):
        Engine.load(tmp_path / "nothing")
    learned.save(tmp_path / "s")
    path = tmp_path / "s" / "doc.indices.npy"
    path.write_bytes(path.read_bytes()[:-8])
    with pytest.raises(SnapshotError):
        Engine.load(tmp_path / "s")
