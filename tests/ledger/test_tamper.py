"""The tamper suite: every kind of tampering below is caught by the default local
`serendip ledger verify` and, where the public can see it, by `ledger verify --url` with
defaults (state on, the witness it was once told about required), against the log served by
a live server (tests/ledger/conftest.py) and cosigned by a live witness.

| #  | kind                 | what the tamperer does                                    | local | --url |
|----|----------------------|-----------------------------------------------------------|-------|-------|
| 1  | posting amount       | changes a member posting's amount                         | yes   | -     |
| 2  | balance              | changes an account's cached balance                       | yes   | -     |
| 3  | deleted posting      | deletes a posting and its opening, rebalances             | yes   | -     |
| 4  | inserted posting     | adds postings to a logged transaction, rebalances         | yes   | -     |
| 5  | moved posting        | moves a posting to another member, rebalances             | yes   | -     |
| 6  | deleted transaction  | deletes a transaction, its postings, openings, leaf row   | yes   | -     |
| 7  | inserted transaction | adds a balanced transaction that was never logged         | yes   | -     |
| 8  | changed transaction  | changes a logged transaction's kind                       | yes   | -     |
| 9  | deleted leaf row     | deletes a leaf row (the tiles still hold it)              | yes   | -     |
| 10 | inserted leaf row    | logs a transaction beyond the log's size                  | yes   | -     |
| 11 | edited leaf row      | edits the database's copy of a leaf                       | yes   | -     |
| 12 | changed opening      | replaces a posting's opening (salt)                       | yes   | -     |
| 13 | deleted opening      | deletes a posting's opening                               | yes   | -     |
| 14 | rewound size         | lowers the log's size below its checkpoint's              | yes   | -     |
| 15 | hash tile edit       | flips a bit of a stored hash tile                         | yes   | yes   |
| 16 | entry bundle edit    | edits a leaf inside a stored entry bundle                 | yes   | yes   |
| 17 | bad signature        | edits the signed checkpoint's text                        | yes   | yes   |
| 18 | reordered leaves     | swaps two leaves, re-tiles, re-signs with the log's key   | yes   | yes   |
| 19 | re-signed fork       | rewrites a transaction and its leaf, re-tiles, re-signs   | yes   | yes   |
| 20 | rollback             | removes the newest transactions, re-tiles, re-signs       | yes   | yes   |
| 21 | origin change        | re-signs the checkpoint under another origin, same key    | yes   | yes   |

"-": the public log does not show it (it is the operator's books); the public verify must
still pass there, which the suite checks too.
"""

import json
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from serendip.ledger import audit, leaf, log, note, tlog, witnessing
from serendip.ledger.models import (
    Account,
    LogCheckpoint,
    LogEntry,
    LogState,
    LogTile,
    Posting,
    PostingOpening,
    Transaction,
    TxKind,
)
from serendip.ledger.services import (
    Leg,
    earn,
    member_account,
    network_account,
    reverse_earnings,
    seat_pay,
    space_account,
    transaction_record,
)
from tests.ledger.test_log_integration import configure_ledger
from tests.ledger.test_log_witness import WITNESS_KEYS

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path, make_member, make_space, live_log):
    """Three members, a space, their earnings, a meeting, seats, a reversal; a live witness
    that cosigned the log; and an auditor who verified it once (locally and over HTTP)."""
    vkey = configure_ledger(settings, tmp_path)
    service = witnessing.WitnessService(
        WITNESS_KEYS[0], tmp_path / "witness.json", witnessing.log_keys_by_origin([vkey])
    )
    server = witnessing.make_server(service, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    settings.LEDGER_WITNESSES = [{"vkey": WITNESS_KEYS[1], "url": f"http://127.0.0.1:{server.server_port}"}]

    ada, bob, cy = make_member(), make_member(), make_member()
    space = make_space(seat_price=2)
    net = network_account()
    for i, m in enumerate([ada, bob, cy] * 4):
        transaction_record(
            kind=TxKind.WELCOME_GRANT,
            reason="grant",
            subject=f"grant:{i}",
            beneficiary=m,
            legs=[Leg(net, -500), Leg(member_account(m), 500)],
        )
    with transaction.atomic():
        for me, other in [(ada, bob), (bob, ada)]:  # a meeting: two adjacent leaves
            earn(
                kind=TxKind.MEETING_CONFIRMED,
                member=me,
                counterpart=other,
                base=300,
                subject="meeting:1",
                reason="m",
            )
    for i, m in enumerate([ada, bob, cy, bob, bob]):
        with transaction.atomic():
            seat_pay(member=m, space=space, checkin_id=100 + i, date=timezone.now().date())
    with transaction.atomic():
        earn(
            kind=TxKind.ANSWER_ACCEPTED, member=cy, counterpart=None, base=250, subject="answer:9", reason="a"
        )
        reverse_earnings(subject="answer:9", reason="removed")
    _cp, report = log.log_publish()
    assert report == [f"{WITNESS_KEYS[1].split('+')[0]}: cosigned size {log.appended_size()}"]

    url = f"{live_log}/ledger"
    assert "ledger verify: OK" in verify()
    assert "ledger verify: OK" in verify("--url", url, "--key", vkey, "--witness-key", WITNESS_KEYS[1])
    yield {"vkey": vkey, "url": url, "members": (ada, bob, cy), "space": space}
    server.shutdown()
    server.server_close()


def verify(*args) -> str:
    out = StringIO()
    call_command("ledger", "verify", *args, stdout=out)
    return out.getvalue()


def failure(*args) -> str:
    with pytest.raises(CommandError) as exc:
        verify(*args)
    return str(exc.value)


# Tampering --------------------------------------------------------------------------------


def _member_posting(index: int | None = None) -> Posting:
    qs = Posting.objects.filter(account__kind="member", amount__gt=0).select_related("account")
    return qs.order_by("id")[index] if index is not None else qs.order_by("id").last()


def _rebalance() -> None:
    """What a careful tamperer does after moving postings: balances = sums of postings."""
    for account in Account.objects.all():
        total = Posting.objects.filter(account=account).aggregate(t=Sum("amount"))["t"] or 0
        Account.objects.filter(pk=account.pk).update(balance=total)


def _retile_and_resign() -> None:
    """Rebuild the log's tiles and checkpoints from its leaves with the log's own key."""
    LogTile.objects.all().delete()
    LogCheckpoint.objects.all().delete()
    log.log_integrate()


def _relog(entry: LogEntry) -> None:
    """Rewrite a leaf so that it matches its (changed) transaction again, with fresh openings."""
    tx = entry.transaction
    PostingOpening.objects.filter(transaction=tx).delete()
    postings = [(p.account_id, p.account.public_id, p.amount) for p in tx.postings.select_related("account")]
    data, openings = log.leaf_data(tx, postings)
    PostingOpening.objects.bulk_create(
        PostingOpening(transaction=tx, account_id=a, salt=s) for a, s in openings
    )
    LogEntry.objects.filter(index=entry.index).update(data=data)


def t_posting_amount(w):
    Posting.objects.filter(pk=_member_posting(3).pk).update(amount=F("amount") + 100)


def t_balance(w):
    Account.objects.filter(member=w["members"][2]).update(balance=F("balance") + 5)


def t_deleted_posting(w):
    p = _member_posting(4)
    PostingOpening.objects.filter(transaction_id=p.transaction_id, account_id=p.account_id).delete()
    p.delete()
    _rebalance()


def t_inserted_posting(w):
    p = _member_posting(5)
    Posting.objects.create(transaction_id=p.transaction_id, account=space_account(w["space"]), amount=1)
    Posting.objects.create(transaction_id=p.transaction_id, account=network_account(), amount=-1)
    _rebalance()


def t_moved_posting(w):
    p = _member_posting(6)
    other = member_account(w["members"][0] if p.account.member_id != w["members"][0].pk else w["members"][1])
    PostingOpening.objects.filter(transaction_id=p.transaction_id, account_id=p.account_id).update(
        account=other
    )
    Posting.objects.filter(pk=p.pk).update(account=other)
    _rebalance()


def t_deleted_transaction(w):
    entry = LogEntry.objects.get(index=7)
    tx = entry.transaction
    entry.delete()
    PostingOpening.objects.filter(transaction=tx).delete()
    Posting.objects.filter(transaction=tx).delete()
    Transaction.objects.filter(pk=tx.pk).delete()
    _rebalance()


def t_inserted_transaction(w):
    tx = Transaction.objects.create(kind=TxKind.WELCOME_GRANT, reason="free money", subject="x:1")
    Posting.objects.create(transaction=tx, account=member_account(w["members"][0]), amount=10_000)
    Posting.objects.create(transaction=tx, account=network_account(), amount=-10_000)
    _rebalance()


def t_changed_transaction(w):
    Transaction.objects.filter(pk=LogEntry.objects.get(index=4).transaction_id).update(kind=TxKind.SEAT)


def t_deleted_leaf_row(w):
    LogEntry.objects.filter(index=3).delete()


def t_inserted_leaf_row(w):
    size = log.appended_size()
    tx = Transaction.objects.create(kind=TxKind.WELCOME_GRANT, reason="hidden", subject="x:2")
    account = member_account(w["members"][1])
    Posting.objects.create(transaction=tx, account=account, amount=7)
    Posting.objects.create(transaction=tx, account=network_account(), amount=-7)
    data, openings = log.leaf_data(
        tx, [(account.pk, account.public_id, 7), (network_account().pk, "network", -7)]
    )
    PostingOpening.objects.bulk_create(
        PostingOpening(transaction=tx, account_id=a, salt=s) for a, s in openings
    )
    LogEntry.objects.create(index=size + 5, transaction=tx, data=data)
    _rebalance()


def t_edited_leaf_row(w):
    entry = LogEntry.objects.get(index=2)
    LogEntry.objects.filter(index=2).update(data=bytes(entry.data).replace(b'"tx":', b'"tX":'))


def t_changed_opening(w):
    o = PostingOpening.objects.order_by("id")[2]
    PostingOpening.objects.filter(pk=o.pk).update(salt=bytes(32))


def t_deleted_opening(w):
    PostingOpening.objects.order_by("id")[5].delete()


def t_rewound_size(w):
    LogState.objects.filter(pk=1).update(size=F("size") - 3)


def t_hash_tile_edit(w):
    tile = LogTile.objects.get(level=0, index=0)
    data = bytearray(tile.data)
    data[40] ^= 1
    LogTile.objects.filter(pk=tile.pk).update(data=bytes(data))


def t_entry_bundle_edit(w):
    tile = LogTile.objects.get(level=-1, index=0)
    LogTile.objects.filter(pk=tile.pk).update(
        data=bytes(tile.data).replace(b'"kind":"seat"', b'"kind":"teas"', 1)
    )


def t_bad_signature(w):
    cp = log.latest_checkpoint()
    size = str(cp.size).encode()
    forged = cp.note.replace(f"\n{cp.size}\n", f"\n{int(size) + 1}\n")
    LogCheckpoint.objects.filter(pk=cp.pk).update(note=forged)


def t_reordered_leaves(w):
    a, b = LogEntry.objects.get(index=12), LogEntry.objects.get(index=13)
    LogEntry.objects.filter(index__in=[12, 13]).delete()
    LogEntry.objects.create(index=12, transaction_id=b.transaction_id, data=b.data)
    LogEntry.objects.create(index=13, transaction_id=a.transaction_id, data=a.data)
    _retile_and_resign()


def t_resigned_fork(w):
    entry = LogEntry.objects.select_related("transaction").get(index=1)
    Posting.objects.filter(transaction=entry.transaction, amount__gt=0).update(amount=F("amount") * 10)
    Posting.objects.filter(transaction=entry.transaction, amount__lt=0).update(amount=F("amount") * 10)
    _rebalance()
    _relog(entry)
    _retile_and_resign()


def t_rollback(w):
    size = log.appended_size()
    for entry in LogEntry.objects.filter(index__gte=size - 4).select_related("transaction"):
        tx = entry.transaction
        entry.delete()
        PostingOpening.objects.filter(transaction=tx).delete()
        Posting.objects.filter(transaction=tx).delete()
        Transaction.objects.filter(reverses=tx).update(reverses=None)
        Transaction.objects.filter(pk=tx.pk).delete()
    LogState.objects.filter(pk=1).update(size=size - 4)
    _rebalance()
    _retile_and_resign()


def t_origin_change(w):
    cp = log.latest_checkpoint()
    text = tlog.Checkpoint("testserver/ledger/v2", cp.size, bytes(cp.root)).to_text()
    LogCheckpoint.objects.filter(pk=cp.pk).update(note=note.sign(text, log.log_signer()), cosignatures="")


LOCAL_ONLY = "the public log does not show it"
# kind -> (tamper, what the local verify says, what --url says, or LOCAL_ONLY)
TAMPERING = {
    "posting amount": (t_posting_amount, "was changed after it was logged", LOCAL_ONLY),
    "balance": (t_balance, "its logged postings sum to", LOCAL_ONLY),
    "deleted posting": (t_deleted_posting, "was changed after it was logged", LOCAL_ONLY),
    "inserted posting": (t_inserted_posting, "was changed after it was logged", LOCAL_ONLY),
    "moved posting": (t_moved_posting, "was changed after it was logged", LOCAL_ONLY),
    "deleted transaction": (t_deleted_transaction, "leaf 7 is missing from the database", LOCAL_ONLY),
    "inserted transaction": (t_inserted_transaction, "is not in the log", LOCAL_ONLY),
    "changed transaction": (t_changed_transaction, "was changed after it was logged", LOCAL_ONLY),
    "deleted leaf row": (t_deleted_leaf_row, "leaf 3 is missing from the database", LOCAL_ONLY),
    "inserted leaf row": (t_inserted_leaf_row, "is beyond the log's size", LOCAL_ONLY),
    "edited leaf row": (t_edited_leaf_row, "leaf 2: the database's copy differs", LOCAL_ONLY),
    "changed opening": (t_changed_opening, "was changed after it was logged", LOCAL_ONLY),
    "deleted opening": (t_deleted_opening, "is missing", LOCAL_ONLY),
    "rewound size": (t_rewound_size, "size was rewound", LOCAL_ONLY),
    "hash tile edit": (
        t_hash_tile_edit,
        "tile/0/000.p/24 differs from the tree recomputed",
        "tile/0/000.p/24 differs from the tree recomputed",
    ),
    "entry bundle edit": (t_entry_bundle_edit, "in tile/entries/000", "in tile/entries/000"),
    "bad signature": (t_bad_signature, "bad signature on the checkpoint", "bad signature on the checkpoint"),
    "reordered leaves": (t_reordered_leaves, "no cosignature from witness", "no cosignature from witness"),
    "re-signed fork": (t_resigned_fork, "no cosignature from witness", "no cosignature from witness"),
    "rollback": (t_rollback, "no cosignature from witness", "no cosignature from witness"),
    "origin change": (
        t_origin_change,
        "is for the log testserver/ledger/v2",
        "is for the log testserver/ledger/v2",
    ),
}


def test_the_table_names_21_kinds():
    assert len(TAMPERING) == 21
    rows = [line for line in __doc__.splitlines() if line.startswith("| ") and line[2:4].strip().isdigit()]
    assert [row.split("|")[2].strip() for row in rows] == list(TAMPERING)


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_each_kind_of_tampering_is_caught(world, kind):
    tamper, local_says, public_says = TAMPERING[kind]
    tamper(world)
    assert local_says in failure(), kind
    public = ("--url", world["url"], "--key", world["vkey"])  # defaults: state on, witness remembered
    if public_says is LOCAL_ONLY:
        assert "ledger verify: OK" in verify(*public)
    else:
        assert public_says in failure(*public), kind


def test_without_a_witness_a_fork_is_still_caught_by_the_state_alone(world, settings):
    settings.LEDGER_WITNESSES = []
    state = audit.default_state_path(world["vkey"])
    seen = json.loads(state.read_text())
    seen[audit.state_key(world["vkey"])]["witnesses"] = []  # an auditor never told of a witness
    state.write_text(json.dumps(seen))
    t_resigned_fork(world)
    public = ("--url", world["url"], "--key", world["vkey"])
    assert "ledger verify: OK" in verify(*public, "--no-state")  # without memory a fork looks fine
    assert "fork: the tree at size" in failure(*public)


# The adjacency attack (issue 11, item 5) ----------------------------------------------------


def _linked(entries: list[bytes], start: int) -> set[int]:
    """The attack: knowing leaf `start` is someone's, find every other leaf naming any of the
    same member accounts, by the labels the public log shows."""
    labels = {
        label for label, _ in leaf.parse(entries[start]).postings if label.startswith(("c:", "member:"))
    }
    return {
        i
        for i, data in enumerate(entries)
        if i != start and labels & {label for label, _ in leaf.parse(data).postings}
    }


def test_the_adjacency_attack_links_nothing(world):
    ada, bob, _cy = world["members"]
    entries = audit.audit_log(audit.HttpLog(world["url"]), log_key=world["vkey"]).entries
    # ada finds her own meeting leaf (her opening opens it) and takes the adjacent one for bob's.
    mine = next(m for m in log.member_leaves(ada)[2] if json.loads(m.data)["kind"] == "meeting_confirmed")
    assert json.loads(entries[mine.index + 1])["kind"] == "meeting_confirmed"
    bobs_other = {
        e.index
        for e in LogEntry.objects.filter(transaction__postings__account__member=bob).distinct()
        if e.index != mine.index + 1
    }
    assert len(bobs_other) >= 7  # grants, seats: what the attack is after
    assert _linked(entries, mine.index + 1) == set()
    # Every member posting in the public log carries a label seen nowhere else.
    labels = [label for data in entries for label, _ in leaf.parse(data).postings if label.startswith("c:")]
    assert len(labels) == len(set(labels)) == PostingOpening.objects.count()

    # The same history in version-1 leaves (stable pseudonyms) falls to the same attack.
    public_ids = dict(Account.objects.values_list("pk", "public_id"))
    v1 = []
    for e in LogEntry.objects.select_related("transaction").order_by("index"):
        tx = e.transaction
        postings = [(public_ids[a], amount) for a, amount in tx.postings.values_list("account_id", "amount")]
        v1.append(
            leaf.encode(leaf.V1, tx=tx.pk, kind=tx.kind, at=log.leaf_time(tx.created_at), postings=postings)
        )
    assert _linked(v1, mine.index + 1) >= bobs_other
