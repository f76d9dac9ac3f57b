"""/patients/{id}/guardians: the people to call about a child."""

from __future__ import annotations

from typing import Any

from cleftmission.api.tests.conftest import fields_named
from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.factories import GuardianFactory
from cleftmission.patients.models import Guardian


def test_a_registrar_adds_a_guardian_whose_phone_is_stored_dialable_and_it_is_audited_on_the_child(
    registrar: Any, child: Any, api_as: Any
) -> None:
    response = api_as(registrar).post(
        f"/patients/{child.pk}/guardians", {"name": "Lê Thị Hoa", "relation": "mother", "phone": "0912.345.678"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["phone"] == "+84912345678"
    guardian = child.guardians.get()
    assert guardian.phone_digits == "84912345678"
    [entry] = audit.trail(child)
    assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, registrar)


def test_a_guardian_phone_that_is_not_a_phone_is_refused_and_nothing_is_saved(
    registrar: Any, child: Any, api_as: Any
) -> None:
    response = api_as(registrar).post(
        f"/patients/{child.pk}/guardians", {"name": "Lê Thị Hoa", "relation": "mother", "phone": "call the shop"}
    )
    assert response.status_code == 422
    assert fields_named(response) == {"phone"}
    assert not Guardian.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_guardian_s_phone_is_changed_and_audited(registrar: Any, child: Any, api_as: Any) -> None:
    guardian: Any = GuardianFactory(patient=child, phone="+84912345678")
    response = api_as(registrar).patch(f"/patients/{child.pk}/guardians/{guardian.pk}", {"phone": "0987 654 321"})
    assert response.status_code == 200
    guardian.refresh_from_db()
    assert (guardian.phone, guardian.name) == ("+84987654321", "Lê Thị Hoa")
    [entry] = audit.trail(child)
    assert entry.changes == {"phone": ["+84912345678", "+84987654321"]}


def test_a_bad_phone_in_a_patch_changes_nothing(registrar: Any, child: Any, api_as: Any) -> None:
    guardian: Any = GuardianFactory(patient=child, phone="+84912345678")
    response = api_as(registrar).patch(f"/patients/{child.pk}/guardians/{guardian.pk}", {"phone": "123"})
    assert response.status_code == 422
    assert fields_named(response) == {"phone"}
    guardian.refresh_from_db()
    assert guardian.phone == "+84912345678"


def test_a_guardian_of_another_child_is_404(registrar: Any, child: Any, api_as: Any) -> None:
    stranger: Any = GuardianFactory()
    response = api_as(registrar).patch(f"/patients/{child.pk}/guardians/{stranger.pk}", {"name": "X"})
    assert response.status_code == 404


def test_a_fifth_guardian_is_refused(coordinator: Any, child: Any, api_as: Any) -> None:
    for _ in range(4):
        GuardianFactory(patient=child)
    response = api_as(coordinator).post(f"/patients/{child.pk}/guardians", {"name": "Bà", "relation": "grandparent"})
    assert response.status_code == 409
    assert child.guardians.count() == 4


def test_a_clinician_sees_guardians_but_does_not_change_them(clinician: Any, child: Any, api_as: Any) -> None:
    guardian: Any = GuardianFactory(patient=child, name="Lê Thị Hoa")
    api = api_as(clinician)
    assert api.post(f"/patients/{child.pk}/guardians", {"name": "Bà", "relation": "grandparent"}).status_code == 403
    assert api.patch(f"/patients/{child.pk}/guardians/{guardian.pk}", {"name": "X"}).status_code == 403
    guardian.refresh_from_db()
    assert guardian.name == "Lê Thị Hoa"
