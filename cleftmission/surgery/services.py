"""Writes of the operating days: the cases the published schedule plans, the milestones, the
WHO checklist, the notes, complications, discharge with its follow-up plan, and cancelling a
case on the day. Views, the API and the demo all call these; every write is audited on the
child's mission and refused, naming the field, when it breaks a rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.core.services import save_audited
from cleftmission.missions.models import Mission
from cleftmission.scheduling.models import Schedule, ScheduledCase
from cleftmission.screening.models import Decision, DeferralCode, Procedure, ScreeningVisit
from cleftmission.surgery import checklist, milestones
from cleftmission.surgery.models import (
    AnesthesiaRecord,
    CareNote,
    ChecklistPhase,
    Complication,
    Discharge,
    Milestone,
    OperativeNote,
    SurgicalCase,
)

# The follow-up visits a discharge plans by default: one week, three months, one year.
FOLLOW_UP_PLAN = (("1w", 7), ("3m", 91), ("1y", 365))
RESCREEN_AFTER_CANCELLATION = dt.timedelta(days=30)


class ConflictError(Exception):
    """Someone saved the record since it was read; `current` is what is stored now."""

    def __init__(self, current: Any) -> None:
        super().__init__("conflict")
        self.current = current


def _record(instance: Any, case: SurgicalCase, action: str, changes: dict[str, list[Any]], acting_user: Any) -> None:
    audit.record(instance=instance, action=action, changes=changes, acting_user=acting_user, target=case.mission)


def _aware(day: dt.date, minutes_after: int, mission: Mission) -> dt.datetime:
    start = dt.datetime.combine(day, mission.day_start) + dt.timedelta(minutes=minutes_after)
    return timezone.make_aware(start)


# ---- cases from the published schedule -----------------------------------------------------


def sync_cases(*, schedule: Schedule, acting_user: Any) -> int:
    """Make the mission's surgical cases follow the published schedule: a case not yet begun
    takes its new day, table, time and team; one left off the schedule is dropped, one
    cancelled on the schedule is cancelled. Cases under way or done stay as they are.
    Returns the number of cases created or changed."""
    mission = schedule.mission
    rows = list(schedule.cases.select_related("visit__decision").prefetch_related("visit__decision__procedures"))
    existing = {c.visit_id: c for c in SurgicalCase.objects.filter(mission=mission)}
    changed = 0
    with transaction.atomic():
        positions: dict[tuple[Any, Any], int] = {}
        for row in sorted(rows, key=lambda r: (r.day or dt.date.max, r.table_id or 0, r.start or 0)):
            case = existing.get(row.visit_id)
            if case is not None and case.status != SurgicalCase.Status.PLANNED:
                continue
            if row.cancel_code:
                if case is not None and not case.milestones.exists():
                    case.status = SurgicalCase.Status.CANCELLED
                    case.cancel_code, case.cancel_note = row.cancel_code, row.cancel_note
                    case.cancelled_at = timezone.now()
                    save_audited(instance=case, acting_user=acting_user, target=mission)
                    changed += 1
                continue
            if row.day is None or row.start is None:
                if case is not None and not case.milestones.exists():
                    _record(case, case, AuditEntry.Action.DELETE, {"day": [case.day, None]}, acting_user)
                    case.delete()
                    changed += 1
                continue
            order = positions[row.day, row.table_id] = positions.get((row.day, row.table_id), 0) + 1
            values = {
                "day": row.day,
                "table_id": row.table_id,
                "order": order,
                "planned_start": _aware(row.day, row.start, mission),
                "planned_minutes": row.minutes,
                "surgeon_id": row.surgeon_id,
                "anesthetist_id": row.anesthetist_id,
                "schedule_number": schedule.number,
            }
            if case is None:
                case = SurgicalCase(visit_id=row.visit_id, mission=mission, **values)
                save_audited(instance=case, acting_user=acting_user, target=mission)
                decision = getattr(row.visit, "decision", None)
                if decision is not None:
                    case.procedures.set(decision.procedures.all())
                changed += 1
            elif any(getattr(case, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(case, k, v)
                save_audited(instance=case, acting_user=acting_user, target=mission)
                changed += 1
    return changed


# ---- milestones ---------------------------------------------------------------------------


def stamped(case: SurgicalCase) -> dict[str, dt.datetime]:
    return {m.kind: m.at for m in case.milestones.all()}


def next_stamp(case: SurgicalCase) -> str | None:
    """The milestone the case waits for."""
    return milestones.next_milestone(stamped(case))


def signed_phases(case: SurgicalCase) -> set[str]:
    return {p.phase for p in case.checklist.all()}


STATUS_AFTER = {
    milestones.IN_OR: SurgicalCase.Status.UNDER_WAY,
    milestones.SURGERY_END: SurgicalCase.Status.OPERATED,
    milestones.DISCHARGED: SurgicalCase.Status.DISCHARGED,
}


def record_milestone(
    *, case: SurgicalCase, milestone: str, at: dt.datetime | None = None, acting_user: Any
) -> Milestone:
    """Stamp a milestone, refused (naming the field) when out of order, in the future, twice,
    before its checklist phase is signed, or on a cancelled case."""
    now = timezone.now()
    at = at or now
    with transaction.atomic():
        # One writer per case at a time: two nurses stamping together are taken in turn.
        locked = SurgicalCase.objects.select_for_update().get(pk=case.pk)
        if locked.status == SurgicalCase.Status.CANCELLED:
            raise ValidationError({"milestone": _("This case was cancelled.")})
        refusal = milestones.check_stamp(
            milestone,
            at,
            # local times: a refusal quotes the time of the milestone before
            {k: timezone.localtime(v) for k, v in stamped(locked).items()},
            signed_phases(locked),
            now,
            {k: str(v) for k, v in checklist.PHASE_LABELS.items()},
        )
        if refusal is not None:
            raise ValidationError({refusal.field: refusal.message})
        if milestone == milestones.DISCHARGED and not Discharge.objects.filter(case=locked).exists():
            # the discharge plans the follow-up visits: a child never leaves without them
            raise ValidationError({"milestone": _("Record the discharge (instructions and follow-up) to discharge.")})
        stamp = Milestone.objects.create(case=locked, kind=milestone, at=at, recorded_by=_user(acting_user))
        _record(
            stamp,
            locked,
            AuditEntry.Action.CREATE,
            {stamp.get_kind_display(): [None, timezone.localtime(at).strftime("%H:%M")]},
            acting_user,
        )
        status = STATUS_AFTER.get(milestone)
        if status is not None:
            locked.status = status
            locked.save(update_fields=["status"])
        if milestone == milestones.SURGERY_END:
            ScreeningVisit.objects.filter(pk=locked.visit_id).update(outcome=ScreeningVisit.Outcome.OPERATED)
    case.status = locked.status
    return stamp


def undo_milestone(*, case: SurgicalCase, acting_user: Any) -> str:
    """Take back the last milestone stamped (a tap on the wrong case); audited."""
    with transaction.atomic():
        locked = SurgicalCase.objects.select_for_update().get(pk=case.pk)
        last = locked.milestones.order_by("-at", "-pk").first()
        if last is None:
            raise ValidationError({"milestone": _("No milestone to take back.")})
        order = milestones.ORDER.index(last.kind)
        later = [m for m in locked.milestones.all() if milestones.ORDER.index(m.kind) > order]
        if later:
            raise ValidationError({"milestone": _("Take back the later milestones first.")})
        _record(
            last,
            locked,
            AuditEntry.Action.DELETE,
            {last.get_kind_display(): [timezone.localtime(last.at).strftime("%H:%M"), None]},
            acting_user,
        )
        kind = last.kind
        last.delete()
        left = set(stamped(locked))
        status = SurgicalCase.Status.PLANNED
        for m, s in STATUS_AFTER.items():
            if m in left:
                status = s
        locked.status = status
        locked.save(update_fields=["status"])
        if kind == milestones.SURGERY_END:
            ScreeningVisit.objects.filter(pk=locked.visit_id).update(outcome=ScreeningVisit.Outcome.ACCEPTED)
    return kind


def _user(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


# ---- the WHO checklist ---------------------------------------------------------------------

PHASE_BEFORE = {checklist.TIME_OUT: checklist.SIGN_IN, checklist.SIGN_OUT: checklist.TIME_OUT}


def sign_phase(
    *, case: SurgicalCase, phase: str, answers: dict[str, str], notes: dict[str, str] | None = None, acting_user: Any
) -> ChecklistPhase:
    """Sign a phase of the checklist: refused with every unanswered item named, when signed
    already, or before the phase it follows."""
    if phase not in checklist.PHASES:
        raise ValidationError({"phase": _("Not a phase of the checklist.")})
    notes = {k: v.strip() for k, v in (notes or {}).items() if v and v.strip()}
    with transaction.atomic():
        locked = SurgicalCase.objects.select_for_update().get(pk=case.pk)
        if locked.status == SurgicalCase.Status.CANCELLED:
            raise ValidationError({"phase": _("This case was cancelled.")})
        signed = signed_phases(locked)
        if phase in signed:
            raise ValidationError(
                {"phase": _("%(phase)s is already signed.") % {"phase": checklist.PHASE_LABELS[phase]}}
            )
        before = PHASE_BEFORE.get(phase)
        if before is not None and before not in signed:
            raise ValidationError(
                {
                    "phase": _("Sign %(before)s first.") % {"before": checklist.PHASE_LABELS[before]},
                }
            )
        problems = checklist.problems(phase, answers, notes)
        if problems:
            raise ValidationError(problems)
        row = ChecklistPhase.objects.create(
            case=locked, phase=phase, answers=dict(answers), notes=notes, signed_by=_user(acting_user)
        )
        _record(
            row,
            locked,
            AuditEntry.Action.CREATE,
            {str(checklist.PHASE_LABELS[phase]): [None, _("signed")]},
            acting_user,
        )
    return row


# ---- notes ------------------------------------------------------------------------------


def _check_version(row: Any, expected: int | None) -> None:
    if expected is not None and row.pk is not None and row.version != expected:
        raise ConflictError(row)


def save_operative_note(
    *,
    case: SurgicalCase,
    procedures: Iterable[Procedure],
    technique: str,
    surgeon: Any,
    assistant: Any,
    findings: str,
    acting_user: Any,
    version: int | None = None,
) -> OperativeNote:
    procedures = list(procedures)
    if not procedures:
        raise ValidationError({"procedures": _("Choose the procedures done.")})
    with transaction.atomic():
        note = OperativeNote.objects.select_for_update().filter(case=case).first() or OperativeNote(case=case)
        _check_version(note, version)
        note.technique, note.surgeon, note.assistant, note.findings = technique, surgeon, assistant, findings
        note.recorded_by, note.recorded_at = _user(acting_user), timezone.now()
        if note.pk is not None:
            note.version += 1
        save_audited(instance=note, acting_user=acting_user, target=case.mission)
        note.procedures.set(procedures)
    return note


def save_anesthesia_record(
    *, case: SurgicalCase, data: dict[str, Any], acting_user: Any, version: int | None = None
) -> AnesthesiaRecord:
    with transaction.atomic():
        record = AnesthesiaRecord.objects.select_for_update().filter(case=case).first() or AnesthesiaRecord(case=case)
        _check_version(record, version)
        for name in ("asa", "airway", "difficult_intubation", "agents", "events"):
            if name in data:
                setattr(record, name, data[name])
        record.recorded_by, record.recorded_at = _user(acting_user), timezone.now()
        if record.pk is not None:
            record.version += 1
        return save_audited(instance=record, acting_user=acting_user, target=case.mission)


def add_care_note(*, case: SurgicalCase, kind: str, text: str, acting_user: Any) -> CareNote:
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    note = CareNote(case=case, kind=kind, text=text.strip(), recorded_by=_user(acting_user))
    return save_audited(instance=note, acting_user=acting_user, target=case.mission)


def record_complication(
    *, case: SurgicalCase, kind: str, occurred_on: dt.date, note: str, acting_user: Any
) -> Complication:
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("The date is in the future.")})
    if occurred_on < case.day:
        raise ValidationError({"occurred_on": _("The date is before the operation.")})
    if kind == Complication.Kind.OTHER and not note.strip():
        raise ValidationError({"note": _("Say what happened, for “Other”.")})
    complication = Complication(
        case=case, kind=kind, occurred_on=occurred_on, note=note.strip(), recorded_by=_user(acting_user)
    )
    return save_audited(instance=complication, acting_user=acting_user, target=case.mission)


def days_in_hospital(case: SurgicalCase, today: dt.date | None = None) -> int | None:
    """Days from the operation to discharge (ICHOM), or to today while still on the ward."""
    times = stamped(case)
    if milestones.IN_OR not in times:
        return None
    start = timezone.localtime(times[milestones.IN_OR]).date()
    if milestones.DISCHARGED in times:
        return (timezone.localtime(times[milestones.DISCHARGED]).date() - start).days
    return ((today or timezone.localdate()) - start).days


# ---- discharge and follow-up ----------------------------------------------------------------


def record_discharge(
    *,
    case: SurgicalCase,
    date: dt.date,
    instructions_vi: str,
    instructions_en: str,
    follow_ups: Iterable[tuple[str, dt.date]] | None = None,
    acting_user: Any,
) -> Discharge:
    """Discharge the child: the instructions for the family, the follow-up visits planned
    (one week, three months, one year after discharge unless others are given), and the
    "discharged" milestone when it is not stamped yet."""
    from cleftmission.followup.models import FollowUpVisit

    if not instructions_vi.strip():
        raise ValidationError({"instructions_vi": _("Write the instructions for the family.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date is in the future.")})
    if date < case.day:
        raise ValidationError({"date": _("The date is before the operation.")})
    plan = list(follow_ups) if follow_ups is not None else [(k, date + dt.timedelta(days=d)) for k, d in FOLLOW_UP_PLAN]
    with transaction.atomic():
        if hasattr(case, "discharge") and Discharge.objects.filter(case=case).exists():
            raise ValidationError({"date": _("This child is already discharged.")})
        times = stamped(case)
        if milestones.SURGERY_END not in times:
            raise ValidationError({"date": _("Record the end of surgery before the discharge.")})
        discharge = Discharge(
            case=case,
            date=date,
            instructions_vi=instructions_vi.strip(),
            instructions_en=instructions_en.strip(),
            recorded_by=_user(acting_user),
        )
        save_audited(instance=discharge, acting_user=acting_user, target=case.mission)
        for kind, due in plan:
            save_audited(
                instance=FollowUpVisit(case=case, kind=kind, due_date=due), acting_user=acting_user, target=case.mission
            )
        if milestones.DISCHARGED not in times:
            for needed in milestones.ORDER[milestones.ORDER.index(milestones.SURGERY_END) + 1 :]:
                if needed not in stamped(case):
                    at = max(
                        timezone.now() if date == timezone.localdate() else _end_of(date), times[milestones.SURGERY_END]
                    )
                    record_milestone(case=case, milestone=needed, at=at, acting_user=acting_user)
    return discharge


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))


# ---- cancelling on the day -------------------------------------------------------------------


def cancel_case(
    *,
    case: SurgicalCase,
    code: str,
    note: str = "",
    rescreen_date: dt.date | None = None,
    acting_user: Any,
) -> Schedule | None:
    """Cancel a case on the day: the child goes back to the deferred list with the reason and a
    re-screen date, and the published schedule is repaired into a draft for the coordinator to
    publish (returned, when there is one)."""
    from cleftmission.scheduling import services as scheduling

    if code not in DeferralCode.values:
        raise ValidationError({"cancel_code": _("Choose the reason for the cancellation.")})
    if code == DeferralCode.OTHER and not note.strip():
        raise ValidationError({"cancel_note": _("Say why, for the reason “Other”.")})
    rescreen = rescreen_date or (case.day + RESCREEN_AFTER_CANCELLATION)
    if rescreen <= case.day:
        raise ValidationError({"rescreen_date": _("The re-screen date must be after the day of the operation.")})
    with transaction.atomic():
        locked = SurgicalCase.objects.select_for_update().get(pk=case.pk)
        if locked.status == SurgicalCase.Status.CANCELLED:
            raise ValidationError({"cancel_code": _("This case was cancelled already.")})
        if milestones.INCISION in stamped(locked):
            raise ValidationError({"cancel_code": _("The operation has begun: record what happened instead.")})
        locked.status = SurgicalCase.Status.CANCELLED
        locked.cancel_code, locked.cancel_note, locked.cancelled_at = code, note.strip(), timezone.now()
        save_audited(instance=locked, acting_user=acting_user, target=locked.mission)
        decision = Decision.objects.select_for_update().filter(visit_id=locked.visit_id).first()
        if decision is not None:
            decision.outcome = Decision.Outcome.DEFERRED
            decision.deferral_code, decision.deferral_note = code, note.strip()[:300]
            decision.rescreen_date = rescreen
            decision.version += 1
            save_audited(instance=decision, acting_user=acting_user, target=locked.visit.patient)
        ScreeningVisit.objects.filter(pk=locked.visit_id).update(outcome=ScreeningVisit.Outcome.DEFERRED)
    case.status = SurgicalCase.Status.CANCELLED
    published = scheduling.published_schedule(case.mission)
    if published is None:
        return None
    row = ScheduledCase.objects.filter(schedule=published, visit_id=case.visit_id, day__isnull=False).first()
    if row is None:
        return None
    event = scheduling.Event(type="cancel", case=row, cancel_code=code, cancel_note=note)
    try:
        return scheduling.repair(schedule=published, events=[event], acting_user=acting_user)
    except ValidationError:
        return None
