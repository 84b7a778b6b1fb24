from django.apps import AppConfig


class SerendipConfig(AppConfig):
    name = "serendip"
    label = "serendip"
    verbose_name = "Serendip"
