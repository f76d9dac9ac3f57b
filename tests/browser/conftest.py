"""A real Chromium (Debian's, not Playwright's download) driving the live server.

pytest-django's `live_server` serves the static files through the staticfiles finders
(`django.contrib.staticfiles` is installed), so Pico CSS and htmx load as in production.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from .steps import new_context

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        pytest.fail("The browser tests need Chromium: apt-get install chromium (or set CHROMIUM=/path/to/it)")
    return path


@pytest.fixture
def browser(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """One Chromium per test, started after the live server and its database are ready and
    stopped before they are torn down.

    Playwright's sync API keeps an asyncio loop running in this thread meanwhile, so Django
    would take the tests' own ORM calls (setting up data, checking what was saved) for calls
    from async code. They are plain synchronous calls: say so, for the browser's lifetime only."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh Vietnamese-speaking browser."""
    context = new_context(browser, "vi")
    page = context.new_page()
    yield page
    context.close()
