"""C2SP signed notes (c2sp.org/signed-note), compatible with Go's golang.org/x/mod/sumdb/note.

Serendip signs its checkpoints as signed notes and collects witness
cosignatures on them.  This module is pure Python (``cryptography`` for
Ed25519) and imports no Django.

Key strings are Go sumdb/note's formats::

    signer key    PRIVATE+KEY+<name>+<hex key id>+base64(<type byte> || 32-byte Ed25519 seed)
    verifier key  <name>+<hex key id>+base64(<type byte> || 32-byte Ed25519 public key)
    key id        = SHA-256(<name> || "\\n" || <type byte> || <public key>)[:4]

Two signature types are supported:

* ``0x01`` (``ALG_ED25519``): plain Ed25519 over the note text (log signatures).
* ``0x04`` (``ALG_COSIGNATURE_V1``): c2sp.org/tlog-cosignature timestamped Ed25519
  cosignatures; the signed message is ``"cosignature/v1\\ntime <t>\\n" + text``
  and the signature bytes are ``uint64be(t) || ed25519 signature``.  Supporting
  it here means ``verify``/``open`` check witness cosignatures with the same
  call that checks the log's signature.

Main entry points: ``generate_key``, ``sign``, ``verify`` (strict, returns the
text), ``open`` (returns verified and unverified signatures), ``add_signatures``
(merge witness cosignature lines into a note), ``parse``/``parse_signature_lines``
(syntax only), ``new_signer``/``new_verifier`` (key strings to objects).

Verification rules (signed-note "Signatures" section): signatures from unknown
keys (name *and* key id must both match) are ignored; a known key's signature
that fails to verify rejects the whole note; at least one known key must have
signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "ALG_COSIGNATURE_V1",
    "ALG_ED25519",
    "MAX_NOTE_SIZE",
    "MAX_SIGNATURES",
    "CosignatureV1Signer",
    "CosignatureV1Verifier",
    "Ed25519Signer",
    "Ed25519Verifier",
    "InvalidKeyError",
    "InvalidSignatureError",
    "MalformedNoteError",
    "Note",
    "NoteError",
    "Signature",
    "Signer",
    "UnverifiedNoteError",
    "Verifier",
    "add_signatures",
    "format_note",
    "generate_key",
    "is_valid_name",
    "key_id",
    "new_signer",
    "new_verifier",
    "open",
    "parse",
    "parse_signature_lines",
    "sign",
    "signer_key_string",
    "verifier_key_string",
    "verify",
]

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04

# The spec asks verifiers to accept at least 16 signatures; Go's note package
# stops at 100.  1 MiB is far above any checkpoint plus 100 Ed25519 lines.
MAX_SIGNATURES = 100
MAX_NOTE_SIZE = 1 << 20

SIG_PREFIX = "\u2014 "  # em dash, space
COSIGNATURE_V1_HEADER = "cosignature/v1\n"

_HEX8 = re.compile(r"[0-9a-f]{8}")


class NoteError(ValueError):
    """Base class: the note, key or signature was not acceptable."""


class MalformedNoteError(NoteError):
    """The note does not follow the signed-note syntax or size limits."""


class InvalidKeyError(NoteError):
    """A signer or verifier key string is malformed or inconsistent."""


class UnverifiedNoteError(NoteError):
    """No signature from a known key was found; the text MUST be ignored."""

    def __init__(self, message: str, signatures: tuple[Signature, ...] = ()) -> None:
        super().__init__(message)
        self.signatures = signatures


class InvalidSignatureError(NoteError):
    """A signature line matched a known key (name and id) but did not verify."""

    def __init__(self, message: str, signature: Signature | None = None) -> None:
        super().__init__(message)
        self.signature = signature


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------


def is_valid_name(name: str) -> bool:
    """Key names are non-empty and contain no Unicode space, no '+' and no control character."""
    return bool(name) and not any(c.isspace() or c == "+" or ord(c) < 0x20 for c in name)


def key_id(name: str, alg_and_public_key: bytes) -> int:
    """SHA-256(name || 0x0A || type byte || public key)[:4] as a big-endian uint32."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + alg_and_public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(s: str, error: type[NoteError], what: str) -> bytes:
    try:
        return base64.b64decode(s.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as e:
        raise error(f"{what} is not valid base64") from e


def verifier_key_string(name: str, alg: int, public_key: bytes) -> str:
    """Encode a vkey: ``<name>+<hex key id>+base64(<type> || public key)``."""
    if not is_valid_name(name):
        raise InvalidKeyError(f"invalid key name {name!r}")
    material = bytes([alg]) + public_key
    return f"{name}+{key_id(name, material):08x}+{_b64(material)}"


def signer_key_string(name: str, alg: int, seed: bytes) -> str:
    """Encode a signer key the way Go's note.GenerateKey does (key id of the *public* key)."""
    if not is_valid_name(name):
        raise InvalidKeyError(f"invalid key name {name!r}")
    if len(seed) != 32:
        raise InvalidKeyError("Ed25519 seeds are 32 bytes")
    public = _public_from_seed(seed)
    kid = key_id(name, bytes([alg]) + public)
    return f"PRIVATE+KEY+{name}+{kid:08x}+{_b64(bytes([alg]) + seed)}"


def _public_from_seed(seed: bytes) -> bytes:
    return (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def generate_key(name: str, alg: int = ALG_ED25519) -> tuple[str, str]:
    """A fresh Ed25519 key pair as (signer key, verifier key) strings.

    ``alg`` may be ``ALG_COSIGNATURE_V1`` for a witness (cosigner) key.
    """
    if alg not in (ALG_ED25519, ALG_COSIGNATURE_V1):
        raise InvalidKeyError(f"unsupported key type {alg:#04x}")
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return signer_key_string(name, alg, seed), verifier_key_string(name, alg, public)


class Verifier:
    """Checks signatures of one key.  ``verify`` gets the note text and the signature bytes
    that follow the 4-byte key id."""

    alg: int = -1

    def __init__(self, name: str, public_key: bytes) -> None:
        if not is_valid_name(name):
            raise InvalidKeyError(f"invalid key name {name!r}")
        if len(public_key) != 32:
            raise InvalidKeyError("Ed25519 public keys are 32 bytes")
        self.name = name
        self.public_key = public_key
        self.key_id = key_id(name, bytes([self.alg]) + public_key)
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    @property
    def vkey(self) -> str:
        return verifier_key_string(self.name, self.alg, self.public_key)

    def verify(self, text: bytes, sig: bytes) -> bool:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.vkey!r})"


class Ed25519Verifier(Verifier):
    """Signature type 0x01: Ed25519 over the note text."""

    alg = ALG_ED25519

    def verify(self, text: bytes, sig: bytes) -> bool:
        if len(sig) != 64:
            return False
        try:
            self._key.verify(sig, text)
        except InvalidSignature:
            return False
        return True


def cosignature_v1_message(text: bytes, timestamp: int) -> bytes:
    """The bytes an Ed25519 cosignature/v1 signs: header, time line, then the note text."""
    return f"{COSIGNATURE_V1_HEADER}time {timestamp}\n".encode("ascii") + text


class CosignatureV1Verifier(Verifier):
    """Signature type 0x04: c2sp.org/tlog-cosignature timestamped Ed25519 cosignatures."""

    alg = ALG_COSIGNATURE_V1

    def verify(self, text: bytes, sig: bytes) -> bool:
        if len(sig) != 8 + 64:
            return False
        (timestamp,) = struct.unpack(">Q", sig[:8])
        if timestamp >= 1 << 63:
            return False
        try:
            self._key.verify(sig[8:], cosignature_v1_message(text, timestamp))
        except InvalidSignature:
            return False
        return True


class Signer:
    """Produces signatures of one key; ``sign`` returns the bytes after the key id."""

    alg: int = -1

    def __init__(self, name: str, seed: bytes) -> None:
        if not is_valid_name(name):
            raise InvalidKeyError(f"invalid key name {name!r}")
        if len(seed) != 32:
            raise InvalidKeyError("Ed25519 seeds are 32 bytes")
        self.name = name
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.key_id = key_id(name, bytes([self.alg]) + self.public_key)

    @property
    def vkey(self) -> str:
        return verifier_key_string(self.name, self.alg, self.public_key)

    def verifier(self) -> Verifier:
        return new_verifier(self.vkey)

    def sign(self, text: bytes) -> bytes:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.vkey!r})"


class Ed25519Signer(Signer):
    alg = ALG_ED25519

    def sign(self, text: bytes) -> bytes:
        return self._key.sign(text)


class CosignatureV1Signer(Signer):
    """Cosigns with the current time (``clock`` returns POSIX seconds; injectable for tests)."""

    alg = ALG_COSIGNATURE_V1

    def __init__(self, name: str, seed: bytes, clock: Callable[[], float] | None = None) -> None:
        super().__init__(name, seed)
        self.clock = clock or time.time

    def sign(self, text: bytes) -> bytes:
        return self.sign_at(text, int(self.clock()))

    def sign_at(self, text: bytes, timestamp: int) -> bytes:
        if not 0 < timestamp < 1 << 63:
            raise ValueError("cosignature timestamps must be positive and below 2**63")
        return struct.pack(">Q", timestamp) + self._key.sign(cosignature_v1_message(text, timestamp))


_VERIFIERS: dict[int, type[Verifier]] = {
    ALG_ED25519: Ed25519Verifier,
    ALG_COSIGNATURE_V1: CosignatureV1Verifier,
}
_SIGNERS: dict[int, type[Signer]] = {ALG_ED25519: Ed25519Signer, ALG_COSIGNATURE_V1: CosignatureV1Signer}


def new_verifier(vkey: str) -> Verifier:
    """Parse a verifier key string (type 0x01 or 0x04), checking that its key id matches."""
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise InvalidKeyError("verifier key must be <name>+<id>+<key>")
    name, kid, material_b64 = parts
    if not is_valid_name(name) or not _HEX8.fullmatch(kid):
        raise InvalidKeyError("malformed verifier key name or id")
    material = _unb64(material_b64, InvalidKeyError, "verifier key")
    if len(material) < 1 or material[0] not in _VERIFIERS:
        raise InvalidKeyError("unknown verifier key type")
    if len(material) != 33:
        raise InvalidKeyError("Ed25519 verifier keys are 32 bytes")
    if key_id(name, material) != int(kid, 16):
        raise InvalidKeyError("verifier key id does not match the key")
    return _VERIFIERS[material[0]](name, material[1:])


def new_signer(skey: str, *, clock: Callable[[], float] | None = None) -> Signer:
    """Parse a signer key string (type 0x01 or 0x04), checking that its key id matches."""
    parts = skey.split("+", 4)
    if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
        raise InvalidKeyError("signer key must be PRIVATE+KEY+<name>+<id>+<key>")
    name, kid, material_b64 = parts[2:]
    if not is_valid_name(name) or not _HEX8.fullmatch(kid):
        raise InvalidKeyError("malformed signer key name or id")
    material = _unb64(material_b64, InvalidKeyError, "signer key")
    if len(material) < 1 or material[0] not in _SIGNERS:
        raise InvalidKeyError("unknown signer key type")
    if len(material) != 33:
        raise InvalidKeyError("Ed25519 signer keys are 32-byte seeds")
    alg, seed = material[0], material[1:]
    signer = (
        CosignatureV1Signer(name, seed, clock) if alg == ALG_COSIGNATURE_V1 else Ed25519Signer(name, seed)
    )
    if signer.key_id != int(kid, 16):
        raise InvalidKeyError("signer key id does not match the key")
    return signer


# --------------------------------------------------------------------------------------------
# Notes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key id, and the signature bytes after the key id."""

    name: str
    key_id: int
    signature: bytes

    @property
    def line(self) -> str:
        """``— <name> base64(key id || signature)`` with its newline."""
        return f"{SIG_PREFIX}{self.name} {_b64(self.key_id.to_bytes(4, 'big') + self.signature)}\n"

    @property
    def timestamp(self) -> int | None:
        """The cosignature timestamp, if this is shaped like an Ed25519 cosignature/v1."""
        if len(self.signature) != 72:
            return None
        return int.from_bytes(self.signature[:8], "big")


@dataclass(frozen=True)
class Note:
    """A parsed (not verified!) note: its text and signature lines."""

    text: str
    signatures: tuple[Signature, ...]

    def to_text(self) -> str:
        return format_note(self.text, self.signatures)


def _as_str(msg: str | bytes) -> str:
    if isinstance(msg, bytes | bytearray | memoryview):
        if len(msg) > MAX_NOTE_SIZE:
            raise MalformedNoteError("note is too large")
        try:
            return bytes(msg).decode("utf-8")
        except UnicodeDecodeError as e:
            raise MalformedNoteError("note is not valid UTF-8") from e
    return msg


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end in a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise MalformedNoteError("note text contains a control character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:  # lone surrogates in a Python str
        raise MalformedNoteError("note text is not valid UTF-8") from e


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(SIG_PREFIX):
        raise MalformedNoteError("signature line does not start with an em dash and a space")
    fields = line[len(SIG_PREFIX) :].split(" ")
    if len(fields) != 2:
        raise MalformedNoteError("signature line must be '— <name> <base64>'")
    name, b64 = fields
    if not is_valid_name(name):
        raise MalformedNoteError(f"invalid key name {name!r} in signature line")
    raw = _unb64(b64, MalformedNoteError, "signature")
    if len(raw) < 5:
        raise MalformedNoteError("signature is too short")
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def parse_signature_lines(lines: str | bytes) -> list[Signature]:
    """Parse newline-terminated signature lines (e.g. a witness add-checkpoint response)."""
    s = _as_str(lines)
    if not s.endswith("\n"):
        raise MalformedNoteError("signature lines must end in a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in s):
        raise MalformedNoteError("signature lines contain a control character")
    out = [_parse_signature_line(line) for line in s[:-1].split("\n")]
    if len(out) > MAX_SIGNATURES:
        raise MalformedNoteError("too many signatures")
    return out


def parse(msg: str | bytes) -> Note:
    """Split a signed note into text and signature lines, enforcing the syntax and size
    rules.  Nothing is verified: do not trust ``Note.text`` from this."""
    s = _as_str(msg)
    if len(s.encode("utf-8", "surrogatepass")) > MAX_NOTE_SIZE:
        raise MalformedNoteError("note is too large")
    if any(ord(c) < 0x20 and c != "\n" for c in s):
        raise MalformedNoteError("note contains a control character")
    # The text is separated from the signatures by the *last* empty line.
    i = s.rfind("\n\n")
    if i < 0:
        raise MalformedNoteError("note has no signatures")
    text, sigs = s[: i + 1], s[i + 2 :]
    _check_text(text)
    if not sigs:
        raise MalformedNoteError("note has no signatures")
    return Note(text, tuple(parse_signature_lines(sigs)))


def format_note(text: str, signatures: Iterable[Signature]) -> str:
    """Assemble text and signature lines into a note (no checking of the signatures)."""
    _check_text(text)
    sigs = list(signatures)
    if not sigs:
        raise MalformedNoteError("a signed note needs at least one signature")
    if len(sigs) > MAX_SIGNATURES:
        raise MalformedNoteError("too many signatures")
    msg = text + "\n" + "".join(sig.line for sig in sigs)
    if len(msg.encode("utf-8")) > MAX_NOTE_SIZE:
        raise MalformedNoteError("note is too large")
    return msg


def _signer(s: str | Signer) -> Signer:
    return new_signer(s) if isinstance(s, str) else s


def sign(text: str, *signer_keys: str | Signer) -> str:
    """Sign ``text`` with one or more signer keys (strings or ``Signer`` objects)."""
    if not signer_keys:
        raise ValueError("sign needs at least one signer key")
    _check_text(text)
    data = text.encode("utf-8")
    sigs = []
    for key in signer_keys:
        signer = _signer(key)
        sigs.append(Signature(signer.name, signer.key_id, signer.sign(data)))
    return format_note(text, sigs)


def add_signatures(msg: str | bytes, signatures: Iterable[Signature | str]) -> str:
    """Append signature lines (``Signature`` objects or line text) to a note.

    This is how witness cosignatures are collected: the text is untouched, exact
    duplicate lines are dropped, order is kept.  Nothing is verified here — run
    ``open`` with the witness keys on the result (or on what you are adding).
    """
    n = parse(msg)
    new: list[Signature] = []
    for sig in signatures:
        if isinstance(sig, str):
            new += parse_signature_lines(sig if sig.endswith("\n") else sig + "\n")
        else:
            new.append(sig)
    merged = list(dict.fromkeys([*n.signatures, *new]))
    return format_note(n.text, merged)


def _verifier(v: str | Verifier) -> Verifier:
    return new_verifier(v) if isinstance(v, str) else v


def open(  # shadows the builtin on purpose: mirrors Go's note.Open
    msg: str | bytes, verifiers: Iterable[str | Verifier]
) -> tuple[str, list[Signature], list[Signature]]:
    """Verify a note: returns ``(text, verified signatures, unverified signatures)``.

    Unknown keys (no verifier with that name *and* key id) go to the unverified
    list.  Raises ``InvalidSignatureError`` if a known key's signature fails,
    ``UnverifiedNoteError`` if no known key signed, ``MalformedNoteError`` on syntax.
    """
    n = parse(msg)
    known: dict[tuple[str, int], Verifier] = {}
    for v in map(_verifier, verifiers):
        other = known.setdefault((v.name, v.key_id), v)
        if other is not v and other.vkey != v.vkey:
            raise InvalidKeyError(f"two verifier keys share name {v.name!r} and id {v.key_id:08x}")
    text_bytes = n.text.encode("utf-8")
    verified: list[Signature] = []
    unverified: list[Signature] = []
    for sig in dict.fromkeys(n.signatures):  # exact duplicate lines count once
        v = known.get((sig.name, sig.key_id))
        if v is None:
            unverified.append(sig)
        elif v.verify(text_bytes, sig.signature):
            verified.append(sig)
        else:
            raise InvalidSignatureError(f"invalid signature by {sig.name} ({sig.key_id:08x})", sig)
    if not verified:
        raise UnverifiedNoteError("note has no signature from a known key", tuple(unverified))
    return n.text, verified, unverified


def verify(msg: str | bytes, verifier_keys: Iterable[str | Verifier]) -> str:
    """Return the note text if at least one known key signed it and no known key's
    signature is bad; otherwise raise ``NoteError``."""
    text, _verified, _unverified = open(msg, verifier_keys)
    return text
