from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "cleftmission.patients"
    label = "patients"
