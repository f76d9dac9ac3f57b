"""The facts the recall rules (recall.py) need, read from the database in a fixed number of
queries, and the recall list as a user may see it.

The children considered are those seen at earlier missions at the mission's hospital, not
merged into another record and not yet registered at this mission. What was operated is read
from each operated visit: the operative note's procedures, else the case's planned ones, else
(visits recorded before operations were) the decision's accepted procedures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cleftmission.core import roles
from cleftmission.followup import recall
from cleftmission.followup.models import FollowUpVisit
from cleftmission.missions.models import Mission
from cleftmission.patients.access import visible_patients
from cleftmission.patients.models import Guardian, Patient
from cleftmission.screening import queries as screening_queries
from cleftmission.screening.models import Decision, DeferralCode, Procedure, ScreeningVisit, Station, StationEvaluation
from cleftmission.surgery.models import Complication, OperativeNote, SurgicalCase

BONE_GRAFT_CODE = "bone_graft"
REASON_LABELS = {
    recall.RESCREEN: gettext_lazy("Due for re-screen"),
    recall.PALATE: gettext_lazy("Palate after lip"),
    recall.BONE_GRAFT: gettext_lazy("Alveolar bone graft"),
    recall.FOLLOW_UP: gettext_lazy("Follow-up visit due"),
}


def rules_for(mission: Mission) -> recall.Rules:
    return recall.Rules(
        first_day=mission.start_date,
        last_day=mission.end_date,
        palate_min_age_months=mission.palate_min_age_months,
        palate_min_weight_kg=mission.palate_min_weight_kg,
    )


def _pool(mission: Mission) -> QuerySet[Patient]:
    earlier_here = Mission.objects.filter(site_id=mission.site_id, start_date__lt=mission.start_date).values("pk")
    seen_before = ScreeningVisit.objects.filter(mission__in=earlier_here).values("patient_id")
    here = ScreeningVisit.objects.filter(mission=mission).values("patient_id")
    return Patient.objects.filter(pk__in=seen_before, merged_into__isnull=True).exclude(pk__in=here)


def _operated(ids: QuerySet[Any]) -> dict[int, set[tuple[str, str]]]:
    """Per child, the (kind, code) of every procedure operated."""
    done: dict[int, set[tuple[str, str]]] = defaultdict(set)
    operated = ScreeningVisit.objects.filter(patient_id__in=ids, outcome=ScreeningVisit.Outcome.OPERATED)
    noted = OperativeNote.procedures.through.objects.filter(operativenote__case__visit__in=operated).values_list(
        "operativenote__case__visit__patient_id", "procedure__kind", "procedure__code"
    )
    with_note = OperativeNote.objects.filter(case__visit__in=operated, procedures__isnull=False).values("case_id")
    planned = (
        SurgicalCase.procedures.through.objects.filter(surgicalcase__visit__in=operated)
        .exclude(surgicalcase_id__in=with_note)
        .values_list("surgicalcase__visit__patient_id", "procedure__kind", "procedure__code")
    )
    with_case = SurgicalCase.objects.filter(visit__in=operated).values("visit_id")
    decided = (
        Decision.procedures.through.objects.filter(decision__visit__in=operated)
        .exclude(decision__visit_id__in=with_case)
        .values_list("decision__visit__patient_id", "procedure__kind", "procedure__code")
    )
    for rows in (noted, planned, decided):
        for patient_id, kind, code in rows:
            done[patient_id].add((kind, code))
    return done


def _weight(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        kg = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return kg if kg.is_finite() and kg > 0 else None


def _weights(ids: QuerySet[Any]) -> dict[int, recall.Weight]:
    """Per child, the latest weight known: at a vitals station or a follow-up visit."""
    latest: dict[int, recall.Weight] = {}

    def keep(patient_id: int, kg: Decimal | None, on: dt.date) -> None:
        if kg is not None and (patient_id not in latest or on >= latest[patient_id].on):
            latest[patient_id] = recall.Weight(kg, on)

    vitals = StationEvaluation.objects.filter(
        visit__patient_id__in=ids, station=Station.VITALS, status=StationEvaluation.Status.DONE
    ).values_list("visit__patient_id", "data", "recorded_at")
    for patient_id, data, at in vitals:
        keep(patient_id, _weight((data or {}).get("weight_kg")), timezone.localtime(at).date())
    seen = FollowUpVisit.objects.filter(
        case__visit__patient_id__in=ids, status=FollowUpVisit.Status.SEEN, weight_kg__isnull=False
    ).values_list("case__visit__patient_id", "weight_kg", "seen_on")
    for patient_id, kg, on in seen:
        if on is not None:
            keep(patient_id, _weight(kg), on)
    return latest


def _last_seen(ids: QuerySet[Any]) -> dict[int, dt.date]:
    last: dict[int, dt.date] = {}
    for patient_id, at in (
        ScreeningVisit.objects.filter(patient_id__in=ids)
        .values("patient_id")
        .annotate(last=Max("registered_at"))
        .values_list("patient_id", "last")
    ):
        last[patient_id] = timezone.localtime(at).date()
    for patient_id, on in (
        FollowUpVisit.objects.filter(case__visit__patient_id__in=ids, status=FollowUpVisit.Status.SEEN)
        .values("case__visit__patient_id")
        .annotate(last=Max("seen_on"))
        .values_list("case__visit__patient_id", "last")
    ):
        if on is not None and on > last.get(patient_id, dt.date.min):
            last[patient_id] = on
    return last


@dataclass(frozen=True)
class Entry:
    """One child on the recall list, as the page and the export show it."""

    patient: Patient
    age_months: int
    reasons: tuple[recall.Reason, ...]
    last_seen: dt.date | None
    guardians: list[Guardian] | None  # None: not shown to this user's role

    @property
    def age(self) -> tuple[int, int]:
        return divmod(self.age_months, 12)


@dataclass(frozen=True)
class RecallList:
    mission: Mission
    entries: list[Entry]
    hidden: int  # children due whom the user may not see by name (not on their missions)
    missions: dict[int, Mission]  # where children were deferred

    @property
    def count(self) -> int:
        return len(self.entries) + self.hidden

    def by_reason(self) -> list[tuple[str, str, int]]:
        """(code, label, children shown) per reason, in the rules' order; a child counts once per reason."""
        counts = {code: 0 for code in recall.REASONS}
        for entry in self.entries:
            for code in {r.code for r in entry.reasons}:
                counts[code] += 1
        return [(code, str(REASON_LABELS[code]), n) for code, n in counts.items()]


def children_to_recall(mission: Mission) -> tuple[list[recall.Recall], dict[int, Mission]]:
    """The recall rules' answer for a mission, and the missions the deferrals were made at."""
    pool = _pool(mission)
    deferrals = {d.visit.patient_id: d for d in screening_queries.due_for_rescreen(mission)}
    ids = pool.values("pk")
    operated = _operated(ids)
    weights = _weights(ids)
    planned: dict[int, list[dt.date]] = defaultdict(list)
    for patient_id, due in FollowUpVisit.objects.filter(
        case__visit__patient_id__in=ids, status=FollowUpVisit.Status.PLANNED
    ).values_list("case__visit__patient_id", "due_date"):
        planned[patient_id].append(due)
    deceased = set(
        Complication.objects.filter(case__visit__patient_id__in=ids, kind=Complication.Kind.DEATH).values_list(
            "case__visit__patient_id", flat=True
        )
    )
    children = []
    for patient_id, name, born, code in pool.values_list("pk", "search_name", "date_of_birth", "lahshal"):
        done = operated.get(patient_id, set())
        decision = deferrals.get(patient_id)
        children.append(
            recall.Child(
                patient_id=patient_id,
                name=name,
                date_of_birth=born,
                lahshal=code,
                lip_repaired=any(kind == Procedure.Kind.PRIMARY_LIP for kind, _code in done),
                palate_repaired=any(kind == Procedure.Kind.PRIMARY_PALATE for kind, _code in done),
                bone_graft_done=any(code == BONE_GRAFT_CODE for _kind, code in done),
                weight=weights.get(patient_id),
                deferral=(
                    recall.Deferral(decision.deferral_code, decision.rescreen_date, decision.visit.mission_id)
                    if decision is not None and decision.rescreen_date is not None
                    else None
                ),
                follow_ups_due=tuple(planned.get(patient_id, ())),
                deceased=patient_id in deceased,
            )
        )
    missions = {d.visit.mission_id: d.visit.mission for d in deferrals.values()}
    return recall.recall(children, rules_for(mission)), missions


def recall_list_for(user: Any, mission: Mission) -> RecallList:
    """The recall list as this user may see it: every child for coordinators, administrators
    and viewers; for clinicians and registrars the children they may see, the others counted.
    Guardians and phones only for the roles that may see contact details."""
    rows, missions = children_to_recall(mission)
    ids = [r.patient_id for r in rows]
    if roles.role_of(user) not in roles.SEE_ALL_CHILDREN:
        allowed = set(visible_patients(user).filter(pk__in=ids).values_list("pk", flat=True))
        shown = [r for r in rows if r.patient_id in allowed]
    else:
        shown = rows
    contacts = roles.has(user, roles.SEE_CONTACTS)
    patients = Patient.objects.in_bulk([r.patient_id for r in shown])
    guardians: dict[int, list[Guardian]] = defaultdict(list)
    if contacts:
        for guardian in Guardian.objects.filter(patient_id__in=list(patients)).order_by("id"):
            guardians[guardian.patient_id].append(guardian)
    last = _last_seen(Patient.objects.filter(pk__in=list(patients)).values("pk"))
    entries = [
        Entry(
            patient=patients[r.patient_id],
            age_months=r.age_months,
            reasons=r.reasons,
            last_seen=last.get(r.patient_id),
            guardians=guardians.get(r.patient_id, []) if contacts else None,
        )
        for r in shown
    ]
    return RecallList(mission=mission, entries=entries, hidden=len(rows) - len(shown), missions=missions)


def describe(reason: recall.Reason, missions: dict[int, Mission]) -> str:
    """A reason in the reader's language, as the page and the export say it."""
    if reason.code == recall.RESCREEN and reason.deferral is not None:
        deferral = reason.deferral
        where = missions.get(deferral.mission_id)
        label = DeferralCode(deferral.code).label if deferral.code in DeferralCode.values else deferral.code
        return _("Deferred (%(reason)s) at %(mission)s; re-screen from %(date)s") % {
            "reason": label,
            "mission": where.name if where else "?",
            "date": date_format(deferral.rescreen_date, "SHORT_DATE_FORMAT"),
        }
    if reason.code == recall.PALATE:
        text = _("Palate repair: lip repaired, palate not yet")
        if reason.weight_to_check:
            text += " · " + _("no recent weight: weigh at screening")
        return str(text)
    if reason.code == recall.BONE_GRAFT:
        return _("Alveolar bone graft: %(low)s to %(high)s years old, none yet") % {
            "low": recall.Rules.bone_graft_min_years,
            "high": recall.Rules.bone_graft_max_years,
        }
    if reason.code == recall.FOLLOW_UP and reason.on is not None:
        return _("Follow-up visit due %(date)s") % {"date": date_format(reason.on, "SHORT_DATE_FORMAT")}
    return reason.code
