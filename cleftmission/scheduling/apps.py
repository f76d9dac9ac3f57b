from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "cleftmission.scheduling"
    label = "scheduling"
