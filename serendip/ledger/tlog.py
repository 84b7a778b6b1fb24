"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and C2SP checkpoints.

This is the pure core of Serendip's transparency log: it knows nothing about
Django, storage or HTTP, so an outside auditor can vendor this one file and
check everything the platform publishes.

Hashing (RFC 6962 section 2.1, SHA-256)::

    leaf_hash(d)    = SHA-256(0x00 || d)
    node_hash(l, r) = SHA-256(0x01 || l || r)
    root([])        = SHA-256("")

Proofs are built from *ranges*: every hash in an RFC 6962 inclusion or
consistency proof is the Merkle Tree Hash of some leaf range ``[lo, hi)``.
``inclusion_proof_ranges``/``consistency_proof_ranges`` return those ranges,
``range_nodes`` splits a range into complete (perfect) subtrees addressed as
``(level, index)`` — the node covering leaves ``[index << level, (index + 1) << level)`` —
and ``hash_nodes`` folds their hashes back together.  ``serendip.ledger.tiles``
uses exactly this to compute proofs from stored tiles; the functions taking a
list of leaf hashes here are the simple in-memory reference.

Also here (so that the auditor's single-file story holds): the C2SP
tlog-checkpoint body (``Checkpoint``, ``parse_checkpoint``) and the C2SP
tlog-proof text format (``TlogProof``, ``parse_tlog_proof``).  Signatures on
checkpoints live in ``serendip.ledger.note``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Checkpoint",
    "CheckpointError",
    "Node",
    "ProofError",
    "TlogProof",
    "b64decode_hash",
    "consistency_proof",
    "consistency_proof_ranges",
    "hash_nodes",
    "hash_range",
    "inclusion_proof",
    "inclusion_proof_ranges",
    "leaf_hash",
    "node_hash",
    "parse_checkpoint",
    "parse_tlog_proof",
    "range_nodes",
    "root",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# A complete subtree: (level, index) covers leaves [index << level, (index + 1) << level).
Node = tuple[int, int]

_sha256 = hashlib.sha256


class ProofError(ValueError):
    """An inclusion or consistency proof (or the root it was checked against) is wrong."""


class CheckpointError(ValueError):
    """A checkpoint or tlog-proof body is malformed."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash: SHA-256(0x00 || data)."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash: SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def _mth(hashes: Sequence[bytes]) -> bytes:
    """Merkle Tree Hash of a run of already-hashed leaves.

    Pairing neighbours level by level and promoting an odd last node unchanged
    gives exactly RFC 6962's "split at the largest power of two" tree, without
    recursion, which matters at a million leaves.
    """
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    sha = _sha256
    while len(level) > 1:
        nxt = [sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) & 1:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """RFC 6962 Merkle Tree Hash of a list of leaf hashes (the empty tree's is SHA-256 of "")."""
    return _mth(leaf_hashes)


def _largest_pow2_below(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form RFC 6962 PATH(index, D[0:size]), leaf side first."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is not in a tree of size {size}")
    out: list[tuple[int, int]] = []
    lo, hi = 0, size
    # Walk down from the root; RFC order is bottom-up, so reverse at the end.
    while hi - lo > 1:
        k = _largest_pow2_below(hi - lo)
        if index < lo + k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
    out.reverse()
    return out


def consistency_proof_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form RFC 6962 PROOF(size1, D[0:size2])."""
    if not 0 <= size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")
    if size1 == 0 or size1 == size2:
        return []
    out: list[tuple[int, int]] = []
    lo, hi, m, complete = 0, size2, size1, True
    while True:
        n = hi - lo
        if m == n:
            # SUBPROOF(m, D[m], b): nothing if the old tree is a prefix node we already know.
            if not complete:
                out.append((lo, hi))
            break
        k = _largest_pow2_below(n)
        if m <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
            m -= k
            complete = False
    out.reverse()
    return out


def range_nodes(lo: int, hi: int) -> list[Node]:
    """Split leaf range [lo, hi) into maximal aligned complete subtrees, left to right.

    For the ranges that occur in RFC 6962 trees (the root range and every proof
    range) the result is exactly the nodes whose right fold is MTH(D[lo:hi]).
    """
    if not 0 <= lo <= hi:
        raise ValueError(f"bad leaf range [{lo}, {hi})")
    nodes: list[Node] = []
    while lo < hi:
        k = (hi - lo).bit_length() - 1
        if lo:
            k = min(k, (lo & -lo).bit_length() - 1)
        nodes.append((k, lo >> k))
        lo += 1 << k
    return nodes


def hash_nodes(hashes: Sequence[bytes]) -> bytes:
    """Fold the hashes of ``range_nodes(lo, hi)`` (same order) into MTH(D[lo:hi])."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def hash_range(lo: int, hi: int, get_node: Callable[[Node], bytes]) -> bytes:
    """MTH(D[lo:hi]) using ``get_node((level, index))`` for the complete subtrees."""
    return hash_nodes([get_node(n) for n in range_nodes(lo, hi)])


def _check_size(leaf_hashes: Sequence[bytes], size: int) -> Sequence[bytes]:
    if not 0 <= size <= len(leaf_hashes):
        raise ValueError(f"size {size} exceeds the {len(leaf_hashes)} leaf hashes given")
    return leaf_hashes[:size]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """RFC 6962 inclusion proof of leaf ``index`` in the tree of the first ``size`` leaf hashes."""
    leaves = _check_size(leaf_hashes, size)
    return [_mth(leaves[lo:hi]) for lo, hi in inclusion_proof_ranges(index, size)]


def consistency_proof(leaf_hashes: Sequence[bytes], size1: int, size2: int) -> list[bytes]:
    """RFC 6962 consistency proof between the trees of the first ``size1`` and ``size2`` leaves."""
    leaves = _check_size(leaf_hashes, size2)
    return [_mth(leaves[lo:hi]) for lo, hi in consistency_proof_ranges(size1, size2)]


def _check_hashes(proof: Iterable[bytes], *named: tuple[str, bytes]) -> list[bytes]:
    proof = list(proof)
    for i, h in enumerate(proof):
        if not isinstance(h, bytes | bytearray) or len(h) != HASH_SIZE:
            raise ProofError(f"proof hash {i} is not a {HASH_SIZE}-byte hash")
    for name, h in named:
        if not isinstance(h, bytes | bytearray) or len(h) != HASH_SIZE:
            raise ProofError(f"{name} is not a {HASH_SIZE}-byte hash")
    return proof


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check an RFC 6962 inclusion proof (RFC 9162 section 2.1.3.2); raise ProofError if wrong."""
    hashes = _check_hashes(proof, ("leaf hash", leaf_hash), ("root", root))
    if not 0 <= index < size:
        raise ProofError(f"index {index} is not in a tree of size {size}")
    fn, sn, r = index, size - 1, bytes(leaf_hash)
    for p in hashes:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # Skip the levels where this node is a right-edge node promoted unchanged.
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    if not hmac.compare_digest(r, root):
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Check an RFC 6962 consistency proof (RFC 9162 section 2.1.4.2); raise ProofError if wrong."""
    hashes = _check_hashes(proof, ("old root", root1), ("new root", root2))
    if not 0 <= size1 <= size2:
        raise ProofError(f"tree size {size1} cannot be consistent with smaller size {size2}")
    if size1 == size2:
        if hashes:
            raise ProofError("consistency proof between equal sizes must be empty")
        if not hmac.compare_digest(root1, root2):
            raise ProofError("equal tree sizes but different roots")
        return
    if size1 == 0:
        # The empty tree is a prefix of everything; there is nothing to prove.
        if hashes:
            raise ProofError("consistency proof from the empty tree must be empty")
        if not hmac.compare_digest(root1, EMPTY_ROOT):
            raise ProofError("the empty tree's root is not SHA-256 of the empty string")
        return
    if not hashes:
        raise ProofError("consistency proof is empty")
    if size1 & (size1 - 1) == 0:
        # The old tree is itself a complete node, which the proof leaves implicit.
        hashes = [bytes(root1), *hashes]
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if not hmac.compare_digest(fr, root1):
        raise ProofError("consistency proof does not lead to the old root")
    if not hmac.compare_digest(sr, root2):
        raise ProofError("consistency proof does not lead to the new root")


# --------------------------------------------------------------------------------------------
# C2SP tlog-checkpoint (the note *text*; signing it is note.sign's job)
# --------------------------------------------------------------------------------------------


def b64decode_hash(s: str, what: str = "hash") -> bytes:
    """Strict standard-base64 decoding of one 32-byte hash (canonical encoding only)."""
    try:
        raw = base64.b64decode(s.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as e:
        raise CheckpointError(f"{what} is not valid base64") from e
    if len(raw) != HASH_SIZE:
        raise CheckpointError(f"{what} is not a {HASH_SIZE}-byte hash")
    if base64.b64encode(raw).decode("ascii") != s:
        raise CheckpointError(f"{what} is not canonically encoded")
    return raw


def _parse_decimal(s: str, what: str) -> int:
    # ASCII digits only, no sign, no leading zeroes (except "0" itself).
    if not s or not s.isascii() or not s.isdigit() or (s[0] == "0" and s != "0"):
        raise CheckpointError(f"{what} {s!r} is not a canonical decimal")
    value = int(s)
    if value >= 1 << 63:
        raise CheckpointError(f"{what} is too large")
    return value


@dataclass(frozen=True)
class Checkpoint:
    """The body of a C2SP tlog-checkpoint: origin, tree size, root hash, extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise CheckpointError("origin must be a non-empty single line")
        if not 0 <= self.size < 1 << 63:
            raise CheckpointError("tree size out of range")
        if len(self.root_hash) != HASH_SIZE:
            raise CheckpointError("root hash must be 32 bytes")
        for ext in self.extensions:
            if not ext or "\n" in ext:
                raise CheckpointError("extension lines must be non-empty single lines")

    def to_text(self) -> str:
        """The note text: origin, size, base64 root, extension lines, each newline-terminated."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode("ascii")]
        return "\n".join([*lines, *self.extensions]) + "\n"

    format = to_text


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse (strictly) a checkpoint note text, i.e. the part before the signatures."""
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("checkpoint text needs origin, size and root hash lines")
    origin, size_s, root_s, *ext = lines
    if not origin:
        raise CheckpointError("checkpoint origin is empty")
    if any(not e for e in ext):
        raise CheckpointError("checkpoint extension lines must be non-empty")
    size = _parse_decimal(size_s, "tree size")
    return Checkpoint(origin, size, b64decode_hash(root_s, "root hash"), tuple(ext))


# --------------------------------------------------------------------------------------------
# C2SP tlog-proof (c2sp.org/tlog-proof@v1): an offline-verifiable inclusion proof
# --------------------------------------------------------------------------------------------

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"


@dataclass(frozen=True)
class TlogProof:
    """A parsed tlog-proof: index, inclusion proof, the signed checkpoint note, optional extra data.

    Verifying one is: ``note.open`` the checkpoint with the log (and witness) keys,
    ``parse_checkpoint`` the text, then ``verify_inclusion`` against its root.
    """

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str  # the signed checkpoint note, verbatim
    extra: bytes | None = None

    def to_text(self) -> str:
        lines = [TLOG_PROOF_HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode("ascii"))
        lines.append(f"index {self.index}")
        lines += [base64.b64encode(h).decode("ascii") for h in self.proof]
        return "\n".join(lines) + "\n\n" + self.checkpoint


def parse_tlog_proof(text: str) -> TlogProof:
    """Parse a c2sp.org/tlog-proof@v1 text (syntax only; signatures are not checked here)."""
    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise CheckpointError("tlog-proof has no blank line before the checkpoint")
    lines = head.split("\n")
    if lines[0] != TLOG_PROOF_HEADER:
        raise CheckpointError("not a c2sp.org/tlog-proof@v1 proof")
    rest = lines[1:]
    extra = None
    if rest and rest[0].startswith("extra "):
        try:
            extra = base64.b64decode(rest[0][6:].encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError) as e:
            raise CheckpointError("extra data is not valid base64") from e
        rest = rest[1:]
    if not rest or not rest[0].startswith("index "):
        raise CheckpointError("tlog-proof has no index line")
    index = _parse_decimal(rest[0][6:], "index")
    proof = tuple(b64decode_hash(line, "proof hash") for line in rest[1:])
    if len(proof) > 63:
        raise CheckpointError("inclusion proof is too long")
    return TlogProof(index, proof, checkpoint, extra)
