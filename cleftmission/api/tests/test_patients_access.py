"""Who sees and changes which child, field by field, exactly as on the web pages."""

from __future__ import annotations

from typing import Any

import pytest

from cleftmission.api.tests.conftest import fields_named
from cleftmission.core import audit
from cleftmission.factories import GuardianFactory
from cleftmission.patients.models import Patient


@pytest.fixture
def child_with_contacts(child: Any) -> Any:
    child.address = "12 Phố Huế"
    child.save()
    GuardianFactory(patient=child, phone="+84912345678")
    return child


def test_a_viewer_sees_no_address_and_no_guardians(viewer: Any, child_with_contacts: Any, api_as: Any) -> None:
    api = api_as(viewer)
    detail = api.get(f"/patients/{child_with_contacts.pk}")
    assert detail.status_code == 200
    [listed] = api.get("/patients").json()["items"]
    for body in (detail.json(), listed):
        assert "guardians" not in body
        assert "address" not in body
        assert "+84912345678" not in str(body)
        assert body["full_name"] == "Nguyễn Văn An"


@pytest.mark.parametrize("persona", ["coordinator", "clinician", "registrar", "admin_user"])
def test_the_roles_that_may_see_contacts_see_them(
    persona: str, child_with_contacts: Any, api_as: Any, request: Any
) -> None:
    body = api_as(request.getfixturevalue(persona)).get(f"/patients/{child_with_contacts.pk}").json()
    assert body["address"] == "12 Phố Huế"
    assert [g["phone"] for g in body["guardians"]] == ["+84912345678"]


def test_a_viewer_changes_nothing(viewer: Any, child: Any, mission: Any, api_as: Any) -> None:
    api = api_as(viewer)
    response = api.patch(f"/patients/{child.pk}", {"given_name": "Bình"})
    assert response.status_code == 403
    assert fields_named(response) == set()
    assert api.post("/patients", {"family_name": "Lê"}).status_code == 403
    assert api.post(f"/patients/{child.pk}/guardians", {"name": "Hoa", "relation": "mother"}).status_code == 403
    child.refresh_from_db()
    assert child.given_name == "An"
    assert Patient.objects.count() == 1


def test_a_registrar_cannot_change_the_diagnosis(registrar: Any, child: Any, api_as: Any) -> None:
    response = api_as(registrar).patch(f"/patients/{child.pk}", {"lahshal": "LAHSHAL"})
    assert response.status_code == 403
    assert fields_named(response) == {"lahshal"}
    assert "lahshal" in response.json()["detail"]
    child.refresh_from_db()
    assert child.lahshal == "L......"
    assert not audit.trail(child).exists()


def test_a_registrar_cannot_write_diagnosis_notes_even_beside_a_field_they_may_change(
    registrar: Any, child: Any, api_as: Any
) -> None:
    response = api_as(registrar).patch(f"/patients/{child.pk}", {"given_name": "Bình", "diagnosis_notes": "x"})
    assert response.status_code == 403
    assert fields_named(response) == {"diagnosis_notes"}
    child.refresh_from_db()
    assert (child.given_name, child.diagnosis_notes) == ("An", "")


def test_a_registrar_cannot_register_a_child_with_a_diagnosis(registrar: Any, mission: Any, api_as: Any) -> None:
    response = api_as(registrar).post(
        "/patients",
        {
            "family_name": "Lê",
            "given_name": "Bình",
            "sex": "F",
            "date_of_birth": "2025-01-01",
            "province": "Huế",
            "lahshal": "L......",
            "mission": mission.pk,
        },
    )
    assert response.status_code == 403
    assert fields_named(response) == {"lahshal"}
    assert Patient.objects.count() == 0


@pytest.mark.parametrize("field", ["family_name", "date_of_birth", "address"])
def test_a_clinician_cannot_change_identity_fields(clinician: Any, child: Any, api_as: Any, field: str) -> None:
    value = "2024-01-01" if field == "date_of_birth" else "Trần"
    response = api_as(clinician).patch(f"/patients/{child.pk}", {field: value})
    assert response.status_code == 403
    assert fields_named(response) == {field}
    assert not audit.trail(child).exists()


def test_a_clinician_cannot_register_children(clinician: Any, mission: Any, api_as: Any) -> None:
    response = api_as(clinician).post("/patients", {"family_name": "Lê", "mission": mission.pk})
    assert response.status_code == 403
    assert not Patient.objects.exists()


@pytest.mark.parametrize("persona", ["clinician", "registrar"])
def test_a_child_of_another_mission_is_not_found_and_not_listed(
    persona: str, child: Any, other_child: Any, api_as: Any, request: Any
) -> None:
    api = api_as(request.getfixturevalue(persona))
    response = api.get(f"/patients/{other_child.pk}")
    assert response.status_code == 404
    assert fields_named(response) == set()
    body = api.get("/patients").json()
    assert [c["id"] for c in body["items"]] == [child.pk]
    assert body["count"] == 1
    field = "lahshal" if persona == "clinician" else "given_name"
    assert api.patch(f"/patients/{other_child.pk}", {field: "LAHSHAL"}).status_code == 404
    other_child.refresh_from_db()
    assert other_child.lahshal == "L......" and other_child.given_name == "Lan"


def test_a_registrar_cannot_add_a_guardian_to_a_child_of_another_mission(
    registrar: Any, other_child: Any, api_as: Any
) -> None:
    response = api_as(registrar).post(f"/patients/{other_child.pk}/guardians", {"name": "Hoa", "relation": "mother"})
    assert response.status_code == 404
    assert not other_child.guardians.exists()


def test_coordinators_and_viewers_see_every_child(
    coordinator: Any, viewer: Any, child: Any, other_child: Any, api_as: Any
) -> None:
    for user in (coordinator, viewer):
        assert api_as(user).get("/patients").json()["count"] == 2


def test_a_user_without_a_role_sees_no_child(outsider: Any, child: Any, api_as: Any) -> None:
    api = api_as(outsider)
    assert api.get("/patients").status_code == 403
    assert api.get(f"/patients/{child.pk}").status_code == 403
    assert api.patch(f"/patients/{child.pk}", {"given_name": "X"}).status_code == 403
