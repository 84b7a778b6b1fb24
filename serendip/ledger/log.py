"""The ledger's side of the verifiable log: every transaction becomes a leaf, in commit order.

`log_append` (or `log_lock`, for writers that must read balances first) takes the log's row
lock; ledger writers take it before touching any account, so the lock order is always
(domain rows) -> log -> accounts and concurrent writers cannot deadlock. The lock is held to
commit, so leaf index order is commit order. `log_append` writes the leaf in the same
database transaction as the ledger transaction it records.

Below that: integration (entries -> C2SP tiles + a signed checkpoint, lazily and in batches),
the log's signing key, and proofs read from the stored tiles.
"""

import functools
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from serendip import fastsql
from serendip.keyfiles import key_in_file

from . import leaf, note, tiles, tlog
from .models import Account, LogCheckpoint, LogEntry, LogState, LogTile, Posting, PostingOpening, Transaction

LEAF_VERSION = leaf.LATEST


# The append path runs on every ledger write, so it speaks SQL directly: the ORM's query
# building cost about a third of a transaction_record (benchmarks/ledger_log.py).
# RETURNING needs SQLite >= 3.35, which fastsql needs too (checked at start: ledger/apps.py).
_STATE = LogState._meta.db_table
_ENTRY = LogEntry._meta.db_table


def log_lock() -> LogState:
    """Lock the log's row (`SELECT ... FOR UPDATE`; SQLite's IMMEDIATE transaction already
    holds the write lock) until commit; returns the state as locked."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("log_lock() must run inside a transaction")
    sql = f"SELECT size FROM {_STATE} WHERE id = 1" + (
        " FOR UPDATE" if connection.features.has_select_for_update else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:
            LogState.objects.get_or_create(pk=1)
            cursor.execute(sql)
            row = cursor.fetchone()
    return LogState(id=1, size=row[0])


def leaf_time(at) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def leaf_data(
    tx, postings: Sequence[tuple[int, str, int]], *, salt: Callable[[int], bytes] = os.urandom
) -> tuple[bytes, list[tuple[int, bytes]]]:
    """The (version 2) leaf for a transaction and the openings to keep beside its postings.

    `postings` are (account id, account public id, amount) in posting order; a member's
    account is logged as a commitment under a fresh random salt, returned as
    (account id, salt) for `PostingOpening`. Reasons are left out: they name people.
    (`salt` is for the simulator's reproducible fake data; a ledger takes the default.)"""
    labels, openings = [], []
    for account_id, public_id, amount in postings:
        if leaf.is_committed(public_id):
            opening = salt(leaf.SALT_SIZE)
            openings.append((account_id, opening))
            labels.append((leaf.commitment(public_id, opening), amount))
        else:
            labels.append((public_id, amount))
    data = leaf.encode(leaf.V2, tx=tx.pk, kind=tx.kind, at=leaf_time(tx.created_at), postings=labels)
    return data, openings


def leaf_rebuilt(tx, postings: Sequence[tuple[str, int, bytes | None]], *, version: int) -> bytes:
    """A stored leaf as its transaction, postings (public id, amount, opening or None) and
    version say it must be (for the invariant checks; `audit.audit_database` is the fast one)."""
    labels = [
        (leaf.commitment(public_id, salt) if version == leaf.V2 and salt is not None else public_id, amount)
        for public_id, amount, salt in postings
    ]
    return leaf.encode(
        version,
        tx=tx.pk,
        kind=tx.kind,
        at=leaf_time(tx.created_at),
        postings=labels,
        reverses=getattr(tx, "reverses_id", None),
    )


def log_append(*, tx: Transaction, postings: Sequence[tuple[int, str, int]]) -> LogEntry:
    """Append `tx` as the next leaf: write its postings' openings, then take the log's row
    lock (held to commit, so leaf order is commit order), claim the next index and write the
    leaf; a rollback gives the index back. `postings` as for `leaf_data`.

    The leaf is one statement on PostgreSQL (the UPDATE that locks and counts feeds the
    INSERT), two on SQLite (whose IMMEDIATE transaction holds the database's write lock)."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("log_append() must run inside a transaction")
    data, openings = leaf_data(tx, postings)
    if openings:  # before the lock: these rows lock nothing shared
        fastsql.insert_rows(
            PostingOpening, ("transaction_id", "account_id", "salt"), [(tx.pk, a, s) for a, s in openings]
        )
    with connection.cursor() as cursor:
        for _ in range(2):
            index = _claim_and_write(cursor, tx.pk, data)
            if index is not None:
                return LogEntry(index=index, transaction=tx, data=data)
            log_lock()  # a new database: the state row is made on first use, then try again
    raise LogError("the log's state row is missing")


def _claim_and_write(cursor, tx_id: int, data: bytes) -> int | None:
    if connection.vendor == "postgresql":
        cursor.execute(
            f"WITH claimed AS (UPDATE {_STATE} SET size = size + 1 WHERE id = 1 RETURNING size)"
            f' INSERT INTO {_ENTRY} ("index", transaction_id, data) SELECT size - 1, %s, %s FROM claimed'
            ' RETURNING "index"',
            [tx_id, data],
        )
        row = cursor.fetchone()
        return None if row is None else row[0]
    cursor.execute(f"UPDATE {_STATE} SET size = size + 1 WHERE id = 1 RETURNING size")
    row = cursor.fetchone()
    if row is None:
        return None
    index = row[0] - 1
    cursor.execute(
        f'INSERT INTO {_ENTRY} ("index", transaction_id, data) VALUES (%s, %s, %s)', [index, tx_id, data]
    )
    return index


# --------------------------------------------------------------------------------------------
# Integration: appended entries -> tiles + a signed checkpoint
# --------------------------------------------------------------------------------------------
#
# Appending (above) only writes the leaf row, so a ledger write costs one insert and one
# update more than without the log. Integration is lazy and batched: `log_integrate` hashes
# the entries appended since the latest checkpoint, writes the tiles they change and signs a
# new checkpoint, all in one database transaction. It runs from `serendip ledger publish`
# (cron/timer), from the checkpoint endpoint (at most every LEDGER_CHECKPOINT_INTERVAL
# seconds) and from a member's proof request for a transaction not yet integrated.

logger = logging.getLogger(__name__)

INTEGRATE_BATCH = 1 << 16  # entries hashed and tiled per step (bounds memory, not the checkpoint)
_PG_INTEGRATOR_LOCK = 0x5E4E_D1B0  # pg_advisory_xact_lock key: one integrator at a time


class LogError(Exception):
    """The stored log is not what integration expects (a missing leaf, a missing tile)."""


def log_signer_key() -> str:
    """The log's note signer key: LEDGER_SIGNER_KEY(_FILE), else VAR_DIR/ledger_signer_key,
    generated (with a warning) the first time it is needed."""
    if settings.LEDGER_SIGNER_KEY:
        return settings.LEDGER_SIGNER_KEY
    return key_in_file(
        Path(settings.LEDGER_SIGNER_KEY_PATH),
        generate=lambda: note.generate_key(settings.LEDGER_ORIGIN),
        warning="LEDGER_SIGNER_KEY is not set: generated the ledger's signing key in %s (verifier key %s). "
        "Back it up; a lost key means a new log identity.",
    )


@functools.lru_cache(maxsize=4)
def _signer(signer_key: str) -> note.Signer:
    signer = note.new_signer(signer_key)
    if signer.name != settings.LEDGER_ORIGIN:
        logger.warning(
            "the ledger key's name %r is not LEDGER_ORIGIN %r", signer.name, settings.LEDGER_ORIGIN
        )
    return signer


def log_signer() -> note.Signer:
    return _signer(log_signer_key())


def log_verifier_key() -> str:
    """The verifier key (vkey) auditors use for the log's checkpoints, as /ledger/key serves it."""
    return log_signer().vkey


def appended_size() -> int:
    """Entries appended so far (committed), integrated or not."""
    return LogState.objects.filter(pk=1).values_list("size", flat=True).first() or 0


def latest_checkpoint() -> LogCheckpoint | None:
    return LogCheckpoint.objects.order_by("-size").first()


def checkpoint_note(cp: LogCheckpoint) -> str:
    """The checkpoint as served: the log's signature and every collected cosignature."""
    return note.add_signatures(cp.note, [cp.cosignatures]) if cp.cosignatures else cp.note


def _slice(level: int, data: bytes, width: int) -> bytes:
    """The first `width` hashes (or entries) of a stored tile that may be wider."""
    if level != tiles.ENTRIES:
        return data[: width * tiles.HASH_SIZE]
    pos = 0
    for _ in range(width):
        pos += 2 + int.from_bytes(data[pos : pos + 2], "big")
    return data[:pos]


class TileReader:
    """`read_tiles` for the tiles module, backed by LogTile: one query per call for whatever
    is not already cached (`prefetch` many proofs' tiles at once, then read from memory)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[int, int], tuple[int, bytes]] = {}
        self.queries = 0

    def prefetch(self, wanted: Iterable[tiles.Tile]) -> None:
        keys = list(dict.fromkeys((t.level, t.index) for t in wanted if (t.level, t.index) not in self.cache))
        for i in range(0, len(keys), 500):
            by_level: dict[int, list[int]] = {}
            for level, index in keys[i : i + 500]:
                by_level.setdefault(level, []).append(index)
            where = Q()
            for level, indexes in by_level.items():
                where |= Q(level=level, index__in=indexes)
            self.queries += 1
            for level, index, width, data in LogTile.objects.filter(where).values_list(
                "level", "index", "width", "data"
            ):
                self.cache[(level, index)] = (width, bytes(data))

    def __call__(self, wanted: list[tiles.Tile]) -> list[bytes]:
        self.prefetch(wanted)
        out = []
        for t in wanted:
            width, data = self.cache.get((t.level, t.index), (0, b""))
            if width < t.width:
                raise LogError(f"tile {t.path} is not stored (have width {width})")
            out.append(_slice(t.level, data, t.width))
        return out

    def store(self, tile: tiles.Tile, data: bytes) -> None:
        self.cache[(tile.level, tile.index)] = (tile.width, data)


def read_tiles(wanted: list[tiles.Tile]) -> list[bytes]:
    """Stored tiles at the requested widths, in one query."""
    return TileReader()(wanted)


def _integration_lock() -> None:
    # SQLite: the IMMEDIATE transaction already holds the database's one write lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_INTEGRATOR_LOCK])


def log_integrate(*, max_age: float | None = None, upto: int | None = None) -> LogCheckpoint:
    """Integrate the appended entries and sign a checkpoint; returns the latest checkpoint.

    With `max_age`, a checkpoint younger than that many seconds is returned as is; with
    `upto`, one already covering `upto` entries is. Appenders are not blocked on PostgreSQL
    (a separate advisory lock serialises integrators); nothing is ever rewritten: tiles only
    grow, and each checkpoint extends the previous one."""
    latest = latest_checkpoint()
    if latest is not None:
        if upto is not None:
            if latest.size >= upto:
                return latest
        else:
            fresh = max_age is not None and (timezone.now() - latest.created_at).total_seconds() < max_age
            if fresh or latest.size >= appended_size():
                return latest
    with transaction.atomic():
        _integration_lock()
        latest = latest_checkpoint()
        start = latest.size if latest else 0
        end = appended_size()
        if latest is not None and end <= start:
            return latest
        reader = TileReader()
        # The old right edge at every level: the only tiles appending reads (one query).
        reader.prefetch(
            tiles.Tile(level, (start >> (tiles.TILE_HEIGHT * max(level, 0))) // tiles.TILE_WIDTH)
            for level in range(tiles.ENTRIES, tiles.MAX_LEVEL + 1)
            if start >> (tiles.TILE_HEIGHT * max(level, 0))
        )
        changed: dict[tuple[int, int], tuple[tiles.Tile, bytes]] = {}
        for lo in range(start, end, INTEGRATE_BATCH):
            hi = min(end, lo + INTEGRATE_BATCH)
            entries = [
                bytes(data)
                for data in LogEntry.objects.filter(index__gte=lo, index__lt=hi)
                .order_by("index")
                .values_list("data", flat=True)
            ]
            if len(entries) != hi - lo:
                raise LogError(f"log entries [{lo}, {hi}) are incomplete: {len(entries)} stored")
            step = tiles.append_entries(lo, entries, reader)
            step += tiles.append_leaves(lo, [tlog.leaf_hash(e) for e in entries], reader)
            for tile, data in step:
                reader.store(tile, data)
                changed[(tile.level, tile.index)] = (tile, data)
        LogTile.objects.bulk_create(
            [LogTile(level=t.level, index=t.index, width=t.width, data=d) for t, d in changed.values()],
            batch_size=500,
            update_conflicts=True,
            unique_fields=["level", "index"],
            update_fields=["width", "data"],
        )
        root = tiles.root(end, reader)
        text = tlog.Checkpoint(settings.LEDGER_ORIGIN, end, root).to_text()
        return LogCheckpoint.objects.create(size=end, root=root, note=note.sign(text, log_signer()))


def inclusion_proof(index: int, size: int, reader: TileReader | None = None) -> list[bytes]:
    return tiles.inclusion_proof(index, size, reader or TileReader())


def consistency_proof(old_size: int, size: int) -> list[bytes]:
    return tiles.consistency_proof(old_size, size, TileReader())


def checkpoint_add_cosignatures(cp: LogCheckpoint, lines: str) -> None:
    """Keep a witness's (already verified) cosignature lines on the checkpoint, replacing an
    older one from the same key."""
    new = note.parse_signature_lines(lines)
    keys = {(s.name, s.key_id) for s in new}
    kept = []
    if cp.cosignatures:
        kept = [s for s in note.parse_signature_lines(cp.cosignatures) if (s.name, s.key_id) not in keys]
    cp.cosignatures = "".join(s.line for s in [*kept, *new])
    cp.save(update_fields=["cosignatures"])


def witness_last_size(name: str) -> int:
    """The largest checkpoint this log holds a cosignature for from witness `name` (or 0)."""
    found = (
        LogCheckpoint.objects.filter(cosignatures__contains=f"{note.SIG_PREFIX}{name} ")
        .order_by("-size")
        .values_list("size", flat=True)
        .first()
    )
    return found or 0


def _cosign(cp: LogCheckpoint, witnesses: list[dict]) -> list[str]:
    from .witnessing import WitnessUnavailable, request_cosignature

    report = []
    for w in witnesses:
        name = w["vkey"].split("+", 1)[0]
        try:
            lines = request_cosignature(
                url=w["url"],
                witness_vkey=w["vkey"],
                signed_checkpoint=cp.note,
                old_size=min(witness_last_size(name), cp.size),
                consistency_proof=lambda old, size=cp.size: consistency_proof(old, size),
                timeout=settings.LEDGER_WITNESS_TIMEOUT,
            )
        except (WitnessUnavailable, note.NoteError) as e:
            report.append(f"{name}: not cosigned: {e}")
            continue
        checkpoint_add_cosignatures(cp, lines)
        report.append(f"{name}: cosigned size {cp.size}")
    return report


def log_publish() -> tuple[LogCheckpoint, list[str]]:
    """Integrate, then ask every configured witness to cosign the latest checkpoint.

    Returns the checkpoint and one line per witness saying what happened; an unreachable
    or refusing witness is reported there, never raised."""
    cp = log_integrate()
    return cp, _cosign(cp, settings.LEDGER_WITNESSES)


_cosign_tried: set[tuple[int, str]] = set()  # (checkpoint, witness) asked by this process


def log_checkpoint(*, max_age: float | None = None, upto: int | None = None) -> LogCheckpoint:
    """The checkpoint to publish: `log_integrate`, then, where LEDGER_WITNESSES are configured,
    the witnesses' cosignatures for a checkpoint that lacks them (each asked once per process
    and checkpoint, so an unreachable witness slows one request, not every one), because a
    verifier refuses by default a checkpoint its witnesses did not cosign."""
    cp = log_integrate(max_age=max_age, upto=upto)
    missing = [
        w
        for w in settings.LEDGER_WITNESSES
        if f"{note.SIG_PREFIX}{w['vkey'].split('+', 1)[0]} " not in cp.cosignatures
        and (cp.pk, w["vkey"]) not in _cosign_tried
    ]
    if missing:
        if len(_cosign_tried) > 10_000:  # checkpoints come at most every LEDGER_CHECKPOINT_INTERVAL
            _cosign_tried.clear()
        _cosign_tried.update((cp.pk, w["vkey"]) for w in missing)
        for line in _cosign(cp, missing):
            if "not cosigned" in line:
                logger.warning("ledger checkpoint at size %s: %s", cp.size, line)
    return cp


# --------------------------------------------------------------------------------------------
# Members' proofs
# --------------------------------------------------------------------------------------------


def member_log_entries(member, *, transaction_id: int | None = None):
    """Leaves of the transactions that moved the member's social capital, oldest first."""
    entries = LogEntry.objects.filter(transaction__postings__account__member=member)
    if transaction_id is not None:
        entries = entries.filter(transaction_id=transaction_id)
    return entries.distinct().order_by("index")


@dataclass(frozen=True)
class MemberLeaf:
    """One of a member's leaves, with what only they get: which postings are theirs, the amount
    they moved and, in a version-2 leaf, each of their postings' opening (salt)."""

    index: int
    transaction_id: int
    data: bytes
    amount: int
    openings: list[tuple[int, bytes | None]]  # (posting position in the leaf, salt or None for v1)


def member_leaves(member, *, transaction_id: int | None = None) -> tuple[str, int, list[MemberLeaf]]:
    """The member's account public id, balance and leaves (oldest first), read so that the
    leaves' amounts sum to the balance stated (a ledger write between the reads is retried)."""
    account = Account.objects.filter(member=member).first()
    if account is None:
        return "", 0, []
    for _attempt in range(5):
        balance = Account.objects.filter(pk=account.pk).values_list("balance", flat=True).get()
        entries = list(
            member_log_entries(member, transaction_id=transaction_id).values_list(
                "index", "transaction_id", "data"
            )
        )
        ids = [tx_id for _, tx_id, _ in entries]
        positions: dict[int, list[tuple[int, int]]] = {}
        for tx_id, account_id, amount in (
            Posting.objects.filter(transaction_id__in=ids)
            .order_by("transaction_id", "id")
            .values_list("transaction_id", "account_id", "amount")
        ):
            positions.setdefault(tx_id, []).append((account_id, amount))
        salts = dict(
            PostingOpening.objects.filter(transaction_id__in=ids, account=account).values_list(
                "transaction_id", "salt"
            )
        )
        leaves = []
        for index, tx_id, data in entries:
            mine = [(i, amount) for i, (a, amount) in enumerate(positions.get(tx_id, [])) if a == account.pk]
            salt = salts.get(tx_id)
            leaves.append(
                MemberLeaf(
                    index=index,
                    transaction_id=tx_id,
                    data=bytes(data),
                    amount=sum(amount for _, amount in mine),
                    openings=[(i, None if salt is None else bytes(salt)) for i, _ in mine],
                )
            )
        if transaction_id is not None or sum(m.amount for m in leaves) == balance:
            return account.public_id, balance, leaves
    raise LogError("the member's ledger kept changing while their proofs were read")


def proofs_for(indexes: list[int], *, upto: int = 0) -> tuple[LogCheckpoint, list[list[bytes]]]:
    """Inclusion proofs of leaves against one checkpoint (integrating first if it does not
    cover them yet), reading all the tiles they need in one or a few queries."""
    cp = log_checkpoint(upto=max([upto, *(i + 1 for i in indexes)]))
    reader = TileReader()
    reader.prefetch(t for i in indexes for t in tiles.proof_tiles(i, cp.size))
    return cp, [tiles.inclusion_proof(i, cp.size, reader) for i in indexes]
