"""PURE: which arm of an experiment a member is in, from a seeded hash (no Django).

The draw is SHA-256 over a domain tag, the experiment's name and the member's id, read as a
number in [0, 1): the same member and experiment always give the same arm (on every machine,
in the platform and in the simulator), different experiments give independent draws, and
nothing about the member but the id enters, so the arm is independent of who they are.
"""

from __future__ import annotations

import hashlib

import numpy as np

SUGGESTED = "suggested"  # today's ranked suggestions with reasons
HOLDOUT = "holdout"  # the people present in random order, no ranking, no reasons
ARMS = (SUGGESTED, HOLDOUT)
MAX_HOLDOUT_SHARE = 0.20
DEFAULT_HOLDOUT_SHARE = 0.10

_TAG = b"serendip-experiment-v1\x00"


def draw(experiment: str, member_id: int) -> float:
    """A uniform number in [0, 1) fixed by the experiment's name and the member's id."""
    digest = hashlib.sha256(_TAG + experiment.encode() + b"\x00" + str(int(member_id)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def arm(experiment: str, member_id: int, holdout_share: float) -> str:
    """The member's arm: hold-out with probability `holdout_share`, else suggested."""
    if not 0.0 <= holdout_share <= MAX_HOLDOUT_SHARE:
        raise ValueError(f"the hold-out share must be between 0 and {MAX_HOLDOUT_SHARE:.0%}")
    return HOLDOUT if draw(experiment, member_id) < holdout_share else SUGGESTED


def holdout_mask(experiment: str, member_ids, holdout_share: float) -> np.ndarray:
    """`arm(...) == HOLDOUT` for many members at once (the simulator's and the analysis' path)."""
    return np.fromiter(
        (arm(experiment, int(m), holdout_share) == HOLDOUT for m in member_ids),
        dtype=bool,
        count=len(member_ids),
    )


def random_order(experiment: str, member_id: int, day: str, others: list[int]) -> list[int]:
    """The hold-out's view: the others present in an order that is random but stable for the
    member and the day (a reload shows the same order), and carries no ranking."""
    seed = int.from_bytes(
        hashlib.sha256(_TAG + f"{experiment}\x00{member_id}\x00{day}".encode()).digest()[:8], "big"
    )
    order = np.random.default_rng(seed).permutation(len(others))
    return [others[i] for i in order]
