"""The child's photographs on pages outside the screening app, only for those who may see them."""

from __future__ import annotations

from typing import Any

from django import template

from cleftmission.screening.access import visible_photos
from cleftmission.screening.models import Photo

register = template.Library()


@register.simple_tag(takes_context=True)
def child_photos(context: Any, patient: Any) -> list[Photo]:
    """The photos of `patient` the current user may open (none for viewers and registrars;
    a clinician's only from the missions they are on), newest first."""
    request = context.get("request")
    if request is None:
        return []
    photos = visible_photos(request.user).filter(visit__patient=patient).select_related("visit")
    return list(photos.order_by("-uploaded_at")[:24])
