from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "cleftmission.volunteers"
    label = "volunteers"
