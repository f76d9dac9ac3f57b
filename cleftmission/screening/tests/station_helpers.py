"""Helpers shared by the station tests: a child's visit, the station forms filled in as a
clinician fills them, and small real images."""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse

from cleftmission.screening import services
from cleftmission.screening.forms import STATION_FORMS
from cleftmission.screening.models import ScreeningVisit, StationEvaluation

VITALS = {"weight_kg": "9.8", "length_cm": "76", "temperature_c": "36.8", "spo2": "98", "haemoglobin": "11.5"}
PEDIATRIC = {"history": "Bú mẹ tốt", "findings": "Khoẻ", "syndrome": ""}
ANESTHESIA = {"asa": "1", "airway": "normal"}
SURGICAL = {"lahshal": "L......", "procedures": ["lip_uni"], "laterality": "right"}


def visit_of(child: Any, mission: Any) -> ScreeningVisit:
    return ScreeningVisit.objects.select_related("patient", "mission").get(patient=child, mission=mission)


def record(visit: ScreeningVisit, station: str, user: Any, data: dict[str, Any]) -> Any:
    """Save a station's evaluation as the station's form would (cleaned, then the service)."""
    form = STATION_FORMS[station](data)
    assert form.is_valid(), form.errors
    stored = StationEvaluation.objects.filter(visit=visit, station=station).first()
    return services.record_evaluation(
        visit=visit,
        station=station,
        data=form.json_data(),
        note=form.cleaned_data["note"],
        expected_version=stored.version if stored else 0,
        acting_user=user,
    )


def evaluate_url(visit: ScreeningVisit, station: str) -> str:
    return reverse("screening:evaluate", args=[visit.mission_id, visit.pk, station])


def findings_url(visit: ScreeningVisit, station: str = "") -> str:
    url = reverse("screening:findings", args=[visit.mission_id, visit.pk])
    return f"{url}?station={station}" if station else url


def decision_url(visit: ScreeningVisit) -> str:
    return reverse("screening:decision", args=[visit.mission_id, visit.pk])


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (40, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 90)).save(buffer, format=fmt)
    return buffer.getvalue()


def in_english(client: Any) -> Any:
    """The page in English (the default language is Vietnamese), for tests that read its words."""
    client.cookies["django_language"] = "en"
    return client
