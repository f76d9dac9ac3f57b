"""An operating day on a tablet (1024×768), in Vietnamese: a nurse opens the OR board, walks the
first child of the day through its milestones, is stopped at "in the OR" and at "incision"
until the checklist's Sign In and Time Out are signed, and signs them on the case page. The
screenshots of the README (set SCREENSHOTS=docs/screenshots to write them there): the board in
Vietnamese, the checklist in English."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Browser, BrowserContext, Page, expect

from cleftmission.core.roles import Role, set_role
from cleftmission.factories import MissionMemberFactory, UserFactory, VolunteerFactory
from cleftmission.scheduling.tests.conftest import OPERATING_DAYS, Setup, setup  # noqa: F401  (fixture)
from cleftmission.surgery import milestones, services
from cleftmission.surgery.models import Milestone, SurgicalCase
from cleftmission.surgery.tests.conftest import at, published  # noqa: F401  (fixture)
from cleftmission.surgery.tests.test_operating_day import SIGN_IN_ANSWERS, TIME_OUT_ANSWERS

from .steps import log_in
from .test_team import seed_what_the_migrations_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}


@pytest.fixture(autouse=True)
def catalog(transactional_db: None) -> None:
    """The procedure catalog the accepted children's decisions name (a transactional test
    starts from empty tables)."""
    seed_what_the_migrations_seed()


def tablet(browser: Browser, language: str) -> BrowserContext:
    context = browser.new_context(
        viewport=TABLET,
        locale={"vi": "vi-VN", "en": "en-GB"}[language],
        extra_http_headers={"Accept-Language": language},
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def nurse(setup: Setup) -> Any:  # noqa: F811
    user: Any = UserFactory(username="hoa-nurse", first_name="Hoa", last_name="Đặng")
    set_role(user, Role.CLINICIAN)
    MissionMemberFactory(mission=setup.mission, volunteer=VolunteerFactory(user=user), role="or_nurse")
    return user


def first_cases(setup: Setup) -> list[SurgicalCase]:  # noqa: F811
    """The first child on each table's list, the first operating day."""
    cases = SurgicalCase.objects.filter(mission=setup.mission, day=OPERATING_DAYS[0]).order_by("table__name", "order")
    return [c for c in cases if c.order == 1]


@pytest.fixture
def first_case(published: Any, setup: Setup) -> SurgicalCase:  # noqa: F811
    return first_cases(setup)[0]


@pytest.fixture
def operating_morning(first_case: SurgicalCase, setup: Setup, nurse: Any) -> Iterator[None]:  # noqa: F811
    """08:20 on the first operating day, the clock running. The second table's first child
    went in on time and is being operated; the first table's has not been called yet."""
    other = first_cases(setup)[1]
    clock = {"called": "07:40", "holding": "07:48", "identity_checked": "07:52", "in_or": "08:02"}
    clock |= {"anesthesia_start": "08:05", "incision": "08:15"}
    with time_machine.travel(at(first_case, "08:20"), tick=True):
        for milestone, hh_mm in clock.items():
            if milestone == milestones.IN_OR:
                services.sign_phase(case=other, phase="sign_in", answers=SIGN_IN_ANSWERS, acting_user=nurse)
            if milestone == milestones.INCISION:
                services.sign_phase(case=other, phase="time_out", answers=TIME_OUT_ANSWERS, acting_user=nurse)
            services.record_milestone(case=other, milestone=milestone, at=at(other, hh_mm), acting_user=nurse)
        yield


def stamp_on_board(page: Page, case: SurgicalCase, label: str) -> None:
    """Tap the card's one big button and wait for the card to come back."""
    card = page.locator(f"#case-{case.pk}")
    with page.expect_response(lambda r: "/stamp/" in r.url):
        card.get_by_role("button", name=label, exact=True).click()


def sign(page: Page, phase: str, answers: dict[str, str], button: str) -> None:
    form = page.locator(f"#phase-{phase} form")
    for code, answer in answers.items():
        form.locator(f"input[name={code}][value={answer}]").check()
    form.get_by_role("button", name=button).click()


def test_a_nurse_walks_the_first_child_through_time_out_to_incision_on_a_tablet(
    browser: Browser,
    live_server: Any,
    setup: Setup,  # noqa: F811
    first_case: SurgicalCase,
    nurse: Any,
    operating_morning: None,
    tmp_path: Path,
) -> None:
    context = tablet(browser, "vi")
    page = context.new_page()
    log_in(page, live_server, "hoa-nurse")
    page.goto(f"{live_server.url}{setup.mission.get_absolute_url()}")
    page.locator(".page-head").get_by_role("button", name="Bảng phòng mổ").click()

    expect(page.locator("h1")).to_have_text("Bảng phòng mổ")
    expect(page.locator(".day-tabs [aria-current=page]")).to_contain_text("08/12 · hôm nay")
    expect(page.locator(f"#table-{first_case.table_id}-head")).to_contain_text("đang chậm 20 phút")
    card = page.locator(f"#case-{first_case.pk}")
    expect(card).to_contain_text(first_case.visit.patient.full_name)
    # The one big button is at least 44 px tall: a finger's width.
    assert card.get_by_role("button").bounding_box()["height"] >= 44  # type: ignore[index]

    for label in ("Gọi từ khoa", "Ở phòng chờ mổ", "Đã kiểm tra danh tính"):
        stamp_on_board(page, first_case, label)
    stamp_on_board(page, first_case, "Vào phòng mổ")
    expect(card.locator(".refusal")).to_contain_text("Hãy ký bước “Trước gây mê” của bảng kiểm trước “Vào phòng mổ”.")
    card.locator(".refusal a").click()

    expect(page.locator("#phase-sign_in")).to_contain_text("Máy đo SpO2 đã gắn cho bệnh nhân và hoạt động tốt")
    sign(page, "sign_in", SIGN_IN_ANSWERS, "Ký bước Trước gây mê")
    expect(page.locator(".messages")).to_contain_text("Đã ký bước Trước gây mê.")
    expect(page.locator("#phase-sign_in")).to_contain_text("Hoa Đặng đã ký lúc")

    page.goto(f"{live_server.url}/missions/{setup.mission.pk}/or/")
    for label in ("Vào phòng mổ", "Bắt đầu gây mê"):
        stamp_on_board(page, first_case, label)
    stamp_on_board(page, first_case, "Rạch da")
    expect(card.locator(".refusal")).to_contain_text("Trước rạch da")
    assert not Milestone.objects.filter(case=first_case, kind=milestones.INCISION).exists()

    card.locator(".refusal a").click()
    sign(page, "time_out", TIME_OUT_ANSWERS, "Ký bước Trước rạch da")
    expect(page.locator(".messages")).to_contain_text("Đã ký bước Trước rạch da.")
    page.goto(f"{live_server.url}/missions/{setup.mission.pk}/or/")
    stamp_on_board(page, first_case, "Rạch da")
    expect(card.get_by_role("button")).to_have_text("Kết thúc mổ")
    expect(card.locator(".current")).to_contain_text("Rạch da")
    stamps = list(first_case.milestones.order_by("at").values_list("kind", "recorded_by"))
    assert stamps == [(m, nurse.pk) for m in milestones.ORDER[: milestones.ORDER.index(milestones.INCISION) + 1]]

    directory = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    page.reload()
    expect(card).to_contain_text("Rạch da")
    page.screenshot(path=str(directory / "vi-or-board.png"), full_page=True)

    # The same case's checklist, in English (the language switch on the top bar).
    page.goto(f"{live_server.url}{first_case.get_absolute_url()}")
    page.locator("#language-form select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    checklist = page.locator("#checklist")
    expect(checklist).to_contain_text("Signed by Hoa Đặng")
    expect(checklist).to_contain_text("Instrument, sponge and needle counts are correct")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky head stays at the top, outside the picture
    page.screenshot(path=str(directory / "en-or-checklist.png"), full_page=True, clip=clip_of(page, "#checklist"))
    context.close()


def clip_of(page: Page, selector: str) -> dict[str, float]:
    """The element's box on the full page, for a screenshot of it alone."""
    box = page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return {x: 0, y: r.top + window.scrollY - 8, width: window.innerWidth, height: r.height + 16}; }",
        selector,
    )
    return {k: float(v) for k, v in box.items()}
