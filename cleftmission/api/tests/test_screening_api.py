"""/missions/{id}/visits, /visits/{id}, evaluations, send-back, decisions and the screening
board through the API: every endpoint, its validation, its conflicts and who may use it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cleftmission.api.tests.conftest import ApiClient, fields_named
from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.factories import GuardianFactory, PatientFactory, ScreeningVisitFactory
from cleftmission.missions.models import Mission
from cleftmission.screening.models import Decision, ScreeningVisit, StationEvaluation

VITALS = {"weight_kg": 10.5, "length_cm": 80, "temperature_c": 36.8, "spo2": 98, "haemoglobin": 11.5}
LOW_HB = {**VITALS, "haemoglobin": 9.0}


def new_child(**fields: Any) -> Any:
    return PatientFactory(**fields)


def new_visit(**fields: Any) -> Any:
    return ScreeningVisitFactory(**fields)


def put(api: ApiClient, path: str, data: Any) -> Any:
    return api.client.put("/api/v1" + path, json.dumps(data), content_type="application/json")


@pytest.fixture
def visit(child: Any, mission: Any) -> ScreeningVisit:
    return ScreeningVisit.objects.get(patient=child, mission=mission)


@pytest.fixture
def other_visit(other_child: Any, other_mission: Any) -> ScreeningVisit:
    return ScreeningVisit.objects.get(patient=other_child, mission=other_mission)


def _rescreen() -> str:
    return (timezone.localdate() + dt.timedelta(days=90)).isoformat()


# ---- registering a child at a mission ----------------------------------------------------


def test_a_registrar_registers_a_known_child_at_their_mission_with_the_next_queue_number(
    registrar: Any, mission: Any, child: Any, api_as: Any
) -> None:
    known = new_child(given_name="Quen")
    response = api_as(registrar).post(f"/missions/{mission.pk}/visits", {"patient_id": known.pk})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "queue_number", "patient_id", "mission_id", "outcome", "registered_at"}
    first = ScreeningVisit.objects.get(patient=child)
    assert (body["patient_id"], body["mission_id"], body["outcome"]) == (known.pk, mission.pk, "registered")
    assert body["queue_number"] == first.queue_number + 1
    assert audit.trail(known).filter(model="screening.screeningvisit", action=AuditEntry.Action.CREATE).exists()


def test_registering_a_child_already_registered_returns_their_visit(
    coordinator: Any, mission: Any, child: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    response = api_as(coordinator).post(f"/missions/{mission.pk}/visits", {"patient_id": child.pk})
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["queue_number"]) == (visit.pk, visit.queue_number)
    assert ScreeningVisit.objects.filter(patient=child).count() == 1


def test_an_unknown_or_merged_child_is_refused_naming_patient_id(
    coordinator: Any, mission: Any, child: Any, api_as: Any
) -> None:
    api = api_as(coordinator)
    response = api.post(f"/missions/{mission.pk}/visits", {"patient_id": 987654})
    assert response.status_code == 422
    assert fields_named(response) == {"patient_id"}
    duplicate = new_child(given_name="Trùng")
    duplicate.merged_into = child
    duplicate.save()
    response = api.post(f"/missions/{mission.pk}/visits", {"patient_id": duplicate.pk})
    assert response.status_code == 422
    assert fields_named(response) == {"patient_id"}
    assert child.record_number in response.json()["errors"][0]["message"]
    assert not ScreeningVisit.objects.filter(patient=duplicate).exists()


def test_a_closed_mission_registers_nobody(coordinator: Any, mission: Any, api_as: Any) -> None:
    Mission.objects.filter(pk=mission.pk).update(phase=Mission.Phase.CLOSED)
    response = api_as(coordinator).post(f"/missions/{mission.pk}/visits", {"patient_id": new_child().pk})
    assert response.status_code == 409
    assert fields_named(response) == set()


def test_registering_is_refused_to_clinicians_viewers_and_registrars_of_other_missions(
    clinician: Any, viewer: Any, registrar: Any, other_mission: Any, mission: Any, api_as: Any
) -> None:
    known = new_child()
    assert api_as(clinician).post(f"/missions/{mission.pk}/visits", {"patient_id": known.pk}).status_code == 403
    assert api_as(viewer).post(f"/missions/{mission.pk}/visits", {"patient_id": known.pk}).status_code == 403
    response = api_as(registrar).post(f"/missions/{other_mission.pk}/visits", {"patient_id": known.pk})
    assert response.status_code == 403
    assert fields_named(response) == set()
    assert not ScreeningVisit.objects.filter(patient=known).exists()


# ---- listing a mission's visits -----------------------------------------------------------


def test_the_list_gives_each_visit_with_the_child_s_name_and_the_stations_done(
    clinician: Any, mission: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    StationEvaluation.objects.create(visit=visit, station="vitals", data={})
    StationEvaluation.objects.create(visit=visit, station="pediatric", status="sent_back")
    later = new_visit(patient=new_child(given_name="Hai"), mission=mission)
    body = api_as(clinician).get(f"/missions/{mission.pk}/visits").json()
    assert body["count"] == 2
    first, second = body["items"]
    assert first["id"] == visit.pk and second["id"] == later.pk
    assert first["full_name"] == "Nguyễn Văn An"
    assert (first["queue_number"], first["outcome"]) == (visit.queue_number, "registered")
    assert (first["stations_done"], first["stations_sent_back"]) == (["vitals"], ["pediatric"])


def test_the_children_waiting_for_a_station_are_listed_in_queue_order_one_page_at_a_time(
    coordinator: Any, mission: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    StationEvaluation.objects.create(visit=visit, station="vitals", data={})
    waiting = [new_visit(mission=mission) for i in range(3)]
    decided = new_visit(mission=mission, outcome="deferred")
    api = api_as(coordinator)
    body = api.get(f"/missions/{mission.pk}/visits", {"station": "vitals", "waiting": "true"}).json()
    assert body["count"] == 3
    assert [i["id"] for i in body["items"]] == [v.pk for v in waiting]
    page = api.get(f"/missions/{mission.pk}/visits", {"station": "vitals", "waiting": "true", "limit": 1, "offset": 1})
    assert [i["id"] for i in page.json()["items"]] == [waiting[1].pk]
    assert page.json()["count"] == 3
    done = api.get(f"/missions/{mission.pk}/visits", {"station": "vitals"}).json()
    assert [i["id"] for i in done["items"]] == [visit.pk]
    undecided = api.get(f"/missions/{mission.pk}/visits", {"waiting": "true"}).json()
    assert undecided["count"] == 4
    finished = api.get(f"/missions/{mission.pk}/visits", {"waiting": "false"}).json()
    assert [i["id"] for i in finished["items"]] == [decided.pk]


def test_an_unknown_station_is_refused_naming_it(coordinator: Any, mission: Any, api_as: Any) -> None:
    response = api_as(coordinator).get(f"/missions/{mission.pk}/visits", {"station": "xray", "waiting": "true"})
    assert response.status_code == 422
    assert fields_named(response) == {"station"}


def test_a_clinician_cannot_list_another_mission_s_visits(
    clinician: Any, other_mission: Any, other_child: Any, api_as: Any
) -> None:
    response = api_as(clinician).get(f"/missions/{other_mission.pk}/visits")
    assert response.status_code == 403
    assert "Phạm" not in response.content.decode()


# ---- one visit ----------------------------------------------------------------------------


def test_a_visit_shows_the_child_the_evaluations_the_findings_and_the_decision(
    coordinator: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    api = api_as(coordinator)
    assert put(api, f"/visits/{visit.pk}/evaluations/vitals", {"data": LOW_HB, "note": "khóc"}).status_code == 200
    body = api.get(f"/visits/{visit.pk}").json()
    assert body["id"] == visit.pk
    assert body["patient"] == {
        "id": visit.patient.pk,
        "record_number": visit.patient.record_number,
        "full_name": "Nguyễn Văn An",
        "sex": "M",
        "date_of_birth": "2025-06-01",
    }
    assert body["mission_id"] == visit.mission_id
    assert body["outcome"] == "registered"
    vitals = body["evaluations"]["vitals"]
    assert (vitals["status"], vitals["version"], vitals["note"]) == ("done", 1, "khóc")
    assert vitals["data"]["haemoglobin"] == "9.0"
    assert "waz" in vitals["data"]
    hb = next(f for f in body["findings"] if f["rule"] == "haemoglobin")
    assert (hb["result"], hb["deferral_code"]) == ("fail", "LOW_HB")
    assert set(hb) >= {"rule", "result", "value", "threshold", "deferral_code"}
    assert body["decision"] is None


def test_a_viewer_reads_a_visit_without_any_contact_detail(
    viewer: Any, child: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    GuardianFactory(patient=child, phone="+84912345678")
    child.address = "12 Phố Huế"
    child.save()
    response = api_as(viewer).get(f"/visits/{visit.pk}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "912345678" not in text and "Phố Huế" not in text and "guardians" not in text


def test_a_visit_of_another_mission_is_not_found_for_a_clinician_or_registrar(
    clinician: Any, registrar: Any, other_visit: ScreeningVisit, api_as: Any
) -> None:
    for user in (clinician, registrar):
        response = api_as(user).get(f"/visits/{other_visit.pk}")
        assert response.status_code == 404
        assert fields_named(response) == set()


def test_a_user_without_a_role_is_refused_and_a_caller_without_a_token_is_asked_for_one(
    outsider: Any, visit: ScreeningVisit, mission: Any, api_as: Any
) -> None:
    assert api_as(outsider).get(f"/visits/{visit.pk}").status_code == 403
    anonymous = ApiClient()
    for path in (f"/visits/{visit.pk}", f"/missions/{mission.pk}/visits", f"/missions/{mission.pk}/screening-board"):
        response = anonymous.get(path)
        assert response.status_code == 401, path
        assert fields_named(response) == set()
    assert put(anonymous, f"/visits/{visit.pk}/evaluations/vitals", {"data": VITALS}).status_code == 401


# ---- station evaluations ------------------------------------------------------------------


def test_a_clinician_records_vitals_and_gets_the_new_version_with_the_z_scores(
    clinician: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    response = put(api_as(clinician), f"/visits/{visit.pk}/evaluations/vitals", {"data": VITALS, "version": None})
    assert response.status_code == 200
    body = response.json()
    assert (body["station"], body["status"], body["version"]) == ("vitals", "done", 1)
    assert body["data"]["weight_kg"] == "10.5"
    assert {"waz", "laz", "wlz"} <= set(body["data"])
    row = StationEvaluation.objects.get(visit=visit, station="vitals")
    assert row.recorded_by == clinician
    entry = audit.trail(visit.patient).get(model="screening.stationevaluation")
    assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, clinician)


def test_a_weight_of_300_kg_is_refused_naming_the_field_and_nothing_is_saved(
    clinician: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    response = put(api_as(clinician), f"/visits/{visit.pk}/evaluations/vitals", {"data": {**VITALS, "weight_kg": 300}})
    assert response.status_code == 422
    assert fields_named(response) == {"weight_kg"}
    assert not StationEvaluation.objects.exists()
    assert not audit.trail(visit.patient).exists()


@pytest.mark.parametrize(
    ("station", "data", "field"),
    [
        ("vitals", {**VITALS, "haemoglobin": 40}, "haemoglobin"),
        ("vitals", {**VITALS, "temperature_c": 60}, "temperature_c"),
        ("vitals", {**VITALS, "weight_kg": 0}, "weight_kg"),
        ("vitals", {**VITALS, "weight_kg": "heavy"}, "weight_kg"),
        ("anesthesia", {"asa": 7, "airway": "normal"}, "asa"),
        ("surgical", {"lahshal": "LAHSHAL", "procedures": ["heart"], "laterality": "left"}, "procedures"),
        ("surgical", {"lahshal": "XYZ", "procedures": ["palate"], "laterality": "left"}, "lahshal"),
        ("dental", {}, "findings"),
        ("vitals", {**VITALS, "colour": "blue"}, "colour"),
    ],
)
def test_bad_station_data_is_refused_naming_the_field(
    coordinator: Any, visit: ScreeningVisit, api_as: Any, station: str, data: dict[str, Any], field: str
) -> None:
    response = put(api_as(coordinator), f"/visits/{visit.pk}/evaluations/{station}", {"data": data})
    assert response.status_code == 422
    assert fields_named(response) == {field}
    assert not StationEvaluation.objects.exists()


def test_an_unknown_station_is_refused(coordinator: Any, visit: ScreeningVisit, api_as: Any) -> None:
    response = put(api_as(coordinator), f"/visits/{visit.pk}/evaluations/xray", {"data": {}})
    assert response.status_code == 422
    assert fields_named(response) == {"station"}


def test_saving_over_a_newer_version_is_a_conflict_that_returns_the_stored_evaluation(
    clinician: Any, coordinator: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    path = f"/visits/{visit.pk}/evaluations/vitals"
    assert put(api_as(clinician), path, {"data": VITALS}).json()["version"] == 1
    assert put(api_as(coordinator), path, {"data": {**VITALS, "weight_kg": 8.4}, "version": 1}).status_code == 200
    response = put(api_as(clinician), path, {"data": {**VITALS, "weight_kg": 9.9}, "version": 1})
    assert response.status_code == 409
    body = response.json()
    assert set(body) == {"detail", "errors", "current"}
    assert body["detail"]
    assert [e["field"] for e in body["errors"]] == ["version"]
    assert (body["current"]["version"], body["current"]["data"]["weight_kg"]) == (2, "8.4")
    row = StationEvaluation.objects.get(visit=visit, station="vitals")
    assert (row.version, row.data["weight_kg"]) == (2, "8.4")


def test_a_version_for_an_evaluation_never_saved_is_a_conflict(
    coordinator: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    response = put(api_as(coordinator), f"/visits/{visit.pk}/evaluations/vitals", {"data": VITALS, "version": 3})
    assert response.status_code == 409
    assert response.json()["current"] is None
    assert not StationEvaluation.objects.exists()


def test_the_computed_z_scores_sent_back_as_read_are_recomputed_not_refused(
    coordinator: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    api = api_as(coordinator)
    first = put(api, f"/visits/{visit.pk}/evaluations/vitals", {"data": VITALS}).json()
    again = put(api, f"/visits/{visit.pk}/evaluations/vitals", {"data": {**first["data"], "waz": 5}, "version": 1})
    assert again.status_code == 200
    assert again.json()["data"]["waz"] == first["data"]["waz"]


def test_the_surgical_station_saves_the_procedures_and_the_diagnosis(
    clinician: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    data = {"lahshal": "LAHS...", "procedures": ["lip_uni", "palate"], "laterality": "right"}
    response = put(api_as(clinician), f"/visits/{visit.pk}/evaluations/surgical", {"data": data})
    assert response.status_code == 200
    saved = response.json()["data"]
    assert (sorted(saved["procedures"]), saved["estimated_minutes"]) == (["lip_uni", "palate"], 210)
    visit.patient.refresh_from_db()
    assert visit.patient.lahshal == "LAHS..."


def test_writing_evaluations_is_refused_to_registrars_viewers_and_clinicians_of_other_missions(
    registrar: Any, viewer: Any, clinician: Any, visit: ScreeningVisit, other_visit: ScreeningVisit, api_as: Any
) -> None:
    for user in (registrar, viewer):
        response = put(api_as(user), f"/visits/{visit.pk}/evaluations/vitals", {"data": VITALS})
        assert response.status_code == 403
        assert fields_named(response) == set()
    response = put(api_as(clinician), f"/visits/{other_visit.pk}/evaluations/vitals", {"data": VITALS})
    assert response.status_code == 404
    assert not StationEvaluation.objects.exists()
    assert not AuditEntry.objects.filter(model="screening.stationevaluation").exists()


def test_changes_need_a_token_even_in_a_browser_session(clinician: Any, visit: ScreeningVisit) -> None:
    client = Client()
    client.force_login(clinician)
    response = client.put(
        f"/api/v1/visits/{visit.pk}/evaluations/vitals", json.dumps({"data": VITALS}), content_type="application/json"
    )
    assert response.status_code == 401
    assert client.get(f"/api/v1/visits/{visit.pk}").status_code == 200


# ---- sending back -------------------------------------------------------------------------


def test_a_station_sends_the_child_back_and_the_child_waits_there_again(
    clinician: Any, mission: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    api = api_as(clinician)
    put(api, f"/visits/{visit.pk}/evaluations/vitals", {"data": VITALS})
    response = api.post(f"/visits/{visit.pk}/send-back", {"station": "vitals", "reason": "Đo lại Hb"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["sent_back_reason"], body["version"]) == ("sent_back", "Đo lại Hb", 2)
    waiting = api.get(f"/missions/{mission.pk}/visits", {"station": "vitals", "waiting": "true"}).json()
    assert [i["id"] for i in waiting["items"]] == [visit.pk]
    assert audit.trail(visit.patient).filter(action=AuditEntry.Action.UPDATE).exists()


def test_sending_back_needs_a_reason_and_a_known_station(clinician: Any, visit: ScreeningVisit, api_as: Any) -> None:
    api = api_as(clinician)
    response = api.post(f"/visits/{visit.pk}/send-back", {"station": "vitals", "reason": "  "})
    assert response.status_code == 422
    assert fields_named(response) == {"reason"}
    response = api.post(f"/visits/{visit.pk}/send-back", {"station": "xray", "reason": "why"})
    assert response.status_code == 422
    assert fields_named(response) == {"station"}
    assert not StationEvaluation.objects.exists()


def test_a_registrar_routes_a_child_back_as_on_the_station_pages_and_a_viewer_cannot(
    registrar: Any, viewer: Any, clinician: Any, visit: ScreeningVisit, other_visit: ScreeningVisit, api_as: Any
) -> None:
    back = {"station": "photos", "reason": "Ảnh bị mờ"}
    assert api_as(viewer).post(f"/visits/{visit.pk}/send-back", back).status_code == 403
    assert api_as(clinician).post(f"/visits/{other_visit.pk}/send-back", back).status_code == 404
    assert not StationEvaluation.objects.exists()
    response = api_as(registrar).post(f"/visits/{visit.pk}/send-back", back)
    assert response.status_code == 200
    assert response.json()["status"] == "sent_back"


# ---- decisions ----------------------------------------------------------------------------


def test_a_clinician_defers_a_child_with_a_reason_a_re_screen_date_and_a_referral(
    clinician: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    data = {"outcome": "deferred", "deferral_code": "MALNUTRITION", "rescreen_date": _rescreen(),
            "referral": "nutrition", "referred_to": "Viện Dinh dưỡng"}  # fmt: skip
    response = put(api_as(clinician), f"/visits/{visit.pk}/decision", data)
    assert response.status_code == 200
    body = response.json()
    assert (body["outcome"], body["deferral_code"], body["rescreen_date"]) == ("deferred", "MALNUTRITION", _rescreen())
    assert (body["referral"], body["version"], body["procedures"]) == ("nutrition", 1, [])
    visit.refresh_from_db()
    assert visit.outcome == "deferred"
    assert audit.trail(visit.patient).get(model="screening.decision").actor == clinician


def test_accepting_against_a_failing_rule_needs_an_override_reason_which_is_kept(
    clinician: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    api = api_as(clinician)
    put(api, f"/visits/{visit.pk}/evaluations/vitals", {"data": LOW_HB})
    accept = {"outcome": "accepted", "procedures": ["lip_uni"], "priority": 2}
    response = put(api, f"/visits/{visit.pk}/decision", accept)
    assert response.status_code == 422
    assert fields_named(response) == {"override_reason"}
    assert not Decision.objects.exists()
    visit.refresh_from_db()
    assert visit.outcome == "registered"

    response = put(api, f"/visits/{visit.pk}/decision", {**accept, "override_reason": "Hb 9.0, ổn định, mổ môi ngắn"})
    assert response.status_code == 200
    body = response.json()
    assert (body["outcome"], body["procedures"], body["priority"]) == ("accepted", ["lip_uni"], 2)
    assert body["failing_rules"] == ["haemoglobin"]
    assert body["override_reason"] == "Hb 9.0, ổn định, mổ môi ngắn"
    assert body["estimated_minutes"] == 90
    changes = audit.trail(visit.patient).get(model="screening.decision").changes
    assert changes["override_reason"][1] == "Hb 9.0, ổn định, mổ môi ngắn"


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"outcome": "deferred", "deferral_code": "URI"}, {"rescreen_date"}),
        ({"outcome": "deferred", "rescreen_date": "2099-01-01"}, {"deferral_code"}),
        ({"outcome": "accepted"}, {"procedures"}),
        ({"outcome": "accepted", "procedures": ["heart"]}, {"procedures"}),
        ({"outcome": "referred"}, {"referred_to"}),
        ({"outcome": "operated"}, {"outcome"}),
        ({"outcome": "accepted", "procedures": ["palate"], "priority": 9}, {"priority"}),
        ({"outcome": "deferred", "deferral_code": "URI", "rescreen_date": "01/03/2027"}, {"rescreen_date"}),
        ({"outcome": "accepted", "procedures": ["palate"], "colour": "blue"}, {"colour"}),
    ],
)
def test_an_incomplete_or_wrong_decision_is_refused_naming_the_fields(
    coordinator: Any, visit: ScreeningVisit, api_as: Any, data: dict[str, Any], fields: set[str]
) -> None:
    response = put(api_as(coordinator), f"/visits/{visit.pk}/decision", data)
    assert response.status_code == 422
    assert fields_named(response) == fields
    assert not Decision.objects.exists()


def test_deciding_over_a_newer_decision_is_a_conflict_that_returns_it(
    clinician: Any, coordinator: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    path = f"/visits/{visit.pk}/decision"
    refer = {"outcome": "referred", "referred_to": "Bệnh viện Nhi Trung ương", "referral": "cardiology"}
    assert put(api_as(clinician), path, refer).json()["version"] == 1
    defer = {"outcome": "deferred", "deferral_code": "URI", "rescreen_date": _rescreen(), "version": 1}
    assert put(api_as(coordinator), path, defer).status_code == 200
    response = put(api_as(clinician), path, {**refer, "referred_to": "Khác", "version": 1})
    assert response.status_code == 409
    body = response.json()
    assert (body["current"]["outcome"], body["current"]["version"]) == ("deferred", 2)
    assert [e["field"] for e in body["errors"]] == ["version"]
    decision = Decision.objects.get(visit=visit)
    assert (decision.outcome, decision.version) == ("deferred", 2)


def test_deciding_is_refused_to_registrars_viewers_and_clinicians_of_other_missions(
    registrar: Any, viewer: Any, clinician: Any, visit: ScreeningVisit, other_visit: ScreeningVisit, api_as: Any
) -> None:
    data = {"outcome": "referred", "referred_to": "ENT"}
    for user in (registrar, viewer):
        assert put(api_as(user), f"/visits/{visit.pk}/decision", data).status_code == 403
    assert put(api_as(clinician), f"/visits/{other_visit.pk}/decision", data).status_code == 404
    assert not Decision.objects.exists()


# ---- the board ----------------------------------------------------------------------------


def test_the_board_answers_the_counts_and_the_longest_waits(
    clinician: Any, mission: Any, visit: ScreeningVisit, api_as: Any
) -> None:
    api = api_as(clinician)
    second = new_visit(patient=new_child(given_name="Hai"), mission=mission)
    put(api, f"/visits/{visit.pk}/evaluations/vitals", {"data": VITALS})
    put(api, f"/visits/{second.pk}/decision", {"outcome": "referred", "referred_to": "ENT"})
    ScreeningVisit.objects.filter(pk=visit.pk).update(registered_at=timezone.now() - dt.timedelta(minutes=42))
    body = api.get(f"/missions/{mission.pk}/screening-board").json()
    assert (body["mission_id"], body["registered"], body["undecided"]) == (mission.pk, 2, 1)
    assert body["waiting"] == {"vitals": 0, "pediatric": 1, "anesthesia": 1, "surgical": 1,
                               "dental": 1, "speech": 1, "photos": 1}  # fmt: skip
    assert body["decided"] == {"accepted": 0, "deferred": 0, "referred": 1, "operated": 0}
    assert body["median_wait_minutes"] == 42
    [wait] = body["longest_waits"]
    assert wait == {"visit_id": visit.pk, "queue_number": visit.queue_number, "full_name": "Nguyễn Văn An",
                    "station": "pediatric", "minutes": 42}  # fmt: skip


def test_a_viewer_reads_the_board_without_names(viewer: Any, mission: Any, visit: ScreeningVisit, api_as: Any) -> None:
    body = api_as(viewer).get(f"/missions/{mission.pk}/screening-board").json()
    assert body["registered"] == 1
    assert body["longest_waits"][0]["full_name"] is None
    assert "Nguyễn" not in json.dumps(body, ensure_ascii=False)


def test_the_board_of_another_mission_is_refused_to_a_clinician(
    clinician: Any, other_mission: Any, api_as: Any
) -> None:
    response = api_as(clinician).get(f"/missions/{other_mission.pk}/screening-board")
    assert response.status_code == 403
    assert api_as(clinician).get("/missions/999999/screening-board").status_code == 404


def test_the_openapi_document_lists_the_screening_endpoints(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/missions/{mission_id}/visits"]) == {"get", "post"}
    assert set(paths["/api/v1/visits/{visit_id}"]) == {"get"}
    assert set(paths["/api/v1/visits/{visit_id}/evaluations/{station}"]) == {"put"}
    assert set(paths["/api/v1/visits/{visit_id}/send-back"]) == {"post"}
    assert set(paths["/api/v1/visits/{visit_id}/decision"]) == {"put"}
    assert set(paths["/api/v1/missions/{mission_id}/screening-board"]) == {"get"}
