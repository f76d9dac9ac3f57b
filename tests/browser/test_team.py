"""Building a mission's team in the browser, in Vietnamese: a member found as you type and added
for some days, a proposal accepted; and the demo's upcoming team, in both languages (the
screenshots of the README: set SCREENSHOTS=docs/screenshots to write them there)."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from cleftmission.factories import CredentialFactory, MissionFactory, VolunteerFactory
from cleftmission.missions.models import Mission
from cleftmission.volunteers.models import MissionMember, RequiredCredential, StaffingNeed, TeamProposal

from .steps import log_in, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed_what_the_migrations_seed() -> None:
    """A transactional test empties every table, the rows data migrations seeded included;
    the demo needs them (the procedure catalog, the team rules)."""
    importlib.import_module("cleftmission.screening.migrations.0003_procedure_catalog").add_catalog(django_apps, None)
    if not StaffingNeed.objects.exists():
        importlib.import_module("cleftmission.volunteers.migrations.0004_seed_team_rules").seed(django_apps, None)


def credentialed(specialty: str, **kwargs: Any) -> Any:
    person = VolunteerFactory(specialty=specialty, **kwargs)
    for kind in RequiredCredential.objects.filter(specialty=specialty).values_list("kind", flat=True):
        CredentialFactory(volunteer=person, kind=kind, valid_to=dt.date(2030, 1, 1))
    return person


def test_a_coordinator_adds_a_member_for_some_days_and_accepts_a_proposed_anaesthesiologist(
    page: Page, live_server: Any, coordinator: Any
) -> None:
    StaffingNeed.objects.filter(mission_kind="local").delete()
    StaffingNeed.objects.create(mission_kind="local", role="plastic_surgeon", per_table=1)
    StaffingNeed.objects.create(mission_kind="local", role="anesthesiologist", per_table=1)
    for specialty in ("plastic_surgeon", "anesthesiologist"):
        RequiredCredential.objects.get_or_create(specialty=specialty, kind="licence")
    mission = MissionFactory(
        name="Huế tháng 12",
        kind="local",
        start_date=dt.date(2026, 12, 7),
        end_date=dt.date(2026, 12, 11),
        tables_per_day=1,
        first_timers_min_pct=0,
        first_timers_max_pct=100,
    )
    surgeon = credentialed("plastic_surgeon", family_name="Trần", given_name="Quốc Bảo")
    credentialed("plastic_surgeon", family_name="Lê", given_name="Minh")
    anaesthetist = credentialed("anesthesiologist", family_name="Đỗ", given_name="Hùng")
    log_in(page, live_server, "cora-coordinator")

    page.goto(f"{live_server.url}{mission.get_absolute_url()}")
    page.locator(".page-head").get_by_role("button", name="Đội ngũ").click()
    expect(page.locator("h1")).to_contain_text("Đội ngũ: Huế tháng 12")
    expect(page.locator("#staffing")).to_contain_text("Bác sĩ gây mê")
    page.get_by_role("button", name="Thêm thành viên").click()

    # Find the surgeon as you type, without diacritics; leave out the first day.
    def is_the_search(response: Any) -> bool:
        query = parse_qs(urlparse(response.url).query)
        return query.get("q") == ["tran quoc"] and response.request.headers.get("hx-request") == "true"

    with page.expect_response(is_the_search):
        page.get_by_placeholder("Gõ tên, có dấu hoặc không dấu").press_sequentially("tran quoc", delay=20)
    choices = page.locator("#volunteer-choices label")
    expect(choices).to_have_count(1)
    choices.first.click()
    page.get_by_label("Thứ 2 07/12").uncheck()
    page.get_by_role("button", name="Thêm vào đội").click()

    expect(page.locator(".messages")).to_contain_text("Trần Quốc Bảo đã vào đội.")
    row = page.locator(f"#member-{MissionMember.objects.get(volunteer=surgeon).pk}")
    expect(row).to_contain_text("08/12 – 11/12")
    assert MissionMember.objects.get(volunteer=surgeon).days == [f"2026-12-{d:02d}" for d in (8, 9, 10, 11)]
    expect(page.locator("#team-problems")).to_contain_text("Bác sĩ gây mê: thiếu 1 (có 0 trên 1)")

    page.locator(".page-head").get_by_role("button", name="Đề xuất đội ngũ").click()
    page.locator("main form").get_by_role("button", name="Đề xuất đội ngũ").click()
    expect(page.locator(".messages")).to_contain_text("Đã đề xuất 1 tình nguyện viên")
    proposal = TeamProposal.objects.get(mission=mission)
    assert proposal.volunteer_id == anaesthetist.pk
    row = page.locator(f"#proposal-{proposal.pk}")
    expect(row).to_contain_text("Đỗ Hùng")
    expect(row).to_contain_text("chứng chỉ còn hiệu lực đến 01/01/2030")
    row.get_by_role("button", name="Chấp nhận", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("Đỗ Hùng đã vào đội.")
    expect(page.locator("#roster")).to_contain_text("Đỗ Hùng")
    expect(page.locator("#staffing tr.gap")).to_have_count(0)
    member = MissionMember.objects.get(mission=mission, volunteer=anaesthetist)
    assert (member.role, len(member.days)) == ("anesthesiologist", 5)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_demo_team_shows_its_three_problems_and_propose_finds_the_free_anaesthesiologist(
    browser: Browser, live_server: Any, settings: Any, tmp_path: Path, language: str
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_what_the_migrations_seed()
    call_command("load_demo", stdout=io.StringIO())
    mission = Mission.objects.get(kind=Mission.Kind.INTERNATIONAL, phase=Mission.Phase.PLANNING)
    context = new_context(browser, language)
    page = context.new_page()
    log_in(page, live_server, "coordinator", "demo")

    page.goto(f"{live_server.url}/missions/{mission.pk}/team/")

    problems = page.locator("#team-problems")
    words = {
        "vi": ("Bác sĩ gây mê: thiếu 1", "BLS hết hạn ngày", "Cũng tham gia"),
        "en": ("Anesthesiologist: 1 missing", "BLS expires on", "Also on"),
    }[language]
    for text in words:
        expect(problems).to_contain_text(text)
    expect(page.locator(".stats")).to_contain_text("3")
    directory = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(directory / f"{language}-team.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": 1400},
    )

    page.locator(".page-head").get_by_role(
        "button", name={"vi": "Đề xuất đội ngũ", "en": "Propose a team"}[language]
    ).click()
    page.locator("main form button[type=submit]").first.click()
    proposal = TeamProposal.objects.get(mission=mission)
    assert proposal.role == "anesthesiologist"
    expect(page.locator(f"#proposal-{proposal.pk}")).to_contain_text(proposal.volunteer.full_name)
    context.close()
