"""Test-only speed-ups for the tests under cleftmission/ (the personas are in the root conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import global_settings


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Every persona gets a password; the production hasher would spend most of the suite's
    time hashing it. Nothing under test depends on the hasher's strength. The usual hashers
    stay behind it, so passwords hashed outside a test (module-scoped data) still check."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *global_settings.PASSWORD_HASHERS,
    ]


@pytest.fixture(scope="session")
def _media_dir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings: Any, _media_dir: Any) -> None:
    """Uploaded photos go to a temporary folder, never into the project's media/."""
    settings.MEDIA_ROOT = str(_media_dir)
