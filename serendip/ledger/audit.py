"""`serendip ledger verify`: audit the log from its published form, and locally the books.

`audit_log` works on any tlog-tiles source (a URL, or this database): it checks the
checkpoint's signature (and the given witnesses' cosignatures), recomputes the tree from the
entry bundles, compares the root and every served hash tile, and checks consistency with
the checkpoint the auditor saw last (its state file). `audit_database` then checks, locally,
that every transaction row still equals its leaf and every balance the sum of its logged
postings. Each raises `AuditFailure` naming the first inconsistency.
"""

from __future__ import annotations

import base64
import gzip
import json
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import rfc8785

from . import note, tiles, tlog
from .witnessing import write_json_atomically

BATCH = 256  # tiles fetched per round


class AuditFailure(Exception):
    """The first inconsistency found; the message names it."""


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode("ascii")


class HttpLog:
    """A tlog-tiles log at a URL prefix, read with urllib (only from that URL)."""

    workers = 8  # tiles fetched in parallel

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _get(self, path: str) -> bytes:
        req = urllib.request.Request(f"{self.url}/{path}", headers={"Accept-Encoding": "gzip, identity"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                body = resp.read()
                if resp.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                return body
        except urllib.error.HTTPError as e:
            raise AuditFailure(f"{self.url}/{path}: HTTP {e.code}") from e
        except (urllib.error.URLError, OSError) as e:
            raise AuditFailure(f"{self.url}/{path}: {getattr(e, 'reason', e)}") from e

    def checkpoint(self) -> str:
        try:
            return self._get("checkpoint").decode("utf-8")
        except UnicodeDecodeError as e:
            raise AuditFailure("the checkpoint is not UTF-8") from e

    def tiles(self, wanted: Sequence[tiles.Tile]) -> list[bytes]:
        if self.workers <= 1:
            return [self._get(t.path) for t in wanted]
        with ThreadPoolExecutor(self.workers) as pool:
            return list(pool.map(lambda t: self._get(t.path), wanted))


class DatabaseLog:
    """This installation's log, read from the database (the latest checkpoint and LogTile)."""

    def checkpoint(self) -> str:
        from . import log

        cp = log.latest_checkpoint()
        if cp is None:
            raise AuditFailure("the log has no checkpoint yet")
        return log.checkpoint_note(cp)

    def tiles(self, wanted: Sequence[tiles.Tile]) -> list[bytes]:
        from . import log

        try:
            return log.read_tiles(list(wanted))
        except log.LogError as e:
            raise AuditFailure(str(e)) from e


@dataclass
class AuditResult:
    checkpoint: tlog.Checkpoint
    signed: str
    entries: list[bytes]
    store: tiles.MemoryTileStore
    checks: list[str] = field(default_factory=list)


def _fetch(source, wanted: list[tiles.Tile]) -> Iterable[tuple[tiles.Tile, bytes]]:
    for i in range(0, len(wanted), BATCH):
        batch = wanted[i : i + BATCH]
        yield from zip(batch, source.tiles(batch), strict=True)


def audit_log(
    source, *, log_key: str, witness_keys: Sequence[str] = (), state_path: Path | None = None
) -> AuditResult:
    """Check the published log; see the module docstring. Saves nothing (see `save_state`)."""
    checks = []
    signed = source.checkpoint()
    try:
        log_verifier = note.new_verifier(log_key)
        witness_verifiers = [note.new_verifier(k) for k in witness_keys]
    except note.NoteError as e:
        raise AuditFailure(f"bad key given: {e}") from e
    try:
        text, verified, _ = note.open(signed, [log_verifier, *witness_verifiers])
    except note.NoteError as e:
        raise AuditFailure(f"bad checkpoint signature: {e}") from e
    ids = {(s.name, s.key_id) for s in verified}
    if (log_verifier.name, log_verifier.key_id) not in ids:
        raise AuditFailure(f"the checkpoint is not signed by the log key {log_verifier.name}")
    for w in witness_verifiers:
        if (w.name, w.key_id) not in ids:
            raise AuditFailure(f"the checkpoint has no cosignature from witness {w.name}")
    try:
        cp = tlog.parse_checkpoint(text)
    except tlog.CheckpointError as e:
        raise AuditFailure(f"malformed checkpoint: {e}") from e
    checks.append(
        f"checkpoint {cp.origin} at size {cp.size} signed by {log_verifier.name}"
        + (f", cosigned by {', '.join(w.name for w in witness_verifiers)}" if witness_verifiers else "")
    )

    entries: list[bytes] = []
    bundles = list(tiles.tiles_for_size(cp.size, entries=True))
    for t, data in _fetch(source, bundles):
        try:
            entries += tiles.decode_entry_bundle(data, t.width)
        except tiles.TileError as e:
            raise AuditFailure(f"{t.path}: {e}") from e
    store = tiles.MemoryTileStore()
    store.append_leaf_hashes([tlog.leaf_hash(e) for e in entries])
    hash_tiles = list(tiles.tiles_for_size(cp.size))
    served = dict(_fetch(source, hash_tiles))
    if store.root() != cp.root_hash:
        for t in hash_tiles:  # name the first leaf whose hash the served tiles disagree with
            if t.level == 0 and served[t] != store.get(t):
                mine, theirs = store.get(t), served[t]
                k = next(i for i in range(0, len(mine), 32) if mine[i : i + 32] != theirs[i : i + 32])
                leaf = t.index * tiles.TILE_WIDTH + k // 32
                raise AuditFailure(
                    f"leaf {leaf} in {tiles.Tile(tiles.ENTRIES, t.index, t.width).path} does not hash to"
                    f" its hash in {t.path}: the entries do not match the checkpoint's tree"
                )
        raise AuditFailure(
            f"the root of the {cp.size} entries is {_b64(store.root())},"
            f" the checkpoint says {_b64(cp.root_hash)}"
        )
    checks.append(f"{cp.size} entries in {len(bundles)} entry bundles hash to its root")
    for t in hash_tiles:
        if served[t] != store.get(t):
            raise AuditFailure(f"{t.path} differs from the tree recomputed from the entries")
    checks.append(f"all {len(hash_tiles)} hash tiles match the recomputed tree")

    if state_path is not None:
        state = load_state(state_path)
        seen = state.get(cp.origin)
        if seen is None:
            checks.append(f"no earlier checkpoint of {cp.origin} in {state_path}: consistency starts here")
        else:
            old_size, old_root = int(seen["size"]), base64.b64decode(seen["root"])
            if old_size > cp.size:
                raise AuditFailure(
                    f"fork: the log was at size {old_size} when last verified and is now at {cp.size}"
                )
            if store.root(old_size) != old_root:
                raise AuditFailure(
                    f"fork: the tree at size {old_size} now has root {_b64(store.root(old_size))},"
                    f" but it was {_b64(old_root)} when last verified"
                )
            checks.append(f"consistent with the checkpoint at size {old_size} verified before")
    return AuditResult(cp, signed, entries, store, checks)


def load_state(path: Path) -> dict:
    path = Path(path)
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise AuditFailure(f"cannot read the state file {path}: {e}") from e


def save_state(path: Path, result: AuditResult) -> None:
    state = load_state(path)
    cp = result.checkpoint
    state[cp.origin] = {"size": cp.size, "root": _b64(cp.root_hash), "checkpoint": result.signed}
    write_json_atomically(Path(path), state)


# --------------------------------------------------------------------------------------------
# Local checks: the database against the log
# --------------------------------------------------------------------------------------------

CHUNK = 20_000


def _canonical(leaf: dict) -> bytes:
    # Our leaves hold only ASCII strings and integers, for which sorted compact json.dumps is
    # exactly RFC 8785; rfc8785 itself is the fallback (and the definition).
    fast = json.dumps(leaf, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return fast if fast.isascii() else rfc8785.dumps(leaf)


def audit_database(result: AuditResult, *, log_key: str) -> list[str]:
    """Local checks after `audit_log` on this database's log; returns what was checked."""
    from django.db.models import Sum

    from .log import LEAF_VERSION
    from .models import Account, LogCheckpoint, LogEntry, Posting, Transaction

    size, entries = result.checkpoint.size, result.entries
    public_ids = dict(Account.objects.values_list("pk", "public_id"))
    sums: dict[str, int] = defaultdict(int)
    for lo in range(0, size, CHUNK):
        hi = min(size, lo + CHUNK)
        rows = list(
            LogEntry.objects.filter(index__gte=lo, index__lt=hi)
            .order_by("index")
            .values_list("index", "transaction_id", "data")
        )
        if len(rows) != hi - lo:
            have = {r[0] for r in rows}
            missing = next(i for i in range(lo, hi) if i not in have)
            raise AuditFailure(f"leaf {missing} is missing from the database (its log entry row was deleted)")
        first, last = min(r[1] for r in rows), max(r[1] for r in rows)
        txs = {
            pk: (kind, at, reverses)
            for pk, kind, at, reverses in Transaction.objects.filter(pk__gte=first, pk__lte=last).values_list(
                "pk", "kind", "created_at", "reverses_id"
            )
        }
        postings: dict[int, list[list]] = defaultdict(list)
        for tx_id, account_id, amount in (
            Posting.objects.filter(transaction_id__gte=first, transaction_id__lte=last)
            .order_by("transaction_id", "id")
            .values_list("transaction_id", "account_id", "amount")
        ):
            postings[tx_id].append([public_ids.get(account_id, f"account:{account_id}"), amount])
        for index, tx_id, data in rows:
            data = bytes(data)
            if data != entries[index]:
                raise AuditFailure(f"leaf {index}: the database's copy differs from the published entry")
            tx = txs.get(tx_id)
            if tx is None:
                raise AuditFailure(f"transaction {tx_id} (leaf {index}) was deleted from the database")
            kind, at, reverses = tx
            leaf = {
                "v": LEAF_VERSION,
                "tx": tx_id,
                "kind": kind,
                "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "postings": postings.get(tx_id, []),
                "reverses": reverses,
            }
            if _canonical(leaf) != data:
                raise AuditFailure(
                    f"transaction {tx_id} (leaf {index}) was changed after it was logged:"
                    f" the database says {_canonical(leaf).decode()}, the log says {data.decode()}"
                )
            for public_id, amount in leaf["postings"]:
                sums[public_id] += amount
    checks = [f"every one of the {size} leaves equals its transaction and postings in the database"]

    unlogged = Transaction.objects.filter(log_entry__isnull=True).order_by("pk").first()
    if unlogged is not None:
        raise AuditFailure(f"transaction {unlogged.pk} is not in the log")
    # Entries appended since the checkpoint count too (writes go on while we audit).
    for (data,) in LogEntry.objects.filter(index__gte=size).values_list("data"):
        for public_id, amount in json.loads(bytes(data))["postings"]:
            sums[public_id] += amount
    for public_id, balance in Account.objects.order_by("pk").values_list("public_id", "balance"):
        logged = sums.get(public_id, 0)
        if balance != logged:
            raise AuditFailure(
                f"account {public_id}: balance {balance} but its logged postings sum to {logged}"
            )
    total = Posting.objects.aggregate(total=Sum("amount"))["total"] or 0
    if total != 0:
        raise AuditFailure(f"the postings sum to {total}, not zero")
    checks.append(f"all {len(public_ids)} account balances equal the sums of their logged postings")

    verifier = note.new_verifier(log_key)
    n = 0
    for cp_size, root, signed in (
        LogCheckpoint.objects.filter(size__lte=size).order_by("size").values_list("size", "root", "note")
    ):
        try:
            text = note.verify(signed, [verifier])
            parsed = tlog.parse_checkpoint(text)
        except (note.NoteError, tlog.CheckpointError) as e:
            raise AuditFailure(f"the stored checkpoint at size {cp_size} is not validly signed: {e}") from e
        if parsed.size != cp_size or parsed.root_hash != bytes(root):
            raise AuditFailure(f"the stored checkpoint at size {cp_size} does not match its signed text")
        if result.store.root(cp_size) != parsed.root_hash:
            raise AuditFailure(
                f"fork: the log signed a checkpoint at size {cp_size} that is not in today's tree"
            )
        n += 1
    checks.append(f"all {n} checkpoints the log has signed are consistent with it")
    return checks
