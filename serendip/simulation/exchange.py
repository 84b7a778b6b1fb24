"""The knowledge exchange of a simulated day at one space: questions routed and answered,
introductions acted on, meetings confirmed and what came of them, and the earnings they pay."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from serendip.exchange.models import Answer, Introduction, Meeting, Question
from serendip.ledger import rules
from serendip.ledger.models import TxKind
from serendip.presence.models import CheckIn

from . import bulk
from .params import ts


class ExchangeMixin:
    """Needs the people part's members and tags, `self.books` and `self.t`."""

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
            asked = ts(date, 10) + dt.timedelta(seconds=int(rng.integers(0, 3600)))
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
                self.t.route.add(
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
            self.t.question.add(
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
                self.t.question_tag.add((qid, self.tag_id[self.tag_names[t]]))
            self._act(m, "asked", f"Asked: {title}", {"question": qid, "routed_to": len(routed)}, asked)
            self.result.questions += 1
            for j, r in enumerate(answers):
                aid = self.answer_id
                self.answer_id += 1
                answered = asked + dt.timedelta(hours=1, minutes=j)
                rating = None
                if r == accepted_answer:
                    rating = int(rng.choice([2, 3, 4, 5], p=[0.05, 0.25, 0.4, 0.3]))
                self.t.answer.add(
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
                    when = ts(date, 13) + dt.timedelta(seconds=int(rng.integers(0, 3600)))
                    base = rules.ANSWER_ACCEPTED_BASE * rules.rating_factor(rating) * self._scarcity(tags)
                    self.books.earn(
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
            if rng.random() >= p.intro_probability / self._lift(a):
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
            b = self._choose(a, cands)
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
        created = ts(date, 11) + dt.timedelta(seconds=int(rng.integers(0, 7200)))
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
        self.t.intro.add(
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
        if rng.random() < p.meet_after_intro / self._lift(a) and key not in met_today:
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
        created = ts(date, 16) + dt.timedelta(seconds=int(rng.integers(0, 3600)))
        confirmed = rng.random() < p.confirm
        confirmed_at = created + dt.timedelta(minutes=int(rng.integers(5, 120))) if confirmed else None
        iid = intro[0] if intro else None
        self.t.meeting.add(
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
            self.t.rating.add((mid, self.member_id0 + other, int(rng.choice([3, 4, 5], p=[0.2, 0.45, 0.35]))))
        for me, them in ((recorded_by, other), (other, recorded_by)):
            self.books.earn(
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
            self.books.earn(
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
                self.t.outcome.add((mid, self.member_id0 + me, kind, value, "", bulk.db_datetime(when)))
                if kind == "paid_work":
                    self.paid_work.add(me)
