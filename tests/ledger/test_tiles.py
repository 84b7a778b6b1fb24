"""tlog-tiles: paths, tiles written on append, and proofs/roots computed from tiles."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serendip.ledger import tiles, tlog
from serendip.ledger.tiles import ENTRIES, Tile


def _leaves(n: int, start: int = 0) -> list[bytes]:
    return [tlog.leaf_hash(i.to_bytes(4, "big")) for i in range(start, start + n)]


# ---------------------------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tile", "path"),
    [
        (Tile(1, 1234067, 8), "tile/1/x001/x234/067.p/8"),
        (Tile(0, 1234067), "tile/0/x001/x234/067"),
        (Tile(0, 0), "tile/0/000"),
        (Tile(2, 5, 1), "tile/2/005.p/1"),
        (Tile(0, 1000), "tile/0/x001/000"),
        (Tile(63, 999), "tile/63/999"),
        (Tile(ENTRIES, 1234067, 255), "tile/entries/x001/x234/067.p/255"),
        (Tile(ENTRIES, 273), "tile/entries/273"),
    ],
)
def test_tile_paths_match_the_spec_encoding(tile: Tile, path: str) -> None:
    assert tile.path == path
    assert tiles.parse_path(path) == tile
    assert tiles.parse_path("https://log.example/prefix/" + path) == tile


@pytest.mark.parametrize(
    "path",
    [
        "tile/1/x000/067",  # non-minimal index
        "tile/1/67",
        "tile/1/x1/067",
        "tile/01/000",
        "tile/64/000",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/08",
        "tile/0/001/002",
        "tile/data/000",
        "tile/0/000.p/",
    ],
)
def test_it_rejects_non_canonical_tile_paths(path: str) -> None:
    with pytest.raises(tiles.TileError):
        tiles.parse_path(path)


@given(st.integers(-1, 63), st.integers(0, 10**15), st.integers(1, 256))
def test_tile_paths_round_trip(level: int, index: int, width: int) -> None:
    t = Tile(level, index, width)
    assert tiles.parse_path(t.path) == t


def test_the_spec_tree_of_70000_has_the_listed_tiles() -> None:
    ts = list(tiles.tiles_for_size(70_000))
    level0 = [t for t in ts if t.level == 0]
    assert sum(not t.is_partial for t in level0) == 273
    assert [t for t in level0 if t.is_partial] == [Tile(0, 273, 112)]
    assert [t for t in ts if t.level == 1] == [Tile(1, 0), Tile(1, 1, 17)]
    assert [t for t in ts if t.level == 2] == [Tile(2, 0, 1)]
    assert [t for t in ts if t.level > 2] == []


def test_a_tree_of_256_is_one_full_tile_and_a_partial_level_1_tile() -> None:
    assert list(tiles.tiles_for_size(256)) == [Tile(0, 0), Tile(1, 0, 1)]
    assert list(tiles.tiles_for_size(0)) == []


# ---------------------------------------------------------------------------------------------
# Appending
# ---------------------------------------------------------------------------------------------


def test_tile_hashes_are_merkle_tree_hashes_of_256_subtrees() -> None:
    store = tiles.MemoryTileStore()
    hs = _leaves(70_000)
    store.append_leaf_hashes(hs)
    assert store.tiles[(0, 3)] == b"".join(hs[768:1024])
    level1 = store.get(Tile(1, 1, 17))
    assert level1[32:64] == tlog.root(hs[256 * 257 : 256 * 258])
    assert store.get(Tile(2, 0, 1)) == tlog.root(hs[:65536])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 700), min_size=1, max_size=8))
def test_append_writes_exactly_the_new_tiles_and_they_match_a_fresh_build(batches: list[int]) -> None:
    store = tiles.MemoryTileStore()
    hs: list[bytes] = []
    for n in batches:
        old = store.size
        new = _leaves(n, len(hs))
        written = store.append_leaf_hashes(new)
        hs += new
        assert written == tiles.new_tiles(old, store.size)
        assert store.root() == tlog.root(hs)
    fresh = tiles.MemoryTileStore()
    fresh.append_leaf_hashes(hs)
    assert fresh.tiles == store.tiles
    assert {(t.level, t.index) for t in tiles.tiles_for_size(len(hs))} == set(store.tiles)


def test_append_reads_old_partial_tiles_in_a_single_call() -> None:
    store = tiles.MemoryTileStore()
    store.append_leaf_hashes(_leaves(65_536 + 300))
    before = store.reads
    store.append_leaf_hashes(_leaves(70_000, 70_000))
    assert store.reads == before + 1
    assert store.append_leaf_hashes([]) == []


# ---------------------------------------------------------------------------------------------
# Proofs from tiles
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big() -> tuple[tiles.MemoryTileStore, list[bytes]]:
    store = tiles.MemoryTileStore()
    hs = _leaves(70_123)
    store.append_leaf_hashes(hs)
    return store, hs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_proofs_from_tiles_equal_proofs_from_the_leaf_list(big: tuple, data: st.DataObject) -> None:
    store, hs = big
    size = data.draw(st.integers(1, len(hs)))
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(0, size))
    reads = store.reads
    proof = tiles.inclusion_proof(index, size, store.read_tiles)
    assert store.reads <= reads + 1  # a single batched read per proof (none if it is empty)
    assert proof == tlog.inclusion_proof(hs, index, size)
    r = tiles.root(size, store.read_tiles)
    tlog.verify_inclusion(hs[index], index, size, proof, r)
    cproof = tiles.consistency_proof(old, size, store.read_tiles)
    assert cproof == tlog.consistency_proof(hs, old, size)
    tlog.verify_consistency(old, size, cproof, tlog.root(hs[:old]), r)


def test_proofs_only_read_tiles_that_exist_at_that_size(big: tuple) -> None:
    store, hs = big
    published = set(tiles.tiles_for_size(1000))
    assert set(tiles.proof_tiles(999, 1000)) <= published

    def strict(ts: list[Tile]) -> list[bytes]:
        assert set(ts) <= published, ts
        return store.read_tiles(ts)

    assert tiles.inclusion_proof(999, 1000, strict) == tlog.inclusion_proof(hs, 999, 1000)
    assert tiles.consistency_proof(7, 1000, strict) == tlog.consistency_proof(hs, 7, 1000)


def test_a_short_or_missing_tile_is_an_error() -> None:
    with pytest.raises(tiles.TileError):
        tiles.inclusion_proof(5, 1000, lambda ts: [b"\x00" * 31 for _ in ts])
    with pytest.raises(tiles.TileError):
        tiles.inclusion_proof(5, 1000, lambda ts: [])
    with pytest.raises(ValueError):
        tiles.tile_for_node((3, 200), 1000)  # leaves 1600..1608 are not in a tree of 1000


def test_the_empty_tree_root_needs_no_tiles() -> None:
    def no_reads(ts: list[Tile]) -> list[bytes]:
        raise AssertionError("no reads expected")

    assert tiles.root(0, no_reads) == tlog.EMPTY_ROOT


# ---------------------------------------------------------------------------------------------
# Entry bundles
# ---------------------------------------------------------------------------------------------


def test_entry_bundles_use_big_endian_uint16_length_prefixes() -> None:
    assert tiles.encode_entry_bundle([b"", b"a", b"bc"]) == b"\x00\x00\x00\x01a\x00\x02bc"
    assert tiles.decode_entry_bundle(b"\x00\x00\x00\x01a\x00\x02bc") == [b"", b"a", b"bc"]


@pytest.mark.parametrize("data", [b"\x00", b"\x00\x02a", b"\x00\x01a\x00"])
def test_it_rejects_truncated_entry_bundles(data: bytes) -> None:
    with pytest.raises(tiles.TileError):
        tiles.decode_entry_bundle(data)


def test_it_refuses_entries_longer_than_a_uint16() -> None:
    with pytest.raises(ValueError):
        tiles.encode_entry_bundle([b"x" * 65536])
    assert len(tiles.encode_entry_bundle([b"x" * 65535])) == 65537


@given(st.lists(st.binary(max_size=300), max_size=40))
def test_entry_bundles_round_trip(entries: list[bytes]) -> None:
    assert tiles.decode_entry_bundle(tiles.encode_entry_bundle(entries), len(entries)) == entries


def test_appended_entries_land_in_bundles_that_hash_to_the_level_0_tiles() -> None:
    store = tiles.MemoryTileStore()
    entries = [f"entry {i}".encode() for i in range(700)]
    for lo, hi in [(0, 3), (3, 256), (256, 300), (300, 700)]:
        store.append(entries[lo:hi])
    assert store.size == 700
    bundle = store.get(Tile(ENTRIES, 2, 188))
    assert tiles.decode_entry_bundle(bundle) == entries[512:700]
    level0 = store.get(Tile(0, 2, 188))
    assert level0 == b"".join(tlog.leaf_hash(e) for e in entries[512:700])
    assert tiles.decode_entry_bundle(store.get(Tile(ENTRIES, 1, 10))) == entries[256:266]
