"""A child's journey: the story of the child across missions, in order. For each mission the
child came to: registration, the screening stations done, the decision, the operation (its
day, table, procedures and surgeon, the milestones, the checklist, the operative note,
complications), the discharge and the follow-up visits. Read in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import get_language

from cleftmission.followup.models import FollowUpVisit
from cleftmission.followup.queries import procedures_of
from cleftmission.patients.models import Patient
from cleftmission.screening.access import visible_photos
from cleftmission.screening.models import Decision, Photo, Procedure, ScreeningVisit, Station, StationEvaluation
from cleftmission.surgery import milestones as milestone_order
from cleftmission.surgery import services as surgery_services
from cleftmission.surgery.models import ChecklistPhase, Complication, Discharge, Milestone, OperativeNote, SurgicalCase


@dataclass
class Operation:
    case: SurgicalCase
    procedures: list[Procedure]
    milestones: list[Milestone]
    checklist: list[ChecklistPhase]
    note: OperativeNote | None
    complications: list[Complication]
    discharge: Discharge | None
    instructions: str  # the discharge instructions in the reader's language (else Vietnamese)
    days_in_hospital: int | None
    follow_ups: list[FollowUpVisit]


@dataclass
class Chapter:
    """One mission of the child's story."""

    visit: ScreeningVisit
    stations: list[StationEvaluation]  # done, in the stations' usual order
    weight_kg: str | None
    decision: Decision | None
    operation: Operation | None
    photos: list[Photo] = field(default_factory=list)

    @property
    def mission(self) -> Any:
        return self.visit.mission


def _one(obj: Any, name: str) -> Any:
    """A reverse one-to-one, or None when there is none."""
    try:
        return getattr(obj, name)
    except AttributeError:
        return None


def _operation(case: SurgicalCase, english: bool) -> Operation:
    visits_of: Any = case  # the follow-up visits' reverse relation (defined in followup.models)
    stamps = sorted(case.milestones.all(), key=lambda m: milestone_order.ORDER.index(m.kind))
    discharge = _one(case, "discharge")
    instructions = ""
    if discharge is not None:
        instructions = (discharge.instructions_en if english else "") or discharge.instructions_vi
    return Operation(
        case=case,
        procedures=procedures_of(case),
        milestones=stamps,
        checklist=list(case.checklist.all()),
        note=_one(case, "operative_note"),
        complications=list(case.complications.all()),
        discharge=discharge,
        instructions=instructions,
        days_in_hospital=surgery_services.days_in_hospital(case) if stamps else None,
        follow_ups=list(visits_of.follow_ups.all()),
    )


def chapters(patient: Patient, user: Any) -> list[Chapter]:
    """The child's missions, oldest first. Photos only for the roles that may see them."""
    ordered = Procedure.objects.order_by("kind", "code")
    visits = (
        patient.visits.select_related(
            "mission__site",
            "decision",
            "surgical_case__table",
            "surgical_case__surgeon",
            "surgical_case__anesthetist",
            "surgical_case__operative_note__surgeon",
            "surgical_case__operative_note__assistant",
            "surgical_case__discharge",
        )
        .prefetch_related(
            Prefetch("evaluations", queryset=StationEvaluation.objects.filter(status=StationEvaluation.Status.DONE)),
            Prefetch("decision__procedures", queryset=ordered),
            Prefetch("surgical_case__procedures", queryset=ordered),
            Prefetch("surgical_case__operative_note__procedures", queryset=ordered),
            Prefetch("surgical_case__milestones", queryset=Milestone.objects.select_related("recorded_by")),
            Prefetch("surgical_case__checklist", queryset=ChecklistPhase.objects.select_related("signed_by")),
            Prefetch("surgical_case__complications", queryset=Complication.objects.order_by("occurred_on", "pk")),
            Prefetch("surgical_case__follow_ups", queryset=FollowUpVisit.objects.order_by("due_date", "pk")),
        )
        .order_by("mission__start_date", "registered_at", "pk")
    )
    photos: dict[int, list[Photo]] = {}
    for photo in visible_photos(user).filter(visit__patient=patient).order_by("uploaded_at"):
        photos.setdefault(photo.visit_id, []).append(photo)
    english = (get_language() or "").startswith("en")
    story = []
    for visit in visits:
        done = {e.station: e for e in visit.evaluations.all()}
        vitals = done.get(Station.VITALS)
        weight = (vitals.data or {}).get("weight_kg") if vitals else None
        case = _one(visit, "surgical_case")
        story.append(
            Chapter(
                visit=visit,
                stations=[done[s] for s in Station.values if s in done],
                weight_kg=str(weight) if weight not in (None, "") else None,
                decision=_one(visit, "decision"),
                operation=_operation(case, english) if case is not None else None,
                photos=photos.get(visit.pk, []),
            )
        )
    return story
