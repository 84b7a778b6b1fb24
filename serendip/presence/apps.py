from django.apps import AppConfig


class PresenceConfig(AppConfig):
    name = "serendip.presence"
    label = "presence"
    verbose_name = "Presence"
