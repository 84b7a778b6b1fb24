from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "serendip.ledger"
    label = "ledger"
    verbose_name = "Ledger"
