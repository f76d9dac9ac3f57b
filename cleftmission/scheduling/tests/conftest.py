"""A mission ready to schedule: two tables, two surgeons (one away on the second operating
day), two anaesthesiologists, and accepted children of known ages and procedures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from cleftmission.api.tests.conftest import ApiClient
from cleftmission.core.models import ApiToken
from cleftmission.factories import (
    DecisionFactory,
    MissionFactory,
    MissionMemberFactory,
    OperatingTableFactory,
    PatientFactory,
    ScreeningVisitFactory,
    SiteFactory,
    VolunteerFactory,
)
from cleftmission.screening.models import Procedure

# 7–11/12/2026: screening on the 7th, operating days 8, 9, 10, 11; 08:00–12:00 (240 minutes).
START = dt.date(2026, 12, 7)
OPERATING_DAYS = [START + dt.timedelta(days=i) for i in range(1, 5)]


@dataclass
class Setup:
    mission: Any
    tables: list[Any]
    surgeons: list[Any]
    anesthetists: list[Any]
    visits: list[Any]

    def visit(self, given_name: str) -> Any:
        return next(v for v in self.visits if v.patient.given_name == given_name)


def accept(mission: Any, given_name: str, born: dt.date, procedure: str, queue: int, priority: int = 3) -> Any:
    patient = PatientFactory(family_name="Lê", middle_name="", given_name=given_name, date_of_birth=born)
    visit = ScreeningVisitFactory(patient=patient, mission=mission, queue_number=queue, outcome="accepted")
    decision: Any = DecisionFactory(visit=visit, priority=priority)
    decision.procedures.set([Procedure.objects.get(code=procedure)])
    return visit


@pytest.fixture
def setup(db: None) -> Setup:
    site = SiteFactory(name="Bệnh viện Thử nghiệm")
    tables = [OperatingTableFactory(site=site, name=f"Bàn {n}") for n in (1, 2)]
    mission = MissionFactory(
        name="Đợt thử lịch mổ",
        site=site,
        start_date=START,
        end_date=START + dt.timedelta(days=4),
        screening_days=1,
        tables_per_day=2,
        day_start=dt.time(8, 0),
        day_end=dt.time(12, 0),
    )
    every = [d.isoformat() for d in [START, *OPERATING_DAYS]]
    surgeons = [
        VolunteerFactory(family_name="Trần", given_name="Bình", specialty="plastic_surgeon"),
        VolunteerFactory(family_name="Đỗ", given_name="Châu", specialty="plastic_surgeon"),
    ]
    MissionMemberFactory(mission=mission, volunteer=surgeons[0], role="plastic_surgeon", days=every)
    MissionMemberFactory(
        mission=mission,
        volunteer=surgeons[1],
        role="plastic_surgeon",
        days=[d for d in every if d != OPERATING_DAYS[1].isoformat()],
    )
    anesthetists = [
        VolunteerFactory(family_name="Vũ", given_name=f"Gây mê {n}", specialty="anesthesiologist") for n in (1, 2)
    ]
    for a in anesthetists:
        MissionMemberFactory(mission=mission, volunteer=a, role="anesthesiologist", days=every)
    visits = [
        accept(mission, "An", dt.date(2026, 7, 1), "lip_uni", 1),
        accept(mission, "Bảo", dt.date(2025, 10, 1), "palate", 2),
        accept(mission, "Cúc", dt.date(2026, 8, 15), "lip_uni", 3),
        accept(mission, "Dũng", dt.date(2025, 6, 1), "palate", 4),
        accept(mission, "Em", dt.date(2024, 1, 1), "revision", 5),
        accept(mission, "Giang", dt.date(2026, 6, 1), "lip_bi", 6),
    ]
    return Setup(mission, tables, surgeons, anesthetists, visits)


@pytest.fixture
def api_as() -> Any:
    """The API as a persona, with a real bearer token (as in the API's own tests)."""

    def make(user: Any) -> ApiClient:
        _, key = ApiToken.issue(user)
        return ApiClient(key)

    return make
