from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cleftmission.core"
    label = "core"

    def ready(self) -> None:
        from cleftmission.core import checks  # noqa: F401  (registers the deploy checks)
