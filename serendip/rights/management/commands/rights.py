"""`serendip rights purge`: remove invoices of deleted passports whose retention period is over
(run it daily from cron or a timer)."""

from django.core.management.base import BaseCommand

from serendip.rights.services import invoices_purge


class Command(BaseCommand):
    help = "purge: remove the invoices of deleted passports once their legal retention period is over."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("purge", help="remove invoices past their retention period")

    def handle(self, *args, **opts):
        removed = invoices_purge()
        self.stdout.write(f"removed {removed} invoice(s) past their retention period")
