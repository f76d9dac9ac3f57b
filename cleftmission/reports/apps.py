from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cleftmission.reports"
    label = "reports"
