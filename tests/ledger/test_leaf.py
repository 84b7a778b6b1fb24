"""The leaf format (pure): commitments, both versions, parsing and opening."""

import base64
import hashlib
import json

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from serendip.ledger import leaf

SALT = bytes(range(32))


def test_a_commitment_is_sha256_over_the_tag_the_public_id_and_the_salt():
    digest = hashlib.sha256(b"serendip/ledger/account-commitment/v2\x00member:abc\x00" + SALT).digest()

    assert leaf.commitment("member:abc", SALT) == "c:" + base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert leaf.commitment("member:abc", SALT) != leaf.commitment("member:abd", SALT)
    assert leaf.commitment("member:abc", SALT) != leaf.commitment("member:abc", bytes(32))
    with pytest.raises(leaf.LeafError):
        leaf.commitment("member:abc", b"short")


@given(
    kind=st.text(max_size=12),
    label=st.text(max_size=12),
    amount=st.integers(-(10**12), 10**12),
    tx=st.integers(1, 10**12),
    version=st.sampled_from([leaf.V1, leaf.V2]),
)
def test_the_fast_encoding_is_rfc8785(kind, label, amount, tx, version):
    postings = [(label, amount), ("network", -amount)]
    doc = {"v": version, "tx": tx, "kind": kind, "at": "2026-01-02T03:04:05.000006Z", "postings": postings}
    if version == leaf.V1:
        doc["reverses"] = None
    data = leaf.encode(version, tx=tx, kind=kind, at=doc["at"], postings=postings)
    assert data == rfc8785.dumps(doc)
    assert leaf.version_of(data) == version


def test_parse_checks_the_leaf():
    c = leaf.commitment("member:abc", SALT)
    data = leaf.encode(leaf.V2, tx=7, kind="seat", at="t", postings=[(c, -5), ("space:1", 5)])
    parsed = leaf.parse(data)
    assert (parsed.version, parsed.tx, parsed.postings) == (2, 7, ((c, -5), ("space:1", 5)))
    assert leaf.open_posting(parsed, 0, "member:abc", SALT) == -5
    assert leaf.open_posting(parsed, 1, "space:1", None) == 5
    with pytest.raises(leaf.LeafError, match="does not match its commitment"):
        leaf.open_posting(parsed, 0, "member:abd", SALT)
    with pytest.raises(leaf.LeafError, match="has no opening"):
        leaf.open_posting(parsed, 0, "member:abc", None)
    with pytest.raises(leaf.LeafError, match="no posting 2"):
        leaf.open_posting(parsed, 2, "member:abc", SALT)

    bad = {
        "unbalanced": leaf.encode(leaf.V2, tx=7, kind="seat", at="t", postings=[(c, -5), ("space:1", 6)]),
        "in clear": leaf.encode(leaf.V2, tx=7, kind="k", at="t", postings=[("member:x", -5), ("network", 5)]),
        "not canonical": json.dumps({"v": 2, "tx": 7, "kind": "k", "at": "t", "postings": []}).encode(),
        "version": b'{"v":3}',
        "float": b'{"at":"t","kind":"k","postings":[["network",1.5]],"tx":7,"v":2}',
    }
    for name, data in bad.items():
        with pytest.raises(leaf.LeafError):
            leaf.parse(data)
            pytest.fail(name)


def test_version_1_leaves_open_by_their_public_id():
    data = leaf.encode(leaf.V1, tx=3, kind="seat", at="t", postings=[("member:abc", -5), ("space:1", 5)])
    parsed = leaf.parse(data)
    assert leaf.open_posting(parsed, 0, "member:abc", None) == -5
    with pytest.raises(leaf.LeafError, match="names member:abc, not member:abd"):
        leaf.open_posting(parsed, 0, "member:abd", None)
