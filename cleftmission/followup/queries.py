"""Follow-up reads shared by the pages and the API: which visits a user may see, the overdue
visits and those due soon, and what an operation was. Writes are in services.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from cleftmission.core import roles
from cleftmission.followup.models import FollowUpVisit
from cleftmission.missions.models import Mission
from cleftmission.patients.access import visible_patients
from cleftmission.patients.models import Guardian
from cleftmission.screening.models import Procedure
from cleftmission.surgery.models import Complication, SurgicalCase

DUE_SOON_DAYS = 14
# Who records a visit's outcome and plans visits: the clinical roles (findings are clinical).
RECORD_FOLLOW_UP = roles.EDIT_CLINICAL


def visible_follow_ups(user: Any) -> QuerySet[FollowUpVisit]:
    """The follow-up visits of the children the user may see: every child for coordinators,
    administrators and viewers; for clinicians and registrars the children of the missions
    they are on (as on the child's page)."""
    role = roles.role_of(user)
    if role in roles.SEE_ALL_CHILDREN:
        return FollowUpVisit.objects.filter(case__visit__patient__merged_into__isnull=True)
    if role in (roles.Role.CLINICIAN, roles.Role.REGISTRAR):
        return FollowUpVisit.objects.filter(case__visit__patient__in=visible_patients(user).values("pk"))
    return FollowUpVisit.objects.none()


def with_details(visits: QuerySet[FollowUpVisit], *, contacts: bool) -> QuerySet[FollowUpVisit]:
    """What a list row shows: the child, the operation (mission, day, procedures) and, for
    the roles that may see them, the guardians, in a fixed number of queries."""
    visits = visits.select_related(
        "case__visit__patient", "case__mission__site", "case__surgeon", "case__operative_note"
    ).prefetch_related(
        Prefetch("case__procedures", queryset=Procedure.objects.order_by("kind", "code")),
        Prefetch("case__operative_note__procedures", queryset=Procedure.objects.order_by("kind", "code")),
    )
    if contacts:
        visits = visits.prefetch_related(
            Prefetch("case__visit__patient__guardians", queryset=Guardian.objects.order_by("id"))
        )
    return visits


def _to_call(visits: QuerySet[FollowUpVisit]) -> QuerySet[FollowUpVisit]:
    """Planned visits, leaving out children who died (an ICHOM complication recorded): the
    phone team must never call a bereaved family for a check-up."""
    died = Complication.objects.filter(
        kind=Complication.Kind.DEATH, case__visit__patient=OuterRef("case__visit__patient")
    )
    return visits.filter(status=FollowUpVisit.Status.PLANNED).filter(~Exists(died))


def overdue(visits: QuerySet[FollowUpVisit], today: dt.date) -> QuerySet[FollowUpVisit]:
    """Planned visits whose due date has passed, the oldest first."""
    return _to_call(visits).filter(due_date__lt=today).order_by("due_date", "case__visit__patient__search_name", "pk")


def due_soon(visits: QuerySet[FollowUpVisit], today: dt.date, days: int = DUE_SOON_DAYS) -> QuerySet[FollowUpVisit]:
    """Planned visits due from today to `days` days ahead, soonest first."""
    return (
        _to_call(visits)
        .filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=days))
        .order_by("due_date", "case__visit__patient__search_name", "pk")
    )


def filtered(visits: QuerySet[FollowUpVisit], *, site: int | None, mission: int | None) -> QuerySet[FollowUpVisit]:
    """Visits of operations at one hospital, at one mission."""
    if site is not None:
        visits = visits.filter(case__mission__site_id=site)
    if mission is not None:
        visits = visits.filter(case__mission_id=mission)
    return visits


def procedures_of(case: SurgicalCase) -> list[Procedure]:
    """The procedures done (the operative note's) or, before the note is written, planned."""
    # A case without a note raises RelatedObjectDoesNotExist, an AttributeError: hasattr is False.
    if hasattr(case, "operative_note"):
        done = list(case.operative_note.procedures.all())
        if done:
            return done
    return list(case.procedures.all())


def operation_text(case: SurgicalCase) -> str:
    return ", ".join(str(p) for p in procedures_of(case))


def days_overdue(visit: FollowUpVisit, today: dt.date) -> int:
    return max(0, (today - visit.due_date).days)


def missions_with_cases(user: Any) -> QuerySet[Mission]:
    """The missions a user may filter the follow-up lists by: those with operations whose
    children the user may see."""
    return (
        Mission.objects.filter(pk__in=visible_follow_ups(user).values("case__mission_id"))
        .select_related("site")
        .order_by("-start_date", "-pk")
    )
