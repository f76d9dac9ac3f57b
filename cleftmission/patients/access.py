"""Which children a user may see. Clinicians and registrars see the children of the
missions they are on; coordinators, administrators and viewers see every child."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cleftmission.core import roles
from cleftmission.missions.models import Mission
from cleftmission.patients.models import Patient
from cleftmission.screening.models import ScreeningVisit


def my_missions(user: Any) -> QuerySet[Mission]:
    """The missions the user is on (as a team member)."""
    return Mission.objects.filter(members__volunteer__user=user)


def visible_patients(user: Any, *, include_merged: bool = False) -> QuerySet[Patient]:
    """Records merged into another are left out (lists, search, counts) unless
    `include_merged`: the merged record's own page still opens, to show where it went."""
    role = roles.role_of(user)
    if role in roles.SEE_ALL_CHILDREN:
        patients = Patient.objects.all()
    elif role in (roles.Role.CLINICIAN, roles.Role.REGISTRAR):
        # pk IN (the children of my missions): a few hundred rows, not a subquery per child
        on_my_missions = ScreeningVisit.objects.filter(mission__members__volunteer__user=user).values("patient_id")
        patients = Patient.objects.filter(pk__in=on_my_missions)
    else:
        return Patient.objects.none()
    return patients if include_merged else patients.filter(merged_into__isnull=True)


def intake_candidates(user: Any) -> QuerySet[Patient]:
    """The children a family at the gate is matched against: every child not merged away,
    for whoever may register children. A registrar must find the child known from an earlier
    mission they were not on; the intake page shows only what recognises a child (name, date
    of birth, province, earlier missions), only for the best matches of what was typed, and
    picking one puts the child on the registrar's mission."""
    if roles.role_of(user) in roles.REGISTER_CHILDREN:
        return Patient.objects.filter(merged_into__isnull=True)
    return Patient.objects.none()


def missions_for_registration(user: Any) -> QuerySet[Mission]:
    """Missions a user may register children for: their own, or any open one for coordinators."""
    role = roles.role_of(user)
    open_missions = Mission.objects.exclude(phase=Mission.Phase.CLOSED)
    if role in (roles.Role.ADMINISTRATOR, roles.Role.COORDINATOR):
        return open_missions
    return open_missions.filter(members__volunteer__user=user)
