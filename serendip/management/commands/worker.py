"""`serendip worker`: background work (notifications, email, periodic jobs) until stopped."""

from django.core.management.base import BaseCommand

from serendip.reach.worker import run_forever


class Command(BaseCommand):
    help = (
        "Run the background worker: check-in fan-out, emails, and the periodic jobs"
        " (ledger publish, stats, matching, digest)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds to sleep when idle (default 1)"
        )
        parser.add_argument(
            "--max-seconds", type=float, default=None, help="stop after this long (tests, benchmarks)"
        )

    def handle(self, *args, interval, max_seconds, **options):
        run_forever(interval=interval, max_seconds=max_seconds)
