"""How social capital is earned and spent: every rule and number in one readable place.

Amounts are in units of 1/100 SC. The services in `ledger/services.py` apply these rules;
nothing else decides what a contribution is worth.
"""

import math

from .models import UNITS_PER_SC

# Earning (minted from the network account)
# Paid once the account is verified (onboarding.member_verify), never at sign-up, so accounts
# cannot be farmed for it; until then a member's first seat is on the house (services.seat_pay).
WELCOME_GRANT = 20 * UNITS_PER_SC
ANSWER_ACCEPTED_BASE = 5 * UNITS_PER_SC  # an accepted answer rated 3 on a common tag
MEETING_CONFIRMED_BASE = 3 * UNITS_PER_SC  # to each member of a confirmed meeting
INTRODUCTION_BASE = 2 * UNITS_PER_SC  # to the introducer, once the two have met

# The asker's rating scales an accepted answer: 1 halves it, 5 gives one and a half times.
RATING_FACTOR = {1: 0.5, 2: 0.75, 3: 1.0, 4: 1.25, 5: 1.5}

# Rare knowledge is worth more: a tag offered by 1 in 100 members doubles the value, one
# offered by everybody adds nothing. 1 + min(MAX_BONUS, log10(members / offerers) / 2).
SCARCITY_MAX_BONUS = 1.0

# Anti-gaming
PAIR_WINDOW_DAYS = 30  # earnings between the same two members within this window...
PAIR_DECAY = 0.5  # ...are worth half as much each further time: 1, 0.5, 0.25, ...
PAIR_MIN_FACTOR = 0.1  # below this the exchange earns nothing
DAILY_EARNING_CAP = 30 * UNITS_PER_SC  # per member per UTC day, all earning kinds but the welcome grant


def rating_factor(rating: int) -> float:
    return RATING_FACTOR[rating]


def scarcity_factor(*, members: int, offerers: int) -> float:
    """How rare a skill is in the network: 1.0 (common) to 1 + SCARCITY_MAX_BONUS (rare)."""
    if members <= 0:
        return 1.0
    ratio = members / max(offerers, 1)
    return 1.0 + min(SCARCITY_MAX_BONUS, max(0.0, math.log10(ratio) / 2))


def pair_factor(previous_earnings_with_pair: int) -> float:
    """Diminishing returns for the same two members within PAIR_WINDOW_DAYS."""
    factor = PAIR_DECAY**previous_earnings_with_pair
    return factor if factor >= PAIR_MIN_FACTOR else 0.0


def capped(amount: int, *, earned_today: int) -> int:
    """What is left of `amount` under the daily cap."""
    return max(0, min(amount, DAILY_EARNING_CAP - earned_today))


def earning(*, base: float, earned_today: int, previous_with_pair: int | None) -> tuple[int, float]:
    """The earning rule: what a contribution worth `base` pays today, and its pair factor.

    `previous_with_pair` is how many earnings the member had from the same counterpart within
    PAIR_WINDOW_DAYS (None when there is no counterpart, as for an introduction). Both
    `ledger.services.earn` and the simulator call this, so there is one rule to change."""
    factor = 1.0 if previous_with_pair is None else pair_factor(previous_with_pair)
    return capped(round(base * factor), earned_today=earned_today), factor
