from django.apps import AppConfig


class PassportConfig(AppConfig):
    name = "serendip.passport"
    label = "passport"
    verbose_name = "Passport"
