"""The operating schedule: build, read, move and lock cases, repair, publish.

- `POST /missions/{id}/schedules` builds a new draft from the accepted children and the team
  (it solves for up to `time_limit` seconds); `GET /missions/{id}/schedules` lists the versions.
- `GET /missions/{id}/schedule` is the current schedule: the draft if there is one, else the
  published one (`?published=true` for what the OR doors show).
- `GET /schedules/{id}` one version with its cases; `GET /schedules/{id}/problem` the solver's
  problem it solved (the JSON of docs/scheduling-format.md, for `cleftmission-schedule`).
- `PATCH /schedules/{id}/cases/{case_id}` moves a case (`day`, `table_id`, `surgeon_id`; `day`
  null takes it off) or locks it (`locked`). A move that breaks a rule is refused (422) naming
  each broken rule. Changing a published schedule makes a draft from it: the answer is the case
  in that draft.
- `POST /schedules/{id}/repair` applies events (a case cancelled with a reason code, an overrun,
  a table closed from a time, a surgeon absent, children added) and answers the repaired draft
  with `changes`, the published cases it moved.
- `POST /schedules/{id}/publish` publishes a draft.

Everyone who may see the mission's screening reads (viewers get no names); coordinators and
administrators change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from cleftmission.api.auth import allow, user_of
from cleftmission.api.common import MAX_ID, get_or_404, sent
from cleftmission.api.errors import invalid
from cleftmission.api.schemas import ERRORS, InputSchema
from cleftmission.core import roles
from cleftmission.missions.models import Mission
from cleftmission.scheduling import services
from cleftmission.scheduling.models import Schedule, ScheduledCase
from cleftmission.screening import queries
from cleftmission.screening.models import DeferralCode

router = Router(tags=["schedule"])

SEES_NAMES = roles.ANY_ROLE - {roles.Role.VIEWER}


class CaseOut(Schema):
    id: int
    visit_id: int
    child: str = Field(description="The child's name; the queue number for viewers")
    procedure: str
    minutes: int
    day: dt.date | None
    table_id: int | None
    table: str | None
    surgeon_id: int | None
    anesthetist_id: int | None
    start: str | None = Field(description="Clock time, HH:MM")
    end: str | None
    start_minute: int | None = Field(description="Minutes after the operating day's start")
    locked: bool
    unscheduled_reason: str
    unscheduled_code: str = Field(description="The solver's reason code (docs/scheduling-format.md)")
    cancel_code: str
    cancel_note: str


class ScheduleBrief(Schema):
    id: int
    mission_id: int
    number: int
    status: str = Field(description=", ".join(Schedule.Status.values))
    kind: str = Field(description=", ".join(Schedule.Kind.values))
    solver_status: str
    objective: int | None
    bound: int | None = Field(description="A proven lower bound on the objective")
    gap_pct: float | None
    cost: dict[str, int]
    changes: int = Field(description="Published cases moved by this repair")
    seconds: float
    days: list[dt.date]
    created_at: dt.datetime
    published_at: dt.datetime | None


class ScheduleOut(ScheduleBrief):
    summary: list[str] = Field(description="What made this version (events repaired, …), in the reader's language")
    cases: list[CaseOut]


class ScheduleList(Schema):
    items: list[ScheduleBrief]
    count: int


class BuildIn(InputSchema):
    time_limit: float = Field(services.BUILD_SECONDS, gt=0, le=60, description="Seconds the solver may take")


class CurrentParams(Schema):
    published: bool = False


class CasePatch(InputSchema):
    day: dt.date | None = None
    table_id: int | None = None
    surgeon_id: int | None = None
    locked: bool | None = None


class EventIn(InputSchema):
    type: Literal["cancel", "duration", "table_closed", "surgeon_absent", "add_case"]
    case_id: int | None = Field(None, description="cancel, duration: the scheduled case")
    reason: str | None = Field(None, description="cancel: " + ", ".join(DeferralCode.values))
    note: str = ""
    minutes: int | None = Field(None, description="duration: the minutes the case takes in all")
    table_id: int | None = Field(None, description="table_closed")
    day: dt.date | None = Field(None, description="table_closed, surgeon_absent")
    closes_at: dt.time | None = Field(None, description="table_closed: from this clock time (default: all day)")
    surgeon_id: int | None = Field(None, description="surgeon_absent: the surgeon's volunteer id")
    visit_id: int | None = Field(None, description="add_case: the accepted child's screening visit")


class RepairIn(InputSchema):
    events: list[EventIn] = Field(..., min_length=1)
    time_limit: float = Field(services.REPAIR_SECONDS, gt=0, le=60)


# ---- helpers -----------------------------------------------------------------------------


def _mission(request: HttpRequest, mission_id: int) -> Mission:
    mission = get_or_404(Mission.objects.all(), mission_id)
    if not queries.may_see_screening(user_of(request), mission):
        raise Http404
    return mission


def _schedule(request: HttpRequest, schedule_id: int) -> Schedule:
    schedule = get_or_404(Schedule.objects.select_related("mission"), schedule_id)
    if not queries.may_see_screening(user_of(request), schedule.mission):
        raise Http404
    return schedule


def _brief(schedule: Schedule) -> dict[str, Any]:
    return {
        "id": schedule.pk,
        "mission_id": schedule.mission_id,
        "number": schedule.number,
        "status": schedule.status,
        "kind": schedule.kind,
        "solver_status": schedule.solver_status,
        "objective": schedule.objective,
        "bound": schedule.bound,
        "gap_pct": None if schedule.gap_pct is None else round(schedule.gap_pct, 2),
        "cost": schedule.cost or {},
        "changes": schedule.changes,
        "seconds": schedule.seconds,
        "days": schedule.operating_days,
        "created_at": schedule.created_at,
        "published_at": schedule.published_at,
    }


def _case(row: ScheduledCase, mission: Mission, names: bool) -> dict[str, Any]:
    return {
        "id": row.pk,
        "visit_id": row.visit_id,
        "child": row.visit.patient.full_name if names else f"#{row.visit.queue_number}",
        "procedure": row.procedure,
        "minutes": row.minutes,
        "day": row.day,
        "table_id": row.table_id,
        "table": row.table.name if row.table else None,
        "surgeon_id": row.surgeon_id,
        "anesthetist_id": row.anesthetist_id,
        "start": services.clock_time(mission, row.start) or None,
        "end": services.clock_time(mission, row.end) or None,
        "start_minute": row.start,
        "locked": row.locked,
        "unscheduled_reason": row.unscheduled_reason,
        "unscheduled_code": row.unscheduled_code,
        "cancel_code": row.cancel_code,
        "cancel_note": row.cancel_note,
    }


def _full(request: HttpRequest, schedule: Schedule) -> dict[str, Any]:
    names = roles.has(user_of(request), SEES_NAMES)
    rows = list(schedule.cases.select_related("visit__patient", "table"))
    return {
        **_brief(schedule),
        "summary": services.summary(schedule, rows, show_names=names),
        "cases": [_case(r, schedule.mission, names) for r in rows],
    }


def _case_of(schedule: Schedule, case_id: int) -> ScheduledCase:
    return get_or_404(ScheduledCase.objects.filter(schedule=schedule).select_related("schedule__mission"), case_id)


# ---- endpoints ---------------------------------------------------------------------------


@router.get(
    "/missions/{int:mission_id}/schedules",
    response={200: ScheduleList, **ERRORS},
    summary="The versions of a mission's operating schedule, newest first",
)
def list_schedules(request: HttpRequest, mission_id: int) -> Any:
    mission = _mission(request, mission_id)
    schedules = list(Schedule.objects.filter(mission=mission))
    return {"items": [_brief(s) for s in schedules], "count": len(schedules)}


@router.post(
    "/missions/{int:mission_id}/schedules",
    response={201: ScheduleOut, **ERRORS},
    summary="Build a new draft schedule from the accepted children and the team",
    auth=allow(roles.MANAGE_PLANNING),
)
def build_schedule(request: HttpRequest, mission_id: int, payload: BuildIn) -> Any:
    mission = _mission(request, mission_id)
    schedule = services.build_schedule(mission=mission, acting_user=user_of(request), time_limit=payload.time_limit)
    return Status(201, _full(request, schedule))


@router.get(
    "/missions/{int:mission_id}/schedule",
    response={200: ScheduleOut, **ERRORS},
    summary="The current schedule: the draft if there is one, else the published one",
)
def current_schedule(request: HttpRequest, mission_id: int, params: Query[CurrentParams]) -> Any:
    mission = _mission(request, mission_id)
    schedule = services.published_schedule(mission) if params.published else services.current_schedule(mission)
    if schedule is None:
        raise Http404
    return _full(request, schedule)


@router.get("/schedules/{int:schedule_id}", response={200: ScheduleOut, **ERRORS}, summary="One schedule version")
def get_schedule(request: HttpRequest, schedule_id: int) -> Any:
    return _full(request, _schedule(request, schedule_id))


@router.get(
    "/schedules/{int:schedule_id}/problem",
    response={200: dict[str, Any], **ERRORS},
    summary="The solver's problem this version solved (docs/scheduling-format.md)",
    auth=allow(roles.MANAGE_PLANNING),
)
def get_problem(request: HttpRequest, schedule_id: int) -> Any:
    return _schedule(request, schedule_id).problem


@router.patch(
    "/schedules/{int:schedule_id}/cases/{int:case_id}",
    response={200: CaseOut, **ERRORS},
    summary="Move a case (day, table_id, surgeon_id; day null takes it off) or lock it",
    auth=allow(roles.MANAGE_PLANNING),
)
def change_case(request: HttpRequest, schedule_id: int, case_id: int, payload: CasePatch) -> Any:
    user = user_of(request)
    schedule = _schedule(request, schedule_id)
    row = _case_of(schedule, case_id)
    changes = sent(payload)
    if not changes:
        raise invalid([{"field": "", "message": _("Send day, table_id and surgeon_id to move, or locked.")}])
    if changes.keys() & {"day", "table_id", "surgeon_id"}:
        day = changes.get("day", row.day)
        table_id = changes.get("table_id", row.table_id)
        if day is not None and table_id is None:
            raise invalid([{"field": "table_id", "message": _("Choose one of the mission's tables.")}])
        row = services.move_case(
            case=row,
            move=services.Move(day=day, table_id=table_id, surgeon_id=changes.get("surgeon_id", row.surgeon_id)),
            acting_user=user,
        )
        row = ScheduledCase.objects.select_related("schedule__mission").get(pk=row.pk)
    if changes.get("locked") is not None:
        services.set_locked(case=row, locked=changes["locked"], acting_user=user)
    row = ScheduledCase.objects.select_related("visit__patient", "table", "schedule__mission").get(pk=row.pk)
    return _case(row, row.schedule.mission, roles.has(user, SEES_NAMES))


def _event(schedule: Schedule, event: EventIn, index: int) -> services.Event:
    field = f"events.{index}"

    def missing(name: str, message: str) -> Any:
        return invalid([{"field": f"{field}.{name}", "message": message}])

    if event.type in ("cancel", "duration"):
        row = (
            ScheduledCase.objects.filter(schedule=schedule, pk=event.case_id or 0)
            .select_related("visit__patient")
            .first()
        )
        if row is None:
            raise missing("case_id", _("There is no case with this id on this schedule."))
        if event.type == "cancel":
            if event.reason not in DeferralCode.values:
                raise missing("reason", _("Choose the reason for the cancellation."))
            return services.Event(type="cancel", case=row, cancel_code=event.reason or "", cancel_note=event.note)
        if event.minutes is None:
            raise missing("minutes", _("Give the case's minutes, between 5 and 900."))
        return services.Event(type="duration", case=row, minutes=event.minutes)
    if event.type in ("table_closed", "surgeon_absent") and event.day not in schedule.operating_days:
        raise missing("day", _("Choose one of the operating days."))
    if event.type == "table_closed":
        tables = {services.id_of(t["id"]) for t in schedule.problem.get("tables", [])}
        if event.table_id not in tables:
            raise missing("table_id", _("Choose one of the mission's tables."))
        minute = 0
        if event.closes_at is not None:
            start = schedule.mission.day_start
            minute = (event.closes_at.hour * 60 + event.closes_at.minute) - (start.hour * 60 + start.minute)
        return services.Event(type="table_closed", table_id=event.table_id, day=event.day, from_minute=minute)
    if event.type == "surgeon_absent":
        surgeons = {services.id_of(s["id"]) for s in schedule.problem.get("surgeons", [])}
        if event.surgeon_id not in surgeons:
            raise missing("surgeon_id", _("Choose one of the team's surgeons."))
        return services.Event(type="surgeon_absent", surgeon_id=event.surgeon_id, day=event.day)
    visit = None
    if event.visit_id and 0 < event.visit_id <= MAX_ID:
        visit = next((v for v in services.children_not_on(schedule) if v.pk == event.visit_id), None)
    if visit is None:
        raise missing("visit_id", _("Give a child accepted at this mission and not on the schedule."))
    return services.Event(type="add_case", visit=visit)


@router.post(
    "/schedules/{int:schedule_id}/repair",
    response={201: ScheduleOut, **ERRORS},
    summary="Repair a schedule after events; answers the repaired draft",
    auth=allow(roles.MANAGE_PLANNING),
)
def repair_schedule(request: HttpRequest, schedule_id: int, payload: RepairIn) -> Any:
    schedule = _schedule(request, schedule_id)
    events = [_event(schedule, e, i) for i, e in enumerate(payload.events)]
    repaired = services.repair(
        schedule=schedule, events=events, acting_user=user_of(request), time_limit=payload.time_limit
    )
    return Status(201, _full(request, repaired))


@router.post(
    "/schedules/{int:schedule_id}/publish",
    response={200: ScheduleBrief, **ERRORS},
    summary="Publish a draft: the schedule published before is replaced",
    auth=allow(roles.MANAGE_PLANNING),
)
def publish_schedule(request: HttpRequest, schedule_id: int) -> Any:
    schedule = _schedule(request, schedule_id)
    return _brief(services.publish_schedule(schedule=schedule, acting_user=user_of(request)))
