"""A plausible network, day by day: spaces, passports, check-ins, the knowledge exchange and
the social capital it moves, written through bulk paths that keep the app's invariants.

The behaviour model is deliberately simple (see `Params`); what it must get right are the
rules the services enforce, because the bulk path does not call them:

- a check-in only if the space has a free seat that day and the member holds no other seat
  that day, and only if the member can pay the seat price (no balance below zero);
- introductions once per pair, never to hidden members or those closed to matching;
- meetings only between members checked in at the same space that day, one per pair per day;
  earnings only for confirmed meetings and accepted answers, with the ledger's rules
  (`ledger.rules`: rating, scarcity, diminishing returns per pair, the daily cap);
- every ledger transaction balanced, appended to the log in creation order with
  `ledger.log.leaf_data`'s canonical leaf, and every cached balance the sum of its postings.

Everything random comes from one `numpy.random.Generator` seeded by `--seed`; together with
the end date the output is the same on every run.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from serendip.exchange.models import (
    Answer,
    Introduction,
    Meeting,
    MeetingRating,
    Outcome,
    Question,
    QuestionRoute,
)
from serendip.ledger import rules
from serendip.ledger.log import leaf_data, log_lock
from serendip.ledger.models import (
    Account,
    AccountKind,
    LogEntry,
    LogState,
    Posting,
    PostingOpening,
    Transaction,
    TxKind,
)
from serendip.network.models import Booking, Invoice, InvoiceCounter, OpeningHours, Room, Space
from serendip.network.services import booking_price
from serendip.network.vat import vat_rate_for
from serendip.passport.models import Activity, Member, MemberTag, Tag
from serendip.presence.models import CheckIn
from serendip.tags import normalise_tag

from . import bulk

User = get_user_model()
DATA = Path(__file__).resolve().parent
USERNAME_PREFIX = "sim-"  # simulated members' usernames: how a second run recognises them


class AlreadySimulated(Exception):
    """The database already holds simulated data."""


@dataclass(frozen=True)
class Scale:
    members: int
    spaces: int
    countries: int
    days: int


SCALES = {
    "seed": Scale(members=60_000, spaces=207, countries=30, days=365),
    "demo": Scale(members=400, spaces=12, countries=6, days=42),
    "test": Scale(members=120, spaces=5, countries=3, days=21),
}


@dataclass
class Params:
    """The behaviour model's knobs, calibrated so seed scale gives the seed's numbers."""

    checkins_per_member_year: float = 12.5  # => ~500k+ check-ins for 60k members (some join late)
    weekday_factor: tuple = (1.15, 1.2, 1.2, 1.15, 1.0, 0.2, 0.1)  # Mon..Sun
    already_members: float = 0.6  # share who joined before the simulated period
    traveller_share: float = 0.15
    travel_probability: float = 0.25  # a traveller's chance to work at another space that day
    intro_probability: float = 0.52  # a present member acts on a match that day
    intro_accept: float = 0.8
    intro_decline: float = 0.12  # the rest stay pending
    third_party_intro: float = 0.06  # introduced by a co-present member rather than asked
    meet_after_intro: float = 0.85
    confirm: float = 0.93
    repeat_meeting: float = 0.12  # two who met before meet again when both are in
    rate_meeting: float = 0.6
    outcome_report: float = 0.4
    outcome_kinds: tuple = (
        ("paid_work", 0.09),
        ("collaboration", 0.2),
        ("learned", 0.46),
        ("nothing_yet", 0.25),
    )
    ask_probability: float = 0.05
    answer_probability: float = 0.35
    accept_probability: float = 0.8
    room_booking_days: int = 91  # rooms and their invoices are simulated for the last weeks only
    room_hour_booked: float = 0.45  # chance a free room-hour starts a booking
    seat_headroom: tuple = (0.9, 1.6)  # seats per space: its busiest expected day times this
    cancel_share: float = 0.02
    no_show_share: float = 0.03


def load_cities() -> list[dict]:
    return json.loads((DATA / "cities.json").read_text())["cities"]


def load_vocabulary() -> dict[str, list[str]]:
    clusters = json.loads((DATA / "vocab.json").read_text())["clusters"]
    return {name: [normalise_tag(t) for t in tags] for name, tags in clusters.items()}


FIRST = [
    "Ada",
    "Alan",
    "Anna",
    "Bas",
    "Bram",
    "Carla",
    "Chen",
    "Daan",
    "Diego",
    "Eva",
    "Emma",
    "Fatima",
    "Femke",
    "Finn",
    "Giulia",
    "Hugo",
    "Ines",
    "Ivan",
    "Jan",
    "Julia",
    "Kai",
    "Lars",
    "Lea",
    "Lena",
    "Luca",
    "Maria",
    "Marco",
    "Maya",
    "Mila",
    "Noah",
    "Nina",
    "Omar",
    "Priya",
    "Rosa",
    "Sam",
    "Sara",
    "Sofia",
    "Thomas",
    "Tim",
    "Yara",
    "Yusuf",
    "Zoe",
    "Joost",
    "Sanne",
    "Pieter",
    "Anouk",
    "Ruben",
    "Lotte",
    "Matteo",
    "Chiara",
    "Pedro",
    "Ana",
    "Jonas",
    "Hannah",
    "Kenji",
    "Aiko",
]
LAST = [
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Garcia",
    "Martinez",
    "Lopez",
    "Silva",
    "Santos",
    "Muller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Dubois",
    "Martin",
    "Bernard",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Kowalski",
    "Nowak",
    "Yilmaz",
    "Kaya",
    "Sato",
    "Suzuki",
    "Patel",
    "Sharma",
    "Okafor",
    "Mensah",
    "Kim",
    "Nguyen",
    "Andersen",
    "Nielsen",
    "Larsen",
    "Virtanen",
    "Novak",
    "Papadopoulos",
    "Popescu",
]
LANGUAGE = {
    "NL": "dutch",
    "BE": "dutch",
    "DE": "german",
    "AT": "german",
    "CH": "german",
    "FR": "french",
    "IT": "italian",
    "ES": "spanish",
    "MX": "spanish",
    "PT": "portuguese",
    "BR": "portuguese",
    "PL": "polish",
    "TR": "turkish",
    "JP": "japanese",
    "SE": "swedish",
    "IN": "hindi",
}
SUFFIXES = ["Centraal", "Station", "Library", "Campus", "Docks", "Old Town", "Tech Park", "Harbour", "Studio"]


class _Tx:
    """What `leaf_data` reads of a transaction, without building a model instance."""

    __slots__ = ("created_at", "kind", "pk", "reverses_id")

    def __init__(self, pk: int, kind: str, created_at: dt.datetime):
        self.pk, self.kind, self.created_at, self.reverses_id = pk, kind, created_at, None


@dataclass
class Result:
    members: int = 0
    spaces: int = 0
    countries: int = 0
    checkins: int = 0
    checkins_refused_full: int = 0
    checkins_refused_balance: int = 0
    introductions: int = 0
    meetings: int = 0
    meetings_confirmed: int = 0
    questions: int = 0
    answers: int = 0
    transactions: int = 0
    bookings: int = 0
    paid_work_members: int = 0
    seconds: float = 0.0
    rows: dict = field(default_factory=dict)


def _ts(date: dt.date, hour: float) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(hours=hour)


class Simulator:
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
            self._setup_tables()
            self._make_spaces()
            self._make_tags()
            self._make_members()
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
        pct = 100 * (d + 1) / self.scale.days
        bar = "#" * int(pct / 5)
        self.progress(
            f"simulate [{bar:<20}] day {d + 1}/{self.scale.days} {self.day(d)}: "
            f"{r.checkins:,} check-ins, {r.introductions:,} introductions, {r.meetings:,} meetings, "
            f"{r.transactions:,} transactions, {time.perf_counter() - t0:.1f} s"
        )

    def day(self, d: int) -> dt.date:
        return self.start + dt.timedelta(days=d)

    # -- tables ----------------------------------------------------------------------------------

    def _setup_tables(self) -> None:
        T = bulk.Table
        self.t_user = T(
            User,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
        )
        self.t_member = T(
            Member,
            [
                "id",
                "user",
                "display_name",
                "headline",
                "about",
                "visibility",
                "open_to_matching",
                "pseudonym",
                "created_at",
                "updated_at",
            ],
        )
        self.t_tag = T(Tag, ["id", "name"])
        self.t_member_tag = T(MemberTag, ["member", "tag", "kind", "weight"])
        self.t_activity = T(Activity, ["member", "verb", "summary", "extra", "created_at"])
        self.t_space = T(
            Space,
            [
                "id",
                "name",
                "slug",
                "city",
                "country",
                "timezone",
                "seats",
                "seat_price",
                "cancellation_free_hours",
                "house_rules",
                "created_at",
            ],
        )
        self.t_hours = T(OpeningHours, ["space", "weekday", "opens", "closes"])
        self.t_room = T(
            Room, ["id", "space", "name", "capacity", "hourly_price_cents", "amenities", "active"]
        )
        self.t_checkin = T(
            CheckIn, ["id", "member", "space", "date", "status", "focus", "created_at", "cancelled_at"]
        )
        self.t_account = T(Account, ["id", "kind", "member", "space", "public_id", "balance", "created_at"])
        self.t_tx = T(
            Transaction, ["id", "kind", "reason", "subject", "beneficiary", "counterpart", "created_at"]
        )
        self.t_posting = T(Posting, ["transaction", "account", "amount"])
        self.t_leaf = T(LogEntry, ["index", "transaction", "data"])
        self.t_opening = T(PostingOpening, ["transaction", "account", "salt"])
        self.t_question = T(Question, ["id", "asker", "title", "body", "space", "status", "created_at"])
        through, qcol, tcol = bulk.m2m_table(Question._meta.get_field("tags"))
        self.t_question_tag = T(through, [qcol.removesuffix("_id"), tcol.removesuffix("_id")])
        self.t_route = T(QuestionRoute, ["question", "member", "score", "reasons", "created_at"])
        self.t_answer = T(Answer, ["id", "question", "author", "body", "accepted", "rating", "created_at"])
        self.t_intro = T(
            Introduction,
            [
                "id",
                "requester",
                "recipient",
                "introducer",
                "message",
                "reasons",
                "status",
                "created_at",
                "answered_at",
            ],
        )
        self.t_meeting = T(
            Meeting,
            [
                "id",
                "recorded_by",
                "other",
                "space",
                "date",
                "introduction",
                "status",
                "member_low",
                "member_high",
                "created_at",
                "confirmed_at",
            ],
        )
        self.t_rating = T(MeetingRating, ["meeting", "member", "rating"])
        self.t_outcome = T(Outcome, ["meeting", "member", "kind", "value_cents", "note", "created_at"])
        self.t_booking = T(
            Booking,
            [
                "id",
                "room",
                "member",
                "starts_at",
                "ends_at",
                "title",
                "status",
                "net_cents",
                "vat_rate",
                "vat_cents",
                "gross_cents",
                "free_cancellation_until",
                "payment_provider",
                "payment_status",
                "payment_reference",
                "created_at",
            ],
        )
        self.t_invoice = T(
            Invoice,
            [
                "space",
                "booking",
                "kind",
                "year",
                "sequence",
                "number",
                "issued_at",
                "issue_date",
                "seller_name",
                "seller_address",
                "buyer_name",
                "description",
                "net_cents",
                "vat_rate",
                "vat_cents",
                "gross_cents",
                "currency",
            ],
        )
        self.t_counter = T(InvoiceCounter, ["space", "year", "last"])
        self.tables = [v for v in vars(self).values() if isinstance(v, bulk.Table)]

    def _act(self, m: int, verb: str, summary: str, extra: dict, when: dt.datetime) -> None:
        self.t_activity.add(
            (self.member_id0 + m, verb, summary[:300], bulk.db_json(extra), bulk.db_datetime(when))
        )

    # -- spaces ----------------------------------------------------------------------------------

    def _make_spaces(self) -> None:
        rng, n = self.rng, self.scale.spaces
        cities = load_cities()
        countries = list(dict.fromkeys(c["country"] for c in cities))[: self.scale.countries]
        cities = [c for c in cities if c["country"] in countries]
        # Every chosen country gets a space first; the rest follow the cities' network weights.
        firsts = [next(i for i, c in enumerate(cities) if c["country"] == k) for k in countries][:n]
        weights = np.array([c["weight"] for c in cities], dtype=float)
        rest = rng.choice(len(cities), size=max(0, n - len(firsts)), p=weights / weights.sum())
        picks = sorted([*firsts, *rest.tolist()])
        existing = set(Space.objects.values_list("slug", flat=True))
        self.space_id0 = bulk.next_id(Space)
        self.spaces = []
        per_city: dict[int, int] = defaultdict(int)
        for i in picks:
            c = cities[i]
            k = per_city[i]
            per_city[i] += 1
            suffix = SUFFIXES[k % len(SUFFIXES)] + (
                f" {k // len(SUFFIXES) + 1}" if k >= len(SUFFIXES) else ""
            )
            name = f"Serendip {c['city']} {suffix}"
            slug = base = slugify(f"{c['city']}-{suffix}")[:70]
            j = 2
            while slug in existing:
                slug, j = f"{base}-{j}", j + 1
            existing.add(slug)
            price = int(rng.choice([0, 100, 150, 200, 300], p=[0.2, 0.3, 0.2, 0.2, 0.1]))
            self.spaces.append(
                dict(
                    name=name, slug=slug, city=c["city"], country=c["country"], tz=c["timezone"], price=price
                )
            )
        self.n_spaces = len(self.spaces)
        self.space_price = np.array([s["price"] for s in self.spaces], dtype=np.int64)
        self.space_weight = rng.lognormal(0, 0.5, self.n_spaces)
        self.result.spaces = self.n_spaces
        self.result.countries = len({s["country"] for s in self.spaces})

    def _write_spaces(self, seats: np.ndarray) -> None:
        created = bulk.db_datetime(_ts(self.start, 0) - dt.timedelta(days=400))
        self.rooms = []  # (room index, space index, hourly cents, name)
        self.room_id0 = bulk.next_id(Room)
        for s, sp in enumerate(self.spaces):
            sp["seats"] = int(seats[s])
            self.t_space.add(
                (
                    self.space_id0 + s,
                    sp["name"],
                    sp["slug"],
                    sp["city"],
                    sp["country"],
                    sp["tz"],
                    sp["seats"],
                    str(Decimal(sp["price"]) / 100),
                    24,
                    "",
                    created,
                )
            )
            for weekday in range(5):
                self.t_hours.add(
                    (self.space_id0 + s, weekday, bulk.db_time(dt.time(8)), bulk.db_time(dt.time(18)))
                )
            if self.rng.random() < 0.4:
                self.t_hours.add(
                    (self.space_id0 + s, 5, bulk.db_time(dt.time(10)), bulk.db_time(dt.time(16)))
                )
            for r in range(int(self.rng.integers(1, 4))):
                name = ["Boardroom", "Studio", "Focus room"][r]
                cents = int(self.rng.choice([2500, 3500, 4500, 6000]))
                self.t_room.add(
                    (
                        self.room_id0 + len(self.rooms),
                        self.space_id0 + s,
                        name,
                        int(self.rng.integers(4, 13)),
                        cents,
                        bulk.db_json(["screen", "whiteboard"]),
                        True,
                    )
                )
                self.rooms.append((len(self.rooms), s, cents, name))

    # -- tags and passports ----------------------------------------------------------------------

    def _make_tags(self) -> None:
        self.clusters = load_vocabulary()
        names = list(dict.fromkeys(t for tags in self.clusters.values() for t in tags))
        existing = dict(Tag.objects.filter(name__in=names).values_list("name", "id"))
        next_tag = bulk.next_id(Tag)
        self.tag_id: dict[str, int] = {}
        for name in names:
            if name in existing:
                self.tag_id[name] = existing[name]
            else:
                self.tag_id[name] = next_tag
                self.t_tag.add((next_tag, name))
                next_tag += 1
        self.tag_names = names
        self.tag_index = {name: i for i, name in enumerate(names)}
        # Clusters' popularity is long-tailed (Zipf-like), and so is each tag's within its cluster.
        self.cluster_names = [c for c in self.clusters if c != "languages"]
        ranks = np.arange(1, len(self.cluster_names) + 1)
        self.cluster_p = (1 / ranks**0.8) / (1 / ranks**0.8).sum()

    def _pick(self, cluster: str, k: int) -> list[int]:
        tags = self.clusters[cluster]
        w = 1 / np.arange(1, len(tags) + 1) ** 1.1
        k = min(k, len(tags))
        chosen = self.rng.choice(len(tags), size=k, replace=False, p=w / w.sum())
        return [self.tag_index[tags[i]] for i in chosen]

    def _make_members(self) -> None:
        rng, n, p = self.rng, self.scale.members, self.p
        days = self.scale.days
        before = rng.random(n) < p.already_members
        join_day = np.where(before, -rng.integers(1, 730, n), rng.integers(0, days, n))
        order = np.argsort(join_day, kind="stable")
        self.join_day = join_day[order]
        self.n_joined = np.searchsorted(self.join_day, np.arange(days), side="right")
        self.activity = rng.lognormal(-0.5, 1.0, n)  # mean ~1: a few regulars, many occasional
        self.home = rng.choice(self.n_spaces, size=n, p=self.space_weight / self.space_weight.sum())
        self.traveller = rng.random(n) < p.traveller_share
        self.visibility = rng.choice(["public", "members", "hidden"], size=n, p=[0.3, 0.66, 0.04])
        self.open = rng.random(n) < 0.96
        self.matchable = self.open & (self.visibility != "hidden")
        # Calibrate the daily check-in probability so the year holds `checkins_per_member_year`
        # check-ins per member-year of membership.
        wf = np.array(p.weekday_factor)
        weekdays = np.array([self.day(d).weekday() for d in range(days)])
        member_days = np.clip(days - np.maximum(self.join_day, 0), 0, days)
        expected = (self.activity * member_days).sum() * wf[weekdays].mean()
        target = p.checkins_per_member_year * member_days.sum() / 365
        self.base_p = target / expected
        self.wf = wf
        # Seats: a space holds about its busiest expected day, so popular days sometimes fill up.
        load = np.bincount(self.home, weights=self.activity, minlength=self.n_spaces) * self.base_p * wf.max()
        seats = np.clip(np.round(load * rng.uniform(*p.seat_headroom, self.n_spaces)), 4, 400).astype(int)
        self._write_spaces(seats)

        self.member_id0 = bulk.next_id(Member)
        self.user_id0 = bulk.next_id(User)
        self.offers: list[frozenset] = []
        self.needs: list[frozenset] = []
        self.interests: list[frozenset] = []
        self.primary = rng.choice(len(self.cluster_names), size=n, p=self.cluster_p)
        need_p = self.cluster_p.copy()
        for c in ("startups", "marketing", "finance", "legal", "sales"):  # what freelancers look for
            need_p[self.cluster_names.index(c)] *= 3
        need_p /= need_p.sum()
        offer_counts = np.zeros(len(self.tag_names), dtype=np.int64)
        self.offerers_by_tag: dict[int, list[int]] = defaultdict(list)
        self.pseudonym = []
        self.names: list[str] = []
        for m in range(n):
            primary = self.cluster_names[self.primary[m]]
            offers = self._pick(primary, int(rng.integers(3, 7)))
            if rng.random() < 0.35:
                offers += self._pick(
                    self.cluster_names[rng.choice(len(self.cluster_names), p=self.cluster_p)], 2
                )
            country = self.spaces[self.home[m]]["country"]
            langs = ["english"] + ([LANGUAGE[country]] if country in LANGUAGE else [])
            offers += [self.tag_index[normalise_tag(x)] for x in langs]
            need_cluster = self.cluster_names[rng.choice(len(self.cluster_names), p=need_p)]
            needs = [t for t in self._pick(need_cluster, int(rng.integers(2, 5))) if t not in offers]
            interests = self._pick(self.cluster_names[rng.choice(len(self.cluster_names))], 2)
            offers, needs, interests = list(dict.fromkeys(offers)), list(dict.fromkeys(needs)), interests
            self.offers.append(frozenset(offers))
            self.needs.append(frozenset(needs))
            self.interests.append(frozenset(interests))
            for t in offers:
                self.offerers_by_tag[t].append(m)
            offer_counts[offers] += 1
            first, last = FIRST[rng.integers(len(FIRST))], LAST[rng.integers(len(LAST))]
            joined = _ts(self.start, 7) + dt.timedelta(days=int(self.join_day[m]), seconds=m % 3600)
            uid, mid = self.user_id0 + m, self.member_id0 + m
            self.pseudonym.append(rng.bytes(16).hex())
            self.names.append(f"{first} {last}")
            when = bulk.db_datetime(joined)
            self.t_user.add(
                (uid, "!", False, f"{USERNAME_PREFIX}{m:06d}", first, last, "", False, True, when)
            )
            headline = f"{self.tag_names[offers[0]].capitalize()} · {primary}"
            self.t_member.add(
                (
                    mid,
                    uid,
                    f"{first} {last}",
                    headline,
                    "",
                    self.visibility[m],
                    bool(self.open[m]),
                    self.pseudonym[m],
                    when,
                    when,
                )
            )
            for kind, tags in (("offer", offers), ("need", needs), ("interest", interests)):
                for t in tags:
                    weight = 1.0 if kind == "interest" else float(rng.integers(1, 6))
                    self.t_member_tag.add((mid, self.tag_id[self.tag_names[t]], kind, weight))
            if (m + 1) % 20000 == 0:
                self.progress(f"simulate: {m + 1:,} passports")
        self.offerers = {t: np.array(ms, dtype=np.int64) for t, ms in self.offerers_by_tag.items()}
        self.result.members = n
        self.home_members = defaultdict(list)
        for m in range(n):
            self.home_members[int(self.home[m])].append(m)

    # -- ledger ----------------------------------------------------------------------------------

    def _ledger_start(self) -> None:
        from serendip.ledger.services import network_account

        self.network = network_account()
        self.network_delta = 0
        state = LogState.objects.get(pk=1)
        self.leaf_index = state.size
        self.tx_id = bulk.next_id(Transaction)
        self.account_id0 = bulk.next_id(Account)
        # Account indices: 0..members-1 members, then spaces; balances in units.
        self.balance = np.zeros(self.scale.members + self.n_spaces, dtype=np.int64)
        self.public_id = [f"member:{p}" for p in self.pseudonym] + [
            f"space:{self.space_id0 + s}" for s in range(self.n_spaces)
        ]
        self.earned_today: dict[int, int] = defaultdict(int)
        self.pair_earnings: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.members_offering = 0  # members who offer anything, joined so far (scarcity)
        self.offer_count = np.zeros(len(self.tag_names), dtype=np.int64)
        self.joined_upto = 0

    def _account_id(self, acc: int | None) -> int:
        return self.network.pk if acc is None else self.account_id0 + acc

    def _record(self, *, kind, reason, subject, when, legs, beneficiary=None, counterpart=None) -> int:
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
            self.t_posting.add((tx, self._account_id(acc), amount))
        self.t_tx.add(
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
            (self._account_id(acc), "network" if acc is None else self.public_id[acc], amount)
            for acc, amount in legs
        ]
        data, openings = leaf_data(_Tx(tx, kind, when), postings, salt=self.salts)
        self.t_leaf.add((self.leaf_index, tx, data))
        self.t_opening.extend((tx, account_id, salt) for account_id, salt in openings)
        self.leaf_index += 1
        self.result.transactions += 1
        return tx

    def _welcome(self, m: int, when: dt.datetime) -> None:
        self._record(
            kind=TxKind.WELCOME_GRANT,
            reason="Welcome to Serendip",
            subject=f"member:{self.member_id0 + m}",
            when=when,
            beneficiary=m,
            legs=[(None, -rules.WELCOME_GRANT), (m, rules.WELCOME_GRANT)],
        )
        self._act(m, "joined", "Joined Serendip", {}, when)

    def _join(self, upto: int) -> None:
        for m in range(self.joined_upto, upto):
            self.offer_count[list(self.offers[m])] += 1
            self.members_offering += 1
        self.joined_upto = upto

    def _welcome_before_start(self) -> None:
        upto = int(np.searchsorted(self.join_day, 0, side="left"))
        for m in range(upto):
            self._welcome(m, _ts(self.start, 7) + dt.timedelta(days=int(self.join_day[m]), seconds=m % 3600))
        self._join(upto)

    def _earn(self, *, kind, m, other, base, subject, reason, when, day) -> int:
        """`ledger.services.earn`'s rules over the simulator's own state; returns units paid."""
        n_prev = 0
        if other is not None:
            hist = self.pair_earnings[(m, other)]
            n_prev = sum(1 for x in hist if x > day - rules.PAIR_WINDOW_DAYS)
        factor = rules.pair_factor(n_prev) if other is not None else 1.0
        amount = rules.capped(round(base * factor), earned_today=self.earned_today[m])
        if amount <= 0:
            return 0
        self._record(
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

    def _scarcity(self, tags) -> float:
        return max(
            rules.scarcity_factor(members=self.members_offering, offerers=int(self.offer_count[t]))
            for t in tags
        )

    def _exchange_start(self) -> None:
        self.checkin_id = bulk.next_id(CheckIn)
        self.question_id = bulk.next_id(Question)
        self.answer_id = bulk.next_id(Answer)
        self.intro_id = bulk.next_id(Introduction)
        self.meeting_id = bulk.next_id(Meeting)
        self.partners: dict[int, set[int]] = defaultdict(set)
        self.pair_intro: dict[tuple[int, int], tuple | None] = {}  # every pair ever introduced
        self.intro_paid: set[int] = set()
        self.paid_work: set[int] = set()

    # -- a day -----------------------------------------------------------------------------------

    def _day(self, d: int) -> None:
        rng, p = self.rng, self.p
        date = self.day(d)
        is_today = d == self.scale.days - 1
        self.earned_today.clear()
        self.routes_today = defaultdict(int)
        n = int(self.n_joined[d])
        for m in range(self.joined_upto, n):
            self._welcome(m, _ts(date, 6) + dt.timedelta(seconds=m % 3600))
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
        can_pay = self.balance[who] >= price
        self.result.checkins_refused_balance += int((~can_pay).sum())
        who, where, price = who[can_pay], where[can_pay], price[can_pay]

        status_draw = rng.random(len(who))
        present_by_space: dict[int, list[int]] = defaultdict(list)
        for i, (m, s, pr) in enumerate(zip(who.tolist(), where.tolist(), price.tolist(), strict=True)):
            cid = self.checkin_id
            self.checkin_id += 1
            when = _ts(date, 7) + dt.timedelta(seconds=i)
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
            self.t_checkin.add(
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
                self._record(
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

    @property
    def n_members(self) -> int:
        return self.scale.members

    # -- questions -------------------------------------------------------------------------------

    def _questions(self, d: int, date: dt.date, s: int, members: list[int]) -> None:
        rng, p = self.rng, self.p
        n_joined = self.joined_upto
        for m in members:
            if rng.random() >= p.ask_probability or not self.needs[m]:
                continue
            needs = sorted(self.needs[m])
            tags = [
                needs[i]
                for i in rng.choice(
                    len(needs), size=min(len(needs), 1 + int(rng.random() < 0.4)), replace=False
                )
            ]
            qid = self.question_id
            self.question_id += 1
            asked = _ts(date, 10) + dt.timedelta(seconds=int(rng.integers(0, 3600)))
            title = f"Who can help me with {' and '.join(self.tag_names[t] for t in tags)}?"
            here = rng.random() < 0.2
            # Routed to members who offer the tag (joined, matchable, not the asker, under today's cap).
            pool = np.unique(np.concatenate([self.offerers.get(t, np.empty(0, np.int64)) for t in tags]))
            pool = pool[(pool < n_joined) & (pool != m)]
            pool = pool[self.matchable[pool]] if len(pool) else pool
            routed = []
            if len(pool):
                for r in rng.choice(pool, size=min(len(pool), 10), replace=False).tolist():
                    if self.routes_today[r] < 5 and len(routed) < 5:
                        routed.append(r)
                        self.routes_today[r] += 1
            accepted_answer = None
            answers = []
            for r in routed:
                offered = [t for t in tags if t in self.offers[r]]
                reasons = [f"Offers {self.tag_names[t]}" for t in offered] or ["Knows related topics"]
                self.t_route.add(
                    (
                        qid,
                        self.member_id0 + r,
                        round(float(rng.uniform(0.3, 1.0)), 3),
                        bulk.db_json(reasons),
                        bulk.db_datetime(asked),
                    )
                )
                if rng.random() < p.answer_probability:
                    answers.append(r)
            status = "open"
            if answers and rng.random() < p.accept_probability:
                accepted_answer = answers[int(rng.integers(len(answers)))]
                status = "answered"
            self.t_question.add(
                (
                    qid,
                    self.member_id0 + m,
                    title,
                    "",
                    self.space_id0 + s if here else None,
                    status,
                    bulk.db_datetime(asked),
                )
            )
            for t in tags:
                self.t_question_tag.add((qid, self.tag_id[self.tag_names[t]]))
            self._act(m, "asked", f"Asked: {title}", {"question": qid, "routed_to": len(routed)}, asked)
            self.result.questions += 1
            for j, r in enumerate(answers):
                aid = self.answer_id
                self.answer_id += 1
                answered = asked + dt.timedelta(hours=1, minutes=j)
                rating = None
                if r == accepted_answer:
                    rating = int(rng.choice([2, 3, 4, 5], p=[0.05, 0.25, 0.4, 0.3]))
                self.t_answer.add(
                    (
                        aid,
                        qid,
                        self.member_id0 + r,
                        f"Happy to help with {self.tag_names[tags[0]]}: let's talk.",
                        r == accepted_answer,
                        rating,
                        bulk.db_datetime(answered),
                    )
                )
                self._act(r, "answered", f"Answered: {title}", {"question": qid, "answer": aid}, answered)
                self.result.answers += 1
                if rating is not None:
                    when = _ts(date, 13) + dt.timedelta(seconds=int(rng.integers(0, 3600)))
                    base = rules.ANSWER_ACCEPTED_BASE * rules.rating_factor(rating) * self._scarcity(tags)
                    self._earn(
                        kind=TxKind.ANSWER_ACCEPTED,
                        m=r,
                        other=m,
                        base=base,
                        subject=f"answer:{aid}",
                        reason=f"Answer accepted (rated {rating}/5): {title}",
                        when=when,
                        day=d,
                    )
                    self._act(
                        r,
                        "answer_accepted",
                        f"Your answer was accepted: {title}",
                        {"question": qid, "answer": aid, "rating": rating},
                        when,
                    )
                    self._act(
                        m,
                        "accepted_answer",
                        f"Accepted an answer: {title}",
                        {"question": qid, "answer": aid},
                        when,
                    )

    # -- introductions and meetings --------------------------------------------------------------

    def _compat(self, a: int, b: int) -> float:
        return (
            2.0 * len(self.offers[b] & self.needs[a])
            + 1.0 * len(self.offers[a] & self.needs[b])
            + 0.5 * len(self.interests[a] & self.interests[b])
            + 0.05
        )

    def _meetings(self, d: int, date: dt.date, s: int, members: list[int]) -> None:
        rng, p = self.rng, self.p
        here = set(members)
        met_today: set[tuple[int, int]] = set()
        # Those who met before meet again now and then.
        for a in members:
            for b in sorted(self.partners.get(a, set()) & here):
                if a < b and rng.random() < p.repeat_meeting:
                    self._meeting(d, date, s, a, b, self.pair_intro.get((a, b)), met_today)
        # Acting on a match: an introduction to the best-suited member here not introduced before.
        for a in members:
            if rng.random() >= p.intro_probability:
                continue
            others = (
                members
                if len(members) <= 25
                else [members[i] for i in rng.choice(len(members), 25, replace=False)]
            )
            cands = [
                b
                for b in others
                if b != a and self.matchable[b] and (min(a, b), max(a, b)) not in self.pair_intro
            ]
            if not cands:
                continue
            scores = np.array([self._compat(a, b) for b in cands]) ** 2
            b = cands[int(rng.choice(len(cands), p=scores / scores.sum()))]
            introducer = None
            if rng.random() < p.third_party_intro:
                third = [x for x in members if x not in (a, b)]
                if third:
                    introducer = third[int(rng.integers(len(third)))]
            self._introduce(d, date, s, a, b, introducer, met_today)

    def _introduce(self, d, date, s, a, b, introducer, met_today) -> None:
        rng, p = self.rng, self.p
        iid = self.intro_id
        self.intro_id += 1
        key = (min(a, b), max(a, b))
        self.pair_intro[key] = None  # declined or pending: never suggested again
        created = _ts(date, 11) + dt.timedelta(seconds=int(rng.integers(0, 7200)))
        draw = rng.random()
        status = (
            "accepted"
            if draw < p.intro_accept
            else "declined"
            if draw < p.intro_accept + p.intro_decline
            else "pending"
        )
        answered = created + dt.timedelta(minutes=int(rng.integers(5, 90))) if status != "pending" else None
        reasons = [
            f"Offers {self.tag_names[t]}, which you need" for t in sorted(self.offers[b] & self.needs[a])
        ][:3]
        reasons = reasons or ["Works at the same space today"]
        self.t_intro.add(
            (
                iid,
                self.member_id0 + a,
                self.member_id0 + b,
                None if introducer is None else self.member_id0 + introducer,
                "",
                bulk.db_json(reasons),
                status,
                bulk.db_datetime(created),
                None if answered is None else bulk.db_datetime(answered),
            )
        )
        self.result.introductions += 1
        self._act(a, "introduction_requested", "Asked for an introduction", {"introduction": iid}, created)
        if status == "pending":
            return
        self._act(
            b,
            f"introduction_{status}",
            f"{status.capitalize()} an introduction",
            {"introduction": iid},
            answered,
        )
        if status != "accepted":
            return
        self.pair_intro[key] = (iid, introducer)
        if rng.random() < p.meet_after_intro and key not in met_today:
            self._meeting(d, date, s, a, b, (iid, introducer), met_today)

    def _meeting(self, d, date, s, a, b, intro, met_today) -> None:
        rng, p = self.rng, self.p
        key = (min(a, b), max(a, b))
        if key in met_today:
            return
        met_today.add(key)
        mid = self.meeting_id
        self.meeting_id += 1
        recorded_by, other = (a, b) if rng.random() < 0.5 else (b, a)
        created = _ts(date, 16) + dt.timedelta(seconds=int(rng.integers(0, 3600)))
        confirmed = rng.random() < p.confirm
        confirmed_at = created + dt.timedelta(minutes=int(rng.integers(5, 120))) if confirmed else None
        iid = intro[0] if intro else None
        self.t_meeting.add(
            (
                mid,
                self.member_id0 + recorded_by,
                self.member_id0 + other,
                self.space_id0 + s,
                bulk.db_date(date),
                iid,
                "confirmed" if confirmed else "pending",
                self.member_id0 + key[0],
                self.member_id0 + key[1],
                bulk.db_datetime(created),
                None if confirmed_at is None else bulk.db_datetime(confirmed_at),
            )
        )
        self.result.meetings += 1
        self._act(
            recorded_by, "meeting_recorded", f"Met at {self.spaces[s]['name']}", {"meeting": mid}, created
        )
        if not confirmed:
            return
        self.result.meetings_confirmed += 1
        self.partners[a].add(b)
        self.partners[b].add(a)
        if rng.random() < p.rate_meeting:
            self.t_rating.add((mid, self.member_id0 + other, int(rng.choice([3, 4, 5], p=[0.2, 0.45, 0.35]))))
        for me, them in ((recorded_by, other), (other, recorded_by)):
            self._earn(
                kind=TxKind.MEETING_CONFIRMED,
                m=me,
                other=them,
                base=rules.MEETING_CONFIRMED_BASE,
                subject=f"meeting:{mid}",
                reason=f"Met at {self.spaces[s]['name']} on {date.isoformat()}",
                when=confirmed_at,
                day=d,
            )
            self._act(me, "meeting_confirmed", "Meeting confirmed", {"meeting": mid}, confirmed_at)
        if intro and intro[1] is not None and intro[0] not in self.intro_paid and intro[1] not in key:
            self.intro_paid.add(intro[0])
            self._earn(
                kind=TxKind.INTRODUCTION,
                m=intro[1],
                other=None,
                base=rules.INTRODUCTION_BASE,
                subject=f"introduction:{intro[0]}",
                reason="Your introduction led to a meeting",
                when=confirmed_at + dt.timedelta(seconds=1),
                day=d,
            )
        kinds, probs = zip(*p.outcome_kinds, strict=True)
        for me in (recorded_by, other):
            if rng.random() < p.outcome_report:
                kind = str(rng.choice(kinds, p=probs))
                value = int(rng.integers(5, 200)) * 10000 if kind == "paid_work" else None
                when = confirmed_at + dt.timedelta(days=int(rng.integers(1, 30)))
                self.t_outcome.add((mid, self.member_id0 + me, kind, value, "", bulk.db_datetime(when)))
                if kind == "paid_work":
                    self.paid_work.add(me)

    # -- rooms -----------------------------------------------------------------------------------

    def _make_bookings(self) -> None:
        """Meeting-room bookings over the last weeks, each with its invoice, like `booking_create`."""
        rng, p = self.rng, self.p
        first = max(0, self.scale.days - p.room_booking_days)
        booking_id = bulk.next_id(Booking)
        by_space: dict[int, list[tuple]] = defaultdict(list)
        for room, s, cents, room_name in self.rooms:
            sp = self.spaces[s]
            tz = zoneinfo.ZoneInfo(sp["tz"])
            vat_rate = vat_rate_for(sp["country"])
            locals_ = list(self.home_members[s])
            if not locals_:
                continue
            for d in range(first, self.scale.days):
                date = self.day(d)
                wd = date.weekday()
                if wd == 6 or (wd == 5 and rng.random() < 0.6):
                    continue
                opens, closes = (10, 16) if wd == 5 else (8, 18)
                h = opens
                while h < closes:
                    if rng.random() < p.room_hour_booked:
                        length = min(int(rng.choice([1, 2, 3, 4], p=[0.35, 0.35, 0.2, 0.1])), closes - h)
                        start = dt.datetime.combine(date, dt.time(h), tzinfo=tz).astimezone(dt.UTC)
                        end = start + dt.timedelta(hours=length)
                        m = locals_[int(rng.integers(len(locals_)))]
                        created = start - dt.timedelta(
                            days=int(rng.integers(1, 15)), hours=int(rng.integers(0, 8))
                        )
                        by_space[s].append(
                            (created, booking_id, room, m, start, end, cents, room_name, vat_rate)
                        )
                        booking_id += 1
                        h += length
                    else:
                        h += 1
        for s in sorted(by_space):
            sp = self.spaces[s]
            tz = zoneinfo.ZoneInfo(sp["tz"])
            seq: dict[int, int] = defaultdict(int)
            for created, bid, room, m, start, end, cents, room_name, vat_rate in sorted(by_space[s]):
                minutes = int((end - start).total_seconds() // 60)
                net, vat, gross = booking_price(
                    room=Room(hourly_price_cents=cents), minutes=minutes, vat_rate=vat_rate
                )
                issue_date = created.astimezone(tz).date()
                seq[issue_date.year] += 1
                number = f"{sp['slug'].upper()}-{issue_date.year}-{seq[issue_date.year]:05d}"
                self.t_booking.add(
                    (
                        bid,
                        self.room_id0 + room,
                        self.member_id0 + m,
                        bulk.db_datetime(start),
                        bulk.db_datetime(end),
                        "",
                        "confirmed",
                        net,
                        str(vat_rate),
                        vat,
                        gross,
                        bulk.db_datetime(start - dt.timedelta(hours=24)),
                        "invoice",
                        "invoiced",
                        number,
                        bulk.db_datetime(created),
                    )
                )
                ls, le = start.astimezone(tz), end.astimezone(tz)
                description = (
                    f"Meeting room {room_name}, {ls:%a %d %b %Y %H:%M}–{le:%H:%M} ({sp['tz']}), "
                    f"{minutes / 60:g} h"
                )
                self.t_invoice.add(
                    (
                        self.space_id0 + s,
                        bid,
                        "invoice",
                        issue_date.year,
                        seq[issue_date.year],
                        number,
                        bulk.db_datetime(created),
                        bulk.db_date(issue_date),
                        sp["name"],
                        f"{sp['city']}, {sp['country']}",
                        self.names[m],
                        description[:300],
                        net,
                        str(vat_rate),
                        vat,
                        gross,
                        "EUR",
                    )
                )
                self._act(
                    m,
                    "room_booked",
                    f"Booked {room_name} at {sp['name']} on {ls:%a %d %b %Y %H:%M}–{le:%H:%M}",
                    {"space": sp["slug"], "room": self.room_id0 + room, "booking": bid},
                    created,
                )
                self.result.bookings += 1
            for year, last in seq.items():
                self.t_counter.add((self.space_id0 + s, year, last))
        self.progress(f"simulate: {self.result.bookings:,} room bookings with invoices")

    # -- finish ----------------------------------------------------------------------------------

    def _finish(self) -> None:
        created = bulk.db_datetime(_ts(self.start, 0) - dt.timedelta(days=400))
        for m in range(self.n_members):
            self.t_account.add(
                (
                    self.account_id0 + m,
                    AccountKind.MEMBER,
                    self.member_id0 + m,
                    None,
                    self.public_id[m],
                    int(self.balance[m]),
                    created,
                )
            )
        for s in range(self.n_spaces):
            acc = self.n_members + s
            self.t_account.add(
                (
                    self.account_id0 + acc,
                    AccountKind.SPACE,
                    None,
                    self.space_id0 + s,
                    self.public_id[acc],
                    int(self.balance[acc]),
                    created,
                )
            )
        for table in self.tables:
            table.flush()
        from django.db.models import F

        Account.objects.filter(pk=self.network.pk).update(balance=F("balance") + self.network_delta)
        LogState.objects.filter(pk=1).update(size=self.leaf_index)
        bulk.reset_sequences(
            [
                User,
                Member,
                Tag,
                Space,
                Room,
                Account,
                Transaction,
                CheckIn,
                Question,
                Answer,
                Introduction,
                Meeting,
                Booking,
            ]
        )
        self.result.paid_work_members = len(self.paid_work)
        self.result.rows = {t.model._meta.label: t.written for t in self.tables if t.written}


def simulate(*, scale: Scale, seed: int = 1, end: dt.date | None = None, progress=None) -> Result:
    """Fill the database with a simulated network; raises AlreadySimulated on a second run."""
    return Simulator(scale=scale, seed=seed, end=end, progress=progress).run()
