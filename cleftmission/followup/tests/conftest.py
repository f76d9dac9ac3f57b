"""Operated and discharged children for the follow-up tests, from the surgery tests' mission
(7–11/12/2026, operating from the 8th): `setup`, `published` and `case` (Lê An's case) come
from there, and `walk_to` stamps a case's milestones."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from cleftmission.followup.models import FollowUpVisit
from cleftmission.scheduling.tests.conftest import Setup, api_as, setup  # noqa: F401  (fixtures)
from cleftmission.surgery import milestones, services
from cleftmission.surgery.models import SurgicalCase
from cleftmission.surgery.tests.conftest import at, case, published  # noqa: F401  (fixtures)
from cleftmission.surgery.tests.test_operating_day import walk_to

# The day the follow-up tests look at the lists: six weeks after the operating days.
TODAY = dt.date(2027, 1, 20)


def discharge(case: SurgicalCase, user: Any) -> SurgicalCase:  # noqa: F811
    """Operate the child on its day and send it home the next: visits due a week, three
    months and a year after the discharge."""
    with time_machine.travel(at(case, "14:00") + dt.timedelta(days=1), tick=False):
        walk_to(case, milestones.WARD, user)
        services.record_discharge(
            case=case,
            date=case.day + dt.timedelta(days=1),
            instructions_vi="Cho bé ăn bằng thìa trong 2 tuần.",
            instructions_en="Spoon-feed for 2 weeks.",
            acting_user=user,
        )
    case.refresh_from_db()
    return case


def case_of(setup: Setup, given_name: str) -> SurgicalCase:  # noqa: F811
    return SurgicalCase.objects.get(visit=setup.visit(given_name))


@pytest.fixture
def discharged(case: SurgicalCase, coordinator: Any) -> SurgicalCase:  # noqa: F811
    """Lê An, operated and discharged, with three follow-up visits planned."""
    return discharge(case, coordinator)


@pytest.fixture
def today() -> Any:
    with time_machine.travel(dt.datetime(2027, 1, 20, 10, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


def week_visit(case: SurgicalCase) -> FollowUpVisit:  # noqa: F811
    return FollowUpVisit.objects.get(case=case, kind=FollowUpVisit.Kind.ONE_WEEK)
