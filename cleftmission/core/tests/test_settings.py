"""The tools run on a bare environment; serving does not, without a SECRET_KEY."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(code: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    bare = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, *code], cwd=ROOT, env={**bare, **env}, capture_output=True, text=True, timeout=120
    )


def test_makemigrations_check_runs_without_debug_or_a_secret_key() -> None:
    result = _run(["manage.py", "makemigrations", "--check", "--dry-run"])
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_serving_without_a_secret_key_is_refused_unless_debug() -> None:
    refused = _run(["-c", "import cleftmission.wsgi"])
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr
    assert _run(["-c", "import cleftmission.wsgi"], SECRET_KEY="set-in-production").returncode == 0
    assert _run(["-c", "import cleftmission.wsgi"], DEBUG="true").returncode == 0


def test_the_deploy_check_names_a_missing_secret_key() -> None:
    result = _run(["manage.py", "check", "--deploy"])
    assert "cleftmission.E001" in result.stderr + result.stdout
