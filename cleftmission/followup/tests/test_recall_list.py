"""The recall list of a mission from the database: the facts the rules read (operations done,
deferrals, follow-up visits, deaths), the page and its CSV as each role sees them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import time_machine

from cleftmission.factories import (
    DecisionFactory,
    GuardianFactory,
    MissionFactory,
    MissionMemberFactory,
    PatientFactory,
    ScreeningVisitFactory,
    SiteFactory,
)
from cleftmission.followup import recall, recall_query, services
from cleftmission.followup.tests.conftest import case_of, discharge
from cleftmission.missions.models import Mission
from cleftmission.patients.models import Patient
from cleftmission.scheduling.tests.conftest import Setup
from cleftmission.screening.models import Procedure
from cleftmission.surgery import services as surgery_services
from cleftmission.surgery.tests.conftest import at

# The next mission at the same hospital: 5–9 July 2027.
NEXT = (dt.date(2027, 7, 5), dt.date(2027, 7, 9))


@pytest.fixture
def next_mission(setup: Setup) -> Mission:
    mission: Any = MissionFactory(
        name="Đợt tháng 7", site=setup.mission.site, start_date=NEXT[0], end_date=NEXT[1], phase="planning"
    )
    return mission


@pytest.fixture
def children(setup: Setup, published: Any, coordinator: Any) -> dict[str, Any]:
    """An: lip repaired, cleft palate, 12 months on the first day (palate due). Cúc: cancelled
    on the day with a fever (re-screen due). Em: a follow-up visit planned in the mission's
    week. Giang: palate due but died. Hải: 9 years old, alveolus, operated before operations
    were recorded (bone graft due). Lan: seen at another hospital."""
    Patient.objects.filter(pk=setup.visit("An").patient_id).update(lahshal="LAHS...")
    Patient.objects.filter(pk=setup.visit("Giang").patient_id).update(lahshal="LAHSHAL")
    an = discharge(case_of(setup, "An"), coordinator)
    GuardianFactory(patient=an.visit.patient, name="Lê Thị Hoa", phone="+84912345678")
    giang = discharge(case_of(setup, "Giang"), coordinator)
    em = discharge(case_of(setup, "Em"), coordinator)
    cuc = case_of(setup, "Cúc")
    with time_machine.travel(at(cuc, "07:00"), tick=False):
        surgery_services.cancel_case(case=cuc, code="FEVER", note="38,6 °C", acting_user=coordinator)
    with time_machine.travel(dt.datetime(2027, 2, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        surgery_services.record_complication(
            case=giang, kind="death", occurred_on=dt.date(2027, 1, 30), note="", acting_user=coordinator
        )
        services.plan_visit(case=em, kind="other", due_date=dt.date(2027, 7, 6), acting_user=coordinator)
    hai: Any = PatientFactory(family_name="Lê", middle_name="", given_name="Hải", date_of_birth=dt.date(2018, 3, 1))
    Patient.objects.filter(pk=hai.pk).update(lahshal="LA.....")
    old = ScreeningVisitFactory(patient=hai, mission=setup.mission, outcome="operated", queue_number=50)
    old_decision: Any = DecisionFactory(visit=old)
    old_decision.procedures.set([Procedure.objects.get(code="revision")])
    elsewhere = MissionFactory(site=SiteFactory(name="Bệnh viện Xa"), start_date=dt.date(2026, 9, 7))
    lan = PatientFactory(given_name="Lan", lahshal="LAHS...", date_of_birth=dt.date(2025, 1, 1))
    lan_decision: Any = DecisionFactory(visit=ScreeningVisitFactory(patient=lan, mission=elsewhere, outcome="operated"))
    lan_decision.procedures.set([Procedure.objects.get(code="lip_uni")])
    return {"an": an.visit.patient, "cuc": cuc.visit.patient, "em": em.visit.patient, "hai": hai}


def reasons(mission: Mission) -> dict[str, list[str]]:
    rows, _missions = recall_query.children_to_recall(mission)
    names = dict(Patient.objects.values_list("pk", "given_name"))
    return {names[r.patient_id]: [x.code for x in r.reasons] for r in rows}


def test_the_facts_bring_back_each_child_for_its_reason_and_no_one_else(
    next_mission: Mission, children: dict[str, Any]
) -> None:
    assert reasons(next_mission) == {
        "Cúc": [recall.RESCREEN],
        "An": [recall.PALATE],
        "Hải": [recall.BONE_GRAFT],
        "Em": [recall.FOLLOW_UP],
    }
    rows, _missions = recall_query.children_to_recall(next_mission)
    palate = next(r for r in rows if r.patient_id == children["an"].pk).reasons[0]
    assert palate.weight_to_check  # never weighed since the lip repair


def test_a_child_registered_at_the_mission_already_or_a_mission_elsewhere_is_not_recalled(
    next_mission: Mission, children: dict[str, Any]
) -> None:
    ScreeningVisitFactory(patient=children["an"], mission=next_mission)
    assert "An" not in reasons(next_mission)
    elsewhere: Any = MissionFactory(site=SiteFactory(name="Bệnh viện Khác"), start_date=NEXT[0], end_date=NEXT[1])
    assert reasons(elsewhere) == {}


def test_the_palate_waits_for_the_mission_s_age_threshold(next_mission: Mission, children: dict[str, Any]) -> None:
    Mission.objects.filter(pk=next_mission.pk).update(palate_min_age_months=13)
    next_mission.refresh_from_db()
    assert "An" not in reasons(next_mission)


def test_the_page_lists_each_child_with_age_reason_last_seen_and_phone_and_the_csv_says_the_same(
    next_mission: Mission, children: dict[str, Any], coordinator: Any, as_user: Any
) -> None:
    client = as_user(coordinator)
    response = client.get(f"/missions/{next_mission.pk}/recall/", headers={"accept-language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Lê An", "1 y 0 m", "Palate repair: lip repaired, palate not yet", "0912 345 678", "Lê Cúc",
                 "Deferred (Fever) at Đợt thử lịch mổ", "Alveolar bone graft", "Follow-up visit due"):  # fmt: skip
        assert text in page, text
    assert f'href="/missions/{next_mission.pk}/recall/"' in page  # the top bar's Follow-up
    export = client.get(f"/missions/{next_mission.pk}/recall.csv", headers={"accept-language": "en"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Child", "Record number", "Date of birth", "Age on the first day", "Province", "Diagnosis (LAHSHAL)",
        "Reason", "Last seen", "Guardian", "Phone",
    ]  # fmt: skip
    assert [r[0] for r in rows[1:]] == ["Lê Cúc", "Lê An", "Lê Hải", "Lê Em"]
    assert rows[2][3] == "1 y 0 m" and rows[2][-1] == "+84912345678"


def test_the_mission_page_links_to_its_recall(next_mission: Mission, coordinator: Any, as_user: Any) -> None:
    page = as_user(coordinator).get(f"/missions/{next_mission.pk}/").content.decode()
    assert f'href="/missions/{next_mission.pk}/recall/"' in page


def test_a_viewer_sees_the_children_without_contacts(
    next_mission: Mission, children: dict[str, Any], viewer: Any, as_user: Any
) -> None:
    client = as_user(viewer)
    page = client.get(f"/missions/{next_mission.pk}/recall/").content.decode()
    assert "Lê An" in page and "912 345 678" not in page and "Lê Thị Hoa" not in page
    export = client.get(f"/missions/{next_mission.pk}/recall.csv").content.decode("utf-8-sig")
    assert "Lê An" in export and "912345678" not in export


def test_a_clinician_sees_a_mission_s_recall_only_on_its_team_and_only_the_children_they_may_see(
    setup: Setup, next_mission: Mission, children: dict[str, Any], clinician: Any, as_user: Any
) -> None:
    client = as_user(clinician)
    url = f"/missions/{next_mission.pk}/recall/"
    assert client.get(url).status_code == 403
    MissionMemberFactory(mission=next_mission, volunteer=clinician.volunteer)
    response = client.get(url, headers={"accept-language": "en"})
    assert response.context["recall"].entries == [] and response.context["recall"].hidden == 4
    assert "And 4 children seen at missions you were not on." in response.content.decode()
    MissionMemberFactory(mission=setup.mission, volunteer=clinician.volunteer)
    assert len(client.get(url).context["recall"].entries) == 4
