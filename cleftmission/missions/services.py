"""Writes to partner hospitals, their tables and missions."""

from __future__ import annotations

from typing import Any

from cleftmission.core.services import delete_audited, save_audited
from cleftmission.missions.models import Mission, OperatingTable, Site


def save_site(*, site: Site, acting_user: Any) -> Site:
    return save_audited(instance=site, acting_user=acting_user)


def save_table(*, table: OperatingTable, acting_user: Any) -> OperatingTable:
    return save_audited(instance=table, acting_user=acting_user, target=table.site)


def remove_table(*, table: OperatingTable, acting_user: Any) -> None:
    delete_audited(instance=table, acting_user=acting_user, target=table.site)


def save_mission(*, mission: Mission, acting_user: Any) -> Mission:
    return save_audited(instance=mission, acting_user=acting_user)
