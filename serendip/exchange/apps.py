from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "serendip.exchange"
    label = "exchange"
    verbose_name = "Knowledge exchange"
