"""The follow-up API: list (overdue, by mission, due before), get, record the outcome with its
version (409 with what is stored now), plan a visit, and a mission's recall; each denial and
each bad input naming its field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cleftmission.api.tests.conftest import fields_named
from cleftmission.factories import GuardianFactory, MissionFactory, MissionMemberFactory
from cleftmission.followup.models import FollowUpVisit
from cleftmission.followup.tests.conftest import TODAY, case_of, week_visit
from cleftmission.patients.models import Patient
from cleftmission.scheduling.tests.conftest import Setup
from cleftmission.surgery.models import SurgicalCase


def test_the_overdue_visits_come_oldest_first_with_days_overdue_and_the_guardian_for_contact_roles(
    discharged: SurgicalCase, coordinator: Any, viewer: Any, api_as: Any, today: dt.date
) -> None:
    GuardianFactory(patient=discharged.visit.patient, phone="+84912345678")
    body = api_as(coordinator).get("/follow-ups", {"overdue": "true"}).json()
    visit = week_visit(discharged)
    assert body["count"] == 1
    [item] = body["items"]
    assert (item["id"], item["kind"], item["status"], item["days_overdue"]) == (
        visit.pk,
        "1w",
        "planned",
        (TODAY - visit.due_date).days,
    )
    assert item["procedures"] == ["lip_uni"] and item["child"] == "Lê An" and item["version"] == 1
    assert item["guardians"][0]["phone"] == "+84912345678"
    for_viewer = api_as(viewer).get("/follow-ups", {"overdue": "true"}).json()["items"][0]
    assert "guardians" not in for_viewer


def test_the_list_filters_by_mission_due_date_and_status(
    setup: Setup, discharged: SurgicalCase, coordinator: Any, api_as: Any, today: dt.date
) -> None:
    client = api_as(coordinator)
    assert client.get("/follow-ups").json()["count"] == 3
    assert client.get("/follow-ups", {"mission": setup.mission.pk}).json()["count"] == 3
    other: Any = MissionFactory()
    assert client.get("/follow-ups", {"mission": other.pk}).json()["count"] == 0
    before = discharged.day + dt.timedelta(days=100)
    assert [i["kind"] for i in client.get("/follow-ups", {"due_before": before.isoformat()}).json()["items"]] == [
        "1w",
        "3m",
    ]
    assert client.get("/follow-ups", {"status": "seen"}).json()["count"] == 0
    assert fields_named(client.get("/follow-ups", {"status": "lost"})) == {"status"}
    assert fields_named(client.get("/follow-ups", {"due_before": "soon"})) == {"due_before"}


def test_get_one_visit_and_another_mission_s_clinician_gets_404(
    setup: Setup, discharged: SurgicalCase, clinician: Any, api_as: Any, today: dt.date
) -> None:
    visit = week_visit(discharged)
    client = api_as(clinician)
    assert client.get(f"/follow-ups/{visit.pk}").status_code == 404
    assert client.get("/follow-ups").json()["count"] == 0
    MissionMemberFactory(mission=setup.mission, volunteer=clinician.volunteer)
    assert client.get(f"/follow-ups/{visit.pk}").json()["due_date"] == visit.due_date.isoformat()


def test_patch_records_the_outcome_and_a_stale_version_gets_409_with_what_is_stored(
    discharged: SurgicalCase, coordinator: Any, api_as: Any, today: dt.date
) -> None:
    visit = week_visit(discharged)
    client = api_as(coordinator)
    saved = client.patch(
        f"/follow-ups/{visit.pk}",
        {"version": 1, "status": "seen", "seen_on": "2027-01-19", "velopharyngeal_competence": 0, "weight_kg": "8.2"},
    )
    assert saved.status_code == 200, saved.json()
    body = saved.json()
    assert (body["status"], body["version"], body["weight_kg"], body["days_overdue"]) == ("seen", 2, "8.20", None)
    stale = client.patch(f"/follow-ups/{visit.pk}", {"version": 1, "status": "missed"})
    assert stale.status_code == 409
    conflict = stale.json()
    assert conflict["errors"][0]["field"] == "version"
    assert (conflict["current"]["status"], conflict["current"]["version"]) == ("seen", 2)
    visit.refresh_from_db()
    assert visit.status == "seen"


def test_patch_refuses_bad_input_naming_the_field(
    discharged: SurgicalCase, coordinator: Any, api_as: Any, today: dt.date
) -> None:
    visit = week_visit(discharged)
    client = api_as(coordinator)

    def named(data: dict[str, Any]) -> set[str]:
        response = client.patch(f"/follow-ups/{visit.pk}", {"version": 1, **data})
        assert response.status_code == 422, response.json()
        return fields_named(response)

    assert named({"status": "seen", "seen_on": (TODAY + dt.timedelta(days=1)).isoformat()}) == {"seen_on"}
    before = (discharged.day - dt.timedelta(days=1)).isoformat()
    assert named({"status": "seen", "seen_on": before}) == {"seen_on"}
    assert named({"seen_on": TODAY.isoformat(), "velopharyngeal_competence": 3}) == {"velopharyngeal_competence"}
    assert named({"seen_on": TODAY.isoformat(), "consonants_correct_pct": -1}) == {"consonants_correct_pct"}
    assert named({"seen_on": TODAY.isoformat(), "weight_kg": "0.1"}) == {"weight_kg"}
    assert named({"status": "missed", "fistula": True}) == {"fistula"}
    assert named({"seen_on": "yesterday"}) == {"seen_on"}
    assert named({"colour": "blue"}) == {"colour"}
    missing = client.patch(f"/follow-ups/{visit.pk}", {"status": "missed"})
    assert missing.status_code == 422 and fields_named(missing) == {"version"}
    visit.refresh_from_db()
    assert (visit.status, visit.version) == ("planned", 1)


def test_registrars_and_viewers_may_not_record_or_plan(
    setup: Setup, discharged: SurgicalCase, registrar: Any, viewer: Any, api_as: Any, today: dt.date
) -> None:
    MissionMemberFactory(mission=setup.mission, volunteer=registrar.volunteer)
    visit = week_visit(discharged)
    for user in (registrar, viewer):
        client = api_as(user)
        assert client.patch(f"/follow-ups/{visit.pk}", {"version": 1, "status": "missed"}).status_code == 403
        plan = {"case_id": discharged.pk, "kind": "other", "due_date": "2027-02-01"}
        assert client.post("/follow-ups", plan).status_code == 403
    assert client.get(f"/follow-ups/{visit.pk}").status_code == 200  # reading is fine


def test_post_plans_a_visit_and_refuses_bad_input_naming_the_field(
    setup: Setup, discharged: SurgicalCase, coordinator: Any, clinician: Any, api_as: Any, today: dt.date
) -> None:
    client = api_as(coordinator)
    created = client.post("/follow-ups", {"case_id": discharged.pk, "kind": "other", "due_date": "2027-02-01"})
    assert created.status_code == 201
    assert (created.json()["status"], created.json()["due_date"]) == ("planned", "2027-02-01")
    again = client.post("/follow-ups", {"case_id": discharged.pk, "kind": "other", "due_date": "2027-02-01"})
    assert again.status_code == 422 and fields_named(again) == {"due_date"}
    not_operated = client.post("/follow-ups", {"case_id": case_of(setup, "Bảo").pk, "due_date": "2027-02-01"})
    assert fields_named(not_operated) == {"case_id"}
    assert fields_named(client.post("/follow-ups", {"case_id": 10**20, "due_date": "2027-02-01"})) == {"case_id"}
    assert fields_named(client.post("/follow-ups", {"case_id": discharged.pk, "due_date": "2027-02-30"})) == {
        "due_date"
    }
    assert fields_named(
        client.post("/follow-ups", {"case_id": discharged.pk, "kind": "5y", "due_date": "2027-03-01"})
    ) == {"kind"}
    hidden = api_as(clinician).post("/follow-ups", {"case_id": discharged.pk, "due_date": "2027-03-01"})
    assert hidden.status_code == 422 and fields_named(hidden) == {"case_id"}  # not theirs to see
    assert FollowUpVisit.objects.filter(case=discharged).count() == 4


def test_a_mission_s_recall_lists_each_child_with_reasons_and_refuses_other_teams(
    setup: Setup, discharged: SurgicalCase, coordinator: Any, clinician: Any, viewer: Any, api_as: Any
) -> None:
    Patient.objects.filter(pk=discharged.visit.patient_id).update(lahshal="LAHS...")
    GuardianFactory(patient=discharged.visit.patient, phone="+84912345678")
    july: Any = MissionFactory(site=setup.mission.site, start_date=dt.date(2027, 7, 5), end_date=dt.date(2027, 7, 9))
    body = api_as(coordinator).get(f"/missions/{july.pk}/recall").json()
    assert (body["count"], body["hidden"], body["first_day"]) == (1, 0, "2027-07-05")
    [item] = body["items"]
    assert item["full_name"] == "Lê An" and item["age_months"] == 12
    assert [r["code"] for r in item["reasons"]] == ["palate"] and item["reasons"][0]["weight_to_check"]
    assert item["guardians"][0]["phone"] == "+84912345678"
    assert "guardians" not in api_as(viewer).get(f"/missions/{july.pk}/recall").json()["items"][0]
    assert api_as(clinician).get(f"/missions/{july.pk}/recall").status_code == 403
    assert api_as(coordinator).get("/missions/999999/recall").status_code == 404
