"""Writes to children and their guardians. Views, the API and commands all come here."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.core.services import delete_audited, save_audited
from cleftmission.core.text import search_key
from cleftmission.core.validators import normalize_phone
from cleftmission.missions.models import Mission
from cleftmission.patients.models import Guardian, Patient, PatientMerge
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
        # Lock the mission row so two registrars never draw the same queue number, nor both
        # put the same child on the list (the check below runs under the lock).
        Mission.objects.select_for_update().get(pk=mission.pk)
        existing = ScreeningVisit.objects.filter(patient=patient, mission=mission).first()
        if existing is not None:
            return existing
        last = ScreeningVisit.objects.filter(mission=mission).aggregate(n=Max("queue_number"))["n"] or 0
        # Created directly (the lock above already guarantees what full_clean would check),
        # to hold the write lock as briefly as possible on a busy screening morning.
        visit = ScreeningVisit.objects.create(patient=patient, mission=mission, queue_number=last + 1)
        audit.record(
            instance=visit,
            action=AuditEntry.Action.CREATE,
            changes={k: [None, v] for k, v in audit.snapshot(visit).items() if v not in (None, "")},
            acting_user=acting_user,
            target=patient,
        )
        return visit


# Merging two records of the same child ----------------------------------------------------

# The fields a merge copies onto the kept record where the kept record has them empty.
MERGE_FILLS = [*Patient.IDENTITY_FIELDS, *Patient.CLINICAL_FIELDS]


def _label(patient: Patient) -> str:
    return f"{patient.record_number} {patient.full_name}"


def shared_missions(kept: Patient, merged: Patient) -> QuerySet[Mission]:
    """Missions where both records have a visit: a child is seen once per mission, so such
    records cannot be merged as they are."""
    return Mission.objects.filter(visits__patient=kept).filter(visits__patient=merged).order_by("start_date")


def fields_filled_by_merge(kept: Patient, merged: Patient) -> dict[str, list[Any]]:
    """{field: [kept's empty value, merged's value]} for the fields a merge fills."""
    return {
        f: [getattr(kept, f), getattr(merged, f)]
        for f in MERGE_FILLS
        if getattr(kept, f) in ("", None) and getattr(merged, f) not in ("", None)
    }


def _same_guardian(a: Guardian, b: Guardian) -> bool:
    if a.phone_digits and a.phone_digits == b.phone_digits:
        return True
    return search_key(a.name) == search_key(b.name) and a.relation == b.relation


def guardians_moved_by_merge(kept: Patient, merged: Patient) -> list[Guardian]:
    """The duplicate's guardians that the kept record does not have already (same phone, or
    same name and relation); the others stay with the duplicate, where undoing finds them."""
    kept_guardians = list(kept.guardians.all())
    return [g for g in merged.guardians.all() if not any(_same_guardian(g, k) for k in kept_guardians)]


def _lock_pair(kept: Patient, merged: Patient) -> tuple[Patient, Patient]:
    # In id order, so two merges of the same records never wait on each other; read afresh.
    rows = {p.pk: p for p in Patient.objects.select_for_update().filter(pk__in=[kept.pk, merged.pk]).order_by("pk")}
    return rows[kept.pk], rows[merged.pk]


def _audit_move(*, instance: Any, before: Patient, after: Patient, acting_user: Any) -> None:
    """A visit or guardian that changed child, on both children's trails."""
    for target in (after, before):
        audit.record(
            instance=instance,
            action=AuditEntry.Action.UPDATE,
            changes={"patient": [_label(before), _label(after)]},
            acting_user=acting_user,
            target=target,
        )


def merge_patients(*, kept: Patient, merged: Patient, acting_user: Any) -> PatientMerge:
    """Make two records of the same child one: the duplicate's visits (with their evaluations,
    decisions and photos) and guardians move to the kept record, the kept record's empty
    fields take the duplicate's values, and the duplicate is marked merged. What moved is
    kept on the PatientMerge, so `undo_merge` can put it back exactly."""
    if kept.pk == merged.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    with transaction.atomic():
        kept, merged = _lock_pair(kept, merged)
        for patient in (kept, merged):
            if patient.merged_into_id is not None:
                raise ValidationError(
                    _("%(record)s is already merged into another record.") % {"record": patient.record_number}
                )
        shared = [m.name for m in shared_missions(kept, merged)]
        if shared:
            raise ValidationError(
                ngettext(
                    "Both records have a visit at %(missions)s. A child is seen once per mission, "
                    "so these records cannot be merged as they are.",
                    "Both records have visits at %(missions)s. A child is seen once per mission, "
                    "so these records cannot be merged as they are.",
                    len(shared),
                )
                % {"missions": ", ".join(shared)}
            )
        guardians = guardians_moved_by_merge(kept, merged)
        total = kept.guardians.count() + len(guardians)
        if total > MAX_GUARDIANS:
            raise ValidationError(
                _(
                    "Together the two records have %(total)s different guardians; a child has at most "
                    "%(n)s on record. Remove the extra ones first."
                )
                % {"total": total, "n": MAX_GUARDIANS}
            )
        visits = list(ScreeningVisit.objects.filter(patient=merged).select_related("mission", "patient").order_by("pk"))
        filled = fields_filled_by_merge(kept, merged)

        ScreeningVisit.objects.filter(pk__in=[v.pk for v in visits]).update(patient=kept)
        Guardian.objects.filter(pk__in=[g.pk for g in guardians]).update(patient=kept)
        if filled:
            for field, (_old, new) in filled.items():
                setattr(kept, field, new)
            kept.save(update_fields=list(filled))
        merged.merged_into = kept
        merged.save(update_fields=["merged_into"])
        merge = PatientMerge.objects.create(
            kept=kept,
            merged=merged,
            moved={"visits": [v.pk for v in visits], "guardians": [g.pk for g in guardians], "fields": filled},
            merged_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )

        for target in (kept, merged):
            audit.record(
                instance=merge,
                action=AuditEntry.Action.CREATE,
                changes={"merged": [None, _label(merged)], "kept": [None, _label(kept)]},
                acting_user=acting_user,
                target=target,
            )
        for moved in (*visits, *guardians):
            _audit_move(instance=moved, before=merged, after=kept, acting_user=acting_user)
        audit.record(instance=kept, action=AuditEntry.Action.UPDATE, changes=filled, acting_user=acting_user)
        audit.record(
            instance=merged,
            action=AuditEntry.Action.UPDATE,
            changes={"merged_into": [None, _label(kept)]},
            acting_user=acting_user,
        )
    return merge


def undo_merge(*, merge: PatientMerge, acting_user: Any) -> PatientMerge:
    """Put back what a merge moved: the visits and guardians return to the duplicate, the
    fields it filled are emptied again (unless someone has changed them since), and the
    duplicate is a record of its own again."""
    with transaction.atomic():
        merge = PatientMerge.objects.select_for_update().select_related("kept", "merged").get(pk=merge.pk)
        if merge.undone_at is not None:
            raise ValidationError(_("This merge has already been undone."))
        kept, merged = _lock_pair(merge.kept, merge.merged)
        if kept.merged_into_id is not None:
            raise ValidationError(
                _("%(kept)s has since been merged into another record: undo that merge first.")
                % {"kept": kept.record_number}
            )
        moved = merge.moved or {}
        visits = list(
            ScreeningVisit.objects.filter(pk__in=moved.get("visits", []), patient=kept)
            .select_related("mission", "patient")
            .order_by("pk")
        )
        guardians = list(Guardian.objects.filter(pk__in=moved.get("guardians", []), patient=kept).order_by("pk"))
        filled = moved.get("fields") or {}
        restored = {field: [new, old] for field, (old, new) in filled.items() if getattr(kept, field) == new}

        ScreeningVisit.objects.filter(pk__in=[v.pk for v in visits]).update(patient=merged)
        Guardian.objects.filter(pk__in=[g.pk for g in guardians]).update(patient=merged)
        if restored:
            for field, (_new, old) in restored.items():
                setattr(kept, field, old)
            kept.save(update_fields=list(restored))
        merged.merged_into = None
        merged.save(update_fields=["merged_into"])
        merge.undone_at = timezone.now()
        merge.undone_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
        merge.save(update_fields=["undone_at", "undone_by"])

        for target in (kept, merged):
            audit.record(
                instance=merge,
                action=AuditEntry.Action.DELETE,
                changes={"merged": [_label(merged), None], "kept": [_label(kept), None]},
                acting_user=acting_user,
                target=target,
            )
        for moved_back in (*visits, *guardians):
            _audit_move(instance=moved_back, before=kept, after=merged, acting_user=acting_user)
        audit.record(instance=kept, action=AuditEntry.Action.UPDATE, changes=restored, acting_user=acting_user)
        audit.record(
            instance=merged,
            action=AuditEntry.Action.UPDATE,
            changes={"merged_into": [_label(kept), None]},
            acting_user=acting_user,
        )
    return merge
