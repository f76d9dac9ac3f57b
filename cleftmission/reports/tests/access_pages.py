"""The reports' pages in the access table walked by core/tests/test_access.py: a mission's
report for everyone who may see its screening (the clinician and registrar are on the World's
mission; viewers see figures only); the planning times for coordinators and administrators."""

from __future__ import annotations

from cleftmission.core.tests.access_table import EVERY_ROLE, PLANNERS, Page, World


def _mission(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk}


REPORT_PAGES: dict[str, Page] = {
    "reports:mission": Page(allowed=EVERY_ROLE, params=_mission),
    "reports:mission_print": Page(allowed=EVERY_ROLE, params=_mission),
    "reports:mission_csv": Page(allowed=EVERY_ROLE, params=_mission),
    "reports:planning_times": Page(allowed=PLANNERS),
    "reports:apply_minutes": Page(allowed=PLANNERS, kind="action"),
}
