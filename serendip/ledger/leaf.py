"""The log's leaf: one ledger transaction as canonical JSON (RFC 8785), and account commitments.

Pure (no Django), so that an auditor or a member can vendor it with tlog.py and note.py.

Version 2 (every leaf written now)::

    {"at": "...Z", "kind": "seat", "postings": [["c:<commitment>", -500], ["space:3", 500]],
     "tx": 41, "v": 2}

A member's account is named by a salted commitment, fresh for every posting:
``"c:" + base64url(SHA-256(TAG || public_id || 0x00 || salt))`` with a random 32-byte salt
(the posting's *opening*), which the operator keeps beside the posting (never in the log) and
gives only to the account holder, in their proofs download. Equal accounts in two leaves
therefore look unrelated, so public data cannot link two transactions to one member.
The network (the issuer) and the spaces are organisations, not people: they stay in clear so
that anyone can follow the money they issue and earn. Amounts stay in clear and visibly sum
to zero. A reversal no longer points at the transaction it reverses (that pointer would link
two of one member's transactions); the database keeps the link.

Version 1 (leaves written before version 2; still verified as written): accounts by their
public id (``member:<pseudonym>``) and a ``"reverses"`` field.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import rfc8785

V1 = 1
V2 = 2
LATEST = V2

SALT_SIZE = 32
COMMITMENT_TAG = b"serendip/ledger/account-commitment/v2\x00"
COMMITMENT_PREFIX = "c:"
_COMMITMENT = re.compile(r"c:[A-Za-z0-9_-]{43}")


class LeafError(ValueError):
    """A leaf that is not a well-formed ledger transaction."""


def is_committed(public_id: str) -> bool:
    """Whether a v2 leaf names this account by a commitment: members' accounts (people)."""
    return public_id.startswith("member:")


def commitment(public_id: str, salt: bytes) -> str:
    """The commitment to `public_id` under `salt` (32 bytes), as it appears in a v2 leaf."""
    if len(salt) != SALT_SIZE:
        raise LeafError(f"an opening is {SALT_SIZE} bytes, not {len(salt)}")
    digest = hashlib.sha256(COMMITMENT_TAG + public_id.encode("utf-8") + b"\x00" + salt).digest()
    return COMMITMENT_PREFIX + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def version_of(data: bytes) -> int:
    """The version of a stored leaf, read from its last key (RFC 8785 sorts keys; "v" is last)."""
    if data.endswith(b',"v":2}'):
        return V2
    if data.endswith(b',"v":1}'):
        return V1
    raise LeafError("not a leaf of a known version")


_PLAIN = re.compile(r"[ !#-\[\]-~]*")  # printable ASCII but '"' and '\\': no JSON escaping needed
_plain_seen: set[str] = set()


def _plain(s: str) -> bool:
    if s in _plain_seen:
        return True
    if _PLAIN.fullmatch(s):
        # A commitment is new every time: caching it would only fill the cache.
        if not s.startswith(COMMITMENT_PREFIX) and len(_plain_seen) < 100_000:
            _plain_seen.add(s)
        return True
    return False


def encode(
    version: int,
    *,
    tx: int,
    kind: str,
    at: str,
    postings: Sequence[tuple[str, int]],
    reverses: int | None = None,
) -> bytes:
    """The leaf's bytes: `postings` are (account label as logged, amount) in posting order, the
    label being a public id (v1), or a commitment or an organisation's public id (v2).

    Built directly when no string needs JSON escaping (the verifier runs this once per leaf),
    by rfc8785 otherwise; both give the same bytes."""
    if version not in (V1, V2):
        raise LeafError(f"unknown leaf version {version}")
    if _plain(kind) and _plain(at) and all(_plain(p) for p, _ in postings):
        legs = ",".join(f'["{p}",{a}]' for p, a in postings)
        if version == V1:
            rev = "null" if reverses is None else reverses
            text = f'{{"at":"{at}","kind":"{kind}","postings":[{legs}],"reverses":{rev},"tx":{tx},"v":1}}'
        else:
            text = f'{{"at":"{at}","kind":"{kind}","postings":[{legs}],"tx":{tx},"v":2}}'
        return text.encode()
    doc: dict[str, object] = {
        "v": version,
        "tx": tx,
        "kind": kind,
        "at": at,
        "postings": [[p, a] for p, a in postings],
    }
    if version == V1:
        doc["reverses"] = reverses
    return rfc8785.dumps(doc)


@dataclass(frozen=True)
class Leaf:
    version: int
    tx: int
    kind: str
    at: str
    postings: tuple[tuple[str, int], ...]


def parse(data: bytes) -> Leaf:
    """A leaf from its bytes, checked to be canonical and balanced (postings sum to zero)."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise LeafError(f"not JSON: {e}") from e
    if not isinstance(doc, dict) or doc.get("v") not in (V1, V2):
        raise LeafError("not a leaf of a known version")
    try:
        tx, kind, at, raw = doc["tx"], doc["kind"], doc["at"], doc["postings"]
    except KeyError as e:
        raise LeafError(f"no {e.args[0]!r} field") from e
    if not (isinstance(tx, int) and isinstance(kind, str) and isinstance(at, str) and isinstance(raw, list)):
        raise LeafError("a field has the wrong type")
    postings = []
    for p in raw:
        if not (isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and type(p[1]) is int):
            raise LeafError("a posting is not [account, whole units]")
        if doc["v"] == V2 and is_committed(p[0]):
            raise LeafError("a version 2 leaf names a member's account in clear")
        postings.append((p[0], p[1]))
    if sum(a for _, a in postings) != 0:
        raise LeafError("its postings do not sum to zero")
    if rfc8785.dumps(doc) != data:
        raise LeafError("not in canonical form (RFC 8785)")
    return Leaf(doc["v"], tx, kind, at, tuple(postings))


def open_posting(leaf: Leaf, position: int, public_id: str, salt: bytes | None) -> int:
    """Check that posting `position` of `leaf` names `public_id` (through its opening `salt`
    in a v2 leaf); returns its amount."""
    if not 0 <= position < len(leaf.postings):
        raise LeafError(f"the leaf has no posting {position}")
    label, amount = leaf.postings[position]
    if leaf.version == V1 or not is_committed(public_id):
        if label != public_id:
            raise LeafError(f"posting {position} names {label}, not {public_id}")
        return amount
    if salt is None:
        raise LeafError(f"posting {position} has no opening")
    if not _COMMITMENT.fullmatch(label) or commitment(public_id, salt) != label:
        raise LeafError(f"the opening of posting {position} does not match its commitment")
    return amount
