"""The screening board in the access table walked by core/tests/test_access.py: every role
that may see the mission's screening (the clinician and registrar are on the World's mission)."""

from __future__ import annotations

from cleftmission.core.tests.access_table import EVERY_ROLE, Page, World


def _mission(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk}


BOARD_PAGES: dict[str, Page] = {
    "screening:board": Page(allowed=EVERY_ROLE, params=_mission),
}
