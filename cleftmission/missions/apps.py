from django.apps import AppConfig


class MissionsConfig(AppConfig):
    name = "cleftmission.missions"
    label = "missions"
