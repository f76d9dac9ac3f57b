"""The operating days: a mission's surgical cases, each case's milestones, WHO checklist,
notes, complications, discharge and cancellation.

- `GET /missions/{id}/cases` lists a mission's cases (`?day=YYYY-MM-DD` for one operating
  day), in list order per table; `GET /cases/{id}` is one case with everything recorded.
- `POST /cases/{id}/milestones` stamps a milestone (`at` defaults to now). Refused naming the
  field: 409 when already stamped, 422 out of order (`milestone`), in the future or earlier than
  the milestone before (`at`), or before its checklist phase is signed (`milestone`).
  `DELETE /cases/{id}/milestones/last` takes back the last one.
- `POST /cases/{id}/checklist/{phase}` signs a phase (`sign_in`, `time_out`, `sign_out`) with an
  answer for every item; each unanswered item is named (`answers.<item>`); signed twice: 409.
- `PUT /cases/{id}/operative-note` and `PUT /cases/{id}/anesthesia-record` carry the `version`
  read: saved meanwhile by someone else, 409 with what is stored now in `current`.
- `POST /cases/{id}/care-notes`, `POST /cases/{id}/complications`, `POST /cases/{id}/discharge`
  (plans the follow-up visits: one week, three months, one year unless `follow_ups` are
  given), `POST /cases/{id}/cancel` (the child is deferred with a re-screen date; the
  schedule's repair waits as a draft, its id in `repaired_schedule_id`).

Times are local (Asia/Ho_Chi_Minh, +07:00); a time sent without an offset is taken as local.
Everyone who may see the mission's screening reads (viewers get no names); clinicians on the
mission, coordinators and administrators record. Other missions' cases answer 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from cleftmission.api.auth import allow, user_of
from cleftmission.api.common import get_or_404
from cleftmission.api.errors import ApiError, FieldErrors, django_validation_errors, invalid
from cleftmission.api.schemas import ERRORS, ErrorOut, InputSchema
from cleftmission.core import roles
from cleftmission.followup.models import FollowUpVisit
from cleftmission.missions.models import Mission
from cleftmission.screening import queries
from cleftmission.screening.models import DeferralCode, Procedure
from cleftmission.surgery import checklist, milestones, services
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
from cleftmission.surgery.queries import cases_with_details
from cleftmission.volunteers.models import Volunteer

router = Router(tags=["operating days"])

SEES_NAMES = roles.ANY_ROLE - {roles.Role.VIEWER}


# ---- shapes --------------------------------------------------------------------------------


class StampOut(Schema):
    milestone: str = Field(description=", ".join(milestones.ORDER))
    label: str
    at: dt.datetime
    recorded_by: str | None
    recorded_at: dt.datetime


class PhaseOut(Schema):
    phase: str = Field(description=", ".join(checklist.PHASES))
    label: str
    answers: dict[str, str] = Field(description="Item code → yes, no or na")
    notes: dict[str, str] = Field(description="Item code → what is ready, for a risk answered yes")
    signed_by: str | None
    signed_at: dt.datetime


class OperativeNoteOut(Schema):
    procedures: list[str] = Field(description="Procedure codes")
    technique: str
    surgeon_id: int | None
    surgeon: str | None
    assistant_id: int | None
    assistant: str | None
    findings: str
    recorded_by: str | None
    recorded_at: dt.datetime
    version: int


class AnesthesiaOut(Schema):
    asa: int | None
    airway: str = Field(description=", ".join(AnesthesiaRecord.Airway.values) + ", or empty")
    difficult_intubation: bool
    agents: str
    events: str
    recorded_by: str | None
    recorded_at: dt.datetime
    version: int


class CareNoteOut(Schema):
    id: int
    kind: str = Field(description=", ".join(CareNote.Kind.values))
    text: str
    recorded_by: str | None
    recorded_at: dt.datetime


class ComplicationOut(Schema):
    id: int
    kind: str = Field(description="ICHOM: " + ", ".join(Complication.Kind.values))
    label: str
    occurred_on: dt.date
    note: str
    recorded_by: str | None
    recorded_at: dt.datetime


class FollowUpOut(Schema):
    kind: str = Field(description=", ".join(FollowUpVisit.Kind.values))
    due_date: dt.date
    status: str


class DischargeOut(Schema):
    date: dt.date
    instructions_vi: str
    instructions_en: str
    recorded_by: str | None
    recorded_at: dt.datetime
    follow_ups: list[FollowUpOut]


class CaseOut(Schema):
    id: int
    mission_id: int
    visit_id: int
    child: str = Field(description="The child's name; the queue number for viewers")
    day: dt.date
    table_id: int | None
    table: str | None
    order: int = Field(description="Place on the table's list that day")
    planned_start: dt.datetime
    planned_end: dt.datetime
    planned_minutes: int
    procedures: list[str] = Field(description="Procedure codes")
    surgeon_id: int | None
    surgeon: str | None
    anesthetist_id: int | None
    anesthetist: str | None
    status: str = Field(description=", ".join(SurgicalCase.Status.values))
    cancel_code: str
    cancel_note: str
    current_milestone: str | None = Field(description="The last milestone stamped")
    next_milestone: str | None = Field(description="The milestone the case waits for; null when done or cancelled")
    times: dict[str, dt.datetime] = Field(description="Milestone → when it was stamped")
    signed_phases: list[str]


class CaseDetail(CaseOut):
    milestones: list[StampOut]
    checklist: list[PhaseOut]
    operative_note: OperativeNoteOut | None
    anesthesia_record: AnesthesiaOut | None
    care_notes: list[CareNoteOut]
    complications: list[ComplicationOut]
    days_in_hospital: int | None = Field(description="After the operation (ICHOM): to discharge, or to today")
    discharge: DischargeOut | None


class CaseList(Schema):
    items: list[CaseOut]
    count: int


class UndoOut(Schema):
    undone: str = Field(description="The milestone taken back")
    case: CaseDetail


class CancelOut(Schema):
    case: CaseDetail
    repaired_schedule_id: int | None = Field(description="The schedule's repair, a draft for the coordinator")
    repaired_schedule_number: int | None


class CasesParams(Schema):
    day: dt.date | None = Field(None, description="One day's cases; all the mission's when left out")


class MilestoneIn(InputSchema):
    milestone: str = Field(description=", ".join(milestones.ORDER))
    at: dt.datetime | None = Field(None, description="When (local time if no offset); now when left out")


class PhaseIn(InputSchema):
    answers: dict[str, str] = Field(description="Item code → yes, no or na, for every item of the phase")
    notes: dict[str, str] = Field(default_factory=dict, description="For a risk answered yes: what is ready")


class OperativeNoteIn(InputSchema):
    procedures: list[str] = Field(description="Procedure codes of what was done")
    technique: str = ""
    surgeon_id: int | None = Field(None, description="A volunteer on the mission's team")
    assistant_id: int | None = None
    findings: str = ""
    version: int | None = Field(None, description="The version you read; null to save whatever is stored")


class AnesthesiaIn(InputSchema):
    asa: int | None = Field(None, ge=1, le=6)
    airway: str = Field("", description=", ".join(AnesthesiaRecord.Airway.values) + ", or empty")
    difficult_intubation: bool = False
    agents: str = Field("", max_length=300)
    events: str = ""
    version: int | None = Field(None, description="The version you read; null to save whatever is stored")


class CareNoteIn(InputSchema):
    kind: str = Field(description=", ".join(CareNote.Kind.values))
    text: str


class ComplicationIn(InputSchema):
    kind: str = Field(description=", ".join(Complication.Kind.values))
    occurred_on: dt.date
    note: str = Field("", max_length=500)


class FollowUpIn(InputSchema):
    kind: str = Field(description=", ".join(FollowUpVisit.Kind.values))
    due_date: dt.date


class DischargeIn(InputSchema):
    date: dt.date
    instructions_vi: str
    instructions_en: str = ""
    follow_ups: list[FollowUpIn] | None = Field(None, description="Default: one week, three months, one year")


class CancelIn(InputSchema):
    reason: str = Field(description=", ".join(DeferralCode.values))
    note: str = Field("", max_length=300)
    rescreen_date: dt.date | None = Field(None, description="Default: 30 days after the operating day")


class OperativeNoteConflict(ErrorOut):
    current: OperativeNoteOut = Field(description="The operative note as stored now")


class AnesthesiaConflict(ErrorOut):
    current: AnesthesiaOut = Field(description="The anaesthesia record as stored now")


# ---- reading -------------------------------------------------------------------------------


def _visible_cases(user: Any) -> QuerySet[SurgicalCase]:
    return cases_with_details().filter(mission__in=queries.screening_missions(user).values("pk"))


def _case(request: HttpRequest, case_id: int) -> SurgicalCase:
    return get_or_404(_visible_cases(user_of(request)), case_id)


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _who(user: Any) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def _name(volunteer: Volunteer | None) -> str | None:
    return volunteer.full_name if volunteer is not None else None


def _brief(case: SurgicalCase, names: bool) -> dict[str, Any]:
    stamps = {m.kind: m.at for m in case.milestones.all()}
    done = [m for m in milestones.ORDER if m in stamps]
    cancelled = case.status == SurgicalCase.Status.CANCELLED
    return {
        "id": case.pk,
        "mission_id": case.mission_id,
        "visit_id": case.visit_id,
        "child": case.visit.patient.full_name if names else f"#{case.visit.queue_number}",
        "day": case.day,
        "table_id": case.table_id,
        "table": case.table.name if case.table else None,
        "order": case.order,
        "planned_start": _local(case.planned_start),
        "planned_end": _local(case.planned_end),
        "planned_minutes": case.planned_minutes,
        "procedures": [p.code for p in case.procedures.all()],
        "surgeon_id": case.surgeon_id,
        "surgeon": _name(case.surgeon),
        "anesthetist_id": case.anesthetist_id,
        "anesthetist": _name(case.anesthetist),
        "status": case.status,
        "cancel_code": case.cancel_code,
        "cancel_note": case.cancel_note,
        "current_milestone": done[-1] if done else None,
        "next_milestone": None if cancelled else milestones.next_milestone(stamps),
        "times": {k: _local(v) for k, v in stamps.items()},
        "signed_phases": [p for p in checklist.PHASES if p in {c.phase for c in case.checklist.all()}],
    }


def _stamp(m: Milestone) -> dict[str, Any]:
    return {
        "milestone": m.kind,
        "label": str(milestones.LABELS[m.kind]),
        "at": _local(m.at),
        "recorded_by": _who(m.recorded_by),
        "recorded_at": _local(m.recorded_at),
    }


def _phase(p: ChecklistPhase) -> dict[str, Any]:
    return {
        "phase": p.phase,
        "label": str(checklist.PHASE_LABELS[p.phase]),
        "answers": p.answers,
        "notes": p.notes,
        "signed_by": _who(p.signed_by),
        "signed_at": _local(p.signed_at),
    }


def _operative(note: OperativeNote) -> dict[str, Any]:
    return {
        "procedures": [p.code for p in note.procedures.all()],
        "technique": note.technique,
        "surgeon_id": note.surgeon_id,
        "surgeon": _name(note.surgeon),
        "assistant_id": note.assistant_id,
        "assistant": _name(note.assistant),
        "findings": note.findings,
        "recorded_by": _who(note.recorded_by),
        "recorded_at": _local(note.recorded_at),
        "version": note.version,
    }


def _anesthesia(record: AnesthesiaRecord) -> dict[str, Any]:
    return {
        "asa": record.asa,
        "airway": record.airway,
        "difficult_intubation": record.difficult_intubation,
        "agents": record.agents,
        "events": record.events,
        "recorded_by": _who(record.recorded_by),
        "recorded_at": _local(record.recorded_at),
        "version": record.version,
    }


def _detail(request: HttpRequest, case: SurgicalCase) -> dict[str, Any]:
    case = cases_with_details().get(pk=case.pk)  # what is stored now, after a write
    note = OperativeNote.objects.filter(case=case).select_related("surgeon", "assistant", "recorded_by").first()
    record = AnesthesiaRecord.objects.filter(case=case).select_related("recorded_by").first()
    discharge = Discharge.objects.filter(case=case).select_related("recorded_by").first()
    return {
        **_brief(case, roles.has(user_of(request), SEES_NAMES)),
        "milestones": [_stamp(m) for m in case.milestones.all()],
        "checklist": [_phase(p) for p in sorted(case.checklist.all(), key=lambda p: checklist.PHASES.index(p.phase))],
        "operative_note": _operative(note) if note else None,
        "anesthesia_record": _anesthesia(record) if record else None,
        "care_notes": [
            {
                "id": n.pk,
                "kind": n.kind,
                "text": n.text,
                "recorded_by": _who(n.recorded_by),
                "recorded_at": _local(n.recorded_at),
            }
            for n in case.care_notes.select_related("recorded_by")
        ],
        "complications": [
            {
                "id": c.pk,
                "kind": c.kind,
                "label": c.get_kind_display(),
                "occurred_on": c.occurred_on,
                "note": c.note,
                "recorded_by": _who(c.recorded_by),
                "recorded_at": _local(c.recorded_at),
            }
            for c in case.complications.select_related("recorded_by")
        ],
        "days_in_hospital": services.days_in_hospital(case),
        "discharge": {
            "date": discharge.date,
            "instructions_vi": discharge.instructions_vi,
            "instructions_en": discharge.instructions_en,
            "recorded_by": _who(discharge.recorded_by),
            "recorded_at": _local(discharge.recorded_at),
            "follow_ups": list(FollowUpVisit.objects.filter(case=case).values("kind", "due_date", "status")),
        }
        if discharge
        else None,
    }


@router.get(
    "/missions/{int:mission_id}/cases",
    response={200: CaseList, **ERRORS},
    summary="A mission's surgical cases (one day's with ?day=), table by table in list order",
)
def list_cases(request: HttpRequest, mission_id: int, params: Query[CasesParams]) -> Any:
    user = user_of(request)
    mission = get_or_404(Mission.objects.all(), mission_id)
    if not queries.may_see_screening(user, mission):
        raise Http404
    cases = cases_with_details().filter(mission=mission).order_by("day", "table__name", "order")
    if params.day is not None:
        cases = cases.filter(day=params.day)
    names = roles.has(user, SEES_NAMES)
    items = [_brief(c, names) for c in cases]
    return {"items": items, "count": len(items)}


@router.get("/cases/{int:case_id}", response={200: CaseDetail, **ERRORS}, summary="One case with all it records")
def get_case(request: HttpRequest, case_id: int) -> Any:
    return _detail(request, _case(request, case_id))


# ---- milestones and the checklist ----------------------------------------------------------


def _refused(exc: ValidationError, rename: dict[str, str] | None = None) -> ApiError:
    errors: FieldErrors = django_validation_errors(exc)
    if rename:
        errors = [{**e, "field": rename.get(e["field"], e["field"])} for e in errors]
    return invalid(errors)


@router.post(
    "/cases/{int:case_id}/milestones",
    response={201: StampOut, **ERRORS},
    summary="Stamp a milestone (now, or at `at`)",
    auth=allow(roles.EDIT_CLINICAL),
)
def post_milestone(request: HttpRequest, case_id: int, payload: MilestoneIn) -> Any:
    case = _case(request, case_id)
    if payload.milestone in {m.kind for m in case.milestones.all()}:
        message = _("%(milestone)s is already recorded.") % {"milestone": milestones.LABELS[payload.milestone]}
        raise ApiError(409, message, [{"field": "milestone", "message": message}])
    if case.status == SurgicalCase.Status.CANCELLED:
        message = _("This case was cancelled.")
        raise ApiError(409, message, [{"field": "milestone", "message": message}])
    at = payload.at
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)
    try:
        stamp = services.record_milestone(case=case, milestone=payload.milestone, at=at, acting_user=user_of(request))
    except ValidationError as exc:
        raise _refused(exc) from exc
    return Status(201, _stamp(stamp))


@router.delete(
    "/cases/{int:case_id}/milestones/last",
    response={200: UndoOut, **ERRORS},
    summary="Take back the last milestone stamped",
    auth=allow(roles.EDIT_CLINICAL),
)
def undo_milestone(request: HttpRequest, case_id: int) -> Any:
    case = _case(request, case_id)
    try:
        kind = services.undo_milestone(case=case, acting_user=user_of(request))
    except ValidationError as exc:
        raise _refused(exc) from exc
    return {"undone": kind, "case": _detail(request, case)}


@router.post(
    "/cases/{int:case_id}/checklist/{phase}",
    response={201: PhaseOut, **ERRORS},
    summary="Sign a phase of the WHO checklist (sign_in, time_out, sign_out), every item answered",
    auth=allow(roles.EDIT_CLINICAL),
)
def sign_phase(request: HttpRequest, case_id: int, phase: str, payload: PhaseIn) -> Any:
    case = _case(request, case_id)
    if phase not in checklist.PHASES:
        raise invalid(
            [{"field": "phase", "message": _("Not a phase of the checklist.") + " " + ", ".join(checklist.PHASES)}]
        )
    if phase in services.signed_phases(case):
        message = _("%(phase)s is already signed.") % {"phase": checklist.PHASE_LABELS[phase]}
        raise ApiError(409, message, [{"field": "phase", "message": message}])
    try:
        row = services.sign_phase(
            case=case, phase=phase, answers=payload.answers, notes=payload.notes, acting_user=user_of(request)
        )
    except ValidationError as exc:
        items = {item.code for items in checklist.ITEMS.values() for item in items} | set(payload.answers)
        raise _refused(exc, {code: f"answers.{code}" for code in items}) from exc
    return Status(201, _phase(row))


# ---- notes ---------------------------------------------------------------------------------


def _conflict(current: dict[str, Any]) -> Status[dict[str, Any]]:
    detail = _("Someone else saved this record since you read it: see `current`, then send it again.")
    return Status(409, {"detail": detail, "errors": [{"field": "version", "message": detail}], "current": current})


def _team_member(case: SurgicalCase, volunteer_id: int | None, field: str) -> Volunteer | None:
    if volunteer_id is None:
        return None
    volunteer = Volunteer.objects.filter(pk=volunteer_id).filter(memberships__mission_id=case.mission_id).first()
    if volunteer is None and volunteer_id == case.surgeon_id:
        volunteer = case.surgeon
    if volunteer is None:
        raise invalid([{"field": field, "message": _("Choose a volunteer on the mission's team.")}])
    return volunteer


@router.put(
    "/cases/{int:case_id}/operative-note",
    response={200: OperativeNoteOut, **ERRORS, 409: OperativeNoteConflict},
    summary="Write the operative note (send the version you read)",
    auth=allow(roles.EDIT_CLINICAL),
)
def put_operative_note(request: HttpRequest, case_id: int, payload: OperativeNoteIn) -> Any:
    case = _case(request, case_id)
    procedures = list(Procedure.objects.filter(code__in=payload.procedures))
    unknown = sorted(set(payload.procedures) - {p.code for p in procedures})
    if unknown:
        raise invalid(
            [{"field": "procedures", "message": _("Unknown procedure: %(codes)s.") % {"codes": ", ".join(unknown)}}]
        )
    surgeon = _team_member(case, payload.surgeon_id, "surgeon_id")
    assistant = _team_member(case, payload.assistant_id, "assistant_id")
    try:
        note = services.save_operative_note(
            case=case,
            procedures=procedures,
            technique=payload.technique.strip(),
            surgeon=surgeon,
            assistant=assistant,
            findings=payload.findings.strip(),
            version=payload.version,
            acting_user=user_of(request),
        )
    except services.ConflictError as exc:
        return _conflict(_operative(exc.current))
    except ValidationError as exc:
        raise _refused(exc) from exc
    return _operative(note)


@router.put(
    "/cases/{int:case_id}/anesthesia-record",
    response={200: AnesthesiaOut, **ERRORS, 409: AnesthesiaConflict},
    summary="Write the anaesthesia record (send the version you read)",
    auth=allow(roles.EDIT_CLINICAL),
)
def put_anesthesia_record(request: HttpRequest, case_id: int, payload: AnesthesiaIn) -> Any:
    case = _case(request, case_id)
    if payload.airway and payload.airway not in AnesthesiaRecord.Airway.values:
        raise invalid(
            [{"field": "airway", "message": _("One of: %(s)s.") % {"s": ", ".join(AnesthesiaRecord.Airway.values)}}]
        )
    data = payload.model_dump(exclude={"version"})
    try:
        record = services.save_anesthesia_record(
            case=case, data=data, version=payload.version, acting_user=user_of(request)
        )
    except services.ConflictError as exc:
        return _conflict(_anesthesia(exc.current))
    return _anesthesia(record)


@router.post(
    "/cases/{int:case_id}/care-notes",
    response={201: CareNoteOut, **ERRORS},
    summary="Add a recovery or ward note",
    auth=allow(roles.EDIT_CLINICAL),
)
def post_care_note(request: HttpRequest, case_id: int, payload: CareNoteIn) -> Any:
    case = _case(request, case_id)
    if payload.kind not in CareNote.Kind.values:
        raise invalid([{"field": "kind", "message": _("One of: %(s)s.") % {"s": ", ".join(CareNote.Kind.values)}}])
    try:
        note = services.add_care_note(case=case, kind=payload.kind, text=payload.text, acting_user=user_of(request))
    except ValidationError as exc:
        raise _refused(exc) from exc
    return Status(
        201,
        {
            "id": note.pk,
            "kind": note.kind,
            "text": note.text,
            "recorded_by": _who(note.recorded_by),
            "recorded_at": _local(note.recorded_at),
        },
    )


@router.post(
    "/cases/{int:case_id}/complications",
    response={201: ComplicationOut, **ERRORS},
    summary="Record a complication from the ICHOM list",
    auth=allow(roles.EDIT_CLINICAL),
)
def post_complication(request: HttpRequest, case_id: int, payload: ComplicationIn) -> Any:
    case = _case(request, case_id)
    if payload.kind not in Complication.Kind.values:
        raise invalid([{"field": "kind", "message": _("One of: %(s)s.") % {"s": ", ".join(Complication.Kind.values)}}])
    try:
        row = services.record_complication(
            case=case,
            kind=payload.kind,
            occurred_on=payload.occurred_on,
            note=payload.note,
            acting_user=user_of(request),
        )
    except ValidationError as exc:
        raise _refused(exc) from exc
    return Status(
        201,
        {
            "id": row.pk,
            "kind": row.kind,
            "label": row.get_kind_display(),
            "occurred_on": row.occurred_on,
            "note": row.note,
            "recorded_by": _who(row.recorded_by),
            "recorded_at": _local(row.recorded_at),
        },
    )


# ---- discharge and cancelling ----------------------------------------------------------------


@router.post(
    "/cases/{int:case_id}/discharge",
    response={201: CaseDetail, **ERRORS},
    summary="Discharge the child: the family's instructions and the follow-up visits",
    auth=allow(roles.EDIT_CLINICAL),
)
def post_discharge(request: HttpRequest, case_id: int, payload: DischargeIn) -> Any:
    case = _case(request, case_id)
    follow_ups = None
    if payload.follow_ups is not None:
        errors: FieldErrors = []
        for i, f in enumerate(payload.follow_ups):
            if f.kind not in FollowUpVisit.Kind.values:
                errors.append(
                    {
                        "field": f"follow_ups.{i}.kind",
                        "message": _("One of: %(s)s.") % {"s": ", ".join(FollowUpVisit.Kind.values)},
                    }
                )
            if f.due_date <= payload.date:
                errors.append(
                    {"field": f"follow_ups.{i}.due_date", "message": _("A follow-up visit comes after the discharge.")}
                )
        if errors:
            raise invalid(errors)
        follow_ups = [(f.kind, f.due_date) for f in payload.follow_ups]
    if Discharge.objects.filter(case=case).exists():
        message = _("This child is already discharged.")
        raise ApiError(409, message, [{"field": "date", "message": message}])
    try:
        services.record_discharge(
            case=case,
            date=payload.date,
            instructions_vi=payload.instructions_vi,
            instructions_en=payload.instructions_en,
            follow_ups=follow_ups,
            acting_user=user_of(request),
        )
    except ValidationError as exc:
        raise _refused(exc) from exc
    return Status(201, _detail(request, case))


@router.post(
    "/cases/{int:case_id}/cancel",
    response={200: CancelOut, **ERRORS},
    summary="Cancel a case on the day: the child is deferred, the schedule's repair waits as a draft",
    auth=allow(roles.EDIT_CLINICAL),
)
def cancel_case(request: HttpRequest, case_id: int, payload: CancelIn) -> Any:
    case = _case(request, case_id)
    if case.status == SurgicalCase.Status.CANCELLED:
        message = _("This case was cancelled already.")
        raise ApiError(409, message, [{"field": "reason", "message": message}])
    try:
        repaired = services.cancel_case(
            case=case,
            code=payload.reason,
            note=payload.note,
            rescreen_date=payload.rescreen_date,
            acting_user=user_of(request),
        )
    except ValidationError as exc:
        raise _refused(exc, {"cancel_code": "reason", "cancel_note": "note"}) from exc
    return {
        "case": _detail(request, case),
        "repaired_schedule_id": repaired.pk if repaired else None,
        "repaired_schedule_number": repaired.number if repaired else None,
    }
