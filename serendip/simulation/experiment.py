"""The hold-out experiment in a simulated network, run as the platform runs it: one Experiment
over the simulated period, every member's arm from the platform's own seeded hash
(`experiments.assignment`), stored as Assignment rows; a hold-out member sees the people
present in random order, so ranked suggestions have a true effect to find (`Params`)."""

from __future__ import annotations

import numpy as np

from serendip.experiments import assignment
from serendip.experiments.models import Assignment
from serendip.experiments.services import experiment_create

from . import bulk


class ExperimentMixin:
    """Needs the people part's members (`member_id0`) and `self.t`."""

    def _experiment_start(self) -> None:
        p = self.p
        self.experiment = experiment_create(
            name=f"{p.experiment_name}-{self.start.isoformat()}",
            description="Simulated by `serendip simulate`.",
            starts_on=self.start,
            ends_on=self.end,
            holdout_share=p.holdout_share,
            min_others_present=p.min_others_present,
        )
        ids = self.member_id0 + np.arange(self.n_members)
        self.holdout = assignment.holdout_mask(self.experiment.name, ids, p.holdout_share)
        table = bulk.Table(Assignment, ["experiment", "member", "arm", "created_at"])
        when = bulk.db_datetime(self.experiment.created_at)
        for m, held_out in enumerate(self.holdout.tolist()):
            arm = assignment.HOLDOUT if held_out else assignment.SUGGESTED
            table.add((self.experiment.pk, int(ids[m]), arm, when))
        table.flush()
        self.result.experiment = self.experiment.name
        self.result.holdout_members = int(self.holdout.sum())

    def _lift(self, m: int) -> float:
        """How much less likely the hold-out member `m` is to act on, or meet after, a match."""
        return 1.0 + self.p.suggestion_effect if self.holdout[m] else 1.0

    def _choose(self, a: int, cands: list[int]) -> int:
        """Whom `a` asks to be introduced to: by fit when ranked; the first of a random order
        (the hold-out's view) otherwise."""
        if self.holdout[a]:
            return cands[int(self.rng.integers(len(cands)))]
        scores = np.array([self._compat(a, b) for b in cands]) ** 2
        return cands[int(self.rng.choice(len(cands), p=scores / scores.sum()))]
