"""Spaces, tags and passports of a simulated network, and members joining over the period
(their welcome grant, and the offer counts that make a tag scarce)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import numpy as np
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from serendip.l10n import language_for_country
from serendip.ledger import rules
from serendip.ledger.models import TxKind
from serendip.network.models import Room, Space
from serendip.passport.models import Member, Tag, Verification
from serendip.tags import normalise_tag

from . import bulk
from .params import USERNAME_PREFIX, load_cities, load_names, load_vocabulary, ts

User = get_user_model()

# Attributes this part sets on the simulator (read by the others): spaces, n_spaces, space_id0,
# space_price, space_weight, rooms, room_id0, tag_id, tag_names, member_id0, user_id0, join_day,
# n_joined, activity, home, traveller, visibility, matchable, base_p, wf, offers, needs,
# interests, offerers, pseudonym, names, home_members, joined_upto.


class PeopleMixin:
    """The network's spaces and members, drawn from the data files (cities, vocabulary, names)."""

    def _make_spaces(self) -> None:
        rng, n = self.rng, self.scale.spaces
        cities = load_cities()
        suffixes = load_names()["space_suffixes"]
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
            suffix = suffixes[k % len(suffixes)] + (
                f" {k // len(suffixes) + 1}" if k >= len(suffixes) else ""
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
        created = bulk.db_datetime(ts(self.start, 0) - dt.timedelta(days=400))
        self.rooms = []  # (room index, space index, hourly cents, name)
        self.room_id0 = bulk.next_id(Room)
        for s, sp in enumerate(self.spaces):
            sp["seats"] = int(seats[s])
            self.t.space.add(
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
                    language_for_country(sp["country"]),
                    created,
                )
            )
            for weekday in range(5):
                self.t.hours.add(
                    (self.space_id0 + s, weekday, bulk.db_time(dt.time(8)), bulk.db_time(dt.time(18)))
                )
            if self.rng.random() < 0.4:
                self.t.hours.add(
                    (self.space_id0 + s, 5, bulk.db_time(dt.time(10)), bulk.db_time(dt.time(16)))
                )
            for r in range(int(self.rng.integers(1, 4))):
                name = ["Boardroom", "Studio", "Focus room"][r]
                cents = int(self.rng.choice([2500, 3500, 4500, 6000]))
                self.t.room.add(
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
                self.t.tag.add((next_tag, name))
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
        names = load_names()
        firsts, lasts, language = names["first"], names["last"], names["language_by_country"]
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
        # At least 10 seats: a co-working space smaller than that is a meeting room.
        seats = np.clip(np.round(load * rng.uniform(*p.seat_headroom, self.n_spaces)), 10, 400).astype(int)
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
            langs = ["english"] + ([language[country]] if country in language else [])
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
            first, last = firsts[rng.integers(len(firsts))], lasts[rng.integers(len(lasts))]
            joined = ts(self.start, 7) + dt.timedelta(days=int(self.join_day[m]), seconds=m % 3600)
            uid, mid = self.user_id0 + m, self.member_id0 + m
            self.pseudonym.append(rng.bytes(16).hex())
            self.names.append(f"{first} {last}")
            when = bulk.db_datetime(joined)
            self.t.user.add(
                (uid, "!", False, f"{USERNAME_PREFIX}{m:06d}", first, last, "", False, True, when)
            )
            headline = f"{self.tag_names[offers[0]].capitalize()} · {primary}"
            self.t.member.add(
                (
                    mid,
                    uid,
                    f"{first} {last}",
                    headline,
                    "",
                    self.visibility[m],
                    bool(self.open[m]),
                    self.pseudonym[m],
                    when,  # simulated members are verified (and granted) when they join
                    Verification.OPERATOR.value,
                    when,
                    when,
                )
            )
            for kind, tags in (("offer", offers), ("need", needs), ("interest", interests)):
                for t in tags:
                    weight = 1.0 if kind == "interest" else float(rng.integers(1, 6))
                    self.t.member_tag.add((mid, self.tag_id[self.tag_names[t]], kind, weight))
            if (m + 1) % 20000 == 0:
                self.progress(f"simulate: {m + 1:,} passports")
        self.offerers = {t: np.array(ms, dtype=np.int64) for t, ms in self.offerers_by_tag.items()}
        self.result.members = n
        self.members_offering = 0  # members who offer anything, joined so far (scarcity)
        self.offer_count = np.zeros(len(self.tag_names), dtype=np.int64)
        self.joined_upto = 0
        self.home_members = defaultdict(list)
        for m in range(n):
            self.home_members[int(self.home[m])].append(m)

    def _welcome(self, m: int, when: dt.datetime) -> None:
        self.books.record(
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
            self._welcome(m, ts(self.start, 7) + dt.timedelta(days=int(self.join_day[m]), seconds=m % 3600))
        self._join(upto)

    def _scarcity(self, tags) -> float:
        return max(
            rules.scarcity_factor(members=self.members_offering, offerers=int(self.offer_count[t]))
            for t in tags
        )
