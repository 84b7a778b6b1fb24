"""Witness core: cosignature/v1 format and the add-checkpoint rules of tlog-witness."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from serendip.ledger import note, tlog, witness

ORIGIN = "serendip.example/log"
LOG_SKEY, LOG_VKEY = note.generate_key(ORIGIN)
W_SKEY, W_VKEY = witness.generate_cosigner_key("witness.example/w1")
LEAVES = [tlog.leaf_hash(f"entry {i}".encode()) for i in range(300)]


def _signed(size: int, leaves: list[bytes] = LEAVES, skey: str = LOG_SKEY, origin: str = ORIGIN) -> str:
    return note.sign(tlog.Checkpoint(origin, size, tlog.root(leaves[:size])).to_text(), skey)


def _witness(state: dict | None = None) -> witness.Witness:
    return witness.Witness(W_SKEY, state, clock=lambda: 1_700_000_000)


def test_it_cosigns_a_first_checkpoint_and_the_cosignature_verifies() -> None:
    w = _witness()
    cp = _signed(10)
    line = w.add_checkpoint(0, [], cp, [LOG_VKEY])
    assert line.startswith("\u2014 witness.example/w1 ") and line.endswith("\n")
    text = note.parse(cp).text
    assert witness.verify_cosignature(text, line, W_VKEY) == 1_700_000_000
    # The log can merge the line into its checkpoint and check both keys at once.
    merged = note.add_signatures(cp, [line])
    assert len(note.open(merged, [LOG_VKEY, W_VKEY])[1]) == 2
    assert w.latest(ORIGIN) == (10, tlog.root(LEAVES[:10]))
    assert note.verify(w.checkpoint(ORIGIN) or "", [W_VKEY, LOG_VKEY]) == text


def test_the_cosignature_signs_the_v1_header_time_line_and_checkpoint_body() -> None:
    text = tlog.Checkpoint(ORIGIN, 5, tlog.root(LEAVES[:5])).to_text()
    line = witness.cosign(text, W_SKEY, timestamp=1679315147)
    raw = base64.b64decode(line.split(" ")[2])
    signer = note.new_signer(W_SKEY)
    expected_id = hashlib.sha256(b"witness.example/w1\n\x04" + signer.public_key).digest()[:4]
    assert raw[:4] == expected_id
    assert int.from_bytes(raw[4:12], "big") == 1679315147
    message = b"cosignature/v1\ntime 1679315147\n" + text.encode()
    Ed25519PublicKey.from_public_bytes(signer.public_key).verify(raw[12:], message)
    assert len(raw) == 4 + 8 + 64


def test_it_refuses_to_cosign_something_that_is_not_a_checkpoint() -> None:
    with pytest.raises(tlog.CheckpointError):
        witness.cosign("hello\n", W_SKEY, timestamp=1)


def test_a_bad_cosignature_does_not_verify() -> None:
    text = tlog.Checkpoint(ORIGIN, 5, tlog.root(LEAVES[:5])).to_text()
    line = witness.cosign(text, W_SKEY, timestamp=1679315147)
    other = tlog.Checkpoint(ORIGIN, 6, tlog.root(LEAVES[:6])).to_text()
    with pytest.raises(note.InvalidSignatureError):
        witness.verify_cosignature(other, line, W_VKEY)
    _, other_vkey = witness.generate_cosigner_key("witness.example/w1")
    with pytest.raises(note.UnverifiedNoteError):
        witness.verify_cosignature(text, line, other_vkey)


def test_it_accepts_a_consistent_checkpoint_with_a_valid_proof() -> None:
    w = _witness()
    w.add_checkpoint(0, [], _signed(10), [LOG_VKEY])
    proof = tlog.consistency_proof(LEAVES, 10, 257)
    w.add_checkpoint(10, proof, _signed(257), {ORIGIN: [LOG_VKEY]})
    assert w.latest(ORIGIN)[0] == 257
    # Resubmitting the same checkpoint is fine too (old size == size, equal roots).
    w.add_checkpoint(257, [], _signed(257), [LOG_VKEY])


def test_it_refuses_a_forked_checkpoint_of_the_same_size_with_422() -> None:
    w = _witness()
    w.add_checkpoint(0, [], _signed(10), [LOG_VKEY])
    forked = [tlog.leaf_hash(b"evil"), *LEAVES[1:]]
    with pytest.raises(witness.BadProof) as e:
        w.add_checkpoint(10, [], _signed(10, forked), [LOG_VKEY])
    assert e.value.status == 422
    assert w.latest(ORIGIN) == (10, tlog.root(LEAVES[:10]))


def test_it_refuses_a_checkpoint_with_an_inconsistent_proof_with_422() -> None:
    w = _witness()
    w.add_checkpoint(0, [], _signed(10), [LOG_VKEY])
    forked = [tlog.leaf_hash(b"evil"), *LEAVES[1:]]
    for proof, cp in [
        (tlog.consistency_proof(forked, 10, 20), _signed(20, forked)),  # history rewritten
        (tlog.consistency_proof(LEAVES, 10, 21), _signed(20)),  # proof for the wrong size
        ([], _signed(20)),
    ]:
        with pytest.raises(witness.BadProof) as e:
            w.add_checkpoint(10, proof, cp, [LOG_VKEY])
        assert e.value.status == 422
    assert w.latest(ORIGIN)[0] == 10


def test_it_refuses_a_stale_old_size_with_409_and_tells_its_size() -> None:
    w = _witness()
    w.add_checkpoint(0, [], _signed(10), [LOG_VKEY])
    with pytest.raises(witness.Conflict) as e:
        w.add_checkpoint(0, [], _signed(20), [LOG_VKEY])
    assert e.value.status == 409
    assert e.value.body == "10\n"
    assert e.value.content_type == "text/x.tlog.size"
    with pytest.raises(witness.Conflict):
        w.add_checkpoint(5, tlog.consistency_proof(LEAVES, 5, 20), _signed(20), [LOG_VKEY])


def test_it_refuses_an_old_size_above_the_checkpoint_size_with_400() -> None:
    with pytest.raises(witness.BadRequest) as e:
        _witness().add_checkpoint(11, [], _signed(10), [LOG_VKEY])
    assert e.value.status == 400


def test_it_refuses_an_unknown_origin_with_404() -> None:
    with pytest.raises(witness.UnknownLog) as e:
        _witness().add_checkpoint(0, [], _signed(10), {"other.example/log": [LOG_VKEY]})
    assert e.value.status == 404


def test_it_refuses_a_checkpoint_not_signed_by_the_log_with_403() -> None:
    impostor_skey, _ = note.generate_key(ORIGIN)
    with pytest.raises(witness.BadSignature) as e:
        _witness().add_checkpoint(0, [], _signed(10, skey=impostor_skey), [LOG_VKEY])
    assert e.value.status == 403
    tampered = _signed(10).replace("\n10\n", "\n11\n")
    with pytest.raises(witness.BadSignature):
        _witness().add_checkpoint(0, [], tampered, [LOG_VKEY])


def test_it_refuses_an_empty_tree_with_a_non_empty_root_and_a_proof_from_zero() -> None:
    bad_empty = note.sign(tlog.Checkpoint(ORIGIN, 0, LEAVES[0]).to_text(), LOG_SKEY)
    with pytest.raises(witness.BadProof):
        _witness().add_checkpoint(0, [], bad_empty, [LOG_VKEY])
    with pytest.raises(witness.BadProof):
        _witness().add_checkpoint(0, [LEAVES[0]], _signed(10), [LOG_VKEY])
    _witness().add_checkpoint(0, [], _signed(0), [LOG_VKEY])


def test_the_state_is_json_serialisable_and_restores_the_witness() -> None:
    w = _witness()
    w.add_checkpoint(0, [], _signed(10), [LOG_VKEY])
    restored = _witness(json.loads(json.dumps(w.state)))
    assert restored.latest(ORIGIN) == w.latest(ORIGIN)
    with pytest.raises(witness.Conflict):
        restored.add_checkpoint(0, [], _signed(12), [LOG_VKEY])


def test_a_witness_needs_a_cosignature_key() -> None:
    with pytest.raises(note.InvalidKeyError):
        witness.Witness(LOG_SKEY)


SPEC_REQUEST = (
    "old 20852014\n"
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
    "\n"
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\u2014 example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "\u2014 example.com/behind-the-sofa "
    "opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n"
)


def test_it_parses_the_spec_add_checkpoint_request() -> None:
    req = witness.parse_add_checkpoint_request(SPEC_REQUEST.encode())
    assert req.old_size == 20852014
    assert len(req.proof) == 4
    assert req.proof[0] == base64.b64decode("PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=")
    n = note.parse(req.checkpoint)
    assert tlog.parse_checkpoint(n.text).size == 20852163
    assert len(n.signatures) == 2
    assert witness.format_add_checkpoint_request(req.old_size, req.proof, req.checkpoint) == SPEC_REQUEST


@pytest.mark.parametrize(
    "body",
    [
        "old 01\n\n" + "x\n",
        "old -1\n\n",
        "new 1\n\n",
        "old 1\nnot base64\n\n",
        "old 1\nAAAA\n\n",
        "old 1\n",
        "old 0\n" + "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n" * 64 + "\n",
    ],
)
def test_it_rejects_malformed_add_checkpoint_requests_with_400(body: str) -> None:
    with pytest.raises(witness.BadRequest) as e:
        witness.parse_add_checkpoint_request(body)
    assert e.value.status == 400


def test_handle_add_checkpoint_runs_the_whole_request() -> None:
    w = _witness()
    body = witness.format_add_checkpoint_request(0, [], _signed(10))
    line = w.handle_add_checkpoint(body, {ORIGIN: [LOG_VKEY]})
    assert witness.verify_cosignature(note.parse(_signed(10)).text, line, W_VKEY)
    assert witness.origin_hash(ORIGIN) == hashlib.sha256(ORIGIN.encode()).hexdigest()
