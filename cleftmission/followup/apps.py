from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "cleftmission.followup"
    label = "followup"
