from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "serendip.network"
    label = "network"
    verbose_name = "Network"
