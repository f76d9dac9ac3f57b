"""Personas by role, as in healthchecks' hc/test.py: each test says who is acting.

- admin: administrator; coordinator: plans everything;
- clinician and registrar: on `mission` only, so they see its children and no others;
- viewer: reads, changes nothing; outsider: a logged-in user with no role at all;
- volunteer_user: no role, linked to a volunteer record (a ward nurse on `mission`'s team):
  sees only their own record, missions and documents.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cleftmission.core.roles import Role, set_role
from cleftmission.factories import (
    MissionFactory,
    MissionMemberFactory,
    PatientFactory,
    ScreeningVisitFactory,
    UserFactory,
    VolunteerFactory,
)


def _user(username: str, role: Role | None) -> Any:
    user: Any = UserFactory(username=username)
    if role is Role.ADMINISTRATOR:
        user.is_superuser = user.is_staff = True
        user.save()
    elif role is not None:
        set_role(user, role)
    return user


@pytest.fixture
def mission(db: None) -> Any:
    return MissionFactory(name="Hà Nội tháng 12")


@pytest.fixture
def other_mission(db: None) -> Any:
    return MissionFactory(name="TP.HCM tháng 12")


@pytest.fixture
def admin_user(db: None) -> Any:
    return _user("alice-admin", Role.ADMINISTRATOR)


@pytest.fixture
def coordinator(db: None) -> Any:
    return _user("cora-coordinator", Role.COORDINATOR)


@pytest.fixture
def clinician(db: None, mission: Any) -> Any:
    user = _user("carl-clinician", Role.CLINICIAN)
    MissionMemberFactory(mission=mission, volunteer=VolunteerFactory(user=user))
    return user


@pytest.fixture
def registrar(db: None, mission: Any) -> Any:
    user = _user("rita-registrar", Role.REGISTRAR)
    MissionMemberFactory(mission=mission, volunteer=VolunteerFactory(user=user, specialty="coordinator"))
    return user


@pytest.fixture
def viewer(db: None) -> Any:
    return _user("vic-viewer", Role.VIEWER)


@pytest.fixture
def outsider(db: None) -> Any:
    return _user("olga-no-role", None)


@pytest.fixture
def volunteer_user(db: None, mission: Any) -> Any:
    user = _user("nga-nurse", None)
    volunteer = VolunteerFactory(
        user=user, family_name="Hoàng", given_name="Yến", specialty="nurse", phone="+84901234567"
    )
    MissionMemberFactory(mission=mission, volunteer=volunteer, role="ward_nurse")
    return user


@pytest.fixture
def child(db: None, mission: Any) -> Any:
    """A child seen at `mission`."""
    patient = PatientFactory(family_name="Nguyễn", middle_name="Văn", given_name="An")
    ScreeningVisitFactory(patient=patient, mission=mission)
    return patient


@pytest.fixture
def other_child(db: None, other_mission: Any) -> Any:
    """A child seen only at `other_mission`, which the clinician and registrar are not on."""
    patient = PatientFactory(family_name="Phạm", middle_name="Thị", given_name="Lan")
    ScreeningVisitFactory(patient=patient, mission=other_mission)
    return patient


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_user() -> Any:
    return client_for
