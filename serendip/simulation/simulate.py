"""A plausible network, day by day: spaces, passports, check-ins, the knowledge exchange and
the social capital it moves, written through bulk paths that keep the app's invariants.

The behaviour model is deliberately simple (see `params.Params`); what it must get right are
the rules the services enforce, because the bulk path does not call them:

- a check-in only if the space has a free seat that day and the member holds no other seat
  that day, and only if the member can pay the seat price (no balance below zero);
- introductions once per pair, never to hidden members or those closed to matching;
- meetings only between members checked in at the same space that day, one per pair per day;
  earnings only for confirmed meetings and accepted answers, through the ledger's own earning
  rule (`ledger.rules.earning`: rating, scarcity, diminishing returns per pair, the daily cap);
- every ledger transaction balanced, appended to the log in creation order with
  `ledger.log.leaf_data`'s canonical leaf, and every cached balance the sum of its postings.

Everything random comes from one `numpy.random.Generator` seeded by `--seed`; together with
the end date the output is the same on every run.

The package: `params` (scales, knobs, data files), `tables` (the bulk tables), `books` (the
simulated ledger), and the simulator's parts as mixins over one shared state: `people`
(spaces, tags, passports), `experiment` (the hold-out and its arms), `exchange` (questions,
introductions, meetings), `rooms` (bookings and invoices). This module runs the days.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections import defaultdict

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction

from serendip.exchange.models import Answer, Introduction, Meeting, Question
from serendip.ledger.log import log_lock
from serendip.ledger.models import Account, Transaction, TxKind
from serendip.network.models import Booking, Room, Space
from serendip.passport.models import Member, Tag
from serendip.presence.models import CheckIn

from . import bulk
from .books import Books
from .exchange import ExchangeMixin
from .experiment import ExperimentMixin
from .params import SCALES, USERNAME_PREFIX, AlreadySimulated, Params, Result, Scale, ts
from .people import PeopleMixin
from .rooms import RoomsMixin
from .tables import Tables

__all__ = ["SCALES", "AlreadySimulated", "Params", "Result", "Scale", "Simulator", "simulate"]

User = get_user_model()


class Simulator(PeopleMixin, ExperimentMixin, ExchangeMixin, RoomsMixin):
    def __init__(
        self,
        *,
        scale: Scale,
        seed: int = 1,
        end: dt.date | None = None,
        params: Params | None = None,
        progress=None,
    ):
        self.scale = scale
        self.p = params or Params()
        self.rng = np.random.default_rng(seed)
        # The openings of the leaves' commitments: reproducible for a seed, like all this fake
        # data, and from a generator of their own so they change no other draw.
        self.salts = random.Random(f"ledger-openings:{seed}").randbytes
        self.end = end or dt.datetime.now(dt.UTC).date()
        self.start = self.end - dt.timedelta(days=scale.days - 1)
        self.progress = progress or (lambda line: print(line, file=sys.stderr, flush=True))
        self.result = Result()

    # -- entry point ---------------------------------------------------------------------------

    def run(self) -> Result:
        t0 = time.perf_counter()
        if User.objects.filter(username__startswith=USERNAME_PREFIX).exists():
            raise AlreadySimulated(
                "this database already holds a simulated network (users named sim-…); "
                "simulate into an empty database (or one with only the demo) instead"
            )
        bulk.tune_connection()
        with transaction.atomic():
            log_lock()  # the ledger's order lock: no service appends while the log grows in bulk
            self.t = Tables()
            self._make_spaces()
            self._make_tags()
            self._make_members()
            self._experiment_start()
            self._ledger_start()
            self._exchange_start()
            self._welcome_before_start()
            for d in range(self.scale.days):
                self._day(d)
                if d % max(1, self.scale.days // 20) == 0 or d == self.scale.days - 1:
                    self._report(d, t0)
            self._make_bookings()
            self._finish()
        self.result.seconds = time.perf_counter() - t0
        return self.result

    def _report(self, d: int, t0: float) -> None:
        r = self.result
        r.transactions = self.books.transactions
        pct = 100 * (d + 1) / self.scale.days
        bar = "#" * int(pct / 5)
        self.progress(
            f"simulate [{bar:<20}] day {d + 1}/{self.scale.days} {self.day(d)}: "
            f"{r.checkins:,} check-ins, {r.introductions:,} introductions, {r.meetings:,} meetings, "
            f"{r.transactions:,} transactions, {time.perf_counter() - t0:.1f} s"
        )

    def day(self, d: int) -> dt.date:
        return self.start + dt.timedelta(days=d)

    @property
    def n_members(self) -> int:
        return self.scale.members

    def _act(self, m: int, verb: str, summary: str, extra: dict, when: dt.datetime) -> None:
        self.t.activity.add(
            (self.member_id0 + m, verb, summary[:300], bulk.db_json(extra), bulk.db_datetime(when))
        )

    def _ledger_start(self) -> None:
        from serendip.ledger.services import network_account

        self.books = Books(
            tables=self.t,
            network=network_account(),
            member_id0=self.member_id0,
            pseudonyms=self.pseudonym,
            space_id0=self.space_id0,
            n_spaces=self.n_spaces,
            salts=self.salts,
        )
        self.books.open_accounts(
            member_pk=lambda m: self.member_id0 + m,
            space_pk=lambda s: self.space_id0 + s,
            created=ts(self.start, 0) - dt.timedelta(days=400),
        )

    # -- a day -----------------------------------------------------------------------------------

    def _day(self, d: int) -> None:
        rng, p = self.rng, self.p
        date = self.day(d)
        is_today = d == self.scale.days - 1
        self.books.new_day()
        self.routes_today = defaultdict(int)
        n = int(self.n_joined[d])
        for m in range(self.joined_upto, n):
            self._welcome(m, ts(date, 6) + dt.timedelta(seconds=m % 3600))
        self._join(n)

        # Check-ins: who comes, where, and whether there is a seat they can pay for.
        prob = self.base_p * self.activity[:n] * self.wf[date.weekday()]
        who = np.flatnonzero(rng.random(n) < prob)
        where = self.home[who].copy()
        travel = self.traveller[who] & (rng.random(len(who)) < p.travel_probability)
        w = self.space_weight / self.space_weight.sum()
        where[travel] = rng.choice(self.n_spaces, size=int(travel.sum()), p=w)
        perm = rng.permutation(len(who))  # arrival order
        who, where = who[perm], where[perm]
        order = np.argsort(where, kind="stable")
        who, where = who[order], where[order]
        starts = np.searchsorted(where, where, side="left")
        rank = np.arange(len(who)) - starts
        seats = np.array([s["seats"] for s in self.spaces])
        fits = rank < seats[where]
        self.result.checkins_refused_full += int((~fits).sum())
        who, where = who[fits], where[fits]
        price = self.space_price[where]
        can_pay = self.books.balance[who] >= price
        self.result.checkins_refused_balance += int((~can_pay).sum())
        who, where, price = who[can_pay], where[can_pay], price[can_pay]

        status_draw = rng.random(len(who))
        present_by_space: dict[int, list[int]] = defaultdict(list)
        for i, (m, s, pr) in enumerate(zip(who.tolist(), where.tolist(), price.tolist(), strict=True)):
            cid = self.checkin_id
            self.checkin_id += 1
            when = ts(date, 7) + dt.timedelta(seconds=i)
            if is_today:
                status = "present" if status_draw[i] < 0.5 else "reserved"
            elif status_draw[i] < p.cancel_share:
                status = "cancelled"
            elif status_draw[i] < p.cancel_share + p.no_show_share:
                status = "no_show"
            else:
                status = "present"
            focus = ""
            if status_draw[i] > 0.7:
                focus = "working on " + self.tag_names[min(self.offers[m])]
            sp = self.spaces[s]
            cancelled_at = bulk.db_datetime(when + dt.timedelta(hours=1)) if status == "cancelled" else None
            self.t.checkin.add(
                (
                    cid,
                    self.member_id0 + m,
                    self.space_id0 + s,
                    bulk.db_date(date),
                    status,
                    focus,
                    bulk.db_datetime(when),
                    cancelled_at,
                )
            )
            if pr:
                self.books.record(
                    kind=TxKind.SEAT,
                    reason=f"Seat at {sp['name']} on {date.isoformat()}",
                    subject=f"checkin:{cid}",
                    when=when,
                    beneficiary=m,
                    legs=[(m, -pr), (s + self.n_members, pr)],
                )
            self._act(
                m,
                "checked_in",
                f"Checked in at {sp['name']} for {date.isoformat()}",
                {"space": sp["slug"], "date": date.isoformat(), "checkin": cid},
                when,
            )
            if status == "cancelled":
                self._act(
                    m,
                    "checkin_cancelled",
                    f"Cancelled check-in at {sp['name']} for {date.isoformat()}",
                    {"space": sp["slug"], "date": date.isoformat(), "checkin": cid},
                    when + dt.timedelta(hours=1),
                )
            elif status == "present" or (is_today and status == "reserved"):
                present_by_space[s].append(m)
        self.result.checkins += len(who) - (0 if is_today else int((status_draw < p.cancel_share).sum()))
        if is_today:
            return  # the day is not over: exchanges are recorded on or after the day
        for s in sorted(present_by_space):
            members = present_by_space[s]
            self._questions(d, date, s, members)
            if len(members) >= 2:
                self._meetings(d, date, s, members)

    # -- finish ----------------------------------------------------------------------------------

    def _finish(self) -> None:
        self.t.flush()
        self.books.finish()
        self.books.close()
        sequenced = (User, Member, Tag, Space, Room, Account, Transaction, CheckIn, Question, Answer)
        bulk.reset_sequences([*sequenced, Introduction, Meeting, Booking])
        self.result.transactions = self.books.transactions
        self.result.paid_work_members = len(self.paid_work)
        self.result.rows = self.t.rows_written()


def simulate(*, scale: Scale, seed: int = 1, end: dt.date | None = None, progress=None) -> Result:
    """Fill the database with a simulated network; raises AlreadySimulated on a second run."""
    return Simulator(scale=scale, seed=seed, end=end, progress=progress).run()
