"""Writes to a mission's team: adding, changing and removing members. Views, the API, the
team proposals and the demo all call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cleftmission.core.services import delete_audited, save_audited
from cleftmission.missions.models import Mission
from cleftmission.volunteers.models import MissionMember, MissionRole, Volunteer


def _iso_days(days: Iterable[dt.date | str]) -> list[str]:
    return sorted({day if isinstance(day, str) else day.isoformat() for day in days})


def _check_role(role: str) -> None:
    if role not in MissionRole.values:
        raise ValidationError({"role": _("Choose a role on the team.")})


def add_member(
    *, mission: Mission, volunteer: Volunteer, role: str, days: Iterable[dt.date | str], acting_user: Any
) -> MissionMember:
    """Put a volunteer on the team for these days. Refused, naming the field, when they are on
    it already, a day is outside the mission, or the team is at its size cap."""
    _check_role(role)
    with transaction.atomic():
        # Lock the mission row: two coordinators adding the 60th member at once must not make 61.
        Mission.objects.select_for_update().filter(pk=mission.pk).first()
        if MissionMember.objects.filter(mission=mission).count() >= mission.team_size_cap:
            raise ValidationError(
                {
                    "volunteer": _("The team is at its size cap of %(cap)s. Raise the cap on the mission first.")
                    % {"cap": mission.team_size_cap}
                }
            )
        member = MissionMember(mission=mission, volunteer=volunteer, role=role, days=_iso_days(days))
        return save_audited(instance=member, acting_user=acting_user, target=mission)


def update_member(
    *, member: MissionMember, role: str, days: Iterable[dt.date | str], acting_user: Any
) -> MissionMember:
    _check_role(role)
    member.role = role
    member.days = _iso_days(days)
    return save_audited(instance=member, acting_user=acting_user, target=member.mission)


def remove_member(*, member: MissionMember, acting_user: Any) -> None:
    delete_audited(instance=member, acting_user=acting_user, target=member.mission)
