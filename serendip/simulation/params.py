"""What a simulation is asked for (`Scale`, `Params`), what it reports (`Result`), and the
data files it draws names, cities and tags from."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from serendip.tags import normalise_tag

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
    # The hold-out experiment (experiments/): ranked suggestions make a member this much more
    # likely (x 1 + effect) than a hold-out member to ask for an introduction on a day, and
    # to meet after an accepted one. 0 for no effect.
    suggestion_effect: float = 0.25
    holdout_share: float = 0.10
    min_others_present: int = 3  # exposure: a check-in day with at least this many others
    experiment_name: str = "simulated-holdout"


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
    experiment: str = ""
    holdout_members: int = 0
    seconds: float = 0.0
    rows: dict = field(default_factory=dict)


def ts(date: dt.date, hour: float) -> dt.datetime:
    """A UTC moment `hour` hours into `date`."""
    return dt.datetime.combine(date, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(hours=hour)


def load_cities() -> list[dict]:
    return json.loads((DATA / "cities.json").read_text())["cities"]


def load_vocabulary() -> dict[str, list[str]]:
    clusters = json.loads((DATA / "vocab.json").read_text())["clusters"]
    return {name: [normalise_tag(t) for t in tags] for name, tags in clusters.items()}


@cache
def load_names() -> dict:
    """First and last names, each country's language, the suffixes of a city's spaces."""
    return json.loads((DATA / "names.json").read_text())
