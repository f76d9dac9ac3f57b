"""Logging in, and the interface in the user's language (Vietnamese first, English second)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from .steps import log_in, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Letters that only Vietnamese uses: English text never contains them.
VIETNAMESE_LETTERS = re.compile("[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


def test_a_wrong_password_is_refused_with_a_message_and_the_right_one_opens_the_dashboard(
    page: Page, live_server: Any, coordinator: Any
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "cora-coordinator")
    page.fill("#id_password", "not-the-password")
    page.click("main button[type=submit]")

    expect(page.locator("main .errorlist")).to_contain_text("mật khẩu")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    expect(page.locator("header nav")).not_to_contain_text("Tổng quan")

    page.fill("#id_password", "pw")
    page.click("main button[type=submit]")

    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("Tổng quan")
    expect(page.locator("header nav")).to_contain_text("cora-coordinator · Điều phối viên")


@pytest.mark.parametrize(
    ("language", "heading", "tagline"),
    [
        ("vi", "Đăng nhập", "Các đợt phẫu thuật khe hở môi – vòm miệng, từ lập kế hoạch đến tái khám."),
        ("en", "Log in", "Cleft lip and palate surgical missions, from planning to follow-up."),
    ],
    ids=["vi", "en"],
)
def test_the_login_page_speaks_the_language_the_browser_asks_for(
    browser: Browser, live_server: Any, language: str, heading: str, tagline: str
) -> None:
    context = new_context(browser, language)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")

    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_text(heading)
    # Our own catalog's words (Django's bundled one also knows "Log in").
    expect(page.locator("main p.muted")).to_have_text(tagline)
    # The live server serves the static files: Pico (a centred container) and our additions.
    assert page.evaluate("getComputedStyle(document.querySelector('main.container')).maxWidth") != "none"
    assert page.evaluate("getComputedStyle(document.querySelector('header.topbar')).borderBottomStyle") == "solid"
    context.close()


def test_the_language_switch_turns_the_whole_page_to_english_and_the_choice_is_kept(
    page: Page, live_server: Any, coordinator: Any
) -> None:
    log_in(page, live_server, "cora-coordinator")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    with page.expect_navigation():
        page.select_option("#language-form select", "en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("header nav")).to_contain_text("Children")
    visible_text = page.locator("main").inner_text() + " ".join(page.locator("header nav a").all_inner_texts())
    assert not VIETNAMESE_LETTERS.search(visible_text), visible_text

    # The browser still asks for Vietnamese: only the remembered choice keeps the next page in English.
    page.click("header nav >> text=Children")
    page.wait_for_url(f"{live_server.url}/children/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Children")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("django_language") == "en"
