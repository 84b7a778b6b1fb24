"""`serendip translations`: compile the committed catalogues (serendip/locale/<lang>/LC_MESSAGES/
django.po) into the .mo files Django reads, where the package is installed, with Babel (pure
Python: no GNU gettext on the server). The production install runs it; `make` does the same."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po -> .mo) with Babel; only those that changed."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="compile even the up-to-date ones")

    def handle(self, *args, force: bool = False, **options):
        compiled = 0
        for po in sorted(
            p for root in settings.LOCALE_PATHS for p in Path(root).glob("*/LC_MESSAGES/django.po")
        ):
            mo = po.with_suffix(".mo")
            if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            language = po.parent.parent.name
            with po.open("rb") as f:
                catalog = read_po(f, locale=language)
            # Fuzzy entries are guesses a translator has not confirmed: never shown (as msgfmt does).
            try:
                with mo.open("wb") as f:
                    write_mo(f, catalog, use_fuzzy=False)
            except OSError as exc:
                raise CommandError(f"cannot write {mo}: {exc}") from exc
            compiled += 1
            if options["verbosity"] >= 1:
                self.stdout.write(f"{language}: {len(catalog)} messages -> {mo}")
        if options["verbosity"] >= 1 and not compiled:
            self.stdout.write("the catalogues are compiled already")
