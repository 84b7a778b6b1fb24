from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "serendip.onboarding"
    label = "onboarding"
