"""The station pages: queues, the child's screening page, the station forms with their live
findings, sending a child back, and who may do what."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cleftmission.core.models import AuditEntry
from cleftmission.factories import GuardianFactory, PatientFactory, ScreeningVisitFactory
from cleftmission.patients.models import Patient
from cleftmission.screening import services
from cleftmission.screening.models import Procedure, ScreeningVisit, Station, StationEvaluation
from cleftmission.screening.tests.station_helpers import (
    ANESTHESIA,
    PEDIATRIC,
    SURGICAL,
    VITALS,
    decision_url,
    evaluate_url,
    findings_url,
    in_english,
    record,
    visit_of,
)


def queue_url(mission: Any, station: str) -> str:
    return reverse("screening:station", args=[mission.pk, station])


def add_child(mission: Any, number: int, given_name: str) -> ScreeningVisit:
    patient: Any = PatientFactory(given_name=given_name)
    visit: Any = ScreeningVisitFactory(patient=patient, mission=mission, queue_number=number)
    return visit_of(visit.patient, mission)


@pytest.fixture
def visit(child: Any, mission: Any) -> ScreeningVisit:
    return visit_of(child, mission)


# --- the queues ---------------------------------------------------------------------------------


def test_a_station_queue_lists_the_children_not_seen_there_in_queue_order_with_those_sent_back_flagged(
    as_user: Any, clinician: Any, mission: Any, child: Any, visit: ScreeningVisit
) -> None:
    seen = add_child(mission, 40, "Seen")
    back = add_child(mission, 30, "Back")
    decided = add_child(mission, 20, "Decided")
    record(seen, Station.VITALS, clinician, VITALS)
    record(back, Station.VITALS, clinician, VITALS)
    services.send_back(visit=back, station=Station.VITALS, reason="Cân lại", acting_user=clinician)
    services.record_decision(
        visit=decided,
        data={"outcome": "referred", "referred_to": "Bệnh viện Nhi Trung ương"},
        acting_user=clinician,
    )

    response = as_user(clinician).get(queue_url(mission, "vitals"))

    assert response.status_code == 200
    listed = [c["visit"].queue_number for c in response.context["children"]]
    assert listed == sorted([visit.queue_number, 30])
    page = response.content.decode()
    assert "Cân lại" in page
    assert evaluate_url(back, "vitals") in page
    assert "Seen" not in page and "Decided" not in page


def test_the_station_index_counts_the_children_waiting_at_each_station(
    as_user: Any, registrar: Any, clinician: Any, mission: Any, visit: ScreeningVisit
) -> None:
    other = add_child(mission, 50, "Other")
    record(other, Station.VITALS, clinician, VITALS)
    record(other, Station.SURGICAL, clinician, SURGICAL)
    record(other, Station.ANESTHESIA, clinician, ANESTHESIA)

    response = as_user(registrar).get(reverse("screening:stations", args=[mission.pk]))

    rows = {r["slug"]: r["waiting"] for r in response.context["rows"]}
    assert rows == {"vitals": 1, "pediatric": 2, "anesthesia": 1, "surgical": 1, "dental": 2, "speech": 2, "photos": 2}
    assert response.context["ready"] == 1


def test_the_decision_queue_lists_children_whose_surgery_and_anaesthesia_are_done(
    as_user: Any, clinician: Any, mission: Any, visit: ScreeningVisit
) -> None:
    record(visit, Station.SURGICAL, clinician, SURGICAL)
    assert as_user(clinician).get(queue_url(mission, "decision")).context["children"] == []
    record(visit, Station.ANESTHESIA, clinician, ANESTHESIA)

    response = as_user(clinician).get(queue_url(mission, "decision"))

    [waiting] = response.context["children"]
    assert waiting["url"] == decision_url(visit)
    assert len(waiting["pending"]) == len(Station.values) - 2


def test_the_queue_number_box_opens_the_form_for_a_clinician_and_the_childs_page_for_a_registrar(
    as_user: Any, clinician: Any, registrar: Any, mission: Any, visit: ScreeningVisit
) -> None:
    url = queue_url(mission, "vitals") + f"?n={visit.queue_number}"
    assert as_user(clinician).get(url)["Location"] == evaluate_url(visit, "vitals")
    assert as_user(registrar).get(url)["Location"] == visit.get_absolute_url()
    index = reverse("screening:stations", args=[mission.pk]) + f"?n={visit.queue_number}"
    assert as_user(clinician).get(index)["Location"] == visit.get_absolute_url()


def test_an_unknown_queue_number_says_so_on_the_queue(
    as_user: Any, clinician: Any, mission: Any, other_child: Any, other_mission: Any
) -> None:
    number = visit_of(other_child, other_mission).queue_number
    response = in_english(as_user(clinician)).get(queue_url(mission, "vitals") + f"?n={number}", follow=True)
    assert response.status_code == 200
    assert f"No child with queue number {number}" in response.content.decode()


def test_an_htmx_refresh_of_a_queue_gets_the_list_alone(as_user: Any, clinician: Any, mission: Any, child: Any) -> None:
    response = as_user(clinician).get(queue_url(mission, "vitals"), headers={"HX-Request": "true"})
    assert response.templates[0].name == "screening/stations/_queue.html"
    assert "<html" not in response.content.decode()


def test_an_unknown_station_is_not_found(as_user: Any, clinician: Any, mission: Any, visit: ScreeningVisit) -> None:
    client = as_user(clinician)
    assert client.get(queue_url(mission, "cardiology")).status_code == 404
    assert client.get(evaluate_url(visit, "cardiology")).status_code == 404


def test_a_station_queue_runs_the_same_number_of_queries_for_5_children_as_for_20(
    as_user: Any, clinician: Any, mission: Any
) -> None:
    client = as_user(clinician)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(queue_url(mission, "vitals")).status_code == 200
        return len(captured)

    for n in range(5):
        visit = add_child(mission, 100 + n, f"Five{n}")
        services.send_back(visit=visit, station=Station.VITALS, reason="again", acting_user=clinician)
    five = queries()
    for n in range(15):
        add_child(mission, 200 + n, f"Twenty{n}")
    assert queries() == five


# --- the child's screening page -----------------------------------------------------------------


def test_the_visit_page_shows_who_the_child_is_routing_findings_and_z_scores(
    as_user: Any, clinician: Any, registrar: Any, visit: ScreeningVisit
) -> None:
    record(visit, Station.VITALS, clinician, {**VITALS, "haemoglobin": "9.9"})
    services.send_back(visit=visit, station=Station.PEDIATRIC, reason="Nghe lại tim", acting_user=registrar)

    response = in_english(as_user(registrar)).get(visit.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Nguyễn Văn An", visit.patient.record_number, 'class="badge phase-', "Nghe lại tim", "Weight-for-age"):
        assert text in page
    routing = {r["slug"]: r["status"] for r in response.context["routing"]}
    assert routing["vitals"] == "done"
    assert routing["pediatric"] == "sent_back"
    assert routing["dental"] == "pending"
    haemoglobin = next(f for f in response.context["findings"] if f["rule"] == "haemoglobin")
    assert (haemoglobin["result"], haemoglobin["value"], haemoglobin["deferral_code"]) == ("fail", "9.9 g/dL", "LOW_HB")
    with translation.override("en"):
        assert str(haemoglobin["label"]) == "Haemoglobin"
    # a registrar routes the child but opens no station form
    assert evaluate_url(visit, "vitals") not in page
    assert reverse("screening:send_back", args=[visit.mission_id, visit.pk]) in page


def test_the_findings_speak_vietnamese_with_a_decimal_comma(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    record(visit, Station.VITALS, clinician, {**VITALS, "haemoglobin": "9.9"})
    client = as_user(clinician)
    client.cookies["django_language"] = "vi"
    response = client.get(visit.get_absolute_url())
    haemoglobin = next(f for f in response.context["findings"] if f["rule"] == "haemoglobin")
    assert haemoglobin["value"] == "9,9 g/dL"


def test_a_viewer_reads_the_visit_page_without_photos_or_contacts_and_without_forms(
    as_user: Any, viewer: Any, child: Any, visit: ScreeningVisit
) -> None:
    GuardianFactory(patient=child, name="Lê Thị Hoa", phone="+84912345678")
    response = as_user(viewer).get(visit.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nguyễn Văn An" in page
    for secret in ("912345678", "912 345 678", "Lê Thị Hoa"):
        assert secret not in page
    assert response.context["photos"] is None
    assert "/photos/" not in page
    assert evaluate_url(visit, "vitals") not in page
    assert "send-back" not in page


def test_a_clinician_sees_the_family_contacts_on_the_visit_page(
    as_user: Any, clinician: Any, child: Any, visit: ScreeningVisit
) -> None:
    GuardianFactory(patient=child, name="Lê Thị Hoa", phone="+84912345678")
    page = as_user(clinician).get(visit.get_absolute_url()).content.decode()
    assert "Lê Thị Hoa" in page
    assert evaluate_url(visit, "vitals") in page


# --- the station forms --------------------------------------------------------------------------


def test_a_clinician_saves_vitals_and_the_z_scores_are_computed_and_audited(
    as_user: Any, clinician: Any, mission: Any, visit: ScreeningVisit
) -> None:
    response = as_user(clinician).post(evaluate_url(visit, "vitals"), {**VITALS, "version": "0", "note": "khóc"})

    assert response.status_code == 302
    assert response["Location"] == queue_url(mission, "vitals")
    row = StationEvaluation.objects.get(visit=visit, station="vitals")
    assert row.data["weight_kg"] == "9.8"
    assert row.data["haemoglobin"] == "11.5"
    assert row.data["waz"] is not None and row.data["wlz"] is not None
    assert (row.note, row.version, row.recorded_by) == ("khóc", 1, clinician)
    entry = AuditEntry.objects.get(model="screening.stationevaluation")
    assert entry.actor == clinician
    assert entry.object_id == str(visit.patient_id)


@pytest.mark.parametrize(
    ("field", "value"),
    [("weight_kg", "0"), ("weight_kg", "300"), ("haemoglobin", "40"), ("temperature_c", "60"), ("spo2", "120")],
)
def test_impossible_vitals_are_refused_naming_the_field_and_nothing_is_saved(
    as_user: Any, clinician: Any, visit: ScreeningVisit, field: str, value: str
) -> None:
    audit_before = AuditEntry.objects.count()

    response = as_user(clinician).post(evaluate_url(visit, "vitals"), {**VITALS, field: value, "version": "0"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not StationEvaluation.objects.filter(visit=visit).exists()
    assert AuditEntry.objects.count() == audit_before


def test_impossible_vitals_do_not_touch_the_stored_evaluation(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    record(visit, Station.VITALS, clinician, VITALS)
    response = as_user(clinician).post(evaluate_url(visit, "vitals"), {**VITALS, "weight_kg": "300", "version": "1"})
    assert response.status_code == 200
    row = StationEvaluation.objects.get(visit=visit, station="vitals")
    assert (row.data["weight_kg"], row.version) == ("9.8", 1)


def test_the_station_form_opens_with_the_stored_values_and_their_version(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    record(visit, Station.VITALS, clinician, VITALS)
    record(visit, Station.VITALS, clinician, {**VITALS, "weight_kg": "10.2"})

    response = as_user(clinician).get(evaluate_url(visit, "vitals"))

    assert response.context["form"]["weight_kg"].value() == "10.2"
    assert response.context["version"] == 2
    page = response.content.decode()
    assert 'name="version" value="2"' in page
    assert 'inputmode="decimal"' in page
    assert f'hx-post="{findings_url(visit, "vitals")}"' in page


def test_the_surgical_station_confirms_the_diagnosis_and_plans_the_catalog_minutes(
    as_user: Any, clinician: Any, child: Any, visit: ScreeningVisit
) -> None:
    response = as_user(clinician).get(evaluate_url(visit, "surgical"))
    assert response.context["form"]["lahshal"].value() == "L......"
    assert response.context["form"]["laterality"].value() == "right"

    data = {"lahshal": "LAHSHAL", "procedures": ["lip_bi", "palate"], "laterality": "bilateral", "version": "0"}
    assert as_user(clinician).post(evaluate_url(visit, "surgical"), data).status_code == 302

    row = StationEvaluation.objects.get(visit=visit, station="surgical")
    assert row.data["procedures"] == ["lip_bi", "palate"]
    assert row.data["estimated_minutes"] == 240
    assert Patient.objects.get(pk=child.pk).lahshal == "LAHSHAL"


def test_the_pediatric_and_anaesthesia_stations_save_their_findings(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    client = as_user(clinician)
    assert client.post(evaluate_url(visit, "pediatric"), {**PEDIATRIC, "uri": "on", "version": "0"}).status_code == 302
    assert client.post(evaluate_url(visit, "anesthesia"), {"asa": "3", "airway": "difficult"}).status_code == 302
    facts = services.facts_for(visit_of(visit.patient, visit.mission))
    assert (facts.uri, facts.asa) == (True, 3)


# --- live findings ------------------------------------------------------------------------------


def test_live_findings_follow_what_is_typed_and_save_nothing(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    record(visit, Station.VITALS, clinician, VITALS)
    audit_before = AuditEntry.objects.count()

    response = as_user(clinician).post(
        findings_url(visit, "vitals"), {**VITALS, "haemoglobin": "9.9", "temperature_c": "38.0"}
    )

    assert response.status_code == 200
    results = {f["rule"]: f["result"] for f in response.context["findings"]}
    assert (results["haemoglobin"], results["fever"]) == ("fail", "fail")
    assert response.context["failing_count"] == 2
    assert "<html" not in response.content.decode()
    row = StationEvaluation.objects.get(visit=visit, station="vitals")
    assert (row.data["haemoglobin"], row.version) == ("11.5", 1)
    assert AuditEntry.objects.count() == audit_before


def test_live_findings_compute_the_z_scores_of_the_typed_weight(
    as_user: Any, clinician: Any, child: Any, visit: ScreeningVisit
) -> None:
    response = as_user(clinician).post(findings_url(visit, "vitals"), {"weight_kg": "5.0"})
    nutrition = next(f for f in response.context["findings"] if f["rule"] == "nutrition")
    assert nutrition["result"] == "fail"
    assert response.context["zscores"]
    assert not StationEvaluation.objects.filter(visit=visit).exists()


def test_a_field_still_in_error_counts_as_missing_in_the_live_findings(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    response = as_user(clinician).post(findings_url(visit, "vitals"), {**VITALS, "haemoglobin": "40"})
    haemoglobin = next(f for f in response.context["findings"] if f["rule"] == "haemoglobin")
    assert haemoglobin["result"] == "missing"


def test_live_findings_on_the_decision_page_follow_the_procedures_ticked(
    as_user: Any, clinician: Any, child: Any, visit: ScreeningVisit
) -> None:
    record(visit, Station.VITALS, clinician, {**VITALS, "weight_kg": "7.0"})  # too light for a palate repair
    client = as_user(clinician)

    palate = client.post(findings_url(visit, "decision"), {"outcome": "accepted", "procedures": ["palate"]})
    lip = client.post(findings_url(visit, "decision"), {"outcome": "accepted", "procedures": ["lip_uni"]})

    assert {f["rule"]: f["result"] for f in palate.context["findings"]}["palate_min_weight"] == "fail"
    assert "palate_min_weight" not in {f["rule"] for f in lip.context["findings"]}
    assert {f["rule"]: f["result"] for f in lip.context["findings"]}["lip_min_weight"] == "pass"


def test_the_mission_thresholds_change_the_findings_on_the_page(
    as_user: Any, clinician: Any, mission: Any, visit: ScreeningVisit
) -> None:
    record(visit, Station.VITALS, clinician, {**VITALS, "haemoglobin": "10.5"})
    client = as_user(clinician)
    assert {f["rule"]: f["result"] for f in client.get(findings_url(visit)).context["findings"]}[
        "haemoglobin"
    ] == "pass"
    mission.min_haemoglobin = Decimal("11.0")
    mission.save(update_fields=["min_haemoglobin"])
    assert {f["rule"]: f["result"] for f in client.get(findings_url(visit)).context["findings"]}[
        "haemoglobin"
    ] == "fail"


# --- sending a child back -----------------------------------------------------------------------


def test_sending_a_child_back_reopens_the_station_with_the_reason_and_requeues_the_child(
    as_user: Any, clinician: Any, registrar: Any, mission: Any, visit: ScreeningVisit
) -> None:
    record(visit, Station.VITALS, clinician, VITALS)
    client = as_user(registrar)
    assert visit.pk not in [c["visit"].pk for c in client.get(queue_url(mission, "vitals")).context["children"]]

    response = client.post(
        reverse("screening:send_back", args=[mission.pk, visit.pk]),
        {"station": "vitals", "reason": "Hb to repeat", "next": queue_url(mission, "surgical")},
    )

    assert response.status_code == 302
    assert response["Location"] == queue_url(mission, "surgical")
    row = StationEvaluation.objects.get(visit=visit, station="vitals")
    assert (row.status, row.sent_back_reason, row.data["weight_kg"]) == ("sent_back", "Hb to repeat", "9.8")
    queue = client.get(queue_url(mission, "vitals")).context["children"]
    assert [(c["visit"].pk, c["visit"].sent_back_reason) for c in queue] == [(visit.pk, "Hb to repeat")]


def test_sending_back_without_a_reason_or_to_no_station_changes_nothing(
    as_user: Any, clinician: Any, mission: Any, visit: ScreeningVisit
) -> None:
    url = reverse("screening:send_back", args=[mission.pk, visit.pk])
    client = as_user(clinician)
    for data in ({"station": "vitals", "reason": "  "}, {"station": "lab", "reason": "why"}):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not StationEvaluation.objects.filter(visit=visit).exists()


def test_send_back_goes_only_to_a_page_of_this_site(
    as_user: Any, clinician: Any, mission: Any, visit: ScreeningVisit
) -> None:
    url = reverse("screening:send_back", args=[mission.pk, visit.pk])
    response = as_user(clinician).post(url, {"station": "vitals", "reason": "x", "next": "https://evil.example/"})
    assert response["Location"] == visit.get_absolute_url()


# --- who may do what ----------------------------------------------------------------------------


def test_a_registrar_opens_the_queue_and_the_page_but_may_not_save_an_evaluation_or_a_decision(
    as_user: Any, registrar: Any, mission: Any, visit: ScreeningVisit
) -> None:
    client = as_user(registrar)
    assert client.get(queue_url(mission, "vitals")).status_code == 200
    assert client.get(visit.get_absolute_url()).status_code == 200
    assert client.get(evaluate_url(visit, "vitals")).status_code == 403
    assert client.post(evaluate_url(visit, "vitals"), {**VITALS, "version": "0"}).status_code == 403
    assert client.post(decision_url(visit), {"outcome": "referred", "referred_to": "X"}).status_code == 403
    assert client.post(findings_url(visit, "vitals"), VITALS).status_code == 403
    assert not StationEvaluation.objects.filter(visit=visit).exists()
    assert ScreeningVisit.objects.get(pk=visit.pk).outcome == "registered"


def test_a_viewer_changes_nothing(as_user: Any, viewer: Any, mission: Any, visit: ScreeningVisit) -> None:
    client = as_user(viewer)
    assert client.post(evaluate_url(visit, "vitals"), {**VITALS, "version": "0"}).status_code == 403
    send_back = reverse("screening:send_back", args=[mission.pk, visit.pk])
    assert client.post(send_back, {"station": "vitals", "reason": "x"}).status_code == 403
    assert client.post(decision_url(visit), {"outcome": "referred", "referred_to": "X"}).status_code == 403
    assert not StationEvaluation.objects.filter(visit=visit).exists()


@pytest.mark.parametrize("persona", ["clinician", "registrar"])
def test_a_child_of_another_mission_is_not_found_on_any_station_page(
    request: pytest.FixtureRequest, as_user: Any, other_child: Any, other_mission: Any, persona: str
) -> None:
    client = as_user(request.getfixturevalue(persona))
    visit = visit_of(other_child, other_mission)
    args = [other_mission.pk, visit.pk]
    assert client.get(reverse("screening:stations", args=[other_mission.pk])).status_code == 404
    assert client.get(queue_url(other_mission, "vitals")).status_code == 404
    assert client.get(visit.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("screening:send_back", args=args), {"station": "vitals", "reason": "x"}).status_code == 404
    )
    if persona == "clinician":
        assert client.get(evaluate_url(visit, "vitals")).status_code == 404
        assert client.post(evaluate_url(visit, "vitals"), {**VITALS, "version": "0"}).status_code == 404
        assert client.post(findings_url(visit, "vitals"), VITALS).status_code == 404
        assert client.post(decision_url(visit), {"outcome": "referred", "referred_to": "X"}).status_code == 404
    assert not StationEvaluation.objects.filter(visit=visit).exists()
    assert ScreeningVisit.objects.get(pk=visit.pk).outcome == "registered"


def test_a_visit_is_found_only_under_its_own_mission(
    as_user: Any, coordinator: Any, mission: Any, other_mission: Any, visit: ScreeningVisit
) -> None:
    wrong = reverse("screening:visit", args=[other_mission.pk, visit.pk])
    assert as_user(coordinator).get(wrong).status_code == 404


def test_a_coordinator_records_on_any_mission(
    as_user: Any, coordinator: Any, other_child: Any, other_mission: Any
) -> None:
    visit = visit_of(other_child, other_mission)
    response = as_user(coordinator).post(evaluate_url(visit, "vitals"), {**VITALS, "version": "0"})
    assert response.status_code == 302
    assert StationEvaluation.objects.filter(visit=visit, station="vitals").exists()


def test_the_procedure_catalog_carries_the_planning_minutes_of_domain_md(db: None) -> None:
    minutes = dict(Procedure.objects.values_list("code", "planning_minutes"))
    assert minutes == {"lip_uni": 90, "lip_bi": 120, "palate": 120, "revision": 60, "fistula": 90, "bone_graft": 135}


def test_the_anaesthesia_form_has_no_default_asa_class_or_airway(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    """An ASA class nobody chose must not be saved as ASA 1."""
    client = as_user(clinician)
    assert client.get(evaluate_url(visit, "anesthesia")).context["form"]["asa"].value() is None
    response = client.post(evaluate_url(visit, "anesthesia"), {"version": "0", "note": "khóc nhiều"})
    assert set(response.context["form"].errors) == {"asa", "airway"}
    assert not StationEvaluation.objects.filter(visit=visit).exists()
