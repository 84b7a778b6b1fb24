"""`serendip passport verify FILE`: verify a credential this network issued (exit 0 if valid)."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from serendip.rights.issuing import credential_verify


class Command(BaseCommand):
    help = "Passport credentials: `verify FILE` checks signature, issuer key, validity and revocation."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify a credential file ('-' reads standard input)")
        verify.add_argument("file")
        verify.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **opts):
        name = opts["file"]
        try:
            raw = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {name}: {exc}") from exc
        try:
            document = json.loads(raw)
        except ValueError as exc:
            raise CommandError(f"{name} is not JSON: {exc}") from exc
        result = credential_verify(document)
        if opts["json"]:
            self.stdout.write(
                json.dumps(
                    {"valid": result.valid, "errors": result.errors, "checks": result.checks}, indent=2
                )
            )
        else:
            for check in result.checks:
                self.stdout.write(f"ok: {check}")
            for error in result.errors:
                self.stdout.write(f"INVALID: {error}")
            self.stdout.write("valid" if result.valid else "not valid")
        if not result.valid:
            sys.exit(1)
