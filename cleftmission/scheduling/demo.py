"""The demo's operating schedules. The mission under way operates tomorrow and the day after.
Its schedule is built and published as a coordinator would, then a child on tomorrow's list
has a cough: the repaired draft waits on the board for the coordinator to look and publish.
The mission in its operating days had its schedule built and published after its screening
day (`publish_operating_days`); surgery.demo walks its cases."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from cleftmission.missions.models import Mission
from cleftmission.scheduling import services
from cleftmission.scheduling.models import Schedule
from cleftmission.screening.models import DeferralCode

SECONDS = 5.0


def plan_operating_days(mission: Mission) -> Schedule | None:
    coordinator = get_user_model().objects.filter(username="coordinator").first()
    if not services.accepted_visits(mission) or not mission.operating_days:
        return None
    schedule = services.build_schedule(mission=mission, acting_user=coordinator, time_limit=SECONDS)
    services.publish_schedule(schedule=schedule, acting_user=coordinator)
    first = schedule.cases.filter(day=schedule.operating_days[0]).order_by("table__name", "start").first()
    if first is None:
        return schedule
    event = services.Event(
        type="cancel", case=first, cancel_code=DeferralCode.URI, cancel_note="Ho, sổ mũi sáng nay (demo)"
    )
    return services.repair(schedule=schedule, events=[event], acting_user=coordinator, time_limit=SECONDS)


def publish_operating_days(mission: Mission, seconds: float = SECONDS) -> Schedule | None:
    """Build the mission's schedule and publish it, as the coordinator did after screening:
    each child on it gets a surgical case (surgery.services.sync_cases)."""
    coordinator = get_user_model().objects.filter(username="coordinator").first()
    if not services.accepted_visits(mission) or not mission.operating_days:
        return None
    schedule = services.build_schedule(mission=mission, acting_user=coordinator, time_limit=seconds)
    return services.publish_schedule(schedule=schedule, acting_user=coordinator)
