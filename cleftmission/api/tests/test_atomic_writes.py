"""A write that fails half-way leaves nothing behind: the child without its visit, the
hospital without its tables."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError

from cleftmission.api.tests.conftest import fields_named
from cleftmission.core.models import AuditEntry
from cleftmission.missions import services as mission_services
from cleftmission.missions.models import OperatingTable, Site
from cleftmission.patients import services as patient_services
from cleftmission.patients.models import Guardian, Patient
from cleftmission.screening.models import ScreeningVisit


def fail(**kwargs: Any) -> Any:
    raise IntegrityError("simulated: another registrar took this queue number")


def test_a_child_whose_visit_cannot_be_saved_is_not_saved_either(
    registrar: Any, mission: Any, api_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patient_services, "register_visit", fail)
    response = api_as(registrar).post(
        "/patients",
        {
            "family_name": "Lê",
            "given_name": "Bình",
            "sex": "F",
            "date_of_birth": "2025-01-01",
            "province": "Huế",
            "guardians": [{"name": "Lê Thị Hoa", "relation": "mother", "phone": "0912345678"}],
            "mission": mission.pk,
        },
    )
    assert response.status_code == 409
    assert fields_named(response) == set()
    assert not Patient.objects.filter(given_name="Bình").exists()
    assert not Guardian.objects.exists()
    assert not ScreeningVisit.objects.filter(mission=mission).exclude(patient__given_name="An").exists()
    assert not AuditEntry.objects.exists()


def test_a_hospital_whose_second_table_cannot_be_saved_is_not_saved_either(
    coordinator: Any, api_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_save_table = mission_services.save_table
    saved: list[Any] = []

    def save_one_then_fail(*, table: Any, acting_user: Any) -> Any:
        if saved:
            fail()
        saved.append(table)
        return real_save_table(table=table, acting_user=acting_user)

    monkeypatch.setattr(mission_services, "save_table", save_one_then_fail)
    response = api_as(coordinator).post(
        "/sites", {"name": "Bệnh viện Huế", "city": "Huế", "tables": [{"name": "Bàn 1"}, {"name": "Bàn 2"}]}
    )
    assert response.status_code == 409
    assert len(saved) == 1
    assert not Site.objects.exists()
    assert not OperatingTable.objects.exists()
    assert not AuditEntry.objects.exists()
