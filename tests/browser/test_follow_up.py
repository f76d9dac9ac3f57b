"""The phone team's morning, in Vietnamese: a clinician opens the overdue follow-up visits,
opens the form in the row of the first child, is told on the field that a date in the future
is refused, then records the visit; the list comes back without the child, and the child's
journey prints the findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Page, expect

from cleftmission.core.roles import Role, set_role
from cleftmission.factories import GuardianFactory, MissionMemberFactory, UserFactory, VolunteerFactory
from cleftmission.followup.models import FollowUpVisit
from cleftmission.followup.tests.conftest import discharge, week_visit
from cleftmission.scheduling.tests.conftest import Setup, setup  # noqa: F401  (fixture)
from cleftmission.surgery.models import SurgicalCase
from cleftmission.surgery.tests.conftest import case, published  # noqa: F401  (fixtures)

from .steps import log_in
from .test_team import seed_what_the_migrations_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def catalog(transactional_db: None) -> None:
    seed_what_the_migrations_seed()


@pytest.fixture
def follow_up_nurse(setup: Setup) -> Any:  # noqa: F811
    user: Any = UserFactory(username="lan-follow-up", first_name="Lan", last_name="Phạm")
    set_role(user, Role.CLINICIAN)
    MissionMemberFactory(mission=setup.mission, volunteer=VolunteerFactory(user=user), role="ward_nurse")
    return user


@pytest.fixture
def overdue(case: SurgicalCase, follow_up_nurse: Any) -> Iterator[FollowUpVisit]:  # noqa: F811
    """Lê An, discharged in December, not seen at the one-week visit; 20 January 2027, the clock running."""
    discharge(case, follow_up_nurse)
    GuardianFactory(patient=case.visit.patient, name="Lê Thị Hoa", phone="+84912345678")
    with time_machine.travel(dt.datetime(2027, 1, 20, 2, 0, tzinfo=dt.UTC), tick=True):
        yield week_visit(case)


def test_a_clinician_records_an_overdue_visit_in_its_row_in_vietnamese(
    page: Page, live_server: Any, overdue: FollowUpVisit
) -> None:
    log_in(page, live_server, "lan-follow-up")
    page.goto(f"{live_server.url}/follow-up/")
    row = page.locator(f"#fu-{overdue.pk}")
    expect(row).to_contain_text("Lê An")
    expect(row).to_contain_text("0912 345 678")
    row.get_by_role("button", name="Ghi kết quả").click()
    form = page.locator(f"#fu-{overdue.pk}-form form")
    expect(form).to_be_visible()
    form.locator("input[name=seen_on]").fill("21/01/2027")
    form.get_by_role("button", name="Lưu lần khám").click()
    expect(page.locator(f"#fu-{overdue.pk}-form .errorlist")).to_have_text("Ngày này ở tương lai.")
    form = page.locator(f"#fu-{overdue.pk}-form form")
    form.locator("input[name=seen_on]").fill("19/01/2027")
    form.locator("input[name=weight_kg]").fill("8.4")
    form.locator("select[name=fistula]").select_option("false")
    form.get_by_role("button", name="Lưu lần khám").click()
    expect(page.locator(".messages")).to_contain_text("Đã ghi kết quả tái khám cho Lê An.")
    expect(page.locator(f"#fu-{overdue.pk}")).to_have_count(0)
    overdue.refresh_from_db()
    assert (overdue.status, overdue.seen_on, overdue.fistula, overdue.version) == (
        "seen",
        dt.date(2027, 1, 19),
        False,
        2,
    )
    page.goto(f"{live_server.url}/children/{overdue.case.visit.patient_id}/journey/")
    expect(page.locator("table.follow-up-visits")).to_contain_text("Cân nặng: 8,40 kg")
