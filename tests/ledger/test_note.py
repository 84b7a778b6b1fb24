"""Signed notes: Go sumdb/note and C2SP signed-note examples, and the verification rules."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serendip.ledger import note

# golang.org/x/mod/sumdb/note documentation example.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

# c2sp.org/signed-note "Verifier keys" example.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n\u2014 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
# The signed-note introduction (no key published for it).
QUASIMODO = (
    "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n"
    "\u2014 quasimodo.example/salvatore "
    "NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
)


def test_it_reproduces_the_go_reference_signature_byte_for_byte() -> None:
    assert note.sign(GO_TEXT, GO_SKEY) == GO_NOTE


def test_it_verifies_the_go_reference_note() -> None:
    assert note.verify(GO_NOTE, [GO_VKEY]) == GO_TEXT


def test_it_verifies_the_signed_note_spec_example() -> None:
    assert note.verify(SPEC_NOTE, [SPEC_VKEY]) == "This is an example message.\n"


def test_the_quasimodo_example_splits_at_the_last_blank_line() -> None:
    n = note.parse(QUASIMODO)
    assert n.text.endswith("trafitto da un raggio di sole:\n\ned è subito sera.\n")
    assert [s.name for s in n.signatures] == ["quasimodo.example/salvatore"]
    with pytest.raises(note.UnverifiedNoteError):
        note.verify(QUASIMODO, [GO_VKEY])


def test_signer_keys_parse_to_the_published_verifier_key() -> None:
    assert note.new_signer(GO_SKEY).vkey == GO_VKEY
    assert note.new_verifier(GO_VKEY).key_id == 0xC74F20A3


def test_generated_keys_have_the_go_string_formats_and_work() -> None:
    skey, vkey = note.generate_key("serendip.example/log")
    assert re.fullmatch(r"PRIVATE\+KEY\+serendip\.example/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}", skey)
    assert re.fullmatch(r"serendip\.example/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}", vkey)
    assert skey.split("+")[3] == vkey.split("+")[1]
    assert note.verify(note.sign("hello\n", skey), [vkey]) == "hello\n"


def test_it_rejects_a_note_signed_only_by_unknown_keys() -> None:
    other_skey, other_vkey = note.generate_key("PeterNeumann")  # same name, other key id
    with pytest.raises(note.UnverifiedNoteError):
        note.verify(GO_NOTE, [other_vkey])
    with pytest.raises(note.UnverifiedNoteError):
        note.verify(note.sign(GO_TEXT, other_skey), [GO_VKEY])


def test_it_rejects_a_note_whose_known_key_signature_is_bad_even_with_another_good_one() -> None:
    skey, vkey = note.generate_key("other.example")
    forged = note.add_signatures(note.sign("text\n", skey), [GO_NOTE.split("\n\n")[1]])
    with pytest.raises(note.InvalidSignatureError):
        note.verify(forged, [vkey, GO_VKEY])


def test_it_rejects_a_note_with_altered_text() -> None:
    with pytest.raises(note.InvalidSignatureError):
        note.verify(GO_NOTE.replace("answer", "answers"), [GO_VKEY])


def test_open_separates_verified_from_unknown_signatures() -> None:
    skey, _ = note.generate_key("unknown.example")
    msg = note.sign(GO_TEXT, GO_SKEY, skey)
    text, verified, unverified = note.open(msg, [GO_VKEY])
    assert text == GO_TEXT
    assert [s.name for s in verified] == ["PeterNeumann"]
    assert [s.name for s in unverified] == ["unknown.example"]


def test_add_signatures_appends_cosignatures_once() -> None:
    skey, vkey = note.generate_key("witness.example")
    line = note.sign(GO_TEXT, skey).split("\n\n")[1]
    merged = note.add_signatures(GO_NOTE, [line, line])
    assert merged == GO_NOTE + line
    assert note.add_signatures(merged, [line]) == merged
    _, verified, _ = note.open(merged, [GO_VKEY, vkey])
    assert len(verified) == 2


def test_cosignature_keys_verify_through_the_generic_note_api() -> None:
    skey, vkey = note.generate_key("witness.example/w1", note.ALG_COSIGNATURE_V1)
    signer = note.new_signer(skey, clock=lambda: 1679315147)
    line = note.sign(GO_TEXT, signer).split("\n\n")[1]
    sig = note.parse_signature_lines(line)[0]
    assert sig.timestamp == 1679315147
    assert note.open(note.add_signatures(GO_NOTE, [line]), [vkey])[1] == [sig]
    # A cosignature key is not an Ed25519 note key: same name and key, other key id.
    plain = note.verifier_key_string("witness.example/w1", note.ALG_ED25519, signer.public_key)
    with pytest.raises(note.UnverifiedNoteError):
        note.open(note.add_signatures(GO_NOTE, [line]), [plain])


@pytest.mark.parametrize(
    "msg",
    [
        GO_TEXT,  # no signatures at all
        GO_TEXT + "\n",  # blank line but no signature lines
        GO_TEXT.rstrip("\n") + "\n\u2014 PeterNeumann x08go/ZJku\n"[:-1],  # no final newline
        GO_NOTE.replace("\u2014 ", "- "),  # not an em dash
        GO_NOTE.replace("PeterNeumann x08", "Peter+Neumann x08"),
        GO_NOTE.replace("PeterNeumann x08", "Peter Neumann x08"),
        GO_NOTE.replace("x08go", "x08g!"),  # bad base64
        GO_NOTE.replace("problem,", "problem,\t"),  # control character
        GO_NOTE.replace("problem,", "problem,\r"),
        "\u2014 PeterNeumann AAAAAAAA\n",
        GO_TEXT + "\n\u2014 PeterNeumann AAAA\n",  # signature shorter than a key id + 1
    ],
)
def test_it_rejects_malformed_notes(msg: str) -> None:
    with pytest.raises(note.MalformedNoteError):
        note.open(msg, [GO_VKEY])


def test_it_rejects_notes_over_the_size_and_signature_limits() -> None:
    line = GO_NOTE.split("\n\n")[1]
    unknown = [line.replace("PeterNeumann", f"w{i}") for i in range(note.MAX_SIGNATURES)]
    with pytest.raises(note.MalformedNoteError):
        note.add_signatures(GO_NOTE, unknown)
    with pytest.raises(note.MalformedNoteError):
        note.open(("x" * note.MAX_NOTE_SIZE) + "\n" + "\n" + line, [GO_VKEY])
    # 16 signatures (the spec's floor) are fine.
    assert note.verify(note.add_signatures(GO_NOTE, unknown[:15]), [GO_VKEY]) == GO_TEXT


def test_invalid_utf8_is_malformed() -> None:
    with pytest.raises(note.MalformedNoteError):
        note.open(b"\xff\n\n" + GO_NOTE.split("\n\n")[1].encode(), [GO_VKEY])


def test_it_refuses_to_sign_text_that_is_not_a_valid_note_text() -> None:
    for bad in ["no newline", "tab\there\n", ""]:
        with pytest.raises(note.MalformedNoteError):
            note.sign(bad, GO_SKEY)


def test_mangled_verifier_and_signer_keys_are_rejected() -> None:
    for key, parse in ((GO_VKEY, note.new_verifier), (GO_SKEY, note.new_signer)):
        for i in range(len(key)):
            mangled = key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :]
            with pytest.raises(note.InvalidKeyError):
                parse(mangled)  # type: ignore[operator]
        for j in range(1, len(key)):
            with pytest.raises(note.InvalidKeyError):
                parse(key[:j])  # type: ignore[operator]


def test_key_names_follow_the_spec() -> None:
    assert note.is_valid_name("example.com/foo")
    for bad in ["", "a b", "a+b", "a\u00a0b", "a\nb"]:
        assert not note.is_valid_name(bad)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(st.characters(min_codepoint=0x20, exclude_categories=("Cs",)), max_size=30), min_size=1)
)
def test_any_valid_text_round_trips_through_sign_and_verify(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    skey, vkey = note.generate_key("prop.example")
    msg = note.sign(text, skey)
    assert note.verify(msg, [vkey]) == text
    assert note.verify(msg.encode("utf-8"), [vkey]) == text
