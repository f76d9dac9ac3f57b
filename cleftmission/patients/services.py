"""Writes to children and their guardians. Views, the API and commands all come here."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.core.services import delete_audited, save_audited
from cleftmission.core.validators import normalize_phone
from cleftmission.missions.models import Mission
from cleftmission.patients.models import Guardian, Patient
from cleftmission.screening.models import ScreeningVisit


def _record_number(pk: int) -> str:
    return f"CM-{pk:06d}"


def create_patient(
    *,
    data: dict[str, Any],
    guardians: list[dict[str, Any]] | None = None,
    mission: Mission | None = None,
    acting_user: Any,
) -> Patient:
    """Register a child, their guardians, and (when given) their visit to a mission."""
    with transaction.atomic():
        patient = Patient(**data)
        patient.full_clean(exclude=["record_number", "search_name"])
        # The record number is drawn from the row's own id, so two registrars never collide.
        patient.record_number = uuid.uuid4().hex[:20]
        patient.save()
        patient.record_number = _record_number(patient.pk)
        patient.save(update_fields=["record_number"])
        audit.record(
            instance=patient,
            action=AuditEntry.Action.CREATE,
            changes={k: [None, v] for k, v in audit.snapshot(patient).items() if v not in (None, "")},
            acting_user=acting_user,
        )
        for guardian_data in guardians or []:
            add_guardian(patient=patient, data=guardian_data, acting_user=acting_user)
        if mission is not None:
            register_visit(patient=patient, mission=mission, acting_user=acting_user)
    return patient


def update_patient(*, patient: Patient, data: dict[str, Any], acting_user: Any) -> Patient:
    for field, value in data.items():
        setattr(patient, field, value)
    return save_audited(instance=patient, acting_user=acting_user)


MAX_GUARDIANS = 4


def add_guardian(*, patient: Patient, data: dict[str, Any], acting_user: Any) -> Guardian:
    # Lock the child so two registrars adding guardians at once cannot pass the limit.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    if patient.guardians.count() >= MAX_GUARDIANS:
        raise ValidationError({"guardians": _("A child has at most %(n)s guardians on record.") % {"n": MAX_GUARDIANS}})
    guardian = Guardian(patient=patient, **data)
    if guardian.phone:
        guardian.phone = normalize_phone(guardian.phone)
    return save_audited(instance=guardian, acting_user=acting_user, target=patient)


def update_guardian(*, guardian: Guardian, data: dict[str, Any], acting_user: Any) -> Guardian:
    for field, value in data.items():
        setattr(guardian, field, value)
    if guardian.phone:
        guardian.phone = normalize_phone(guardian.phone)
    return save_audited(instance=guardian, acting_user=acting_user, target=guardian.patient)


def remove_guardian(*, guardian: Guardian, acting_user: Any) -> None:
    delete_audited(instance=guardian, acting_user=acting_user, target=guardian.patient)


def register_visit(*, patient: Patient, mission: Mission, acting_user: Any) -> ScreeningVisit:
    """Put a child on a mission's list with the next queue number (idempotent)."""
    with transaction.atomic():
        existing = ScreeningVisit.objects.filter(patient=patient, mission=mission).first()
        if existing is not None:
            return existing
        # Lock the mission row so two registrars never draw the same queue number.
        Mission.objects.select_for_update().get(pk=mission.pk)
        last = ScreeningVisit.objects.filter(mission=mission).aggregate(n=Max("queue_number"))["n"] or 0
        visit = ScreeningVisit(patient=patient, mission=mission, queue_number=last + 1)
        return save_audited(instance=visit, acting_user=acting_user, target=patient)
