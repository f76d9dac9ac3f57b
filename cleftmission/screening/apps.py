from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "cleftmission.screening"
    label = "screening"
