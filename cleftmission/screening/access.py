"""Which screening visits and photos a user may see. Clinicians and registrars work only on
the missions they are on; photos are clinical and go to the clinical roles only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cleftmission.core import roles
from cleftmission.patients.access import visible_patients
from cleftmission.screening.models import Photo, ScreeningVisit
from cleftmission.screening.queries import screening_missions

# Who may open a child's clinical photographs (on the missions they may see).
SEE_PHOTOS = roles.EDIT_CLINICAL

# Who may route a child: send it back to a station. Registrars route children; it writes no
# clinical finding, only reopens a station with a reason.
ROUTE_CHILDREN = roles.EDIT_CLINICAL | {roles.Role.REGISTRAR}


def visible_visits(user: Any) -> QuerySet[ScreeningVisit]:
    """Screening visits of the user's missions, of children the user may see."""
    return ScreeningVisit.objects.filter(mission__in=screening_missions(user), patient__in=visible_patients(user))


def visible_photos(user: Any) -> QuerySet[Photo]:
    if not roles.has(user, SEE_PHOTOS):
        return Photo.objects.none()
    if roles.has(user, roles.SEE_ALL_CHILDREN):
        return Photo.objects.all()  # no subquery over every visit of the registry
    return Photo.objects.filter(visit__in=visible_visits(user))
