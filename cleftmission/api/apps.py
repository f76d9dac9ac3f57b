from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cleftmission.api"
    label = "api"
