"""The ledger's side of the verifiable log: every transaction becomes a leaf, in commit order.

`log_lock` takes the log's row lock; ledger writers call it before touching any account, so
the lock order is always (domain rows) -> log -> accounts and concurrent writers cannot
deadlock. The lock is held to commit, so leaf index order is commit order. `log_append`
writes the leaf in the same database transaction as the ledger transaction it records.
"""

import rfc8785

from .models import LogEntry, LogState, Transaction

LEAF_VERSION = 1


def log_lock() -> LogState:
    state = LogState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        LogState.objects.get_or_create(pk=1)
        state = LogState.objects.select_for_update().get(pk=1)
    return state


def leaf_data(tx: Transaction, postings: list[tuple[str, int]]) -> bytes:
    """The leaf for a transaction: canonical JSON of what an auditor needs and nothing personal.

    Accounts appear as their public ids (`member:<random pseudonym>`, `space:<id>`, `network`);
    reasons are left out because they name people."""
    return rfc8785.dumps(
        {
            "v": LEAF_VERSION,
            "tx": tx.pk,
            "kind": tx.kind,
            "at": tx.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "postings": [[account, amount] for account, amount in postings],
            "reverses": tx.reverses_id,
        }
    )


def log_append(*, tx: Transaction, postings: list[tuple[str, int]]) -> LogEntry:
    """Append `tx` as the next leaf. The caller holds `log_lock()` (taken in transaction_record)."""
    state = log_lock()  # re-entrant within the transaction; makes the contract explicit
    entry = LogEntry.objects.create(index=state.size, transaction=tx, data=leaf_data(tx, postings))
    LogState.objects.filter(pk=1).update(size=state.size + 1)
    return entry
