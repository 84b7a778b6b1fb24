from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "serendip.rights"
    label = "rights"
    verbose_name = "Rights: export, erasure, credentials"
