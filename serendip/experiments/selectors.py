"""Reads of the experiments: which experiment runs on a day, what a member is shown (the one
place that decides between ranked suggestions and the hold-out's random order), and the
stored results for the insights page, the CSV and `stats --json`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from serendip.exchange.routing import SUGGESTIONS_PER_DAY, Route, not_to_suggest, suggestions
from serendip.passport.models import Member, Visibility
from serendip.presence.selectors import present_with_focus

from . import assignment
from .models import Experiment, ExperimentResult
from .outcomes import OUTCOMES
from .services import assignments_ensure


@dataclass(frozen=True)
class Suggestions:
    """What a member sees at a space on a day: `ranked` suggestions with reasons, or (the
    hold-out) the people present in random order with no scores and no reasons."""

    routes: list[Route]
    ranked: bool
    experiment: str | None = None
    arm: str | None = None


def experiment_on(date: dt.date) -> Experiment | None:
    return Experiment.objects.filter(starts_on__lte=date, ends_on__gte=date).first()


def suggestions_for(*, member: Member, space, date: dt.date) -> Suggestions:
    """Whom `member` is shown at `space` on `date`. The only place the arm is decided; the
    member's assignment is stored on first sight (`assignments_ensure`) and never changes."""
    experiment = experiment_on(date)
    arm = None
    if experiment is not None:
        arm = assignments_ensure(experiment=experiment, member_ids=[member.pk])[member.pk]
    if arm != assignment.HOLDOUT:
        return Suggestions(
            routes=suggestions(member=member, space=space, date=date),
            ranked=True,
            experiment=experiment and experiment.name,
            arm=arm,
        )
    # The same people the ranking may show (present, not hidden, open to matching, no "no
    # thanks" or recent meeting between us), only not ranked.
    skip = not_to_suggest(member) | {member.pk}
    present = {member_id for member_id, _focus in present_with_focus(space=space, date=date)} - skip
    others = sorted(
        Member.objects.filter(pk__in=present, open_to_matching=True)
        .exclude(visibility=Visibility.HIDDEN)
        .values_list("pk", flat=True)
    )
    shown = assignment.random_order(experiment.name, member.pk, date.isoformat(), others)[
        :SUGGESTIONS_PER_DAY
    ]
    return Suggestions(
        routes=[Route(member_id=m, score=0.0, reasons=[]) for m in shown],
        ranked=False,
        experiment=experiment.name,
        arm=arm,
    )


# -- stored results ----------------------------------------------------------------------------


def experiment_results() -> list[dict]:
    """Every experiment with its latest stored analysis (newest first), for pages and JSON."""
    out = []
    for e in Experiment.objects.select_related("result").order_by("-starts_on"):
        result = getattr(e, "result", None)
        out.append(
            {
                "name": e.name,
                "description": e.description,
                "holdout_share": e.holdout_share,
                "period": [e.starts_on.isoformat(), e.ends_on.isoformat()],
                "min_others_present": e.min_others_present,
                "computed_at": result.computed_at.isoformat() if result else None,
                "through": result.through.isoformat() if result else None,
                "analysis": result.data if result else None,
            }
        )
    return out


def outcome_label(key: str) -> str:
    return str(OUTCOMES.get(key, key))


CSV_HEADER = [
    "experiment",
    "outcome",
    "members_suggested",
    "members_holdout",
    "member_days_suggested",
    "member_days_holdout",
    "count_suggested",
    "count_holdout",
    "rate_suggested",
    "rate_holdout",
    "difference",
    "difference_low",
    "difference_high",
    "ratio",
    "ratio_low",
    "ratio_high",
    "significant",
]


def csv_rows() -> list[list]:
    """One row per experiment and outcome: the figures behind the insights page's plots."""
    rows = []
    for r in experiment_results():
        a = r["analysis"]
        if not a:
            continue
        for e in a["effects"]:
            rows.append(
                [
                    r["name"],
                    e["outcome"],
                    a["members_suggested"],
                    a["members_holdout"],
                    a["member_days_suggested"],
                    a["member_days_holdout"],
                    e["count_suggested"],
                    e["count_holdout"],
                    e["rate_suggested"],
                    e["rate_holdout"],
                    e["difference"],
                    e["difference_ci"]["low"],
                    e["difference_ci"]["high"],
                    e["ratio"],
                    e["ratio_ci"]["low"],
                    e["ratio_ci"]["high"],
                    e["significant"],
                ]
            )
    return rows


def latest_result() -> ExperimentResult | None:
    return ExperimentResult.objects.select_related("experiment").order_by("-experiment__starts_on").first()


def experiments_page() -> dict:
    """The insights page's experiment section: results with labels and rates per 100
    member-days, and the charts' data (one per experiment and outcome)."""
    experiments, charts = experiment_results(), {}
    for e in experiments:
        a = e["analysis"]
        if not a:
            continue
        charts[e["name"]] = {}
        for x in a["effects"]:
            x["label"] = outcome_label(x["outcome"])
            x["per100"] = {
                "suggested": _per100(x["rate_suggested"]),
                "holdout": _per100(x["rate_holdout"]),
                "difference": _per100(x["difference"]),
                "difference_low": _per100(x["difference_ci"]["low"]),
                "difference_high": _per100(x["difference_ci"]["high"]),
            }
            charts[e["name"]][x["outcome"]] = {
                "labels": [str(_("suggested")), str(_("hold-out"))],
                "rates": [x["per100"]["suggested"], x["per100"]["holdout"]],
                "intervals": [
                    [_per100(x[f"rate_{arm}_ci"]["low"]), _per100(x[f"rate_{arm}_ci"]["high"])]
                    for arm in ("suggested", "holdout")
                ],
                "rate_label": str(_("per 100 member-days")),
                # A bare "95% i…" would read as a %-directive to xgettext (and msgfmt --check).
                # xgettext:no-python-format
                "interval_label": str(_("95% interval")),
            }
    return {"experiments": experiments, "experiment_charts": charts}


def _per100(rate: float | None) -> float | None:
    return None if rate is None else 100 * rate
