"""`serendip matching rebuild`: rebuild the Serendipity Machine's index and save a snapshot
that every web process loads on its next request (then keeps fresh incrementally)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from serendip.exchange import machine


class Command(BaseCommand):
    help = "Manage the matching index. `rebuild`: build it from the database and save a snapshot."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args, action: str, **options):
        started = time.perf_counter()
        seen = timezone.now()
        try:
            engine = machine.build()
            path = machine.save_snapshot(engine, seen)
        except OSError as exc:
            raise CommandError(f"could not write the snapshot: {exc}") from exc
        self.stdout.write(
            f"Rebuilt the matching index in {time.perf_counter() - started:.1f} s; snapshot at {path}"
        )
