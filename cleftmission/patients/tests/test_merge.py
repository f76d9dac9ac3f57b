"""Two records of the same child made one by a coordinator: everything moves to the kept
record, the merge is audited, and undoing it puts everything back exactly."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.core.tests.helpers import assert_refused
from cleftmission.factories import GuardianFactory, PatientFactory, ScreeningVisitFactory
from cleftmission.patients import services
from cleftmission.patients.models import Guardian, Patient, PatientMerge
from cleftmission.screening.models import ScreeningVisit, StationEvaluation


@pytest.fixture
def kept(child: Patient) -> Patient:
    """Nguyễn Văn An, seen at `mission`, with his mother; no address recorded."""
    GuardianFactory(patient=child, name="Lê Thị Hoa", relation="mother", phone="+84912345678")
    return child


@pytest.fixture
def duplicate(db: None, other_mission: Any) -> Patient:
    """The same child registered again at `other_mission`: spelled without diacritics, with
    the address and a note, the same mother and the father."""
    patient: Any = PatientFactory(
        family_name="Nguyen",
        middle_name="Van",
        given_name="An",
        district="Phường Bạch Mai",
        address="12 Ngõ Huế",
        diagnosis_notes="Seen at the district hospital in 2025.",
    )
    visit: Any = ScreeningVisitFactory(patient=patient, mission=other_mission)
    StationEvaluation.objects.create(visit=visit, station="vitals", data={"weight_kg": "8.1"})
    GuardianFactory(patient=patient, name="Le Thi Hoa", relation="mother", phone="0912 345 678")
    GuardianFactory(patient=patient, name="Nguyễn Văn Bình", relation="father", phone="+84987654321")
    return patient


def state() -> dict[str, Any]:
    """Everything a merge may touch, to compare before and after."""
    return {
        "patients": sorted(
            tuple(sorted((k, v) for k, v in row.items() if k != "updated_at")) for row in Patient.objects.values()
        ),
        "visits": sorted(ScreeningVisit.objects.values_list("pk", "patient_id", "mission_id", "queue_number")),
        "guardians": sorted(Guardian.objects.values_list("pk", "patient_id", "name", "relation", "phone")),
        "evaluations": sorted(StationEvaluation.objects.values_list("pk", "visit__patient_id", "station")),
    }


def merge(kept: Patient, duplicate: Patient, user: Any) -> PatientMerge:
    return services.merge_patients(kept=kept, merged=duplicate, acting_user=user)


def test_merging_moves_the_visits_and_guardians_and_fills_the_empty_fields(
    kept: Patient, duplicate: Patient, coordinator: Any, mission: Any, other_mission: Any
) -> None:
    merge(kept, duplicate, coordinator)
    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert sorted(v.mission.name for v in kept.visits.all()) == sorted([mission.name, other_mission.name])
    assert StationEvaluation.objects.get().visit.patient == kept
    assert sorted(g.name for g in kept.guardians.all()) == ["Lê Thị Hoa", "Nguyễn Văn Bình"]
    assert (kept.address, kept.district) == ("12 Ngõ Huế", "Phường Bạch Mai")
    assert kept.diagnosis_notes == "Seen at the district hospital in 2025."
    assert (kept.family_name, kept.lahshal) == ("Nguyễn", "L......")  # filled fields only, nothing overwritten
    assert duplicate.merged_into == kept
    assert not duplicate.visits.exists()
    assert [g.name for g in duplicate.guardians.all()] == ["Le Thi Hoa"]  # the same mother stays behind


def test_the_merge_records_exactly_what_moved(
    kept: Patient, duplicate: Patient, coordinator: Any, other_mission: Any
) -> None:
    father = duplicate.guardians.get(relation="father")
    record = merge(kept, duplicate, coordinator)
    assert record.moved == {
        "visits": [other_mission.visits.get().pk],
        "guardians": [father.pk],
        "fields": {
            "district": ["", "Phường Bạch Mai"],
            "address": ["", "12 Ngõ Huế"],
            "diagnosis_notes": ["", "Seen at the district hospital in 2025."],
        },
    }
    assert (record.kept, record.merged, record.merged_by, record.undone_at) == (kept, duplicate, coordinator, None)


def test_the_merge_is_audited_on_both_records(kept: Patient, duplicate: Patient, coordinator: Any) -> None:
    merge(kept, duplicate, coordinator)
    on_kept = list(audit.trail(kept))
    on_duplicate = list(audit.trail(duplicate))
    assert {e.actor for e in on_kept + on_duplicate} == {coordinator}
    for trail in (on_kept, on_duplicate):
        [entry] = [e for e in trail if e.model == "patients.patientmerge"]
        assert entry.changes == {
            "merged": [None, f"{duplicate.record_number} Nguyen Van An"],
            "kept": [None, f"{kept.record_number} Nguyễn Văn An"],
        }
        assert {e.model for e in trail if e.changes.get("patient")} == {"screening.screeningvisit", "patients.guardian"}
    assert any(e.changes.get("address") == ["", "12 Ngõ Huế"] for e in on_kept)
    assert any(e.changes.get("merged_into") == [None, f"{kept.record_number} Nguyễn Văn An"] for e in on_duplicate)


def test_undoing_the_merge_puts_everything_back_exactly(
    kept: Patient, duplicate: Patient, coordinator: Any, admin_user: Any
) -> None:
    before = state()
    record = merge(kept, duplicate, coordinator)
    assert state() != before
    services.undo_merge(merge=record, acting_user=admin_user)
    assert state() == before
    record.refresh_from_db()
    assert record.undone_by == admin_user
    assert record.undone_at is not None
    entries = AuditEntry.objects.filter(actor=admin_user)
    assert {e.object_id for e in entries} == {str(kept.pk), str(duplicate.pk)}
    assert entries.filter(model="patients.patientmerge", action="delete").count() == 2


def test_undoing_keeps_a_field_someone_changed_since_the_merge(
    kept: Patient, duplicate: Patient, coordinator: Any
) -> None:
    record = merge(kept, duplicate, coordinator)
    kept.refresh_from_db()
    services.update_patient(patient=kept, data={"address": "5 Phố Huế"}, acting_user=coordinator)
    services.undo_merge(merge=record, acting_user=coordinator)
    kept.refresh_from_db()
    assert (kept.address, kept.district) == ("5 Phố Huế", "")


def test_records_with_a_visit_at_the_same_mission_are_not_merged(
    kept: Patient, duplicate: Patient, coordinator: Any, mission: Any
) -> None:
    ScreeningVisitFactory(patient=duplicate, mission=mission)
    before = state()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        merge(kept, duplicate, coordinator)
    assert "Both records have a visit at Hà Nội tháng 12." in refused.value.messages[0]
    assert state() == before
    assert not PatientMerge.objects.exists()


def test_a_record_is_not_merged_with_itself_nor_merged_twice(
    kept: Patient, duplicate: Patient, coordinator: Any
) -> None:
    with pytest.raises(ValidationError):
        merge(kept, kept, coordinator)
    merge(kept, duplicate, coordinator)
    with pytest.raises(ValidationError):
        merge(kept, duplicate, coordinator)
    with pytest.raises(ValidationError):
        merge(PatientFactory.create(), duplicate, coordinator)


def test_a_merge_is_undone_once(kept: Patient, duplicate: Patient, coordinator: Any) -> None:
    record = merge(kept, duplicate, coordinator)
    services.undo_merge(merge=record, acting_user=coordinator)
    with pytest.raises(ValidationError):
        services.undo_merge(merge=record, acting_user=coordinator)


def test_a_merge_is_undone_only_after_the_later_merge_of_the_kept_record(
    kept: Patient, duplicate: Patient, coordinator: Any
) -> None:
    first = merge(kept, duplicate, coordinator)
    third: Any = PatientFactory()
    second = merge(third, kept, coordinator)
    with pytest.raises(ValidationError):
        services.undo_merge(merge=first, acting_user=coordinator)
    services.undo_merge(merge=second, acting_user=coordinator)
    services.undo_merge(merge=first, acting_user=coordinator)
    assert duplicate.visits.count() == 1


def test_a_merge_that_would_leave_more_than_four_guardians_is_refused(
    kept: Patient, duplicate: Patient, coordinator: Any
) -> None:
    for n in range(3):
        GuardianFactory(patient=duplicate, name=f"Người {n}", relation="other", phone=f"+8491111111{n}")
    before = state()
    with pytest.raises(ValidationError):
        merge(kept, duplicate, coordinator)
    assert state() == before


# The pages ------------------------------------------------------------------------------


def test_a_coordinator_merges_from_the_childs_page(
    as_user: Any, coordinator: Any, kept: Patient, duplicate: Patient
) -> None:
    client = as_user(coordinator)
    assert f"/children/{kept.pk}/merge/" in client.get(f"/children/{kept.pk}/").content.decode()

    response = client.get(f"/children/{kept.pk}/merge/")
    assert [d.patient for d in response.context["likely"]] == [duplicate]
    assert f"/children/{kept.pk}/merge/{duplicate.pk}/" in response.content.decode()

    response = client.get(f"/children/{kept.pk}/merge/", {"q": duplicate.record_number}, headers={"HX-Request": "true"})
    assert response.context["results"] == [duplicate]

    response = client.get(f"/children/{kept.pk}/merge/{duplicate.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (kept.record_number, duplicate.record_number, "12 Ngõ Huế", "Nguyễn Văn Bình"):
        assert shown in page

    response = client.post(f"/children/{kept.pk}/merge/{duplicate.pk}/", {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/children/{kept.pk}/"
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept


def test_a_merge_needs_the_box_ticked(as_user: Any, coordinator: Any, kept: Patient, duplicate: Patient) -> None:
    before = state()
    response = as_user(coordinator).post(f"/children/{kept.pk}/merge/{duplicate.pk}/", {})
    assert_refused(response, "confirm")
    assert state() == before


def test_the_confirmation_page_names_the_mission_both_records_were_seen_at(
    as_user: Any, coordinator: Any, kept: Patient, duplicate: Patient, mission: Any
) -> None:
    ScreeningVisitFactory(patient=duplicate, mission=mission)
    client = as_user(coordinator)
    client.cookies.load({"django_language": "en"})
    assert (
        "Both records have a visit at Hà Nội tháng 12."
        in client.get(f"/children/{kept.pk}/merge/{duplicate.pk}/").content.decode()
    )
    before = state()
    response = client.post(f"/children/{kept.pk}/merge/{duplicate.pk}/", {"confirm": "on"})
    assert response.status_code == 200
    assert "Hà Nội tháng 12" in str(response.context["form"].non_field_errors())
    assert state() == before


def test_a_merged_record_leaves_the_lists_and_search_but_its_page_opens_with_a_banner(
    as_user: Any, coordinator: Any, kept: Patient, duplicate: Patient
) -> None:
    merge(kept, duplicate, coordinator)
    client = as_user(coordinator)
    assert duplicate not in client.get("/children/").context["page"].object_list
    assert [p.pk for p in client.get("/children/", {"q": "nguyen van an"}).context["page"]] == [kept.pk]
    assert list(client.get("/children/", {"q": duplicate.record_number}).context["page"]) == []
    client.cookies.load({"django_language": "en"})
    page = client.get(f"/children/{duplicate.pk}/").content.decode()
    assert f"This record is merged into {kept.record_number}." in page
    assert f"/children/{duplicate.pk}/merge/undo/" in page
    assert f"/children/{kept.pk}/edit/" not in page
    assert client.get(f"/children/{duplicate.pk}/edit/").status_code == 404
    assert f"/children/{duplicate.pk}/merge/undo/" in client.get(f"/children/{kept.pk}/").content.decode()


def test_a_coordinator_undoes_the_merge_from_the_merged_records_page(
    as_user: Any, coordinator: Any, kept: Patient, duplicate: Patient
) -> None:
    before = state()
    merge(kept, duplicate, coordinator)
    response = as_user(coordinator).post(f"/children/{duplicate.pk}/merge/undo/")
    assert response.status_code == 302
    assert response["Location"] == f"/children/{duplicate.pk}/"
    assert state() == before


@pytest.mark.parametrize("persona", ["registrar", "clinician", "viewer"])
def test_only_coordinators_and_administrators_merge_or_undo(
    request: pytest.FixtureRequest, as_user: Any, persona: str, kept: Patient, duplicate: Patient, coordinator: Any
) -> None:
    client = as_user(request.getfixturevalue(persona))
    before = state()
    assert client.get(f"/children/{kept.pk}/merge/").status_code == 403
    assert client.get(f"/children/{kept.pk}/merge/{duplicate.pk}/").status_code == 403
    assert client.post(f"/children/{kept.pk}/merge/{duplicate.pk}/", {"confirm": "on"}).status_code == 403
    assert state() == before
    merge(kept, duplicate, coordinator)
    after_merge = state()
    assert client.post(f"/children/{duplicate.pk}/merge/undo/").status_code == 403
    assert state() == after_merge
    assert "/merge/" not in client.get(f"/children/{kept.pk}/").content.decode()


def test_the_administrator_merges_too(as_user: Any, admin_user: Any, kept: Patient, duplicate: Patient) -> None:
    response = as_user(admin_user).post(f"/children/{kept.pk}/merge/{duplicate.pk}/", {"confirm": "on"})
    assert response.status_code == 302
    assert Patient.objects.get(pk=duplicate.pk).merged_into_id == kept.pk
