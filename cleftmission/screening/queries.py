"""Screening-day reads shared by the board, the API and the pages: who may see a mission's
screening, who waits for which station, the board's counts and wait times, and the children
due for re-screen at a mission. Writes are in services.py.

"Decided" means the visit has a decision: record_decision sets the visit's outcome with it,
so a visit still at the outcome "registered" has none (and the board's query uses the
visit_mission_outcome_idx index).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cleftmission.core import roles
from cleftmission.missions.models import Mission
from cleftmission.patients.access import my_missions, visible_patients
from cleftmission.screening.models import Decision, ScreeningVisit, Station, StationEvaluation

LONGEST_WAITS = 10

# The outcomes a decided visit can have, in the order the board shows them.
DECIDED_OUTCOMES = [
    ScreeningVisit.Outcome.ACCEPTED,
    ScreeningVisit.Outcome.DEFERRED,
    ScreeningVisit.Outcome.REFERRED,
    ScreeningVisit.Outcome.OPERATED,
]


# ---- who sees which mission's screening -----------------------------------------------------


def screening_missions(user: Any) -> QuerySet[Mission]:
    """The missions whose screening the user may see: every mission for coordinators,
    administrators and viewers; clinicians and registrars only the missions they are on."""
    role = roles.role_of(user)
    if role in roles.SEE_ALL_CHILDREN:
        return Mission.objects.all()
    if role in (roles.Role.CLINICIAN, roles.Role.REGISTRAR):
        return my_missions(user)
    return Mission.objects.none()


def may_see_screening(user: Any, mission: Mission) -> bool:
    return screening_missions(user).filter(pk=mission.pk).exists()


def visible_mission(user: Any, mission_id: int) -> Mission:
    """A mission's page of the screening, schedule, operating days or report: the mission
    with its hospital (404 when there is none), refused (403) to a user who may not see its
    screening, such as a clinician not on it."""
    mission = get_object_or_404(Mission.objects.select_related("site"), pk=mission_id)
    if not may_see_screening(user, mission):
        raise PermissionDenied
    return mission


def visible_visits(user: Any) -> QuerySet[ScreeningVisit]:
    """The screening visits the user may see (as a subquery, so a user on a mission twice
    never doubles a row)."""
    role = roles.role_of(user)
    if role in roles.SEE_ALL_CHILDREN:
        return ScreeningVisit.objects.all()
    return ScreeningVisit.objects.filter(mission__in=screening_missions(user).values("pk"))


# ---- queues ---------------------------------------------------------------------------------


def undecided(mission: Mission) -> QuerySet[ScreeningVisit]:
    return ScreeningVisit.objects.filter(mission=mission, outcome=ScreeningVisit.Outcome.REGISTERED)


def station_done(station: str) -> Exists:
    """True for a visit whose `station` is done (not missing, not sent back)."""
    if station not in Station.values:
        raise ValueError(f"unknown station {station!r}")
    return Exists(
        StationEvaluation.objects.filter(visit=OuterRef("pk"), station=station, status=StationEvaluation.Status.DONE)
    )


def waiting_for(mission: Mission, station: str) -> QuerySet[ScreeningVisit]:
    """The children on the mission still to be seen at `station`: not yet done there, or sent
    back to it, and not yet decided; in queue order."""
    return undecided(mission).filter(~station_done(station)).select_related("patient").order_by("queue_number")


def routing_prefetch() -> Prefetch:
    """Each visit's evaluations, reduced to what routing needs (station and status)."""
    return Prefetch(
        "evaluations",
        queryset=StationEvaluation.objects.only("id", "visit_id", "station", "status").order_by("id"),
        to_attr="routing",
    )


def stations_with(evaluations: list[StationEvaluation], status: str) -> list[str]:
    """The stations (in their usual order) whose evaluation has this status."""
    have = {e.station for e in evaluations if e.status == status}
    return [s for s in Station.values if s in have]


def next_station(evaluations: list[StationEvaluation]) -> str | None:
    """The station a child waits for: the first one they were sent back to, else the first
    not yet done; None when every station is done (the child waits for the decision)."""
    sent_back = stations_with(evaluations, StationEvaluation.Status.SENT_BACK)
    if sent_back:
        return sent_back[0]
    done = set(stations_with(evaluations, StationEvaluation.Status.DONE))
    return next((s for s in Station.values if s not in done), None)


# ---- the board ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardCounts:
    registered: int
    undecided: int
    waiting: dict[str, int]  # station -> children still to be seen there, in Station order
    sent_back: dict[str, int]  # station -> children sent back to it
    decided: dict[str, int]  # outcome -> children, in DECIDED_OUTCOMES order

    @property
    def decided_total(self) -> int:
        return sum(self.decided.values())


def board_counts(mission: Mission) -> BoardCounts:
    """The screening board's figures, in two aggregate queries whatever the number of children."""
    by_outcome = dict(
        ScreeningVisit.objects.filter(mission=mission)
        .order_by()
        .values_list("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )
    pending = by_outcome.get(ScreeningVisit.Outcome.REGISTERED, 0)
    by_station: dict[tuple[str, str], int] = {
        (station, status): n
        for station, status, n in StationEvaluation.objects.filter(
            visit__mission=mission, visit__outcome=ScreeningVisit.Outcome.REGISTERED
        )
        .order_by()
        .values_list("station", "status")
        .annotate(n=Count("id"))
        .values_list("station", "status", "n")
    }
    return BoardCounts(
        registered=sum(by_outcome.values()),
        undecided=pending,
        waiting={s: pending - by_station.get((s, StationEvaluation.Status.DONE), 0) for s in Station.values},
        sent_back={s: by_station.get((s, StationEvaluation.Status.SENT_BACK), 0) for s in Station.values},
        decided={o.value: by_outcome.get(o, 0) for o in DECIDED_OUTCOMES},
    )


@dataclass(frozen=True)
class Wait:
    visit_id: int
    queue_number: int
    patient_id: int
    full_name: str
    station: str | None  # None: every station is done, the child waits for the decision
    minutes: int


@dataclass(frozen=True)
class WaitTimes:
    waiting: int  # undecided children
    median_minutes: int | None
    longest: list[Wait]


def _minutes(now: dt.datetime, since: dt.datetime) -> int:
    return max(0, int((now - since).total_seconds() // 60))


def wait_times(mission: Mission, now: dt.datetime | None = None, limit: int = LONGEST_WAITS) -> WaitTimes:
    """How long the undecided children have waited since registration: the median, and the
    `limit` longest waits (longest first) with the station each waits for."""
    now = now or timezone.now()
    pending = undecided(mission)
    minutes = [_minutes(now, at) for at in pending.values_list("registered_at", flat=True)]
    longest = (
        pending.select_related("patient")
        .prefetch_related(routing_prefetch())
        .order_by("registered_at", "queue_number")[:limit]
    )
    return WaitTimes(
        waiting=len(minutes),
        median_minutes=round(statistics.median(minutes)) if minutes else None,
        longest=[
            Wait(
                visit_id=v.pk,
                queue_number=v.queue_number,
                patient_id=v.patient_id,
                full_name=v.patient.full_name,
                station=next_station(v.routing),  # type: ignore[attr-defined]
                minutes=_minutes(now, v.registered_at),
            )
            for v in longest
        ],
    )


# ---- due for re-screen ----------------------------------------------------------------------


def due_for_rescreen(mission: Mission) -> QuerySet[Decision]:
    """The deferrals that bring children back to this mission: children deferred at an earlier
    mission at the same hospital with a re-screen date on or before this mission's last day,
    not yet registered at this mission and not merged into another record. Only the child's
    latest visit before this mission counts, so a child seen again since (and operated, or
    deferred elsewhere) is not called back on an old deferral. Soonest re-screen date first."""
    latest_before = (
        ScreeningVisit.objects.filter(patient=OuterRef("visit__patient"), mission__start_date__lt=mission.start_date)
        .order_by("-mission__start_date", "-registered_at", "-pk")
        .values("pk")[:1]
    )
    seen_here = ScreeningVisit.objects.filter(patient=OuterRef("visit__patient"), mission=mission)
    return (
        Decision.objects.filter(
            outcome=Decision.Outcome.DEFERRED,
            rescreen_date__isnull=False,
            rescreen_date__lte=mission.end_date,
            visit__mission__site_id=mission.site_id,
            visit__mission__start_date__lt=mission.start_date,
            visit__patient__merged_into__isnull=True,
        )
        .filter(~Exists(seen_here))
        .filter(visit_id=Subquery(latest_before))
        .select_related("visit__patient", "visit__mission")
        .order_by("rescreen_date", "visit__patient__search_name", "pk")
    )


@dataclass(frozen=True)
class RescreenList:
    """The due-for-re-screen section as one user may see it."""

    count: int  # every child due
    rows: list[Decision] | None  # those the user may see by name; None: the count only
    hidden: int  # due children the user may not see (not on their missions)


def rescreen_list_for(user: Any, mission: Mission) -> RescreenList:
    """Viewers see the count only; coordinators and administrators every child; clinicians
    and registrars the children they may see (those of missions they were on)."""
    due = list(due_for_rescreen(mission))
    role = roles.role_of(user)
    if role in (roles.Role.ADMINISTRATOR, roles.Role.COORDINATOR):
        return RescreenList(count=len(due), rows=due, hidden=0)
    if role in (roles.Role.CLINICIAN, roles.Role.REGISTRAR):
        ids = [d.visit.patient_id for d in due]
        visible = set(visible_patients(user).filter(pk__in=ids).values_list("pk", flat=True))
        rows = [d for d in due if d.visit.patient_id in visible]
        return RescreenList(count=len(due), rows=rows, hidden=len(due) - len(rows))
    return RescreenList(count=len(due), rows=None, hidden=len(due))
