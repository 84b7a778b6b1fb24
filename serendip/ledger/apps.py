import sqlite3

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The ledger's writes use INSERT/UPDATE ... RETURNING (ledger/log.py, fastsql.py).
MIN_SQLITE = (3, 35)


class LedgerConfig(AppConfig):
    name = "serendip.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        uses_sqlite = any("sqlite" in db["ENGINE"] for db in settings.DATABASES.values())
        if uses_sqlite and sqlite3.sqlite_version_info < MIN_SQLITE:
            raise ImproperlyConfigured(
                f"SQLite {sqlite3.sqlite_version} is too old: Serendip needs"
                f" {'.'.join(map(str, MIN_SQLITE))} or newer (RETURNING), or PostgreSQL"
            )
