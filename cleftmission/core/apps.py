from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cleftmission.core"
    label = "core"
