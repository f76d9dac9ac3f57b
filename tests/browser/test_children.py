"""Finding a child as you type, and editing one."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from cleftmission.factories import GuardianFactory, PatientFactory

from .steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def search_as_you_type(page: Page, text: str) -> None:
    """Type into the search box key by key and wait for htmx to bring the rows for the whole text."""
    box = page.locator("input[name=q]")
    box.fill("")

    def is_htmx_search_for_text(response: Any) -> bool:
        query = parse_qs(urlparse(response.url).query)
        return query.get("q") == [text] and response.request.headers.get("hx-request") == "true"

    with page.expect_response(is_htmx_search_for_text):
        box.press_sequentially(text, delay=20)


def test_a_child_is_found_typing_the_name_with_or_without_diacritics(
    page: Page, live_server: Any, coordinator: Any, child: Any
) -> None:
    PatientFactory(family_name="Nguyễn", middle_name="Văn", given_name="Bình")
    PatientFactory(family_name="Lê", middle_name="Thị", given_name="Lan")
    log_in(page, live_server, "cora-coordinator")
    page.goto(f"{live_server.url}/children/")
    rows = page.locator("#patient-rows tbody tr")
    expect(rows).to_have_count(3)

    for text in ("nguyen van an", "Nguyễn Văn An"):
        search_as_you_type(page, text)
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Nguyễn Văn An")
        assert parse_qs(urlparse(page.url).query).get("q") == [text]  # the address can be shared or reloaded


def test_a_coordinator_edits_a_child_and_a_wrong_lahshal_code_is_explained_on_its_field(
    page: Page, live_server: Any, coordinator: Any, child: Any
) -> None:
    GuardianFactory(patient=child, name="Lê Thị Hoa", phone="+84912345678")
    log_in(page, live_server, "cora-coordinator")

    page.goto(f"{live_server.url}/children/{child.pk}/edit/")
    page.fill("#id_province", "Huế")
    page.fill("#id_guardians-0-phone", "0987 654 321")
    page.get_by_role("button", name="Lưu").click()

    page.wait_for_url(f"{live_server.url}/children/{child.pk}/")
    expect(page.locator(".messages")).to_contain_text("Đã lưu thay đổi.")
    expect(page.locator(".page-head")).to_contain_text("Huế")
    expect(page.locator("main")).to_contain_text("+84987654321")
    child.refresh_from_db()
    assert child.province == "Huế"
    assert child.guardians.get().phone == "+84987654321"

    page.goto(f"{live_server.url}/children/{child.pk}/edit/")
    page.fill("#id_lahshal", "LAX....")
    page.get_by_role("button", name="Lưu").click()

    assert page.url == f"{live_server.url}/children/{child.pk}/edit/"
    field = page.locator(".field", has=page.locator("#id_lahshal"))
    expect(field.locator("label")).to_contain_text("Chẩn đoán (LAHSHAL)")
    expect(field.locator(".errorlist")).to_contain_text("“LAX....” không phải là mã LAHSHAL hợp lệ")
    expect(field.locator(".errorlist")).to_contain_text("Vị trí 3")
    lahshal = page.locator("#id_lahshal")
    expect(lahshal).to_have_attribute("aria-invalid", "true")
    expect(lahshal).to_have_attribute("aria-describedby", "id_lahshal_helptext id_lahshal_error")
    child.refresh_from_db()
    assert child.lahshal == "L......"
