"""Pure core of a C2SP tlog-witness / tlog-cosignature (Ed25519 cosignature/v1) witness.

No Django, no storage, no HTTP: the platform's view parses the request body
with ``parse_add_checkpoint_request``, loads the witness state, calls
``Witness.add_checkpoint`` and maps ``WitnessError.status`` (and ``.body`` /
``.content_type``) onto the HTTP response.  The check-and-update MUST be atomic
(tlog-witness "add-checkpoint"): load the state row ``SELECT ... FOR UPDATE``,
call ``add_checkpoint``, save ``witness.state`` in the same transaction.

State is a JSON-serialisable dict ``{origin: {"size": int, "root": base64,
"checkpoint": signed checkpoint incl. our cosignature}}``; the stored checkpoint
is what ``GET <monitoring prefix>/<origin_hash(origin)>/checkpoint`` serves.

Error statuses follow tlog-witness.md: 400 malformed request / old size above
the checkpoint size, 403 no valid signature by a trusted log key (or a bad
one), 404 unknown origin, 409 old size not what we last cosigned (body = our
size + newline, content type ``text/x.tlog.size``), 422 bad consistency proof,
forked root, or a size-0 checkpoint with a non-empty root.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from serendip.ledger import note, tlog

__all__ = [
    "AddCheckpointRequest",
    "BadProof",
    "BadRequest",
    "BadSignature",
    "Conflict",
    "UnknownLog",
    "Witness",
    "WitnessError",
    "cosign",
    "cosignature_message",
    "format_add_checkpoint_request",
    "generate_cosigner_key",
    "origin_hash",
    "parse_add_checkpoint_request",
    "verify_cosignature",
]

MAX_PROOF_LINES = 63


class WitnessError(Exception):
    """The witness refuses; ``status`` is the HTTP status tlog-witness.md prescribes."""

    status = 400
    content_type = "text/plain; charset=utf-8"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def body(self) -> str:
        return self.message + "\n"


class BadRequest(WitnessError):
    status = 400


class BadSignature(WitnessError):
    """No valid signature by a trusted key for the origin, or a trusted key's signature is bad."""

    status = 403


class UnknownLog(WitnessError):
    status = 404


class Conflict(WitnessError):
    """``old_size`` is not the size we last cosigned; the body tells the client ours."""

    status = 409
    content_type = "text/x.tlog.size"

    def __init__(self, latest_size: int) -> None:
        super().__init__(f"old size does not match the latest cosigned size {latest_size}")
        self.latest_size = latest_size

    @property
    def body(self) -> str:
        return f"{self.latest_size}\n"


class BadProof(WitnessError):
    """Inconsistent with what we saw: bad consistency proof, fork, or wrong empty root."""

    status = 422


# --------------------------------------------------------------------------------------------
# cosignature/v1
# --------------------------------------------------------------------------------------------


def generate_cosigner_key(name: str) -> tuple[str, str]:
    """A new witness key pair: signer key and a type-0x04 verifier key (tlog-cosignature)."""
    return note.generate_key(name, note.ALG_COSIGNATURE_V1)


def _cosigner(signer_key: str | note.Signer, clock: Callable[[], float] | None = None) -> note.Signer:
    signer = note.new_signer(signer_key, clock=clock) if isinstance(signer_key, str) else signer_key
    if not isinstance(signer, note.CosignatureV1Signer):
        raise note.InvalidKeyError("a witness needs a cosignature/v1 (type 0x04) signer key")
    return signer


def cosignature_message(checkpoint_text: str, timestamp: int) -> bytes:
    """``cosignature/v1\\ntime <t>\\n`` followed by the checkpoint note text."""
    return note.cosignature_v1_message(checkpoint_text.encode("utf-8"), timestamp)


def cosign(checkpoint_text: str, signer_key: str | note.Signer, timestamp: int | None = None) -> str:
    """Cosign a checkpoint body; returns one note signature line (with newline).

    The checkpoint text is parsed first: a witness must only ever cosign checkpoints.
    """
    tlog.parse_checkpoint(checkpoint_text)
    signer = _cosigner(signer_key)
    data = checkpoint_text.encode("utf-8")
    sig = signer.sign(data) if timestamp is None else signer.sign_at(data, timestamp)
    return note.Signature(signer.name, signer.key_id, sig).line


def verify_cosignature(checkpoint_text: str, signature_line: str, cosigner_vkey: str) -> int:
    """Check one cosignature line against a type-0x04 vkey; returns its timestamp.

    Raises ``note.NoteError`` if the line is not from that key or does not verify.
    """
    verifier = note.new_verifier(cosigner_vkey)
    if not isinstance(verifier, note.CosignatureV1Verifier):
        raise note.InvalidKeyError("not a cosignature/v1 (type 0x04) verifier key")
    (sig,) = note.parse_signature_lines(
        signature_line if signature_line.endswith("\n") else signature_line + "\n"
    )
    if (sig.name, sig.key_id) != (verifier.name, verifier.key_id):
        raise note.UnverifiedNoteError("cosignature is not from this cosigner key", (sig,))
    if not verifier.verify(checkpoint_text.encode("utf-8"), sig.signature):
        raise note.InvalidSignatureError("cosignature does not verify", sig)
    assert sig.timestamp is not None
    return sig.timestamp


def origin_hash(origin: str) -> str:
    """Lowercase hex SHA-256 of the origin (the monitoring URL path element)."""
    return hashlib.sha256(origin.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# add-checkpoint request body
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddCheckpointRequest:
    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: str  # the signed checkpoint note


def parse_add_checkpoint_request(body: str | bytes) -> AddCheckpointRequest:
    """Parse ``old <n>\\n``, up to 63 base64 proof lines, an empty line, then the checkpoint.

    Raises ``BadRequest`` (400) on any syntax problem.
    """
    if isinstance(body, bytes | bytearray):
        if len(body) > note.MAX_NOTE_SIZE + 64 * (MAX_PROOF_LINES + 1):
            raise BadRequest("request body is too large")
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError as e:
            raise BadRequest("request body is not UTF-8") from e
    head, sep, checkpoint = body.partition("\n\n")
    if not sep:
        raise BadRequest("request body has no empty line before the checkpoint")
    lines = head.split("\n")
    if not lines[0].startswith("old "):
        raise BadRequest("request body must start with an 'old <size>' line")
    try:
        old_size = tlog._parse_decimal(lines[0][4:], "old size")
    except tlog.CheckpointError as e:
        raise BadRequest(str(e)) from e
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise BadRequest("too many consistency proof lines")
    try:
        proof = tuple(tlog.b64decode_hash(line, "consistency proof line") for line in lines[1:])
    except tlog.CheckpointError as e:
        raise BadRequest(str(e)) from e
    return AddCheckpointRequest(old_size, proof, checkpoint)


def format_add_checkpoint_request(old_size: int, proof: Sequence[bytes], signed_checkpoint: str) -> str:
    """The request body a log sends to a witness (client side of add-checkpoint)."""
    lines = [f"old {old_size}", *(base64.b64encode(h).decode("ascii") for h in proof)]
    return "\n".join(lines) + "\n\n" + signed_checkpoint


# --------------------------------------------------------------------------------------------
# The witness
# --------------------------------------------------------------------------------------------


class Witness:
    """A witness for any number of logs.  ``state`` is the JSON-serialisable record of
    the latest cosigned checkpoint per origin; it only changes when a checkpoint is cosigned.
    """

    def __init__(
        self,
        signer_key: str | note.Signer,
        state: Mapping[str, Any] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.signer = _cosigner(signer_key, clock)
        self.state: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (state or {}).items()}

    @property
    def name(self) -> str:
        return self.signer.name

    @property
    def vkey(self) -> str:
        """The verifier key (type 0x04) clients use for this witness's cosignatures."""
        return self.signer.vkey

    def latest(self, origin: str) -> tuple[int, bytes]:
        """(size, root hash) last cosigned for ``origin``; (0, empty root) if never."""
        entry = self.state.get(origin)
        if entry is None:
            return 0, tlog.EMPTY_ROOT
        return int(entry["size"]), base64.b64decode(entry["root"])

    def checkpoint(self, origin: str) -> str | None:
        """The last cosigned checkpoint (log signatures + ours) for the monitoring endpoint."""
        entry = self.state.get(origin)
        return None if entry is None else entry.get("checkpoint")

    def add_checkpoint(
        self,
        old_size: int,
        consistency_proof: Sequence[bytes],
        signed_checkpoint: str | bytes,
        log_verifier_keys: Mapping[str, Iterable[str]] | Iterable[str],
    ) -> str:
        """Check a checkpoint as tlog-witness add-checkpoint prescribes and cosign it.

        ``log_verifier_keys`` is either the trusted vkeys for this checkpoint's log, or
        a mapping origin -> vkeys.  Returns the cosignature line(s) (the 200 body);
        raises a ``WitnessError`` subclass carrying the HTTP status otherwise.
        """
        try:
            parsed = note.parse(signed_checkpoint)
            cp = tlog.parse_checkpoint(parsed.text)
        except (note.NoteError, tlog.CheckpointError) as e:
            raise BadRequest(f"malformed checkpoint: {e}") from e

        if isinstance(log_verifier_keys, Mapping):
            keys = list(log_verifier_keys.get(cp.origin, ()))
        else:
            keys = list(log_verifier_keys)
        if not keys:
            raise UnknownLog(f"unknown log origin {cp.origin!r}")
        try:
            verifiers = [note.new_verifier(k) for k in keys]
        except note.NoteError as e:
            raise BadSignature(f"bad log verifier key configured: {e}") from e
        try:
            note.open(signed_checkpoint, verifiers)
        except note.NoteError as e:
            raise BadSignature(f"checkpoint is not validly signed by the log: {e}") from e

        if not 0 <= old_size <= cp.size:
            raise BadRequest(f"old size {old_size} is larger than the checkpoint size {cp.size}")
        size, root = self.latest(cp.origin)
        if old_size != size:
            raise Conflict(size)
        if cp.size == 0 and cp.root_hash != tlog.EMPTY_ROOT:
            raise BadProof("a size-0 checkpoint must have the empty tree's root")
        if old_size == 0 and consistency_proof:
            raise BadProof("the consistency proof from size 0 must be empty")
        try:
            tlog.verify_consistency(old_size, cp.size, list(consistency_proof), root, cp.root_hash)
        except tlog.ProofError as e:
            raise BadProof(f"checkpoint is not consistent with the last one cosigned: {e}") from e

        line = cosign(parsed.text, self.signer)
        own = [s for s in parsed.signatures if (s.name, s.key_id) != (self.signer.name, self.signer.key_id)]
        stored = note.format_note(parsed.text, [*own, *note.parse_signature_lines(line)])
        self.state[cp.origin] = {
            "size": cp.size,
            "root": base64.b64encode(cp.root_hash).decode("ascii"),
            "checkpoint": stored,
        }
        return line

    def handle_add_checkpoint(
        self, body: str | bytes, log_verifier_keys: Mapping[str, Iterable[str]] | Iterable[str]
    ) -> str:
        """Parse an add-checkpoint request body and process it (raises ``WitnessError``)."""
        req = parse_add_checkpoint_request(body)
        return self.add_checkpoint(req.old_size, req.proof, req.checkpoint, log_verifier_keys)
