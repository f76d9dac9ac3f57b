"""The operating days' pages in the access table walked by core/tests/test_access.py: everyone
who may see the mission's screening reads the OR board, a case and its printed sheets (the
clinician and registrar are on the World's mission); clinicians, coordinators and
administrators record."""

from __future__ import annotations

from cleftmission.core.tests.access_table import EVERY_ROLE, Page, World

RECORDS = frozenset({"clinician", "coordinator", "admin"})


def _mission(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk}


def _case(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk, "pk": w.surgical_case.pk}


def _phase(w: World) -> dict[str, object]:
    return {**_case(w), "phase": "sign_in"}


SURGERY_PAGES: dict[str, Page] = {
    "surgery:board": Page(allowed=EVERY_ROLE, params=_mission),
    "surgery:case": Page(allowed=EVERY_ROLE, params=_case),
    "surgery:checklist_print": Page(allowed=EVERY_ROLE, params=_case),
    "surgery:discharge_print": Page(allowed=EVERY_ROLE, params=_case),
    "surgery:stamp": Page(allowed=RECORDS, kind="action", params=_case),
    "surgery:undo": Page(allowed=RECORDS, kind="action", params=_case),
    "surgery:sign": Page(allowed=RECORDS, kind="form", params=_phase),
    "surgery:operative_note": Page(allowed=RECORDS, kind="form", params=_case),
    "surgery:anesthesia": Page(allowed=RECORDS, kind="form", params=_case),
    "surgery:care_note": Page(allowed=RECORDS, kind="form", params=_case),
    "surgery:complication": Page(allowed=RECORDS, kind="form", params=_case),
    "surgery:discharge": Page(allowed=RECORDS, kind="form", params=_case),
    "surgery:cancel": Page(allowed=RECORDS, kind="form", params=_case),
}
