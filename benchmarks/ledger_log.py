"""Benchmark the verifiable ledger log on SQLite; prints JSON.

    .venv/bin/python benchmarks/ledger_log.py [--leaves 1000000] [--runs 5] [--append-tx 2000] [--proofs 1000]

Measures, on a fresh SQLite database in a temporary directory (WAL, as in production):

* append throughput: ledger transactions/s through `transaction_record` (two postings each,
  each in its own database transaction and commit, the leaf appended under the log lock),
  median of ``--runs`` runs, interleaved with the same writes logging version-1 leaves (no
  commitments, no openings: the ratio is what unlinkable leaves cost) and with the log off;
  and the same with synchronous integration (a checkpoint signed after every transaction),
  which is what the lazy design avoids;
* integration throughput: entries/s of `log_integrate` over the backlog (hash, tile, sign);
* inclusion-proof latency at ``--leaves`` leaves from the tiles stored in the database
  (`log.inclusion_proof`, one query each; p50/p99) and the member proof endpoint end to end;
* `serendip ledger verify` (local: signature, entries -> root, every hash tile, every
  transaction vs its leaf, balances) at ``--leaves`` leaves.

The large log is filled with bulk inserts of transactions, postings and leaves shaped
exactly like `transaction_record`'s (not through 1M ORM calls of it, which would take
minutes), then integrated by `log_integrate` like any backlog.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--append-tx", type=int, default=2000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database (it is large)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="serendip-ledger-bench-"))
    os.environ.update(
        SECRET_KEY="bench",
        DEBUG="false",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        SERENDIP_VAR_DIR=str(tmp),
        SERENDIP_LEDGER_STATE_DIR=str(tmp / "ledger-state"),  # verify's state: not the user's home
        LEDGER_ORIGIN="bench.example/ledger",
        LOG_LEVEL="ERROR",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serendip.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LEDGER_SIGNER_KEY = __import__("serendip.ledger.note", fromlist=["x"]).generate_key(
        "bench.example/ledger"
    )[0]
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)

    from serendip.ledger import log, tlog
    from serendip.ledger.models import Account, LogEntry, LogState, Posting, PostingOpening, Transaction
    from serendip.ledger.services import Leg, member_account, network_account, transaction_record
    from serendip.passport.services import member_signup, token_create

    members = [
        member_signup(username=f"m{i}", password="bench-password-123", display_name=f"M {i}")
        for i in range(50)
    ]
    network = network_account()
    accounts = [member_account(m) for m in members]
    out: dict[str, object] = {"leaves": args.leaves, "database": "sqlite (WAL, IMMEDIATE)"}

    # 1. Append throughput ------------------------------------------------------------------
    seq = iter(range(10**9))

    def append(n: int, *, integrate: bool = False) -> float:
        start = time.perf_counter()
        for _ in range(n):
            i = next(seq)
            transaction_record(
                kind="answer_accepted",
                reason="bench",
                subject=f"bench:{i}",
                legs=[Leg(network, -100), Leg(accounts[i % len(accounts)], 100)],
            )
            if integrate:
                log.log_integrate()
        return n / (time.perf_counter() - start)

    append(200)  # warm up
    from serendip.ledger import services

    def without_log(n: int) -> float:
        # The same services with the log switched off: what the log's append costs.
        saved = services.log_append, services.log_lock
        services.log_append, services.log_lock = (lambda **_: None), (lambda: None)
        try:
            return append(n)
        finally:
            services.log_append, services.log_lock = saved

    from django.db import transaction as db_transaction

    one_legs = [(accounts[0].pk, accounts[0].public_id, -100), (network.pk, "network", 100)]

    def leaves_alone(n: int) -> float:
        # The log's own append (lock, size, leaf), one commit each, for transactions that
        # already exist: what the log can take when the ledger around it is not the bottleneck.
        txs = Transaction.objects.bulk_create(
            Transaction(kind="seat", reason="bench", subject=f"leaf:{next(seq)}") for _ in range(n)
        )
        txs = list(Transaction.objects.filter(pk__gte=min(t.pk for t in txs)).order_by("pk")[:n])
        start = time.perf_counter()
        for tx in txs:
            with db_transaction.atomic():
                log.log_append(tx=tx, postings=one_legs)
        return n / (time.perf_counter() - start)

    from django.db import connection

    from serendip.ledger import leaf as leaf_format

    def v1_append(*, tx, postings):
        # Before the commitments: a version-1 leaf naming accounts by public id, no openings.
        data = leaf_format.encode(
            leaf_format.V1,
            tx=tx.pk,
            kind=tx.kind,
            at=log.leaf_time(tx.created_at),
            postings=[(public_id, amount) for _, public_id, amount in postings],
            reverses=tx.reverses_id,
        )
        with connection.cursor() as cursor:
            log._claim_and_write(cursor, tx.pk, data)

    def with_v1_leaves(n: int) -> float:
        saved = services.log_append
        services.log_append = v1_append
        try:
            return append(n)
        finally:
            services.log_append = saved

    rates, v1_rates, bare = [], [], []
    for _ in range(args.runs):  # interleaved, so machine load hits all alike
        rates.append(append(args.append_tx))
        v1_rates.append(with_v1_leaves(args.append_tx))
        bare.append(without_log(args.append_tx))
    out["append_tx_per_s"] = {"median": round(statistics.median(rates)), "runs": [round(r) for r in rates]}
    out["same_with_version_1_leaves_tx_per_s"] = {
        "median": round(statistics.median(v1_rates)),
        "runs": [round(r) for r in v1_rates],
    }
    out["commitments_ratio_v2_to_v1"] = round(statistics.median(rates) / statistics.median(v1_rates), 3)
    out["same_without_the_log_tx_per_s"] = {
        "median": round(statistics.median(bare)),
        "runs": [round(r) for r in bare],
    }
    # The version-1 leaves stay (they still verify): a database from before version 2.

    backlog = LogState.objects.get().size - (log.latest_checkpoint().size if log.latest_checkpoint() else 0)
    start = time.perf_counter()
    log.log_integrate()
    out["integrate_backlog_after_appends"] = {
        "entries": backlog,
        "seconds": round(time.perf_counter() - start, 3),
    }
    sync = [append(max(200, args.append_tx // 4), integrate=True) for _ in range(3)]
    out["append_with_sync_integration_tx_per_s"] = round(statistics.median(sync))
    # The log-less runs left transactions outside the log: remove them (balances are redone below).
    Posting.objects.filter(transaction__log_entry__isnull=True).delete()
    Transaction.objects.filter(log_entry__isnull=True).delete()

    # 2. Fill to --leaves with bulk inserts shaped like transaction_record's rows ----------------
    t0 = time.perf_counter()
    public = {a.pk: a.public_id for a in Account.objects.all()}
    have = LogState.objects.get().size
    next_tx = (Transaction.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    chunk = 20_000
    index = have
    while index < args.leaves:
        n = min(chunk, args.leaves - index)
        txs = [
            Transaction(pk=next_tx + k, kind="answer_accepted", reason="bulk", subject=f"bulk:{next_tx + k}")
            for k in range(n)
        ]
        Transaction.objects.bulk_create(txs, batch_size=2000)
        postings, entries, openings = [], [], []
        for k, tx in enumerate(txs):
            account = accounts[(index + k) % len(accounts)]
            legs = [(network.pk, -100), (account.pk, 100)]
            postings += [Posting(transaction_id=tx.pk, account_id=a, amount=amt) for a, amt in legs]
            data, salts = log.leaf_data(tx, [(a, public[a], amt) for a, amt in legs])
            entries.append(LogEntry(index=index + k, transaction_id=tx.pk, data=data))
            openings += [PostingOpening(transaction_id=tx.pk, account_id=a, salt=salt) for a, salt in salts]
        Posting.objects.bulk_create(postings, batch_size=4000)
        PostingOpening.objects.bulk_create(openings, batch_size=4000)
        LogEntry.objects.bulk_create(entries, batch_size=2000)
        index += n
        next_tx += n
    LogState.objects.filter(pk=1).update(size=index)
    from django.db.models import Sum

    for a in Account.objects.all():
        total = Posting.objects.filter(account=a).aggregate(t=Sum("amount"))["t"] or 0
        Account.objects.filter(pk=a.pk).update(balance=total)
    out["fill_seconds_not_measured_path"] = round(time.perf_counter() - t0, 1)

    # 3. Integration throughput over the large backlog ------------------------------------------
    backlog = index - log.latest_checkpoint().size
    start = time.perf_counter()
    cp = log.log_integrate()
    secs = time.perf_counter() - start
    out["integrate"] = {"entries": backlog, "seconds": round(secs, 2), "entries_per_s": round(backlog / secs)}

    # 4. Inclusion proofs at --leaves from DB-stored tiles ---------------------------------------
    rng = random.Random(1)
    hashes_checked = 0
    lat = []
    for _ in range(args.proofs):
        i = rng.randrange(cp.size)
        s = time.perf_counter()
        proof = log.inclusion_proof(i, cp.size)
        lat.append(time.perf_counter() - s)
        if hashes_checked < 20:
            leaf = bytes(LogEntry.objects.get(index=i).data)
            tlog.verify_inclusion(tlog.leaf_hash(leaf), i, cp.size, proof, bytes(cp.root))
            hashes_checked += 1
    out["inclusion_proof_ms"] = {
        "p50": round(_percentile(lat, 0.5) * 1000, 3),
        "p99": round(_percentile(lat, 0.99) * 1000, 3),
        "n": len(lat),
    }
    # End to end: GET /api/v1/ledger/transactions/{id}/proof as the member (auth, query, JSON).
    _, token = token_create(user=members[0].user)
    client = Client(headers={"Authorization": f"Bearer {token}"})
    mine = list(
        Transaction.objects.filter(postings__account=accounts[0]).values_list("pk", flat=True)[: args.proofs]
    )
    lat = []
    for pk in rng.sample(mine, min(len(mine), 300)):
        s = time.perf_counter()
        resp = client.get(f"/api/v1/ledger/transactions/{pk}/proof")
        lat.append(time.perf_counter() - s)
        assert resp.status_code == 200, resp.content
    out["proof_endpoint_ms"] = {
        "p50": round(_percentile(lat, 0.5) * 1000, 3),
        "p99": round(_percentile(lat, 0.99) * 1000, 3),
        "n": len(lat),
    }

    # 5. ledger verify (local) at --leaves ------------------------------------------------------
    buf = StringIO()
    start = time.perf_counter()
    call_command("ledger", "verify", stdout=buf)
    out["verify_seconds"] = round(time.perf_counter() - start, 2)
    out["verify_output"] = buf.getvalue().strip().splitlines()

    # 6. The log's own append, last: its bare leaves have no postings, which verify would flag.
    alone = [leaves_alone(args.append_tx) for _ in range(args.runs)]
    out["log_leaf_appends_alone_per_s"] = {
        "median": round(statistics.median(alone)),
        "runs": [round(r) for r in alone],
    }
    start = time.perf_counter()
    [
        tlog.leaf_hash(bytes(d))
        for d in LogEntry.objects.values_list("data", flat=True).iterator(chunk_size=50_000)
    ]
    out["hash_all_leaves_from_db_seconds"] = round(time.perf_counter() - start, 2)
    print(json.dumps(out, indent=2))
    if not args.keep:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
