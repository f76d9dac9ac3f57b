"""Which children a user may see. Clinicians and registrars see the children of the
missions they are on; coordinators, administrators and viewers see every child."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from cleftmission.core import roles
from cleftmission.missions.models import Mission
from cleftmission.patients.models import Patient
from cleftmission.screening.models import ScreeningVisit


def my_missions(user: Any) -> QuerySet[Mission]:
    """The missions the user is on (as a team member)."""
    return Mission.objects.filter(members__volunteer__user=user)


def visible_patients(user: Any) -> QuerySet[Patient]:
    role = roles.role_of(user)
    if role in roles.SEE_ALL_CHILDREN:
        return Patient.objects.all()
    if role in (roles.Role.CLINICIAN, roles.Role.REGISTRAR):
        on_my_mission = ScreeningVisit.objects.filter(patient=OuterRef("pk"), mission__members__volunteer__user=user)
        return Patient.objects.filter(Exists(on_my_mission))
    return Patient.objects.none()


def missions_for_registration(user: Any) -> QuerySet[Mission]:
    """Missions a user may register children for: their own, or any open one for coordinators."""
    role = roles.role_of(user)
    open_missions = Mission.objects.exclude(phase=Mission.Phase.CLOSED)
    if role in (roles.Role.ADMINISTRATOR, roles.Role.COORDINATOR):
        return open_missions
    return open_missions.filter(members__volunteer__user=user)
