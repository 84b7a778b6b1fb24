"""The invariants any way of writing data must keep, checked against the database.

Used by the tests on both paths (the services and the simulator's bulk path) and by
`serendip simulate --check`. Each check returns human-readable problems; none means it holds.
"""

from django.db.models import Count, F, Q, Sum

from serendip.exchange.models import Meeting
from serendip.ledger import leaf
from serendip.ledger.log import leaf_rebuilt
from serendip.ledger.models import (
    Account,
    AccountKind,
    LogEntry,
    LogState,
    Posting,
    PostingOpening,
    Transaction,
)
from serendip.ledger.selectors import balance_mismatches
from serendip.presence.models import SEAT_HOLDING, CheckIn


def capacity_problems() -> list[str]:
    over = (
        CheckIn.objects.filter(status__in=SEAT_HOLDING)
        .values("space", "date", "space__seats")
        .annotate(n=Count("id"))
        .filter(n__gt=F("space__seats"))
    )
    return [
        f"space {r['space']} on {r['date']}: {r['n']} check-ins for {r['space__seats']} seats" for r in over
    ]


def one_space_per_day_problems() -> list[str]:
    twice = (
        CheckIn.objects.exclude(status="cancelled")
        .values("member", "date")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    return [f"member {r['member']} holds {r['n']} seats on {r['date']}" for r in twice]


def ledger_problems() -> list[str]:
    problems = []
    unbalanced = Posting.objects.values("transaction").annotate(s=Sum("amount"), n=Count("id"))
    problems += [f"transaction {r['transaction']} is not balanced" for r in unbalanced.filter(~Q(s=0))]
    problems += [f"transaction {r['transaction']} has one posting" for r in unbalanced.filter(n__lt=2)]
    if Transaction.objects.filter(postings=None).exists():
        problems.append("a transaction has no postings")
    negative = Account.objects.exclude(kind=AccountKind.NETWORK).filter(balance__lt=0)
    problems += [f"account {a.public_id} is below zero" for a in negative]
    problems += [f"cached balance differs from postings: {p}" for p in balance_mismatches()]
    return problems


def log_problems(*, verify_leaves: int | None = None) -> list[str]:
    """Entries contiguous 0..n-1, one per transaction, each the canonical leaf of its
    transaction (the first `verify_leaves` checked byte for byte; None: all).

    Leaf order is commit order, not transaction-id order: a transaction's id is given when its
    row is inserted, before it takes the log's lock, so under concurrency a later id can
    commit (and be logged) first."""
    problems = []
    size = LogState.objects.filter(pk=1).values_list("size", flat=True).first() or 0
    n = LogEntry.objects.count()
    txs = Transaction.objects.count()
    if n != size:
        problems.append(f"the log state says {size} entries, {n} are stored")
    if n != txs:
        problems.append(f"{txs} transactions but {n} log entries")
    indices = LogEntry.objects.order_by("index").values_list("index", flat=True)
    for expected, index in enumerate(indices.iterator(chunk_size=20000)):
        if index != expected:
            problems.append(f"log entry {expected} is missing (found {index})")
            break
    entries = LogEntry.objects.select_related("transaction").order_by("index")
    if verify_leaves is not None:
        entries = entries[:verify_leaves]
    postings: dict[int, list[tuple[str, int, bytes | None]]] = {}
    for entry in entries.iterator(chunk_size=5000):
        tx = entry.transaction
        if tx.pk not in postings:
            postings = {}
            hi = tx.pk + 5000
            salts = {
                (t, a): bytes(salt)
                for t, a, salt in PostingOpening.objects.filter(
                    transaction_id__gte=tx.pk, transaction_id__lt=hi
                ).values_list("transaction_id", "account_id", "salt")
            }
            for tid, account_id, public_id, amount in (
                Posting.objects.filter(transaction_id__gte=tx.pk, transaction_id__lt=hi)
                .order_by("id")
                .values_list("transaction_id", "account_id", "account__public_id", "amount")
            ):
                postings.setdefault(tid, []).append((public_id, amount, salts.get((tid, account_id))))
        data = bytes(entry.data)
        if data != leaf_rebuilt(tx, postings.get(tx.pk, []), version=leaf.version_of(data)):
            problems.append(f"log entry {entry.index} is not transaction {tx.pk}'s canonical leaf")
            if len(problems) > 20:
                break
    return problems


def meeting_problems() -> list[str]:
    """Every meeting between two members who both held a seat at its space that day."""
    holding = CheckIn.objects.filter(status__in=["reserved", "present"])
    problems = []
    for m in Meeting.objects.values("pk", "recorded_by", "other", "space", "date").iterator(chunk_size=5000):
        n = holding.filter(
            space=m["space"], date=m["date"], member__in=[m["recorded_by"], m["other"]]
        ).count()
        if n != 2:
            problems.append(f"meeting {m['pk']}: the two were not both at space {m['space']} on {m['date']}")
            if len(problems) > 20:
                break
    return problems


def invariants(*, verify_leaves: int | None = None, meetings: bool = True) -> list[str]:
    problems = capacity_problems() + one_space_per_day_problems() + ledger_problems()
    problems += log_problems(verify_leaves=verify_leaves)
    if meetings:
        problems += meeting_problems()
    return problems
