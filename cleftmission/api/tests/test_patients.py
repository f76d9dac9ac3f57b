"""/patients: reading, registering and changing a child's record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cleftmission.api.tests.conftest import fields_named
from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.factories import GuardianFactory, PatientFactory, ScreeningVisitFactory
from cleftmission.patients.models import Guardian, Patient
from cleftmission.screening.models import ScreeningVisit


def new_child(**changes: Any) -> dict[str, Any]:
    return {
        "family_name": "Lê",
        "middle_name": "Thị",
        "given_name": "Bình",
        "sex": "F",
        "date_of_birth": (timezone.localdate() - dt.timedelta(days=300)).isoformat(),
        "province": "Nghệ An",
        "district": "Vinh",
        **changes,
    }


def counts() -> tuple[int, int, int, int]:
    return (
        Patient.objects.count(),
        Guardian.objects.count(),
        ScreeningVisit.objects.count(),
        AuditEntry.objects.count(),
    )


def test_a_child_is_read_with_identity_diagnosis_and_contacts(coordinator: Any, child: Any, api_as: Any) -> None:
    child.lahshal = "LAHSHAL"
    child.address = "12 Phố Huế"
    child.save()
    guardian: Any = GuardianFactory(patient=child, name="Lê Thị Hoa", phone="+84912345678")
    response = api_as(coordinator).get(f"/patients/{child.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["record_number"] == child.record_number
    assert body["full_name"] == "Nguyễn Văn An"
    assert (body["family_name"], body["middle_name"], body["given_name"]) == ("Nguyễn", "Văn", "An")
    assert (body["sex"], body["date_of_birth"], body["province"]) == ("M", "2025-06-01", "Hà Nội")
    assert (body["lahshal"], body["veau"], body["anatomic_group"], body["laterality"]) == (
        "LAHSHAL",
        "IV",
        "CLAP",
        "bilateral",
    )
    assert body["address"] == "12 Phố Huế"
    assert body["guardians"] == [
        {"id": guardian.pk, "name": "Lê Thị Hoa", "relation": "mother", "phone": "+84912345678"}
    ]


def test_a_child_without_a_diagnosis_has_no_veau_class_or_group(coordinator: Any, child: Any, api_as: Any) -> None:
    child.lahshal = ""
    child.save()
    body = api_as(coordinator).get(f"/patients/{child.pk}").json()
    assert (body["veau"], body["anatomic_group"]) == (None, None)


def test_the_list_answers_items_and_count(coordinator: Any, child: Any, other_child: Any, api_as: Any) -> None:
    body = api_as(coordinator).get("/patients", {"limit": 1}).json()
    assert body["count"] == 2
    assert [c["full_name"] for c in body["items"]] == ["Nguyễn Văn An"]


def test_the_list_costs_the_same_queries_for_many_children(
    coordinator: Any, mission: Any, api_as: Any, django_assert_num_queries: Any
) -> None:
    for _ in range(30):
        GuardianFactory(patient=ScreeningVisitFactory(mission=mission, patient=PatientFactory()).patient)
    api = api_as(coordinator)
    # the token, the role, the page, its guardians, the count
    with django_assert_num_queries(5):
        body = api.get("/patients").json()
    assert body["count"] == 30
    assert all(len(c["guardians"]) == 1 for c in body["items"])


def test_a_registrar_registers_a_child_with_guardians_for_their_mission_and_every_row_is_audited(
    registrar: Any, mission: Any, api_as: Any
) -> None:
    response = api_as(registrar).post(
        "/patients",
        new_child(
            guardians=[{"name": "Lê Văn Tâm", "relation": "father", "phone": "0912 345 678"}], mission=mission.pk
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    patient = Patient.objects.get(pk=body["id"])
    assert body["record_number"] == patient.record_number == f"CM-{patient.pk:06d}"
    assert patient.search_name == "le thi binh"
    assert [(g["name"], g["phone"]) for g in body["guardians"]] == [("Lê Văn Tâm", "+84912345678")]
    visit = ScreeningVisit.objects.get(patient=patient)
    assert visit.mission == mission
    trail = list(audit.trail(patient))
    assert len(trail) == 3  # the child, the guardian, the visit
    assert all(e.action == AuditEntry.Action.CREATE and e.actor == registrar for e in trail)


def test_a_coordinator_may_register_a_child_without_a_mission_and_with_a_diagnosis(
    coordinator: Any, api_as: Any
) -> None:
    response = api_as(coordinator).post("/patients", new_child(lahshal="...S..."))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["lahshal"], body["anatomic_group"], body["veau"]) == ("...S...", "CP", "I")
    assert not ScreeningVisit.objects.exists()


def test_a_registrar_must_name_the_mission_the_child_came_to(registrar: Any, mission: Any, api_as: Any) -> None:
    before = counts()
    response = api_as(registrar).post("/patients", new_child())
    assert response.status_code == 422
    assert fields_named(response) == {"mission"}
    assert counts() == before


def test_a_registrar_may_not_register_a_child_for_a_mission_they_are_not_on(
    registrar: Any, other_mission: Any, api_as: Any
) -> None:
    before = counts()
    response = api_as(registrar).post("/patients", new_child(mission=other_mission.pk))
    assert response.status_code == 422
    assert fields_named(response) == {"mission"}
    assert counts() == before


def years_ago(years: int) -> str:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date_of_birth": (dt.date.today() + dt.timedelta(days=2)).isoformat()}, "date_of_birth"),
        ({"date_of_birth": "1990-01-01"}, "date_of_birth"),
        ({"lahshal": "XYZ1234"}, "lahshal"),
        ({"lahshal": "......."}, "lahshal"),
        ({"lahshal": "LAH"}, "lahshal"),
        ({"sex": "X"}, "sex"),
        ({"given_name": ""}, "given_name"),
        ({"guardians": [{"name": "Lê Văn Tâm", "relation": "father", "phone": "12345"}]}, "guardians.0.phone"),
        ({"guardians": [{"name": "", "relation": "father"}]}, "guardians.0.name"),
        ({"guardians": [{"name": "Tâm", "relation": "uncle"}]}, "guardians.0.relation"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    coordinator: Any, mission: Any, api_as: Any, changes: dict[str, Any], field: str
) -> None:
    before = counts()
    response = api_as(coordinator).post("/patients", new_child(mission=mission.pk, **changes))
    assert response.status_code == 422, response.content
    assert fields_named(response) == {field}
    assert counts() == before


def test_a_date_of_birth_more_than_25_years_ago_is_refused_with_the_web_form_s_message(
    coordinator: Any, api_as: Any
) -> None:
    response = api_as(coordinator).post("/patients", new_child(date_of_birth=years_ago(26)))
    assert response.json()["errors"] == [
        {"field": "date_of_birth", "message": "The date of birth cannot be more than 25 years ago."}
    ]
    assert not Patient.objects.exists()


def test_a_date_of_birth_in_the_future_is_refused_with_the_web_form_s_message(coordinator: Any, api_as: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = api_as(coordinator).post("/patients", new_child(date_of_birth=tomorrow.isoformat()))
    assert response.json()["errors"] == [
        {"field": "date_of_birth", "message": "The date of birth cannot be in the future."}
    ]


def test_every_bad_field_is_named_at_once(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).post(
        "/patients",
        new_child(lahshal="nope", guardians=[{"name": "A", "relation": "mother"}, {"name": "B", "relation": "x"}]),
    )
    assert fields_named(response) == {"lahshal", "guardians.1.relation"}


def test_more_than_four_guardians_are_refused(coordinator: Any, api_as: Any) -> None:
    guardians = [{"name": f"Người {i}", "relation": "other"} for i in range(5)]
    response = api_as(coordinator).post("/patients", new_child(guardians=guardians))
    assert response.status_code == 422
    assert fields_named(response) == {"guardians"}
    assert not Patient.objects.exists()


def test_a_clinician_changes_the_diagnosis_and_it_is_audited(clinician: Any, child: Any, api_as: Any) -> None:
    response = api_as(clinician).patch(
        f"/patients/{child.pk}", {"lahshal": "LAHS...", "diagnosis_notes": "Khe hở toàn bộ bên phải"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["veau"], response.json()["anatomic_group"]) == ("III", "CLAP")
    child.refresh_from_db()
    assert child.lahshal == "LAHS..."
    [entry] = audit.trail(child)
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.actor == clinician
    assert entry.changes["lahshal"] == ["L......", "LAHS..."]


def test_a_registrar_corrects_a_name_and_the_search_follows(registrar: Any, child: Any, api_as: Any) -> None:
    api = api_as(registrar)
    response = api.patch(f"/patients/{child.pk}", {"given_name": "Ân"})
    assert response.status_code == 200
    assert response.json()["full_name"] == "Nguyễn Văn Ân"
    assert [c["id"] for c in api.get("/patients", {"q": "nguyen van an"}).json()["items"]] == [child.pk]
    [entry] = audit.trail(child)
    assert entry.changes["given_name"] == ["An", "Ân"]


def test_a_patch_with_a_bad_value_changes_nothing(coordinator: Any, child: Any, api_as: Any) -> None:
    response = api_as(coordinator).patch(
        f"/patients/{child.pk}",
        {"given_name": "Ân", "date_of_birth": (dt.date.today() + dt.timedelta(days=5)).isoformat()},
    )
    assert response.status_code == 422
    assert fields_named(response) == {"date_of_birth"}
    child.refresh_from_db()
    assert (child.given_name, child.date_of_birth) == ("An", dt.date(2025, 6, 1))
    assert not audit.trail(child).exists()


def test_a_patch_that_changes_nothing_writes_no_audit_entry(coordinator: Any, child: Any, api_as: Any) -> None:
    response = api_as(coordinator).patch(f"/patients/{child.pk}", {"province": "Hà Nội"})
    assert response.status_code == 200
    assert not audit.trail(child).exists()
