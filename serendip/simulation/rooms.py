"""Meeting-room bookings of a simulated network, each with its invoice, like `booking_create`."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict

from serendip.network.models import Booking, Room
from serendip.network.services import booking_price
from serendip.network.vat import vat_rate_for

from . import bulk


class RoomsMixin:
    """Needs the people part's spaces, rooms, members and names, and `self.t`."""

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
                self.t.booking.add(
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
                self.t.invoice.add(
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
                self.t.counter.add((self.space_id0 + s, year, last))
        self.progress(f"simulate: {self.result.bookings:,} room bookings with invoices")
