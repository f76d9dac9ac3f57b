"""The scheduling tests' mission, its schedule built and published: each accepted child has a
surgical case on the operating days (7–11/12/2026: operating from the 8th)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cleftmission.scheduling import services as scheduling
from cleftmission.scheduling.tests.conftest import Setup, api_as, setup  # noqa: F401  (fixtures)
from cleftmission.surgery.models import SurgicalCase


@pytest.fixture
def published(setup: Setup, coordinator: Any) -> Any:  # noqa: F811
    schedule = scheduling.build_schedule(mission=setup.mission, acting_user=coordinator, time_limit=5)
    return scheduling.publish_schedule(schedule=schedule, acting_user=coordinator)


@pytest.fixture
def case(published: Any, setup: Setup) -> SurgicalCase:  # noqa: F811
    """Lê An's case; the tests run on its operating day at 14:00 (`now` below)."""
    return SurgicalCase.objects.get(visit=setup.visit("An"))


def at(case: SurgicalCase, hh_mm: str) -> dt.datetime:
    hours, minutes = map(int, hh_mm.split(":"))
    return timezone.make_aware(dt.datetime.combine(case.day, dt.time(hours, minutes)))
