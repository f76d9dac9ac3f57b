from django.apps import AppConfig


class SurgeryConfig(AppConfig):
    name = "cleftmission.surgery"
    label = "surgery"
