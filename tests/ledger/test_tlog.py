"""Merkle hashing, proofs, checkpoints and tlog-proof text: RFC 6962 vectors and properties."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serendip.ledger import tlog

# RFC 6962 reference inputs (as used by certificate-transparency and transparency-dev/merkle).
RFC_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
RFC_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
RFC_INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
RFC_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
RFC_HASHES = [tlog.leaf_hash(d) for d in RFC_LEAVES]


def _hexes(hs: list[bytes]) -> list[str]:
    return [h.hex() for h in hs]


def _leaves(n: int) -> list[bytes]:
    return [tlog.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def _flip(b: bytes, bit: int) -> bytes:
    bit %= len(b) * 8
    out = bytearray(b)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# A literal transcription of RFC 6962 section 2.1 as an independent reference.
def _ref_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = 1 << ((len(d) - 1).bit_length() - 1)
    return tlog.node_hash(_ref_mth(d[:k]), _ref_mth(d[k:]))


def _ref_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = 1 << ((len(d) - 1).bit_length() - 1)
    if m < k:
        return [*_ref_path(m, d[:k]), _ref_mth(d[k:])]
    return [*_ref_path(m - k, d[k:]), _ref_mth(d[:k])]


def _ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [_ref_mth(d)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_ref_subproof(m, d[:k], b), _ref_mth(d[k:])]
    return [*_ref_subproof(m - k, d[k:], False), _ref_mth(d[:k])]


# ---------------------------------------------------------------------------------------------
# Reference vectors
# ---------------------------------------------------------------------------------------------


def test_the_empty_tree_root_is_sha256_of_the_empty_string() -> None:
    assert tlog.root([]).hex() == RFC_ROOTS[0]
    assert tlog.EMPTY_ROOT.hex() == RFC_ROOTS[0]


def test_leaf_and_node_hashes_use_the_rfc6962_domain_prefixes() -> None:
    assert tlog.leaf_hash(b"").hex() == RFC_ROOTS[1]
    assert tlog.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert tlog.node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_rfc6962_reference_trees(size: int) -> None:
    assert tlog.root(RFC_HASHES[:size]).hex() == RFC_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "expected"), RFC_INCLUSION)
def test_inclusion_proofs_match_the_reference_vectors(index: int, size: int, expected: list[str]) -> None:
    proof = tlog.inclusion_proof(RFC_HASHES, index, size)
    assert _hexes(proof) == expected
    tlog.verify_inclusion(RFC_HASHES[index], index, size, proof, bytes.fromhex(RFC_ROOTS[size]))


@pytest.mark.parametrize(("size1", "size2", "expected"), RFC_CONSISTENCY)
def test_consistency_proofs_match_the_reference_vectors(size1: int, size2: int, expected: list[str]) -> None:
    proof = tlog.consistency_proof(RFC_HASHES, size1, size2)
    assert _hexes(proof) == expected
    tlog.verify_consistency(
        size1, size2, proof, bytes.fromhex(RFC_ROOTS[size1]), bytes.fromhex(RFC_ROOTS[size2])
    )


def test_every_proof_in_trees_up_to_70_leaves_verifies_and_matches_the_rfc_text() -> None:
    for n in range(1, 71):
        hs = _leaves(n)
        r = tlog.root(hs)
        assert r == _ref_mth(hs)
        for i in range(n):
            proof = tlog.inclusion_proof(hs, i, n)
            assert proof == _ref_path(i, hs)
            tlog.verify_inclusion(hs[i], i, n, proof, r)
        for m in range(n + 1):
            proof = tlog.consistency_proof(hs, m, n)
            assert proof == ([] if m in (0, n) else _ref_subproof(m, hs, True))
            tlog.verify_consistency(m, n, proof, tlog.root(hs[:m]), r)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

sizes_and_index = st.integers(1, 600).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1)))
sizes_pair = st.integers(1, 600).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n)))


@settings(max_examples=80, deadline=None)
@given(sizes_and_index, st.integers(0, 10**6))
def test_it_rejects_a_flipped_bit_in_the_inclusion_proof_leaf_or_root(si: tuple[int, int], bit: int) -> None:
    n, i = si
    hs = _leaves(n)
    r = tlog.root(hs)
    proof = tlog.inclusion_proof(hs, i, n)
    tlog.verify_inclusion(hs[i], i, n, proof, r)
    if proof:
        j = bit % len(proof)
        bad = [*proof[:j], _flip(proof[j], bit), *proof[j + 1 :]]
        with pytest.raises(tlog.ProofError):
            tlog.verify_inclusion(hs[i], i, n, bad, r)
    with pytest.raises(tlog.ProofError):
        tlog.verify_inclusion(_flip(hs[i], bit), i, n, proof, r)
    with pytest.raises(tlog.ProofError):
        tlog.verify_inclusion(hs[i], i, n, proof, _flip(r, bit))


@settings(max_examples=60, deadline=None)
@given(sizes_and_index)
def test_it_rejects_an_inclusion_proof_for_another_index_or_length(si: tuple[int, int]) -> None:
    n, i = si
    hs = _leaves(n + 1)
    r = tlog.root(hs[:n])
    proof = tlog.inclusion_proof(hs, i, n)
    if n > 1:
        with pytest.raises(tlog.ProofError):
            tlog.verify_inclusion(hs[i], (i + 1) % n, n, proof, r)
    # (A proof can be valid for two sizes against the same root; the signed checkpoint
    # binds the size, so no "other size" assertion here.)
    with pytest.raises(tlog.ProofError):
        tlog.verify_inclusion(hs[i], i, n, [*proof, hs[0]], r)
    if proof:
        with pytest.raises(tlog.ProofError):
            tlog.verify_inclusion(hs[i], i, n, proof[:-1], r)
    with pytest.raises(tlog.ProofError):
        tlog.verify_inclusion(hs[i], n, n, proof, r)


@settings(max_examples=80, deadline=None)
@given(sizes_pair, st.integers(0, 10**6))
def test_it_rejects_a_flipped_bit_in_the_consistency_proof_or_either_root(
    mn: tuple[int, int], bit: int
) -> None:
    m, n = mn
    hs = _leaves(n)
    r1, r2 = tlog.root(hs[:m]), tlog.root(hs)
    proof = tlog.consistency_proof(hs, m, n)
    tlog.verify_consistency(m, n, proof, r1, r2)
    if proof:
        j = bit % len(proof)
        bad = [*proof[:j], _flip(proof[j], bit), *proof[j + 1 :]]
        with pytest.raises(tlog.ProofError):
            tlog.verify_consistency(m, n, bad, r1, r2)
    with pytest.raises(tlog.ProofError):
        tlog.verify_consistency(m, n, proof, _flip(r1, bit), r2)
    with pytest.raises(tlog.ProofError):
        tlog.verify_consistency(m, n, proof, r1, _flip(r2, bit))


@settings(max_examples=60, deadline=None)
@given(sizes_pair)
def test_it_rejects_a_consistency_proof_for_other_sizes_or_a_forked_tree(mn: tuple[int, int]) -> None:
    m, n = mn
    hs = _leaves(n)
    r1, r2 = tlog.root(hs[:m]), tlog.root(hs)
    proof = tlog.consistency_proof(hs, m, n)
    # A tree that differs in one leaf before m shares no consistency with the original.
    forked = [tlog.leaf_hash(b"fork"), *hs[1:]]
    with pytest.raises(tlog.ProofError):
        tlog.verify_consistency(m, n, tlog.consistency_proof(forked, m, n), r1, tlog.root(forked))
    if m < n:
        with pytest.raises(tlog.ProofError):
            tlog.verify_consistency(m, n, [*proof, hs[0]], r1, r2)
        with pytest.raises(tlog.ProofError):
            tlog.verify_consistency(m, n, proof[:-1], r1, r2)
        with pytest.raises(tlog.ProofError):
            tlog.verify_consistency(m + 1, n, proof, r1, r2)
    with pytest.raises(tlog.ProofError):
        tlog.verify_consistency(n, m - 1, proof, r2, r1)


def test_consistency_from_the_empty_tree_needs_no_proof_but_the_empty_root() -> None:
    hs = _leaves(5)
    tlog.verify_consistency(0, 5, [], tlog.EMPTY_ROOT, tlog.root(hs))
    with pytest.raises(tlog.ProofError):
        tlog.verify_consistency(0, 5, [hs[0]], tlog.EMPTY_ROOT, tlog.root(hs))
    with pytest.raises(tlog.ProofError):
        tlog.verify_consistency(0, 5, [], hs[0], tlog.root(hs))


def test_equal_sizes_are_consistent_only_with_equal_roots_and_an_empty_proof() -> None:
    hs = _leaves(4)
    tlog.verify_consistency(4, 4, [], tlog.root(hs), tlog.root(hs))
    with pytest.raises(tlog.ProofError):
        tlog.verify_consistency(4, 4, [], tlog.root(hs), tlog.root(hs[:3]))
    with pytest.raises(tlog.ProofError):
        tlog.verify_consistency(4, 4, [hs[0]], tlog.root(hs), tlog.root(hs))


def test_it_rejects_proof_hashes_of_the_wrong_length() -> None:
    hs = _leaves(4)
    proof = tlog.inclusion_proof(hs, 1, 4)
    with pytest.raises(tlog.ProofError):
        tlog.verify_inclusion(hs[1], 1, 4, [proof[0][:31], *proof[1:]], tlog.root(hs))
    with pytest.raises(tlog.ProofError):
        tlog.verify_inclusion(hs[1][:31], 1, 4, proof, tlog.root(hs))


def test_it_refuses_to_build_proofs_for_impossible_arguments() -> None:
    hs = _leaves(4)
    with pytest.raises(ValueError):
        tlog.inclusion_proof(hs, 4, 4)
    with pytest.raises(ValueError):
        tlog.inclusion_proof(hs, 0, 5)
    with pytest.raises(ValueError):
        tlog.consistency_proof(hs, 3, 2)


def test_range_nodes_decompose_a_tree_into_its_complete_subtrees() -> None:
    assert tlog.range_nodes(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert tlog.range_nodes(8, 13) == [(2, 2), (0, 12)]
    hs = _leaves(13)
    nodes = tlog.range_nodes(0, 13)
    got = tlog.hash_nodes([tlog.root(hs[i << lv : (i + 1) << lv]) for lv, i in nodes])
    assert got == tlog.root(hs)


# ---------------------------------------------------------------------------------------------
# Checkpoints and tlog-proof text
# ---------------------------------------------------------------------------------------------

SPEC_CHECKPOINT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def test_it_parses_the_spec_checkpoint_and_formats_it_back_byte_for_byte() -> None:
    cp = tlog.parse_checkpoint(SPEC_CHECKPOINT)
    assert cp.origin == "example.com/behind-the-sofa"
    assert cp.size == 20852163
    assert cp.root_hash == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert cp.extensions == ()
    assert cp.to_text() == SPEC_CHECKPOINT


def test_checkpoint_extension_lines_round_trip() -> None:
    cp = tlog.Checkpoint("example.com/log", 0, tlog.EMPTY_ROOT, ("ext one", "ext two"))
    assert tlog.parse_checkpoint(cp.to_text()) == cp


@pytest.mark.parametrize(
    "text",
    [
        "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",  # no final newline
        "example.com/log\n05\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # leading zero
        "example.com/log\n-5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "example.com/log\n5\n",
        "\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # empty origin
        "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",  # unpadded
        "example.com/log\n5\nAAAA\n",  # too short
        "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",  # empty extension
    ],
)
def test_it_rejects_malformed_checkpoints(text: str) -> None:
    with pytest.raises(tlog.CheckpointError):
        tlog.parse_checkpoint(text)


def test_tlog_proof_text_round_trips_and_verifies() -> None:
    hs = _leaves(109)
    proof = tlog.inclusion_proof(hs, 73, 109)
    cp = tlog.Checkpoint("example.com/fancylog", 109, tlog.root(hs)).to_text()
    signed = cp + "\n\u2014 example.com/fancylog AAAAAAAA\n"
    p = tlog.TlogProof(73, tuple(proof), signed, extra=b"context")
    parsed = tlog.parse_tlog_proof(p.to_text())
    assert parsed == p
    body = tlog.parse_checkpoint(parsed.checkpoint.split("\n\n")[0] + "\n")
    tlog.verify_inclusion(hs[73], parsed.index, body.size, list(parsed.proof), body.root_hash)


def test_it_parses_the_tlog_proof_spec_example_header() -> None:
    example = (
        "c2sp.org/tlog-proof@v1\n"
        "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n"
        "index 73894\n"
        "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
        "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
        "\n"
        "example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n"
    )
    p = tlog.parse_tlog_proof(example)
    assert p.index == 73894
    assert len(p.proof) == 2
    assert p.extra is not None and p.extra.startswith(b"age-v1.2.1")
    assert p.checkpoint.startswith("example.com/fancylog\n")


def test_importing_the_ledger_cores_does_not_import_django() -> None:
    code = (
        "import sys\n"
        "from serendip.ledger import leaf, tlog, note, tiles, witness\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=60)
