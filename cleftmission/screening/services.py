"""Screening-day writes: station evaluations, sending a child back, photos and decisions.
Views, the API and the benchmark all come here; every write is atomic and audited."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.patients import services as patient_services
from cleftmission.patients.models import Patient
from cleftmission.screening import eligibility
from cleftmission.screening.growth import zscores
from cleftmission.screening.labels import rule_label
from cleftmission.screening.models import (
    Decision,
    DeferralCode,
    Photo,
    Procedure,
    ScreeningVisit,
    Station,
    StationEvaluation,
)


class ConflictError(Exception):
    """Someone else saved this record after the form was opened. Nothing was overwritten;
    `current` is what is stored now, so the second person can compare and save again."""

    def __init__(self, current: Any) -> None:
        super().__init__(_("Someone else saved this record while you were editing it."))
        self.current = current


def _check_version(row: Any, expected_version: int | None) -> None:
    """A stored row may only be replaced by someone who saw its current version: saving
    "as new" (no version) over an existing row is a conflict too, never a silent overwrite."""
    if row is not None and row.version != expected_version:
        raise ConflictError(row)


def record_evaluation(
    *,
    visit: ScreeningVisit,
    station: str,
    data: dict[str, Any],
    note: str = "",
    expected_version: int | None = None,
    acting_user: Any,
) -> StationEvaluation:
    """Save one station's findings for a child. `expected_version` is the version the form
    was opened with (None for a first entry); a mismatch raises ConflictError."""
    if station not in Station.values:
        raise ValidationError({"station": _("Unknown station.")})
    with transaction.atomic():
        # Lock the visit: two people entering the same station's first evaluation at once
        # then queue here, and the second gets a ConflictError instead of a duplicate-key error.
        # Lock this visit's row only (of=self, no ordering join): saves for other children
        # must not queue behind a lock on the mission row.
        ScreeningVisit.objects.select_for_update(of=("self",)).filter(pk=visit.pk).order_by().values_list("pk").first()
        row = (
            StationEvaluation.objects.select_for_update(of=("self",))
            .filter(visit=visit, station=station)
            .order_by()
            .first()
        )
        if row is None and expected_version not in (None, 0):
            raise ConflictError(None)
        _check_version(row, expected_version)
        # The child as stored now, not the caller's copy, which may be stale: saving the
        # diagnosis from it would write back its old name (save_audited saves what differs).
        patient = Patient.objects.select_for_update().get(pk=visit.patient_id)
        data = dict(data)
        if station == Station.VITALS:
            data.update(growth_for(patient, data))
        if station == Station.SURGICAL and data.get("lahshal") and data["lahshal"] != patient.lahshal:
            patient_services.update_patient(patient=patient, data={"lahshal": data["lahshal"]}, acting_user=acting_user)
        before = {"data": row.data, "note": row.note, "status": row.status} if row else {}
        if row is None:
            row = StationEvaluation(visit=visit, station=station)
        row.data = data
        row.note = note
        row.status = StationEvaluation.Status.DONE
        row.sent_back_reason = ""
        row.recorded_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
        row.recorded_at = timezone.now()
        row.version = (row.version + 1) if row.pk else 1
        row.save()
        after = {"data": row.data, "note": row.note, "status": row.status}
        audit.record(
            instance=row,
            action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            changes=audit.diff(before, after) if before else {k: [None, v] for k, v in after.items()},
            acting_user=acting_user,
            target=visit.patient,
        )
    return row


def growth_for(patient: Patient, data: dict[str, Any], measured_on: dt.date | None = None) -> dict[str, Any]:
    """The WHO z-scores of a vitals entry (weight-for-age, length-for-age, weight-for-length)."""
    weight: Any = data.get("weight_kg")
    length: Any = data.get("length_cm")
    z = zscores(
        sex=patient.sex,
        date_of_birth=patient.date_of_birth,
        measured_on=measured_on or timezone.localdate(),
        weight_kg=float(weight) if weight not in (None, "") else None,
        length_cm=float(length) if length not in (None, "") else None,
    )
    return {"waz": z.weight_for_age, "laz": z.length_for_age, "wlz": z.weight_for_length}


def send_back(*, visit: ScreeningVisit, station: str, reason: str, acting_user: Any) -> StationEvaluation:
    """Send the child back to a station (reopen it), saying why."""
    if station not in Station.values:
        raise ValidationError({"station": _("Unknown station.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the child goes back to this station.")})
    with transaction.atomic():
        row, _created = StationEvaluation.objects.select_for_update().get_or_create(
            visit=visit, station=station, defaults={"status": StationEvaluation.Status.SENT_BACK}
        )
        before = {"status": row.status, "sent_back_reason": row.sent_back_reason}
        row.status = StationEvaluation.Status.SENT_BACK
        row.sent_back_reason = reason.strip()[:300]
        row.version += 0 if _created else 1
        row.save(update_fields=["status", "sent_back_reason", "version"])
        audit.record(
            instance=row,
            action=AuditEntry.Action.UPDATE,
            changes=audit.diff(before, {"status": row.status, "sent_back_reason": row.sent_back_reason}),
            acting_user=acting_user,
            target=visit.patient,
        )
    return row


# The formats a tablet's camera or browser sends, which every browser shows; the file is
# stored under the extension of its real format, whatever its name said.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def add_photo(*, visit: ScreeningVisit, image: UploadedFile, view: str, consent_by: str, acting_user: Any) -> Photo:
    """Store a photograph with its recorded consent, and a thumbnail for the child's page."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    from cleftmission.screening.forms import MAX_PHOTO_BYTES

    if not consent_by.strip():
        raise ValidationError({"consent_by": _("Record who gave consent for the photographs.")})
    if view not in Photo.View.values:
        raise ValidationError({"view": _("Choose the view of the photo.")})
    if image.size is not None and image.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {"image": _("The photo is larger than %(mb)s MB.") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)}}
        )
    try:
        image.seek(0)
        with Image.open(image) as probe:
            image_format = probe.format or ""
            probe.verify()
        image.seek(0)
        with Image.open(image) as opened:
            picture = ImageOps.exif_transpose(opened).convert("RGB")  # upright, as the camera held it
            picture.thumbnail((320, 320))
            buffer = io.BytesIO()
            picture.save(buffer, format="JPEG", quality=80)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise ValidationError({"image": _("This file is not an image.")}) from exc
    if image_format not in PHOTO_FORMATS:
        raise ValidationError({"image": _("Send the photo as JPEG, PNG or WebP.")})
    image.seek(0)
    with transaction.atomic():
        photo = Photo(visit=visit, view=view, consent_by=consent_by.strip(), uploaded_by=acting_user)
        photo.image.save(f"photo.{PHOTO_FORMATS[image_format]}", image, save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(buffer.getvalue()), save=False)
        photo.save()
        audit.record(
            instance=photo,
            action=AuditEntry.Action.CREATE,
            changes={"view": [None, view], "consent_by": [None, photo.consent_by]},
            acting_user=acting_user,
            target=visit.patient,
        )
    return photo


def facts_for(
    visit: ScreeningVisit, procedures: set[str] | None = None, overlay: dict[str, dict[str, Any]] | None = None
) -> eligibility.ChildFacts:
    """What the eligibility rules need, read from the visit's station evaluations. `overlay`
    replaces a station's stored data with what is being typed (live findings, not saved)."""
    by_station = {e.station: e.data for e in visit.evaluations.all() if e.status == StationEvaluation.Status.DONE}
    by_station.update(overlay or {})
    vitals = by_station.get(Station.VITALS, {})
    pediatric = by_station.get(Station.PEDIATRIC, {})
    anesthesia = by_station.get(Station.ANESTHESIA, {})
    surgical = by_station.get(Station.SURGICAL, {})

    def dec(value: Any) -> Decimal | None:
        return Decimal(str(value)) if value not in (None, "") else None

    zs = [dec(vitals.get(k)) for k in ("waz", "wlz")]
    lowest = min((z for z in zs if z is not None), default=None)
    return eligibility.ChildFacts(
        date_of_birth=visit.patient.date_of_birth,
        seen_on=timezone.localdate(visit.registered_at),
        procedures=frozenset(procedures if procedures is not None else surgical.get("procedures", [])),
        weight_kg=dec(vitals.get("weight_kg")),
        haemoglobin=dec(vitals.get("haemoglobin")),
        temperature_c=dec(vitals.get("temperature_c")),
        lowest_weight_z=lowest,
        uri=pediatric.get("uri") if Station.PEDIATRIC in by_station else None,
        cardiac_concern=pediatric.get("cardiac_concern") if Station.PEDIATRIC in by_station else None,
        asa=anesthesia.get("asa") if Station.ANESTHESIA in by_station else None,
    )


def thresholds_for(visit: ScreeningVisit) -> eligibility.Thresholds:
    m = visit.mission
    return eligibility.Thresholds(**{name: getattr(m, name) for name in type(m).THRESHOLD_FIELDS})


def assess(
    visit: ScreeningVisit, procedures: set[str] | None = None, overlay: dict[str, dict[str, Any]] | None = None
) -> eligibility.Assessment:
    return eligibility.assess(facts_for(visit, procedures, overlay), thresholds_for(visit))


def record_decision(
    *, visit: ScreeningVisit, data: dict[str, Any], expected_version: int | None = None, acting_user: Any
) -> Decision:
    """Accept, defer or refer a child. Accepting against a failing rule needs an override
    reason, which is kept with the failing rules of that moment."""
    outcome = str(data.get("outcome") or "")
    procedures: list[Procedure] = list(data.get("procedures") or [])
    _check_decision(outcome, procedures, data)
    with transaction.atomic():
        # The visit as stored now, locked: the rules are checked against the evaluations
        # saved at this moment, not against a copy (or a prefetch) the caller read earlier.
        current = (
            ScreeningVisit.objects.select_for_update(of=("self",)).select_related("mission", "patient").get(pk=visit.pk)
        )
        decision = Decision.objects.filter(visit=visit).first()
        _check_version(decision, expected_version)
        if decision is None and expected_version not in (None, 0):
            raise ConflictError(None)
        failing: list[str] = []
        if outcome == Decision.Outcome.ACCEPTED:
            result = assess(current, {p.code for p in procedures})
            failing = [f.rule for f in result.failing]
            anesthesia = visit.evaluations.filter(station=Station.ANESTHESIA).first()
            if "asa" in failing and anesthesia is not None and anesthesia.data.get("accepts_higher_asa"):
                failing.remove("asa")  # the anaesthesiologist accepted this ASA class explicitly
            if failing and not (data.get("override_reason") or "").strip():
                raise ValidationError(
                    {
                        "override_reason": _("Accepting against a failing rule (%(rules)s) needs a reason.")
                        % {"rules": ", ".join(str(rule_label(rule)) for rule in failing)}
                    }
                )
        before = audit.snapshot(decision) if decision else {}
        before_procedures = sorted(decision.procedures.values_list("code", flat=True)) if decision else []
        if decision is None:
            decision = Decision(visit=visit)
        decision.outcome = outcome
        decision.estimated_minutes = (
            (data.get("estimated_minutes") or sum(p.planning_minutes for p in procedures))
            if outcome == Decision.Outcome.ACCEPTED
            else None
        )
        decision.priority = data.get("priority") if outcome == Decision.Outcome.ACCEPTED else None
        deferred = outcome == Decision.Outcome.DEFERRED
        decision.deferral_code = data.get("deferral_code") or "" if deferred else ""
        decision.deferral_note = data.get("deferral_note") or "" if deferred else ""
        decision.rescreen_date = data.get("rescreen_date") if deferred else None
        decision.referral = data.get("referral") or ""
        decision.referred_to = data.get("referred_to") or ""
        decision.override_reason = (data.get("override_reason") or "").strip() if failing else ""
        decision.failing_rules = failing
        decision.decided_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
        decision.decided_at = timezone.now()
        decision.version = (decision.version + 1) if decision.pk else 1
        decision.full_clean(exclude=["visit", "decided_by"])
        decision.save()
        decision.procedures.set(procedures if outcome == Decision.Outcome.ACCEPTED else [])
        visit.outcome = outcome
        visit.decided_at = decision.decided_at
        visit.procedure = ", ".join(p.code for p in procedures) if outcome == Decision.Outcome.ACCEPTED else ""
        visit.save(update_fields=["outcome", "decided_at", "procedure"])
        after = audit.snapshot(decision)
        changes = audit.diff(before, after)
        after_procedures = sorted(p.code for p in procedures) if outcome == Decision.Outcome.ACCEPTED else []
        if after_procedures != before_procedures:
            changes["procedures"] = [before_procedures, after_procedures]
        for volatile in ("decided_at", "version"):
            changes.pop(volatile, None)
        audit.record(
            instance=decision,
            action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            changes=changes,
            acting_user=acting_user,
            target=visit.patient,
        )
    return decision


def _check_decision(outcome: Any, procedures: list[Procedure], data: dict[str, Any]) -> None:
    """What each outcome needs, checked here too so that the API cannot save less."""
    errors: dict[str, str] = {}
    if outcome not in Decision.Outcome.values:
        errors["outcome"] = _("Choose accepted, deferred or referred.")
    elif outcome == Decision.Outcome.ACCEPTED and not procedures:
        errors["procedures"] = _("Choose the procedures the child is accepted for.")
    elif outcome == Decision.Outcome.DEFERRED:
        if not data.get("deferral_code"):
            errors["deferral_code"] = _("Give the reason for deferring.")
        elif data["deferral_code"] == DeferralCode.OTHER and not (data.get("deferral_note") or "").strip():
            errors["deferral_note"] = _("Describe the reason when it is “Other”.")
        if not data.get("rescreen_date"):
            errors["rescreen_date"] = _("Give the date the child should be screened again.")
        elif data["rescreen_date"] <= timezone.localdate():
            errors["rescreen_date"] = _("The re-screen date must be after today.")
    elif outcome == Decision.Outcome.REFERRED and not (data.get("referred_to") or "").strip():
        errors["referred_to"] = _("Say where the child is referred.")
    if errors:
        raise ValidationError(errors)


def default_rescreen_date(today: dt.date | None = None) -> dt.date:
    from cleftmission.screening.models import RESCREEN_DEFAULT

    return (today or timezone.localdate()) + RESCREEN_DEFAULT
