"""Reads of surgical cases shared by the pages and the API."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from cleftmission.surgery.models import ChecklistPhase, Milestone, SurgicalCase


def cases_with_details() -> QuerySet[SurgicalCase]:
    """Cases with what a card, the case page or the API shows: the child, table and people,
    the milestones in order with who stamped them, the checklist phases and the procedures."""
    return SurgicalCase.objects.select_related(
        "visit__patient", "mission__site", "table", "surgeon", "anesthetist"
    ).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.select_related("recorded_by").order_by("at", "pk")),
        Prefetch("checklist", queryset=ChecklistPhase.objects.select_related("signed_by")),
        "procedures",
    )
