"""The demo's mission under way is in the middle of its screening day."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from cleftmission.missions.models import Mission
from cleftmission.screening.models import ScreeningVisit, StationEvaluation


@pytest.mark.django_db
def test_the_demo_mission_under_way_has_children_at_every_point_of_the_screening_day() -> None:
    call_command("load_demo", verbosity=0)
    mission = Mission.objects.get(phase=Mission.Phase.SCREENING)
    today = ScreeningVisit.objects.filter(mission=mission, registered_at__date=timezone.localdate())
    assert today.count() >= 90
    stations_done = {
        visit.pk: visit.evaluations.filter(status=StationEvaluation.Status.DONE).count() for visit in today
    }
    assert any(n == 0 for n in stations_done.values()), "someone just arrived"
    assert any(0 < n < 6 for n in stations_done.values()), "someone part-way through the stations"
    decided = today.exclude(outcome=ScreeningVisit.Outcome.REGISTERED)
    assert decided.filter(outcome=ScreeningVisit.Outcome.ACCEPTED).exists()
    assert decided.filter(outcome=ScreeningVisit.Outcome.DEFERRED).exists()
    assert all(v.registered_at <= timezone.now() for v in today)
