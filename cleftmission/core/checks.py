from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [Error("SECRET_KEY is not set: set it in the environment before deploying.", id="cleftmission.E001")]
    return []
