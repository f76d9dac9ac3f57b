"""Intake, wristband and merge pages in the access table walked by core/tests/test_access.py.
The merge pages are patients: URLs; they are listed here, with the intake that finds the
duplicates they resolve."""

from __future__ import annotations

from typing import Any

from cleftmission.core.tests.access_table import PLANNERS, REGISTERS_CHILDREN, Page, World
from cleftmission.factories import PatientFactory


def _mission(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk}


def _visit(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk, "pk": w.child.visits.get(mission=w.mission).pk}


def _child(w: World) -> dict[str, int]:
    return {"pk": w.child.pk}


def _child_and_duplicate(w: World) -> dict[str, int]:
    duplicate: Any = PatientFactory(family_name="Nguyen", middle_name="Van", given_name="An")
    return {"pk": w.child.pk, "other_pk": duplicate.pk}


MERGE_PAGES: dict[str, Page] = {
    "patients:merge": Page(allowed=PLANNERS, params=_child),
    "patients:merge_confirm": Page(allowed=PLANNERS, kind="form", params=_child_and_duplicate),
    "patients:merge_undo": Page(allowed=PLANNERS, kind="action", params=_child),
}

INTAKE_PAGES: dict[str, Page] = {
    "screening:intake": Page(allowed=REGISTERS_CHILDREN, kind="form", params=_mission),
    "screening:wristband": Page(allowed=REGISTERS_CHILDREN, params=_visit),
    **MERGE_PAGES,
}
