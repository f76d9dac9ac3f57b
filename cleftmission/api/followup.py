"""Follow-up and recall.

- `GET /follow-ups` lists follow-up visits, soonest due first (filters: `overdue`, `mission`,
  `site`, `status`, `due_before`); `GET /follow-ups/{id}` one visit.
- `PATCH /follow-ups/{id}` records the outcome: `status` seen or missed, `seen_on`, the
  findings, `notes`; only the fields sent change. Send the `version` you read: if someone saved
  in between the answer is 409 with the visit as stored now in `current`.
- `POST /follow-ups` plans a visit by hand for an operated child (`case_id`, `kind`, `due_date`).
- `GET /missions/{id}/recall` the children to bring back to a mission, each with its reasons.

Everyone with a role reads (clinicians and registrars only the children of the missions they
are on; other visits answer 404); guardians only for the roles that may see contact details.
The clinical roles record and plan visits.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from cleftmission.api.auth import allow, user_of
from cleftmission.api.common import MAX_ID, get_or_404, sent
from cleftmission.api.errors import django_validation_errors, invalid
from cleftmission.api.schemas import ERRORS, ErrorOut, GuardianOut, InputSchema, PageParams
from cleftmission.core import roles
from cleftmission.followup import queries, recall_query, services
from cleftmission.followup.models import FollowUpVisit
from cleftmission.missions.models import Mission
from cleftmission.patients.access import visible_patients
from cleftmission.screening import queries as screening_queries
from cleftmission.surgery.models import SurgicalCase

router = Router(tags=["follow-up"])


# ---- shapes -------------------------------------------------------------------------------


class FollowUpOut(Schema):
    id: int
    case_id: int
    mission_id: int = Field(description="The mission the child was operated at")
    patient_id: int
    child: str
    record_number: str
    operated_on: dt.date
    procedures: list[str] = Field(description="Procedure codes: done (operative note), else planned")
    kind: str = Field(description=", ".join(FollowUpVisit.Kind.values))
    due_date: dt.date
    status: str = Field(description=", ".join(FollowUpVisit.Status.values))
    days_overdue: int | None = Field(description="Planned and past its due date: days since; else null")
    seen_on: dt.date | None
    weight_kg: Decimal | None
    wound_healed: bool | None
    fistula: bool | None
    velopharyngeal_competence: int | None = Field(description="0 competent, 1 marginal, 2 incompetent")
    consonants_correct_pct: int | None
    intelligibility: str = Field(description=", ".join(FollowUpVisit.Intelligibility.values) + " or empty")
    photos_taken: bool
    notes: str
    version: int
    recorded_at: dt.datetime
    guardians: list[GuardianOut] | None = Field(None, description="Only for roles that may see contact details")


class FollowUpList(Schema):
    items: list[FollowUpOut]
    count: int


class FollowUpFilters(PageParams):
    overdue: bool | None = Field(None, description="true: planned visits past their due date, oldest first")
    mission: int | None = Field(None, description="Visits of operations at this mission")
    site: int | None = Field(None, description="Visits of operations at this hospital")
    status: str | None = Field(None, description=", ".join(FollowUpVisit.Status.values))
    due_before: dt.date | None = Field(None, description="Due before this date")


class FollowUpPatch(InputSchema):
    version: int = Field(description="The version you read")
    status: str | None = Field(None, description="seen or missed; a date seen alone makes a planned visit seen")
    seen_on: dt.date | None = None
    weight_kg: Decimal | None = None
    wound_healed: bool | None = None
    fistula: bool | None = None
    velopharyngeal_competence: int | None = Field(None, description="0, 1 or 2")
    consonants_correct_pct: int | None = Field(None, description="0 to 100")
    intelligibility: str | None = Field(None, description=", ".join(FollowUpVisit.Intelligibility.values))
    photos_taken: bool | None = None
    notes: str | None = None


class FollowUpIn(InputSchema):
    case_id: int = Field(description="The operated child's surgical case")
    kind: str = Field(FollowUpVisit.Kind.OTHER, description=", ".join(FollowUpVisit.Kind.values))
    due_date: dt.date
    notes: str = ""


class FollowUpConflict(ErrorOut):
    current: FollowUpOut = Field(description="The visit as stored now")


class ReasonOut(Schema):
    code: str = Field(description="rescreen, palate, bone_graft or follow_up")
    text: str = Field(description="The reason in the caller's language")
    date: dt.date | None = Field(description="rescreen: the re-screen date; follow_up: the visit's due date")
    deferral_code: str | None
    deferred_at_mission_id: int | None
    weight_to_check: bool = Field(description="palate: no weight of the last 3 months; weigh the child")


class RecallItemOut(Schema):
    patient_id: int
    record_number: str
    full_name: str
    date_of_birth: dt.date
    age_months: int = Field(description="On the mission's first day")
    lahshal: str
    province: str
    reasons: list[ReasonOut]
    last_seen: dt.date | None
    guardians: list[GuardianOut] | None = Field(None, description="Only for roles that may see contact details")


class RecallOut(Schema):
    mission_id: int
    first_day: dt.date
    last_day: dt.date
    count: int = Field(description="Every child due, including those not shown")
    hidden: int = Field(description="Children due whom the caller may not see (not on their missions)")
    items: list[RecallItemOut]


# ---- helpers ------------------------------------------------------------------------------


def _visits(request: HttpRequest) -> QuerySet[FollowUpVisit]:
    user = user_of(request)
    return queries.with_details(queries.visible_follow_ups(user), contacts=roles.has(user, roles.SEE_CONTACTS))


def _out(visit: FollowUpVisit, contacts: bool, today: dt.date) -> dict[str, Any]:
    case = visit.case
    patient = case.visit.patient
    late = visit.status == FollowUpVisit.Status.PLANNED and visit.due_date < today
    out: dict[str, Any] = {
        "id": visit.pk,
        "case_id": case.pk,
        "mission_id": case.mission_id,
        "patient_id": patient.pk,
        "child": patient.full_name,
        "record_number": patient.record_number,
        "operated_on": case.day,
        "procedures": [p.code for p in queries.procedures_of(case)],
        "kind": visit.kind,
        "due_date": visit.due_date,
        "status": visit.status,
        "days_overdue": queries.days_overdue(visit, today) if late else None,
        "seen_on": visit.seen_on,
        "weight_kg": visit.weight_kg,
        "wound_healed": visit.wound_healed,
        "fistula": visit.fistula,
        "velopharyngeal_competence": visit.velopharyngeal_competence,
        "consonants_correct_pct": visit.consonants_correct_pct,
        "intelligibility": visit.intelligibility,
        "photos_taken": visit.photos_taken,
        "notes": visit.notes,
        "version": visit.version,
        "recorded_at": visit.recorded_at,
    }
    if contacts:
        out["guardians"] = list(patient.guardians.all())
    return out


def _one(request: HttpRequest, visit_id: int) -> dict[str, Any]:
    visit = get_or_404(_visits(request), visit_id)
    return _out(visit, roles.has(user_of(request), roles.SEE_CONTACTS), timezone.localdate())


# ---- endpoints ----------------------------------------------------------------------------


@router.get(
    "/follow-ups",
    response={200: FollowUpList, **ERRORS},
    summary="List follow-up visits (overdue, by mission or hospital, due before a date)",
    exclude_unset=True,
)
def list_follow_ups(request: HttpRequest, params: Query[FollowUpFilters]) -> Any:
    today = timezone.localdate()
    visits = queries.filtered(_visits(request), site=params.site, mission=params.mission)
    if params.status is not None:
        if params.status not in FollowUpVisit.Status.values:
            message = _("One of: %(values)s.") % {"values": ", ".join(FollowUpVisit.Status.values)}
            raise invalid([{"field": "status", "message": message}])
        visits = visits.filter(status=params.status)
    if params.due_before is not None:
        visits = visits.filter(due_date__lt=params.due_before)
    if params.overdue:
        visits = queries.overdue(visits, today)
    elif params.overdue is False:
        visits = visits.exclude(status=FollowUpVisit.Status.PLANNED, due_date__lt=today).order_by("due_date", "pk")
    else:
        visits = visits.order_by("due_date", "pk")
    contacts = roles.has(user_of(request), roles.SEE_CONTACTS)
    items = visits[params.offset : params.offset + params.limit]
    return {"items": [_out(v, contacts, today) for v in items], "count": visits.count()}


@router.get(
    "/follow-ups/{int:visit_id}",
    response={200: FollowUpOut, **ERRORS},
    summary="Get a follow-up visit",
    exclude_unset=True,
)
def get_follow_up(request: HttpRequest, visit_id: int) -> Any:
    return _one(request, visit_id)


@router.patch(
    "/follow-ups/{int:visit_id}",
    response={200: FollowUpOut, **ERRORS, 409: FollowUpConflict},
    summary="Record a follow-up visit's outcome (send the version you read)",
    auth=allow(queries.RECORD_FOLLOW_UP),
    exclude_unset=True,
)
def record_follow_up(request: HttpRequest, visit_id: int, payload: FollowUpPatch) -> Any:
    user = user_of(request)
    visit = get_or_404(_visits(request), visit_id)
    changes = sent(payload)
    changes.pop("version", None)
    try:
        services.record_outcome(visit=visit, changes=changes, expected_version=payload.version, acting_user=user)
    except services.ConflictError as exc:
        detail = str(exc)
        return Status(
            409,
            {
                "detail": detail,
                "errors": [{"field": "version", "message": detail}],
                "current": _one(request, exc.current.pk),
            },
        )
    return _one(request, visit.pk)


@router.post(
    "/follow-ups",
    response={201: FollowUpOut, **ERRORS},
    summary="Plan a follow-up visit for an operated child",
    auth=allow(queries.RECORD_FOLLOW_UP),
    exclude_unset=True,
)
def plan_follow_up(request: HttpRequest, payload: FollowUpIn) -> Any:
    user = user_of(request)
    cases = SurgicalCase.objects.filter(visit__patient__in=visible_patients(user).values("pk"))
    case = cases.filter(pk=payload.case_id).first() if 0 < payload.case_id <= MAX_ID else None
    if case is None:
        raise invalid([{"field": "case_id", "message": _("There is no operation with this id.")}])
    try:
        visit = services.plan_visit(
            case=case, kind=payload.kind, due_date=payload.due_date, notes=payload.notes, acting_user=user
        )
    except ValidationError as exc:
        # The service names the case "case"; the client sent it as "case_id".
        errors = django_validation_errors(exc)
        raise invalid([{**e, "field": "case_id" if e["field"] == "case" else e["field"]} for e in errors]) from exc
    return Status(201, _one(request, visit.pk))


@router.get(
    "/missions/{int:mission_id}/recall",
    response={200: RecallOut, **ERRORS},
    summary="The children to bring back to a mission, each with its reasons",
    exclude_unset=True,
)
def mission_recall(request: HttpRequest, mission_id: int) -> Any:
    user = user_of(request)
    mission = get_or_404(Mission.objects.select_related("site"), mission_id)
    if not screening_queries.may_see_screening(user, mission):
        raise PermissionDenied(_("You are not on this mission's team."))
    data = recall_query.recall_list_for(user, mission)
    items = []
    for entry in data.entries:
        item: dict[str, Any] = {
            "patient_id": entry.patient.pk,
            "record_number": entry.patient.record_number,
            "full_name": entry.patient.full_name,
            "date_of_birth": entry.patient.date_of_birth,
            "age_months": entry.age_months,
            "lahshal": entry.patient.lahshal,
            "province": entry.patient.province,
            "reasons": [
                {
                    "code": r.code,
                    "text": recall_query.describe(r, data.missions),
                    "date": r.on,
                    "deferral_code": r.deferral.code if r.deferral else None,
                    "deferred_at_mission_id": r.deferral.mission_id if r.deferral else None,
                    "weight_to_check": r.weight_to_check,
                }
                for r in entry.reasons
            ],
            "last_seen": entry.last_seen,
        }
        if entry.guardians is not None:
            item["guardians"] = entry.guardians
        items.append(item)
    return {
        "mission_id": mission.pk,
        "first_day": mission.start_date,
        "last_day": mission.end_date,
        "count": data.count,
        "hidden": data.hidden,
        "items": items,
    }
