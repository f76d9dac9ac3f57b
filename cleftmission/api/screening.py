"""Screening day: a mission's visits, each station's evaluation, sending a child back, the
decision, and the screening board's figures.

Clinicians and registrars see only the visits of the missions they are on (other visits
answer 404); coordinators, administrators and viewers see every mission. Station evaluations
and decisions are validated by the station pages' own forms and saved by the same services.
Each saved evaluation and decision carries a `version`: send back the version you read, and
if someone saved in between the answer is 409 with what is stored now in `current`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from cleftmission.api.auth import allow, user_of
from cleftmission.api.common import MAX_ID, get_or_404
from cleftmission.api.errors import ApiError, invalid, invalid_form
from cleftmission.api.schemas import ERRORS, ErrorOut, InputSchema, PageParams
from cleftmission.core import roles
from cleftmission.missions.models import Mission
from cleftmission.patients import services as patient_services
from cleftmission.patients.access import missions_for_registration
from cleftmission.patients.models import Patient
from cleftmission.screening import queries, services
from cleftmission.screening.access import ROUTE_CHILDREN
from cleftmission.screening.forms import STATION_FORMS, DecisionForm
from cleftmission.screening.models import Decision, ScreeningVisit, Station, StationEvaluation

router = Router(tags=["screening"])

STATIONS = ", ".join(Station.values)
# Computed by the server from weight and length; a client sending back what it read is not refused.
COMPUTED_VITALS = {"waz", "laz", "wlz"}


# ---- shapes -------------------------------------------------------------------------------


class VisitIn(InputSchema):
    patient_id: int = Field(description="The child's id (a child already known, or just created with POST /patients)")


class VisitOut(Schema):
    id: int
    queue_number: int
    patient_id: int
    mission_id: int
    outcome: str = Field(description=", ".join(ScreeningVisit.Outcome.values))
    registered_at: dt.datetime


class VisitSummary(VisitOut):
    full_name: str
    record_number: str
    stations_done: list[str] = Field(description="In the stations' usual order")
    stations_sent_back: list[str]

    @staticmethod
    def resolve_full_name(obj: ScreeningVisit) -> str:
        return obj.patient.full_name

    @staticmethod
    def resolve_record_number(obj: ScreeningVisit) -> str:
        return obj.patient.record_number

    @staticmethod
    def resolve_stations_done(obj: ScreeningVisit) -> list[str]:
        return queries.stations_with(obj.routing, StationEvaluation.Status.DONE)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_stations_sent_back(obj: ScreeningVisit) -> list[str]:
        return queries.stations_with(obj.routing, StationEvaluation.Status.SENT_BACK)  # type: ignore[attr-defined]


class VisitList(Schema):
    items: list[VisitSummary]
    count: int


class VisitFilters(PageParams):
    station: str | None = Field(
        None,
        description=f"With waiting=true, the children still to be seen at this station ({STATIONS}): not yet "
        "done there, or sent back to it; otherwise the children whose station is done",
    )
    waiting: bool | None = Field(
        None, description="true: children without a decision yet; false: children with a decision"
    )


class ChildOut(Schema):
    id: int
    record_number: str
    full_name: str
    sex: str
    date_of_birth: dt.date


class EvaluationOut(Schema):
    station: str
    data: dict[str, Any]
    note: str
    status: str = Field(description="done, or sent_back (the child is to be seen again at this station)")
    sent_back_reason: str
    version: int
    recorded_at: dt.datetime


class FindingOut(Schema):
    rule: str
    result: str = Field(description="pass, warn, fail or missing")
    value: str
    threshold: str
    deferral_code: str | None
    message: str


class DecisionOut(Schema):
    outcome: str
    procedures: list[str]
    estimated_minutes: int | None
    priority: int | None
    deferral_code: str
    deferral_note: str
    rescreen_date: dt.date | None
    referral: str
    referred_to: str
    override_reason: str
    failing_rules: list[str] = Field(description="The rules failing when the child was accepted (overridden)")
    decided_at: dt.datetime
    version: int

    @staticmethod
    def resolve_procedures(obj: Decision) -> list[str]:
        return sorted(p.code for p in obj.procedures.all())


class VisitDetail(Schema):
    id: int
    queue_number: int
    patient: ChildOut
    mission_id: int
    outcome: str
    registered_at: dt.datetime
    decided_at: dt.datetime | None
    evaluations: dict[str, EvaluationOut] = Field(description="By station; stations not yet seen are absent")
    findings: list[FindingOut] = Field(description="The eligibility rules, with the mission's thresholds")
    decision: DecisionOut | None


class EvaluationIn(InputSchema):
    data: dict[str, Any] = Field(default_factory=dict, description="The station form's fields")
    note: str = ""
    version: int | None = Field(None, description="The version you read; null for a first entry")


class SendBackIn(InputSchema):
    station: str = Field(description=STATIONS)
    reason: str


class DecisionIn(InputSchema):
    outcome: str = Field(description=", ".join(Decision.Outcome.values))
    procedures: list[str] = Field(default_factory=list, description="Procedure codes (accepted)")
    estimated_minutes: int | None = Field(None, description="Accepted; empty: the procedures' planning minutes")
    priority: int | None = Field(None, description="Accepted: 1 most urgent, 5 least; empty: 3")
    deferral_code: str = ""
    deferral_note: str = ""
    rescreen_date: dt.date | None = None
    referral: str = ""
    referred_to: str = ""
    override_reason: str = Field("", description="Needed to accept a child against a failing rule")
    version: int | None = Field(None, description="The version you read; null for a first decision")


class EvaluationConflict(ErrorOut):
    current: EvaluationOut | None = Field(description="The evaluation as stored now")


class DecisionConflict(ErrorOut):
    current: DecisionOut | None = Field(description="The decision as stored now")


class WaitOut(Schema):
    visit_id: int
    queue_number: int
    full_name: str | None = Field(None, description="Left out for viewers")
    station: str | None = Field(description="The station the child waits for; null: every station is done")
    minutes: int


class BoardOut(Schema):
    mission_id: int
    as_of: dt.datetime
    registered: int
    undecided: int
    waiting: dict[str, int] = Field(description="Children still to be seen at each station, without a decision")
    sent_back: dict[str, int] = Field(description="Of those, the children sent back to the station")
    decided: dict[str, int] = Field(description="Children by decision outcome")
    median_wait_minutes: int | None = Field(description="Since registration, children without a decision")
    longest_waits: list[WaitOut]


# ---- helpers ------------------------------------------------------------------------------


def _visible_mission(user: Any, mission_id: int) -> Mission:
    """The mission, if it exists (404) and the caller may see its screening (403)."""
    mission = get_or_404(Mission.objects.all(), mission_id)
    if not queries.may_see_screening(user, mission):
        raise PermissionDenied(_("You are not on this mission's team."))
    return mission


def _visits(user: Any) -> QuerySet[ScreeningVisit]:
    return queries.visible_visits(user).select_related("patient", "mission")


def _with_details(visits: QuerySet[ScreeningVisit]) -> QuerySet[ScreeningVisit]:
    return visits.select_related("decision").prefetch_related(
        Prefetch("evaluations", queryset=StationEvaluation.objects.order_by("id")), "decision__procedures"
    )


def _decision_of(visit: ScreeningVisit) -> Decision | None:
    try:
        return visit.decision
    except Decision.DoesNotExist:
        return None


def _station(station: str) -> str:
    if station not in Station.values:
        raise invalid([{"field": "station", "message": _("Unknown station; one of: %(s)s.") % {"s": STATIONS}}])
    return station


def _conflict(exc: services.ConflictError, current: Any) -> Status[dict[str, Any]]:
    detail = str(exc)
    return Status(409, {"detail": detail, "errors": [{"field": "version", "message": detail}], "current": current})


# ---- visits -------------------------------------------------------------------------------


@router.post(
    "/missions/{int:mission_id}/visits",
    response={200: VisitOut, 201: VisitOut, **ERRORS},
    summary="Register a child at a mission (a child already registered: their visit, 200)",
    auth=allow(roles.REGISTER_CHILDREN),
)
def register_visit(request: HttpRequest, mission_id: int, payload: VisitIn) -> Any:
    user = user_of(request)
    mission = _visible_mission(user, mission_id)
    if not missions_for_registration(user).filter(pk=mission.pk).exists():
        raise ApiError(409, _("This mission is closed; children can no longer be registered."))
    patient = Patient.objects.filter(pk=payload.patient_id).first() if 0 < payload.patient_id <= MAX_ID else None
    if patient is None:
        raise invalid([{"field": "patient_id", "message": _("There is no child with this id.")}])
    if patient.merged_into_id is not None:
        message = _("This record was merged into %(record)s; register that one.") % {
            "record": patient.merged_into.record_number  # type: ignore[union-attr]
        }
        raise invalid([{"field": "patient_id", "message": message}])
    existing = ScreeningVisit.objects.filter(patient=patient, mission=mission).first()
    if existing is not None:
        return Status(200, existing)
    visit = patient_services.register_visit(patient=patient, mission=mission, acting_user=user)
    return Status(201, visit)


@router.get(
    "/missions/{int:mission_id}/visits",
    response={200: VisitList, **ERRORS},
    summary="List a mission's visits in queue order, or the children waiting for a station",
    auth=allow(roles.ANY_ROLE),
)
def list_visits(request: HttpRequest, mission_id: int, params: Query[VisitFilters]) -> Any:
    user = user_of(request)
    mission = _visible_mission(user, mission_id)
    station = _station(params.station) if params.station is not None else None
    visits: QuerySet[ScreeningVisit]
    if params.waiting and station:
        visits = queries.waiting_for(mission, station)
    else:
        visits = ScreeningVisit.objects.filter(mission=mission)
        if params.waiting is not None:
            registered = ScreeningVisit.Outcome.REGISTERED
            visits = visits.filter(outcome=registered) if params.waiting else visits.exclude(outcome=registered)
        if station:
            visits = visits.filter(queries.station_done(station))
    items = visits.select_related("patient").prefetch_related(queries.routing_prefetch()).order_by("queue_number")
    return {"items": list(items[params.offset : params.offset + params.limit]), "count": visits.count()}


@router.get(
    "/visits/{int:visit_id}",
    response={200: VisitDetail, **ERRORS},
    summary="Get a visit: the child, each station's evaluation, the eligibility findings and the decision",
    auth=allow(roles.ANY_ROLE),
)
def get_visit(request: HttpRequest, visit_id: int) -> Any:
    visit = get_or_404(_with_details(_visits(user_of(request))), visit_id)
    return {
        "id": visit.pk,
        "queue_number": visit.queue_number,
        "patient": visit.patient,
        "mission_id": visit.mission_id,
        "outcome": visit.outcome,
        "registered_at": visit.registered_at,
        "decided_at": visit.decided_at,
        "evaluations": {e.station: e for e in visit.evaluations.all()},
        "findings": [{**asdict(f), "result": str(f.result)} for f in services.assess(visit).findings],
        "decision": _decision_of(visit),
    }


# ---- evaluations, sending back, decisions --------------------------------------------------


@router.put(
    "/visits/{int:visit_id}/evaluations/{station}",
    response={200: EvaluationOut, **ERRORS, 409: EvaluationConflict},
    summary="Record a station's evaluation (send the version you read)",
    auth=allow(roles.EDIT_CLINICAL),
)
def put_evaluation(request: HttpRequest, visit_id: int, station: str, payload: EvaluationIn) -> Any:
    user = user_of(request)
    visit = get_or_404(_visits(user), visit_id)
    station = _station(station)
    form_class = STATION_FORMS[station]
    unknown = set(payload.data) - set(form_class.base_fields) - COMPUTED_VITALS - {"note"}
    if unknown:
        raise invalid([{"field": name, "message": _("Unknown field for this station.")} for name in sorted(unknown)])
    data = {k: v for k, v in payload.data.items() if k not in COMPUTED_VITALS and k != "note"}
    form = form_class(data={**data, "note": payload.note})
    if not form.is_valid():
        raise invalid_form(form)
    try:
        return services.record_evaluation(
            visit=visit,
            station=station,
            data=form.json_data(),
            note=form.cleaned_data["note"],
            expected_version=payload.version,
            acting_user=user,
        )
    except services.ConflictError as exc:
        return _conflict(exc, exc.current)


@router.post(
    "/visits/{int:visit_id}/send-back",
    response={200: EvaluationOut, **ERRORS},
    summary="Send the child back to a station, saying why (clinicians and registrars, as on the station pages)",
    auth=allow(ROUTE_CHILDREN),
)
def send_back(request: HttpRequest, visit_id: int, payload: SendBackIn) -> Any:
    user = user_of(request)
    visit = get_or_404(_visits(user), visit_id)
    return services.send_back(visit=visit, station=payload.station, reason=payload.reason, acting_user=user)


@router.put(
    "/visits/{int:visit_id}/decision",
    response={200: DecisionOut, **ERRORS, 409: DecisionConflict},
    summary="Accept, defer or refer the child (send the version you read)",
    auth=allow(roles.EDIT_CLINICAL),
)
def put_decision(request: HttpRequest, visit_id: int, payload: DecisionIn) -> Any:
    user = user_of(request)
    visit = get_or_404(_visits(user), visit_id)
    sent = payload.model_dump(exclude={"version"})
    form = DecisionForm(
        data={
            **{k: "" if v is None else v for k, v in sent.items()},
            "procedures": sent["procedures"],
            "rescreen_date": sent["rescreen_date"].isoformat() if sent["rescreen_date"] else "",
        }
    )
    if not form.is_valid():
        raise invalid_form(form)
    try:
        decision = services.record_decision(
            visit=visit, data=form.cleaned_data, expected_version=payload.version, acting_user=user
        )
    except services.ConflictError as exc:
        return _conflict(exc, exc.current)
    return Decision.objects.prefetch_related("procedures").get(pk=decision.pk)


# ---- the board ----------------------------------------------------------------------------


@router.get(
    "/missions/{int:mission_id}/screening-board",
    response={200: BoardOut, **ERRORS},
    summary="The screening board: children registered, waiting at each station, decided; wait times",
    auth=allow(roles.ANY_ROLE),
)
def screening_board(request: HttpRequest, mission_id: int) -> Any:
    user = user_of(request)
    mission = _visible_mission(user, mission_id)
    now = timezone.now()
    counts = queries.board_counts(mission)
    waits = queries.wait_times(mission, now=now)
    names = roles.role_of(user) != roles.Role.VIEWER
    return {
        "mission_id": mission.pk,
        "as_of": now,
        "registered": counts.registered,
        "undecided": counts.undecided,
        "waiting": counts.waiting,
        "sent_back": counts.sent_back,
        "decided": counts.decided,
        "median_wait_minutes": waits.median_minutes,
        "longest_waits": [
            {
                "visit_id": w.visit_id,
                "queue_number": w.queue_number,
                "full_name": w.full_name if names else None,
                "station": w.station,
                "minutes": w.minutes,
            }
            for w in waits.longest
        ],
    }
