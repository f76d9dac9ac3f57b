"""Steps the browser tests share: a browser of a given language, logging in."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page


def new_context(browser: Browser, language: str = "vi") -> BrowserContext:
    """A fresh browser (no cookies) whose user prefers `language`."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale={"vi": "vi-VN", "en": "en-GB"}[language],
        extra_http_headers={"Accept-Language": language},
    )
    context.set_default_timeout(10_000)
    return context


def log_in(page: Page, live_server: Any, username: str, password: str = "pw") -> None:
    """Log in through the login form, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
