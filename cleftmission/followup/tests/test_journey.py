"""A child's journey across missions: the story in order, in the reader's language, printable,
with the child page's access (other missions' clinicians get 404; viewers no contacts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from cleftmission.factories import DecisionFactory, GuardianFactory, MissionFactory, ScreeningVisitFactory
from cleftmission.followup import services
from cleftmission.followup.tests.conftest import discharge, week_visit
from cleftmission.scheduling.tests.conftest import Setup
from cleftmission.screening.models import StationEvaluation
from cleftmission.surgery import services as surgery_services
from cleftmission.surgery.models import SurgicalCase


@pytest.fixture
def story(setup: Setup, case: SurgicalCase, coordinator: Any) -> SurgicalCase:
    """Lê An: weighed at screening, operated and discharged at the December mission, seen a
    week later, then deferred at the next mission in June with a cold."""
    StationEvaluation.objects.create(visit=case.visit, station="vitals", data={"weight_kg": "6.10"})
    operated = discharge(case, coordinator)
    with time_machine.travel(dt.datetime(2027, 1, 5, 3, 0, tzinfo=dt.UTC), tick=False):
        services.record_outcome(
            visit=week_visit(operated),
            changes={"status": "seen", "seen_on": dt.date(2027, 1, 4), "wound_healed": True, "fistula": False},
            expected_version=1,
            acting_user=coordinator,
        )
        surgery_services.record_complication(
            case=operated, kind="infection_return", occurred_on=dt.date(2026, 12, 20), note="", acting_user=coordinator
        )
    june = MissionFactory(name="Đợt tháng 6 năm 2027", site=setup.mission.site, start_date=dt.date(2027, 6, 7),
                          end_date=dt.date(2027, 6, 11))  # fmt: skip
    later = ScreeningVisitFactory(patient=operated.visit.patient, mission=june, outcome="deferred", queue_number=3)
    DecisionFactory(visit=later, outcome="deferred", deferral_code="URI", rescreen_date=dt.date(2027, 9, 1))
    GuardianFactory(patient=operated.visit.patient, name="Lê Thị Hoa", phone="+84912345678")
    return operated


def url(case: SurgicalCase) -> str:
    return f"/children/{case.visit.patient_id}/journey/"


def test_a_child_with_two_missions_shows_both_in_order_with_each_step(
    setup: Setup, story: SurgicalCase, coordinator: Any, as_user: Any
) -> None:
    response = as_user(coordinator).get(url(story), headers={"accept-language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(setup.mission.name) < page.index("Đợt tháng 6 năm 2027")
    for text in (
        "Registration", "Vitals and nutrition", "Weight at screening: 6.10 kg", "Accepted for surgery",
        "Primary lip repair, unilateral", str(story.surgeon), str(story.table.name if story.table else ""),
        "End of surgery", "Sign In", "Time Out", "Sign Out", "Infection needing return to the OR",
        "Spoon-feed for 2 weeks.", "1 day in hospital after the operation.", "One week", "Wound healed: yes",
        "Three months", "Deferred", "Respiratory infection", "0912 345 678",
    ):  # fmt: skip
        assert text in page, text
    assert "Cho bé ăn bằng thìa" not in page  # the reader's language


def test_the_journey_is_in_vietnamese_for_a_vietnamese_reader(
    story: SurgicalCase, coordinator: Any, as_user: Any
) -> None:
    page = as_user(coordinator).get(url(story), headers={"accept-language": "vi"}).content.decode()
    assert "Cho bé ăn bằng thìa trong 2 tuần." in page and "Spoon-feed" not in page
    assert "Tạo hình môi một bên" in page


def test_the_printed_journey_has_no_buttons_and_the_child_s_page_links_to_it(
    story: SurgicalCase, coordinator: Any, as_user: Any
) -> None:
    client = as_user(coordinator)
    page = client.get(url(story)).content.decode()
    assert 'class="buttons no-print"' in page and "css/followup.css" in page
    assert f'href="{url(story)}"' in client.get(f"/children/{story.visit.patient_id}/").content.decode()


def test_a_clinician_of_another_mission_gets_404(story: SurgicalCase, clinician: Any, as_user: Any) -> None:
    assert as_user(clinician).get(url(story)).status_code == 404


def test_a_viewer_reads_the_story_without_contacts(story: SurgicalCase, viewer: Any, as_user: Any) -> None:
    page = as_user(viewer).get(url(story)).content.decode()
    assert "Lê An" in page
    for secret in ("912 345 678", "Lê Thị Hoa", "/photo"):
        assert secret not in page
    assert "/follow-up/cases/" not in page  # no planning for a viewer


def test_an_operation_recorded_before_operating_days_were_is_told_from_the_visit(
    setup: Setup, coordinator: Any, as_user: Any
) -> None:
    visit = setup.visit("Em")
    type(visit).objects.filter(pk=visit.pk).update(outcome="operated")
    page = as_user(coordinator).get(f"/children/{visit.patient_id}/journey/", headers={"accept-language": "en"})
    text = page.content.decode()
    assert "Operated" in text and "Lip or nose revision" in text
    assert "The operating day was not recorded in CleftMission." in text
