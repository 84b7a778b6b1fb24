"""`serendip stats`: the network's headline numbers; `--refresh` rebuilds the daily aggregates."""

import json
import time

from django.core.management.base import BaseCommand

from serendip.experiments.selectors import experiment_results
from serendip.experiments.services import experiments_refresh
from serendip.insights.selectors import headline_dict, headline_numbers
from serendip.insights.services import RECENT_DAYS, stats_refresh


class Command(BaseCommand):
    help = "Print the network's headline numbers (--json for machines); --refresh rebuilds the aggregates."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help=f"recompute the daily aggregates (the last {RECENT_DAYS} days)",
        )
        parser.add_argument("--full", action="store_true", help="with --refresh: recompute every day")

    def handle(self, *args, **opts):
        if opts["refresh"]:
            t0 = time.perf_counter()
            days = stats_refresh(full=opts["full"])
            self.stderr.write(f"stats: refreshed {days} days in {time.perf_counter() - t0:.1f} s")
            t0 = time.perf_counter()
            n = experiments_refresh()
            self.stderr.write(f"stats: analysed {n} experiments in {time.perf_counter() - t0:.1f} s")
        if opts["json"]:
            data = {**headline_dict(), "experiments": experiment_results()}
            self.stdout.write(json.dumps(data, indent=2, default=str))
            return
        for h in headline_numbers():
            change = "" if h.change is None else f"  ({h.change:+.0%} vs the previous 28 days)"
            self.stdout.write(f"{h.label:<45} {h.display}{change}")
