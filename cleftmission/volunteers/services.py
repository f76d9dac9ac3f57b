"""Writes to volunteers and their credentials."""

from __future__ import annotations

from typing import Any

from cleftmission.core.services import delete_audited, save_audited
from cleftmission.core.validators import normalize_phone
from cleftmission.volunteers.models import Credential, Volunteer


def save_volunteer(*, volunteer: Volunteer, acting_user: Any) -> Volunteer:
    if volunteer.phone:
        volunteer.phone = normalize_phone(volunteer.phone)
    return save_audited(instance=volunteer, acting_user=acting_user)


def save_credential(*, credential: Credential, acting_user: Any) -> Credential:
    return save_audited(instance=credential, acting_user=acting_user, target=credential.volunteer)


def remove_credential(*, credential: Credential, acting_user: Any) -> None:
    delete_audited(instance=credential, acting_user=acting_user, target=credential.volunteer)
