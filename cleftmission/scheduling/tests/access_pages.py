"""The operating schedule's pages in the access table walked by core/tests/test_access.py:
everyone who may see the mission's screening reads them (the clinician and registrar are on
the World's mission); coordinators and administrators change the schedule."""

from __future__ import annotations

from cleftmission.core.tests.access_table import EVERY_ROLE, PLANNERS, Page, World


def _mission(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk}


def _schedule(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk, "pk": w.schedule.pk}


def _case(w: World) -> dict[str, int]:
    return {"mission_id": w.mission.pk, "pk": w.scheduled_case.pk}


def _day(w: World) -> dict[str, object]:
    return {"mission_id": w.mission.pk, "day": w.schedule.days[0]}


SCHEDULE_PAGES: dict[str, Page] = {
    "scheduling:board": Page(allowed=EVERY_ROLE, params=_mission),
    "scheduling:day": Page(allowed=EVERY_ROLE, params=_day),
    "scheduling:case": Page(allowed=EVERY_ROLE, params=_case),
    "scheduling:change": Page(allowed=PLANNERS, kind="action", params=_case),
    "scheduling:build": Page(allowed=PLANNERS, kind="action", params=_mission),
    "scheduling:repair": Page(allowed=PLANNERS, kind="action", params=_schedule),
    "scheduling:publish": Page(allowed=PLANNERS, kind="action", params=_schedule),
    "scheduling:discard": Page(allowed=PLANNERS, kind="action", params=_schedule),
}
