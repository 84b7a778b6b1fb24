"""The simulated ledger: balances, transactions, postings and log leaves written in bulk,
earning through `ledger.rules.earning`, the same rule `ledger.services.earn` applies."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from django.db import connection
from django.db.models import F

from serendip.ledger import rules
from serendip.ledger.log import leaf_data
from serendip.ledger.models import Account, AccountKind, LogState, Transaction

from . import bulk
from .tables import Tables


class _Tx:
    """What `leaf_data` reads of a transaction, without building a model instance."""

    __slots__ = ("created_at", "kind", "pk", "reverses_id")

    def __init__(self, pk: int, kind: str, created_at: dt.datetime):
        self.pk, self.kind, self.created_at, self.reverses_id = pk, kind, created_at, None


class Books:
    """Accounts are indices: 0..members-1 the members, then the spaces; None is the network.
    Amounts are in units of 1/100 SC. The caller holds the log's lock (`log_lock`)."""

    def __init__(
        self,
        *,
        tables: Tables,
        network: Account,
        member_id0: int,
        pseudonyms: list[str],
        space_id0: int,
        n_spaces: int,
        salts,
    ):
        self.t = tables
        self.salts = salts  # random bytes for the openings of the leaves' commitments
        self.network = network
        self.network_delta = 0
        self.member_id0 = member_id0
        self.n_members = len(pseudonyms)
        self.leaf_index = LogState.objects.get(pk=1).size
        self.tx_id = bulk.next_id(Transaction)
        self.account_id0 = bulk.next_id(Account)
        self.balance = np.zeros(self.n_members + n_spaces, dtype=np.int64)
        self.public_id = [f"member:{p}" for p in pseudonyms] + [
            f"space:{space_id0 + s}" for s in range(n_spaces)
        ]
        self.space_id0 = space_id0
        self.earned_today: dict[int, int] = defaultdict(int)
        self.pair_earnings: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.transactions = 0

    def account_id(self, acc: int | None) -> int:
        return self.network.pk if acc is None else self.account_id0 + acc

    def new_day(self) -> None:
        self.earned_today.clear()

    def record(self, *, kind, reason, subject, when, legs, beneficiary=None, counterpart=None) -> int:
        """One balanced transaction: `legs` are (account index or None for the network, units)."""
        assert sum(a for _, a in legs) == 0 and all(a != 0 for _, a in legs)
        tx = self.tx_id
        self.tx_id += 1
        for acc, amount in legs:
            if acc is None:
                self.network_delta += amount
            else:
                self.balance[acc] += amount
                assert self.balance[acc] >= 0, "a member balance would go below zero"
            self.t.posting.add((tx, self.account_id(acc), amount))
        self.t.tx.add(
            (
                tx,
                kind,
                reason[:300],
                subject,
                None if beneficiary is None else self.member_id0 + beneficiary,
                None if counterpart is None else self.member_id0 + counterpart,
                bulk.db_datetime(when),
            )
        )
        postings = [
            (self.account_id(acc), "network" if acc is None else self.public_id[acc], amount)
            for acc, amount in legs
        ]
        data, openings = leaf_data(_Tx(tx, kind, when), postings, salt=self.salts)
        self.t.leaf.add((self.leaf_index, tx, data))
        self.t.opening.extend((tx, account_id, salt) for account_id, salt in openings)
        self.leaf_index += 1
        self.transactions += 1
        return tx

    def earn(self, *, kind, m, other, base, subject, reason, when, day) -> int:
        """`ledger.services.earn` over the simulator's own state; returns the units paid."""
        previous = None
        if other is not None:
            previous = sum(1 for x in self.pair_earnings[(m, other)] if x > day - rules.PAIR_WINDOW_DAYS)
        amount, _ = rules.earning(base=base, earned_today=self.earned_today[m], previous_with_pair=previous)
        if amount <= 0:
            return 0
        self.record(
            kind=kind,
            reason=reason,
            subject=subject,
            when=when,
            beneficiary=m,
            counterpart=other,
            legs=[(None, -amount), (m, amount)],
        )
        self.earned_today[m] += amount
        if other is not None:
            self.pair_earnings[(m, other)].append(day)
        return amount

    def open_accounts(self, *, member_pk, space_pk, created: dt.datetime) -> None:
        """Write every account (balance 0) before any posting or opening names it. SQLite checks a
        deferred foreign key when the parent row arrives by searching the child table: accounts
        written after 1.7 million `PostingOpening` rows (no index on their account: the ledger
        never looks them up by account alone) meant a full scan per account, hours at seed scale."""
        when = bulk.db_datetime(created)
        for m in range(self.n_members):
            self.t.account.add(
                (self.account_id0 + m, AccountKind.MEMBER, member_pk(m), None, self.public_id[m], 0, when)
            )
        for s in range(len(self.balance) - self.n_members):
            acc = self.n_members + s
            self.t.account.add(
                (self.account_id0 + acc, AccountKind.SPACE, None, space_pk(s), self.public_id[acc], 0, when)
            )
        self.t.account.flush()

    def finish(self) -> None:
        """Every account's final balance (the accounts were written by `open_accounts`)."""
        self.t.flush()
        rows = [(int(b), self.account_id0 + i) for i, b in enumerate(self.balance) if b]
        table = Account._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET balance = %s WHERE id = %s", rows)

    def close(self) -> None:
        """After every table is flushed: the network account's balance and the log's size."""
        Account.objects.filter(pk=self.network.pk).update(balance=F("balance") + self.network_delta)
        LogState.objects.filter(pk=1).update(size=self.leaf_index)
