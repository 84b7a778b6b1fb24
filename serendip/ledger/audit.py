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
import datetime as dt
import gzip
import json
import re
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


_PLAIN = re.compile(r"[ !#-\[\]-~]*")  # printable ASCII but '"' and '\\': no JSON escaping needed
_plain_seen: set[str] = set()


def _plain(s: str) -> bool:
    if s in _plain_seen:
        return True
    if _PLAIN.fullmatch(s):
        _plain_seen.add(s)
        return True
    return False


def _leaf_time(value) -> str:
    """The leaf's "at" from the database's raw created_at (text on SQLite, aware on PostgreSQL)."""
    if isinstance(value, str):  # SQLite: "YYYY-MM-DD HH:MM:SS[.ffffff]", naive UTC
        return f"{value[:10]}T{value[11:]}{'' if len(value) > 19 else '.000000'}Z"
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _leaf_bytes(
    tx_id: int, kind: str, at: str, postings: list[tuple[str, int]], reverses: int | None
) -> bytes:
    """What `log.leaf_data` writes for these values (RFC 8785), built directly when no string
    needs escaping -- the verifier runs this once per leaf -- and by rfc8785 otherwise."""
    if _plain(kind) and all(_plain(p) for p, _ in postings):  # `at` is ours: digits and punctuation
        legs = ",".join(f'["{p}",{a}]' for p, a in postings)
        rev = "null" if reverses is None else reverses
        text = f'{{"at":"{at}","kind":"{kind}","postings":[{legs}],"reverses":{rev},"tx":{tx_id},"v":1}}'
        return text.encode()
    return rfc8785.dumps(
        {
            "v": 1,
            "tx": tx_id,
            "kind": kind,
            "at": at,
            "postings": [list(p) for p in postings],
            "reverses": reverses,
        }
    )


def audit_database(result: AuditResult, *, log_key: str) -> list[str]:
    """Local checks after `audit_log` on this database's log; returns what was checked."""
    from django.db import connection
    from django.db.models import Sum

    from .log import LEAF_VERSION

    if LEAF_VERSION != 1:  # _leaf_bytes writes version 1 leaves
        raise AuditFailure(f"this verifier does not know leaf version {LEAF_VERSION}")
    from .models import Account, LogCheckpoint, LogEntry, Posting, Transaction

    size, entries = result.checkpoint.size, result.entries
    public_ids = dict(Account.objects.values_list("pk", "public_id"))
    # Plain SQL, no ORM row conversion: this loop runs once per leaf (a million, say).
    leaf_sql = (
        f'SELECT "index", transaction_id, data FROM {LogEntry._meta.db_table}'
        ' WHERE "index" >= %s AND "index" < %s ORDER BY "index"'
    )
    created = "CAST(created_at AS TEXT)" if connection.vendor == "sqlite" else "created_at"
    tx_sql = (
        f"SELECT id, kind, {created}, reverses_id FROM {Transaction._meta.db_table}"
        " WHERE id BETWEEN %s AND %s"
    )
    posting_sql = (
        f"SELECT transaction_id, account_id, amount FROM {Posting._meta.db_table}"
        " WHERE transaction_id BETWEEN %s AND %s ORDER BY transaction_id, id"
    )
    with connection.cursor() as cursor:
        for lo in range(0, size, CHUNK):
            hi = min(size, lo + CHUNK)
            cursor.execute(leaf_sql, [lo, hi])
            rows = cursor.fetchall()
            if len(rows) != hi - lo:
                have = {r[0] for r in rows}
                missing = next(i for i in range(lo, hi) if i not in have)
                raise AuditFailure(
                    f"leaf {missing} is missing from the database (its log entry row was deleted)"
                )
            first, last = min(r[1] for r in rows), max(r[1] for r in rows)
            cursor.execute(tx_sql, [first, last])
            txs = {pk: (kind, at, reverses) for pk, kind, at, reverses in cursor.fetchall()}
            cursor.execute(posting_sql, [first, last])
            postings: dict[int, list[tuple[str, int]]] = defaultdict(list)
            for tx_id, account_id, amount in cursor.fetchall():
                postings[tx_id].append((public_ids.get(account_id, f"account:{account_id}"), amount))
            for index, tx_id, data in rows:
                data = bytes(data)
                if data != entries[index]:
                    raise AuditFailure(f"leaf {index}: the database's copy differs from the published entry")
                tx = txs.get(tx_id)
                if tx is None:
                    raise AuditFailure(f"transaction {tx_id} (leaf {index}) was deleted from the database")
                kind, at, reverses = tx
                mine = postings.get(tx_id, [])
                expected = _leaf_bytes(tx_id, kind, _leaf_time(at), mine, reverses)
                if expected != data:
                    raise AuditFailure(
                        f"transaction {tx_id} (leaf {index}) was changed after it was logged:"
                        f" the database says {expected.decode()}, the log says {data.decode()}"
                    )
    checks = [f"every one of the {size} leaves equals its transaction and postings in the database"]

    unlogged = Transaction.objects.filter(log_entry__isnull=True).order_by("pk").first()
    if unlogged is not None:
        raise AuditFailure(f"transaction {unlogged.pk} is not in the log")
    # Each logged transaction's postings were just shown equal to its leaf, and every
    # transaction is logged, so summing the posting rows sums the logged postings.
    sums = dict(
        Posting.objects.values("account").annotate(total=Sum("amount")).values_list("account", "total")
    )
    for pk, public_id, balance in Account.objects.order_by("pk").values_list("pk", "public_id", "balance"):
        logged = sums.get(pk, 0)
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
