"""`serendip simulate`: fill the database with a simulated network at seed scale (or smaller).

Idempotent by refusal: a database that already holds simulated members (usernames `sim-…`)
is left alone and the command exits non-zero (or zero with --skip-if-present, for `make demo`).
"""

import datetime as dt
import json
import time

from django.core.management.base import BaseCommand, CommandError

from serendip.experiments.services import experiments_refresh
from serendip.insights.services import stats_refresh
from serendip.simulation.simulate import SCALES, AlreadySimulated, Params, Scale, Simulator


class Command(BaseCommand):
    help = "Simulate a network: spaces, members, check-ins, exchanges and the ledger (seed scale by default)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", choices=sorted(SCALES), default="seed", help="a preset (seed: 60k members)"
        )
        parser.add_argument("--members", type=int, help="override the preset's number of members")
        parser.add_argument("--spaces", type=int)
        parser.add_argument("--countries", type=int)
        parser.add_argument("--days", type=int)
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed: same seed and end date, same data"
        )
        parser.add_argument(
            "--end", type=dt.date.fromisoformat, help="the last simulated day (default: today, UTC)"
        )
        parser.add_argument(
            "--skip-if-present",
            action="store_true",
            help="exit 0 (not 1) when simulated data is already there",
        )
        parser.add_argument(
            "--effect",
            type=float,
            default=Params.suggestion_effect,
            help="how much ranked suggestions raise the chance of an introduction and a meeting "
            "over the hold-out's (x 1 + effect; 0: none)",
        )
        parser.add_argument(
            "--holdout-share", type=float, default=Params.holdout_share, help="hold-out share (0-0.2)"
        )
        parser.add_argument(
            "--no-stats", action="store_true", help="don't refresh the insights aggregates and the experiment"
        )
        parser.add_argument("--json", action="store_true", help="print a JSON summary on stdout")

    def handle(self, *args, **opts):
        preset = SCALES[opts["scale"]]
        scale = Scale(
            members=opts["members"] or preset.members,
            spaces=opts["spaces"] or preset.spaces,
            countries=opts["countries"] or preset.countries,
            days=opts["days"] or preset.days,
        )
        if min(scale.members, scale.spaces, scale.countries, scale.days) < 1:
            raise CommandError("members, spaces, countries and days must be at least 1")
        if not 0 <= opts["holdout_share"] <= 0.2 or opts["effect"] < 0:
            raise CommandError("the hold-out share must be between 0 and 0.2, and the effect at least 0")
        params = Params(suggestion_effect=opts["effect"], holdout_share=opts["holdout_share"])
        sim = Simulator(
            scale=scale, seed=opts["seed"], end=opts["end"], params=params, progress=self.stderr.write
        )
        try:
            result = sim.run()
        except AlreadySimulated as exc:
            if opts["skip_if_present"]:
                self.stderr.write(f"simulate: skipped: {exc}")
                return
            raise CommandError(str(exc)) from exc
        t0 = time.perf_counter()
        analyse()
        analyse_seconds = round(time.perf_counter() - t0, 2)
        stats_seconds = experiment_seconds = None
        if not opts["no_stats"]:
            t0 = time.perf_counter()
            stats_refresh(full=True)
            stats_seconds = round(time.perf_counter() - t0, 2)
            t0 = time.perf_counter()
            experiments_refresh(today=sim.end)
            experiment_seconds = round(time.perf_counter() - t0, 2)
        summary = {
            "scale": scale.__dict__,
            "seed": opts["seed"],
            "period": [sim.start.isoformat(), sim.end.isoformat()],
            **{k: v for k, v in result.__dict__.items() if k != "rows"},
            "seconds": round(result.seconds, 2),
            "analyse_seconds": analyse_seconds,
            "stats_refresh_seconds": stats_seconds,
            "experiment_analysis_seconds": experiment_seconds,
            "suggestion_effect": params.suggestion_effect,
            "rows": result.rows,
        }
        if opts["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
        else:
            self.stdout.write(
                f"Simulated {result.members:,} members at {result.spaces} spaces "
                f"in {result.countries} countries "
                f"over {scale.days} days ({sim.start} to {sim.end}): {result.checkins:,} check-ins, "
                f"{result.introductions:,} introductions, {result.meetings_confirmed:,} confirmed meetings, "
                f"{result.transactions:,} ledger transactions, {result.bookings:,} room bookings "
                f"in {result.seconds:.1f} s"
            )


def analyse() -> None:
    """Planner statistics after a bulk load (the planner otherwise guesses from nothing until
    autovacuum runs, and SQLite never gathers them by itself): ANALYZE on PostgreSQL; on
    SQLite an approximate ANALYZE (analysis_limit reads a sample of each index)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute("ANALYZE")
