"""The station pages in the access table walked by core/tests/test_access.py: the queues, a
child's screening page, the station forms, photos and the decision."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile

from cleftmission.core.tests.access_table import EVERY_ROLE, Page, World

CLINICAL = frozenset({"clinician", "coordinator", "admin"})
ROUTES_CHILDREN = frozenset({"registrar", "clinician", "coordinator", "admin"})


def _mission(w: World) -> dict[str, Any]:
    return {"mission_id": w.mission.pk}


def _station(w: World) -> dict[str, Any]:
    return {"mission_id": w.mission.pk, "station": "vitals"}


def _visit(w: World) -> dict[str, Any]:
    return {"mission_id": w.mission.pk, "pk": w.child.visits.get(mission=w.mission).pk}


def _evaluate(w: World) -> dict[str, Any]:
    return {**_visit(w), "station": "vitals"}


def _photo(w: World) -> dict[str, Any]:
    """The child's photo (made on first use: the world has none)."""
    from PIL import Image

    from cleftmission.screening.models import Photo

    visit = w.child.visits.get(mission=w.mission)
    photo = visit.photos.first()
    if photo is None:
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), "white").save(buffer, format="JPEG")
        photo = Photo(visit=visit, consent_by="Lê Thị Hoa (mother)")
        photo.image.save("photo.jpg", ContentFile(buffer.getvalue()), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(buffer.getvalue()), save=False)
        photo.save()
    return {**_visit(w), "photo_id": photo.pk, "size": "thumb"}


STATION_PAGES: dict[str, Page] = {
    "screening:stations": Page(allowed=EVERY_ROLE, params=_mission),
    "screening:station": Page(allowed=EVERY_ROLE, params=_station),
    "screening:visit": Page(allowed=EVERY_ROLE, params=_visit),
    "screening:evaluate": Page(allowed=CLINICAL, kind="form", params=_evaluate),
    "screening:findings": Page(allowed=CLINICAL, kind="form", params=_visit),
    "screening:send_back": Page(allowed=ROUTES_CHILDREN, kind="action", params=_visit),
    "screening:decision": Page(allowed=CLINICAL, kind="form", params=_visit),
    "screening:photo": Page(allowed=CLINICAL, params=_photo),
}
