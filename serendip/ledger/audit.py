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
import binascii
import datetime as dt
import decimal
import gzip
import json
import os
import re
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import leaf, note, tiles, tlog
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


def _verifier(key: str, what: str) -> note.Verifier:
    try:
        return note.new_verifier(key)
    except note.NoteError as e:
        raise AuditFailure(f"bad {what} given: {e}") from e


def check_checkpoint(
    signed: str, *, log_key: str, witness_keys: Sequence[str] = (), what: str = "the checkpoint"
) -> tuple[tlog.Checkpoint, str]:
    """A signed checkpoint, checked: signed by the log key, its origin the key's name (so a log
    re-signed under another origin is refused, not taken for another log), and cosigned by
    every witness given. Returns it and a line saying so."""
    log_verifier = _verifier(log_key, "key")
    witness_verifiers = [_verifier(k, "witness key") for k in witness_keys]
    try:
        text, verified, _ = note.open(signed, [log_verifier, *witness_verifiers])
    except note.NoteError as e:
        raise AuditFailure(f"bad signature on {what}: {e}") from e
    ids = {(s.name, s.key_id) for s in verified}
    if (log_verifier.name, log_verifier.key_id) not in ids:
        raise AuditFailure(f"{what} is not signed by the log key {log_verifier.name}")
    try:
        cp = tlog.parse_checkpoint(text)
    except tlog.CheckpointError as e:
        raise AuditFailure(f"malformed checkpoint: {e}") from e
    if cp.origin != log_verifier.name:
        raise AuditFailure(
            f"{what} is for the log {cp.origin}, but the key given is {log_verifier.name}'s:"
            " a log's origin is its key's name"
        )
    missing = [w.name for w in witness_verifiers if (w.name, w.key_id) not in ids]
    if missing:
        raise AuditFailure(
            f"{what} has no cosignature from witness {', '.join(missing)}: a checkpoint the witnesses"
            " did not see may be a fork or a rollback"
        )
    line = f"checkpoint {cp.origin} at size {cp.size} signed by {log_verifier.name}" + (
        f", cosigned by {', '.join(w.name for w in witness_verifiers)}" if witness_verifiers else ""
    )
    return cp, line


# State: what this auditor saw of a log last time, keyed by the log's key (name and key id),
# so that whatever a checkpoint says, it is compared with what was seen under that key.


def state_dir() -> Path:
    """Where state lives by default: SERENDIP_LEDGER_STATE_DIR, else ~/.serendip/ledger-state."""
    return Path(os.environ.get("SERENDIP_LEDGER_STATE_DIR") or Path.home() / ".serendip" / "ledger-state")


def state_key(log_key: str) -> str:
    v = _verifier(log_key, "key")
    return f"{v.name}+{v.key_id:08x}"


def default_state_path(log_key: str) -> Path:
    v = _verifier(log_key, "key")
    return state_dir() / f"{re.sub(r'[^A-Za-z0-9.-]+', '_', v.name)}-{v.key_id:08x}.json"


def load_state(path: Path) -> dict:
    path = Path(path)
    if not path.exists():
        return {}
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise AuditFailure(f"cannot read the state file {path}: {e}") from e
    if not isinstance(state, dict):
        raise AuditFailure(f"the state file {path} is not a JSON object")
    return state


def seen_before(state_path: Path | None, log_key: str) -> dict | None:
    """The checkpoint (size, root, witnesses) last verified under this key, if any."""
    if state_path is None:
        return None
    seen = load_state(state_path).get(state_key(log_key))
    if seen is None:
        return None
    try:
        return {
            "size": int(seen["size"]),
            "root": base64.b64decode(seen["root"]),
            "witnesses": list(seen.get("witnesses", [])),
        }
    except (KeyError, TypeError, ValueError) as e:
        raise AuditFailure(f"the state file {state_path} is damaged: {e}") from e


def remembered_witnesses(state_path: Path | None, log_key: str) -> list[str]:
    seen = seen_before(state_path, log_key)
    return seen["witnesses"] if seen else []


def save_state(path: Path, result: AuditResult, *, log_key: str, witness_keys: Sequence[str] = ()) -> None:
    """Remember the checkpoint verified and the witnesses required, for the next run."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = load_state(path)
    cp = result.checkpoint
    state[state_key(log_key)] = {
        "origin": cp.origin,
        "size": cp.size,
        "root": _b64(cp.root_hash),
        "checkpoint": result.signed,
        "witnesses": sorted(set(witness_keys)),
    }
    write_json_atomically(path, state)


def _check_against_state(seen: dict | None, cp: tlog.Checkpoint, root_at, state_path) -> str:
    """Fork and rollback detection: `root_at(old_size)` proves (or recomputes) the tree at the
    size seen last; it raises AuditFailure when it cannot."""
    if seen is None:
        return f"no earlier checkpoint of {cp.origin} under this key in {state_path}: consistency starts here"
    old_size, old_root = seen["size"], seen["root"]
    if old_size > cp.size:
        raise AuditFailure(
            f"rollback: the log was at size {old_size} when last verified and is now at {cp.size}"
        )
    root = root_at(old_size, old_root)
    if root != old_root:
        raise AuditFailure(
            f"fork: the tree at size {old_size} now has root {_b64(root)},"
            f" but it was {_b64(old_root)} when last verified"
        )
    return f"consistent with the checkpoint at size {old_size} verified before ({state_path})"


def audit_log(
    source, *, log_key: str, witness_keys: Sequence[str] = (), state_path: Path | None = None
) -> AuditResult:
    """Check the published log; see the module docstring. Saves nothing (see `save_state`)."""
    signed = source.checkpoint()
    cp, line = check_checkpoint(signed, log_key=log_key, witness_keys=witness_keys)
    checks = [line]

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
                index = t.index * tiles.TILE_WIDTH + k // 32
                raise AuditFailure(
                    f"leaf {index} in {tiles.Tile(tiles.ENTRIES, t.index, t.width).path} does not hash to"
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
        seen = seen_before(state_path, log_key)
        checks.append(_check_against_state(seen, cp, lambda size, _root: store.root(size), state_path))
    return AuditResult(cp, signed, entries, store, checks)


# --------------------------------------------------------------------------------------------
# A member's proofs file (GET /api/v1/me/ledger/proofs?download=true)
# --------------------------------------------------------------------------------------------

PROOFS_FORMAT = "serendip-ledger-proofs/v2"


def _units(sc: object, what: str) -> int:
    try:
        value = decimal.Decimal(str(sc)) * 100
    except decimal.InvalidOperation as e:
        raise AuditFailure(f"{what} {sc!r} is not an amount of SC") from e
    if value != value.to_integral_value():
        raise AuditFailure(f"{what} {sc!r} is not a whole number of 1/100 SC")
    return int(value)


def _consistent(source, old: tlog.Checkpoint | int, old_root: bytes, new: tlog.Checkpoint) -> bytes:
    """Check, with a consistency proof built from the source's tiles of `new`, that the tree
    of `old` size and `old_root` is a prefix of `new`; returns old_root when it is."""
    old_size = old if isinstance(old, int) else old.size
    try:
        if old_size == new.size or old_size == 0:
            expected = new.root_hash if old_size else tlog.EMPTY_ROOT
            if old_root != expected:
                raise tlog.ProofError("the roots differ")
            return old_root
        proof = tiles.consistency_proof(old_size, new.size, source.tiles)
        tlog.verify_consistency(old_size, new.size, proof, old_root, new.root_hash)
    except (tiles.TileError, tlog.ProofError, ValueError) as e:
        raise AuditFailure(
            f"fork: the tree at size {old_size} with root {_b64(old_root)} is not a prefix of the"
            f" published tree at size {new.size} ({e})"
        ) from e
    return old_root


def verify_proofs(
    doc: object,
    *,
    source,
    log_key: str,
    witness_keys: Sequence[str] = (),
    state_path: Path | None = None,
) -> tuple[AuditResult, list[str]]:
    """Check a member's proofs file against the published checkpoint: each transaction's
    inclusion proof against the file's signed checkpoint, that checkpoint consistent with the
    published one, each commitment's opening, and that the member's postings sum to the
    balance the file states. Raises AuditFailure listing every problem found."""
    if not isinstance(doc, dict) or doc.get("format") != PROOFS_FORMAT:
        raise AuditFailure(
            f"not a proofs file of format {PROOFS_FORMAT} (download it again from the balance page)"
        )
    signed = source.checkpoint()
    published, line = check_checkpoint(signed, log_key=log_key, witness_keys=witness_keys)
    checks = [f"published {line}"]
    if state_path is not None:
        seen = seen_before(state_path, log_key)
        checks.append(
            _check_against_state(
                seen, published, lambda size, root: _consistent(source, size, root, published), state_path
            )
        )
    try:
        account, balance = str(doc["account"]), _units(doc["balance"], "the balance")
        mine, line = check_checkpoint(str(doc["checkpoint"]), log_key=log_key, what="the file's checkpoint")
        proofs = list(doc["proofs"])
    except (KeyError, TypeError) as e:
        raise AuditFailure(f"the proofs file lacks {e}") from e
    checks.append(f"the file's {line}")
    if mine.size > published.size:
        raise AuditFailure(
            f"the file's checkpoint (size {mine.size}) is newer than the published one"
            f" (size {published.size}): verify again once the log has published it"
        )
    _consistent(source, mine, mine.root_hash, published)
    checks.append(
        f"the file's checkpoint is consistent with the published one (size {mine.size} -> {published.size})"
    )

    problems, total = [], 0
    for n, p in enumerate(proofs):
        where = f"proof {n + 1}"
        try:
            where = f"transaction {int(p['transaction_id'])} (leaf {int(p['leaf_index'])})"
            data = base64.b64decode(p["leaf"], validate=True)
            path = [base64.b64decode(h, validate=True) for h in p["inclusion_proof"]]
            tlog.verify_inclusion(tlog.leaf_hash(data), int(p["leaf_index"]), mine.size, path, mine.root_hash)
            parsed = leaf.parse(data)
            if parsed.tx != int(p["transaction_id"]):
                raise AuditFailure(f"the leaf is transaction {parsed.tx}'s")
            amount = 0
            for o in p["openings"]:
                salt = None if o.get("salt") is None else base64.b64decode(o["salt"], validate=True)
                amount += leaf.open_posting(parsed, int(o["posting"]), account, salt)
            if amount != _units(p["amount"], "the amount"):
                raise AuditFailure(f"its opened postings move {amount} units, the file says {p['amount']} SC")
            total += amount
        except tlog.ProofError as e:
            problems.append(f"{where}: its inclusion proof does not verify against the checkpoint ({e})")
        except (leaf.LeafError, AuditFailure) as e:
            problems.append(f"{where}: {e}")
        except (KeyError, TypeError, ValueError, binascii.Error) as e:
            problems.append(f"{where}: malformed entry ({type(e).__name__}: {e})")
    if not problems and total != balance:
        problems.append(
            f"the postings of {account} in the file sum to {total / 100:.2f} SC,"
            f" but the file states a balance of {balance / 100:.2f} SC"
        )
    if problems:
        raise AuditFailure(f"{len(problems)} problem(s) in the proofs file:\n  " + "\n  ".join(problems))
    checks.append(f"all {len(proofs)} transactions of {account} are in the log under that checkpoint")
    checks.append(
        f"every commitment opens to {account}, and the postings sum to the balance {balance / 100:.2f} SC"
    )
    return AuditResult(published, signed, [], tiles.MemoryTileStore(), checks), checks


# --------------------------------------------------------------------------------------------
# Local checks: the database against the log
# --------------------------------------------------------------------------------------------

CHUNK = 20_000


def _leaf_time(value) -> str:
    """The leaf's "at" from the database's raw created_at (text on SQLite, aware on PostgreSQL)."""
    if isinstance(value, str):  # SQLite: "YYYY-MM-DD HH:MM:SS[.ffffff]", naive UTC
        return f"{value[:10]}T{value[11:]}{'' if len(value) > 19 else '.000000'}Z"
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def audit_database(result: AuditResult, *, log_key: str) -> list[str]:
    """Local checks after `audit_log` on this database's log; returns what was checked.

    Every leaf is rebuilt from its transaction, postings and (version 2) the postings'
    openings, and must equal the published entry; the log's size, its leaf rows, its
    checkpoints and its transactions must all agree (a rewound size hides leaves)."""
    from django.db import connection
    from django.db.models import Count, Max, Sum

    from .models import Account, LogCheckpoint, LogEntry, LogState, Posting, PostingOpening, Transaction

    size, entries = result.checkpoint.size, result.entries
    log_size = LogState.objects.filter(pk=1).values_list("size", flat=True).first() or 0
    stored = LogEntry.objects.aggregate(n=Count("index"), last=Max("index"))
    if stored["last"] is not None and stored["last"] >= log_size:
        raise AuditFailure(
            f"leaf {stored['last']} is beyond the log's size {log_size}: the size was rewound,"
            " hiding logged transactions from every checkpoint"
        )
    if size > log_size:
        raise AuditFailure(
            f"the newest checkpoint covers {size} leaves but the log holds {log_size}: its size was rewound"
        )
    if size < log_size:  # appended after this run integrated: a live ledger, or leaves hidden
        raise AuditFailure(
            f"the newest checkpoint covers {size} leaves but the log holds {log_size}"
            " (if the ledger is being written to, run the audit again)"
        )
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
    opening_sql = (
        f"SELECT transaction_id, account_id, salt FROM {PostingOpening._meta.db_table}"
        " WHERE transaction_id BETWEEN %s AND %s"
    )
    opened = 0
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
            postings: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for tx_id, account_id, amount in cursor.fetchall():
                postings[tx_id].append((account_id, amount))
            cursor.execute(opening_sql, [first, last])
            openings = {(tx_id, account_id): bytes(salt) for tx_id, account_id, salt in cursor.fetchall()}
            for index, tx_id, data in rows:
                data = bytes(data)
                if data != entries[index]:
                    raise AuditFailure(f"leaf {index}: the database's copy differs from the published entry")
                tx = txs.get(tx_id)
                if tx is None:
                    raise AuditFailure(f"transaction {tx_id} (leaf {index}) was deleted from the database")
                kind, at, reverses = tx
                try:
                    version = leaf.version_of(data)
                    labels = []
                    for account_id, amount in postings.get(tx_id, []):
                        public_id = public_ids.get(account_id, f"account:{account_id}")
                        if version == leaf.V2 and leaf.is_committed(public_id):
                            salt = openings.get((tx_id, account_id))
                            if salt is None:
                                raise AuditFailure(
                                    f"transaction {tx_id} (leaf {index}): the opening of its posting"
                                    f" to {public_id} is missing"
                                )
                            public_id = leaf.commitment(public_id, salt)
                            opened += 1
                        labels.append((public_id, amount))
                    expected = leaf.encode(
                        version, tx=tx_id, kind=kind, at=_leaf_time(at), postings=labels, reverses=reverses
                    )
                except leaf.LeafError as e:
                    raise AuditFailure(f"leaf {index} (transaction {tx_id}): {e}") from e
                if expected != data:
                    raise AuditFailure(
                        f"transaction {tx_id} (leaf {index}) was changed after it was logged:"
                        f" the database (with its openings) says {expected.decode()},"
                        f" the log says {data.decode()}"
                    )
    if stored["n"] != log_size:  # (a missing leaf below the checkpoint was named above)
        raise AuditFailure(f"the log's size is {log_size} but {stored['n']} leaves are stored")
    stray = PostingOpening.objects.count() - opened
    if stray:
        raise AuditFailure(f"{stray} posting openings belong to no logged member posting")
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
    for cp_size, root, signed in LogCheckpoint.objects.order_by("size").values_list("size", "root", "note"):
        if cp_size > size:
            raise AuditFailure(
                f"the log signed a checkpoint at size {cp_size}, beyond the {size} leaves it holds"
            )
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
