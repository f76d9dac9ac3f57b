"""The follow-up pages in the access table walked by core/tests/test_access.py: everyone with a
role reads the overdue list, a mission's recall list and a child's journey (the clinician and
registrar are on the World's mission); the clinical roles record and plan visits."""

from __future__ import annotations

from cleftmission.core.tests.access_table import EVERY_ROLE, Page, World

RECORDS_FOLLOW_UP = frozenset({"clinician", "coordinator", "admin"})


def _mission(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk}


def _visit(w: World) -> dict[str, int]:
    return {"pk": w.follow_up.pk}


def _case(w: World) -> dict[str, int]:
    return {"case_pk": w.follow_up.case_id}


def _child(w: World) -> dict[str, int]:
    return {"pk": w.child.pk}


FOLLOW_UP_PAGES: dict[str, Page] = {
    "followup:overdue": Page(allowed=EVERY_ROLE),
    "followup:overdue_csv": Page(allowed=EVERY_ROLE),
    "followup:visit": Page(allowed=RECORDS_FOLLOW_UP, kind="form", params=_visit),
    "followup:plan": Page(allowed=RECORDS_FOLLOW_UP, kind="form", params=_case),
    "followup:recall": Page(allowed=EVERY_ROLE, params=_mission),
    "followup:recall_csv": Page(allowed=EVERY_ROLE, params=_mission),
    "followup:journey": Page(allowed=EVERY_ROLE, params=_child),
}
