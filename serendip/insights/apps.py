from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "serendip.insights"
    label = "insights"
    verbose_name = "Network insights"
