"""Actual times feed planning: the pure comparison with literal minutes, the figures over
missions with literal stamps, the catalog changed through an audited service, the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cleftmission.core.models import AuditEntry
from cleftmission.factories import MissionFactory, ScreeningVisitFactory, VolunteerFactory
from cleftmission.missions.models import Mission
from cleftmission.reports import figures, planning, services
from cleftmission.reports.planning import Timing
from cleftmission.reports.tests.helpers import moment, on, operate
from cleftmission.screening.models import Procedure
from cleftmission.surgery import milestones
from cleftmission.surgery import services as surgery
from cleftmission.surgery.models import SurgicalCase

TODAY = dt.date(2026, 11, 20)  # the default window: 20/11/2025 – 20/11/2026

# ---- pure: literal minutes ------------------------------------------------------------------


def test_median_percentile_and_rounding_up() -> None:
    assert planning.median([80, 85, 88, 95, 100, 110]) == 91.5  # (88 + 95) / 2
    # rank (6 − 1) × 0.8 = 4: the fifth value
    assert planning.percentile([110, 80, 95, 85, 100, 88], 80) == 100
    # rank (3 − 1) × 0.8 = 1.6: 140 + 0.6 × (150 − 140)
    assert planning.percentile([130, 150, 140], 80) == pytest.approx(146)
    assert planning.percentile([75], 80) == 75
    assert planning.median([]) is None and planning.percentile([], 80) is None
    assert [planning.round_up(v) for v in (85, 85.5, 91.5, 86, 90.0)] == [85, 90, 95, 90, 90]


def test_a_proposal_needs_five_cases() -> None:
    assert planning.propose([80, 85, 88, 95]) is None
    assert planning.propose([80, 85, 88, 95, 100]) == 90  # median 88, up to 90
    assert planning.propose([85, 85, 85, 85, 85]) == 85  # a multiple of 5 stays


def test_comparisons_per_procedure_and_per_surgeon() -> None:
    lip, palate = ("lip_uni",), ("palate",)
    timings = [
        Timing(lip, "Trần Bình", 90, 80),
        Timing(lip, "Trần Bình", 90, 95),
        Timing(lip, "Trần Bình", 90, 100),
        Timing(lip, "Đỗ Châu", 90, 85),
        Timing(lip, "Đỗ Châu", 90, 88),
        Timing(lip, "Đỗ Châu", 90, 110),
        Timing(palate, "Trần Bình", 120, 130),
    ]
    rows = planning.by_procedure(timings)
    assert rows == [
        # 6 cases: median (88 + 95) / 2 = 91.5 → 95; 80th percentile 100; over the plan:
        # −10, 5, 10, −5, −2, 20 → median (−2 + 5) / 2 = 1.5
        planning.Comparison(lip, "", 6, 90, 91.5, 100, 1.5, 95),
        # 1 case: no proposal
        planning.Comparison(palate, "", 1, 120, 130, 130, 10, None),
    ]
    per_surgeon = {
        (r.surgeon, r.procedures): (r.cases, r.actual_median, r.proposal) for r in planning.by_surgeon(timings)
    }
    assert per_surgeon == {
        ("Trần Bình", lip): (3, 95, None),
        ("Trần Bình", palate): (1, 130, None),
        ("Đỗ Châu", lip): (3, 88, None),
    }


# ---- over missions: literal stamps --------------------------------------------------------------


@dataclass
class Programme:
    recent: Any  # 04/05/2026
    later: Any  # 07/09/2026
    old: Any  # 02/03/2025: outside the last twelve months
    binh: Any
    chau: Any


def timed(
    mission: Any,
    code: str,
    surgeon: Any,
    in_or: str,
    recovery: str,
    user: Any,
    done: list[str] | None = None,
) -> SurgicalCase:
    """A case planned at the catalog's minutes, operated from `in_or` to `recovery` on the
    mission's second day; `done`: the operative note's procedures, when others than planned."""
    procedure = Procedure.objects.get(code=code)
    day = mission.start_date + dt.timedelta(days=1)
    visit: Any = ScreeningVisitFactory(mission=mission)
    case = SurgicalCase.objects.create(
        visit=visit,
        mission=mission,
        day=day,
        planned_start=moment(day, "08:00"),
        planned_minutes=procedure.planning_minutes,
        surgeon=surgeon,
    )
    case.procedures.set([procedure])
    operate(case, in_or, recovery, user)
    if done:
        surgery.save_operative_note(
            case=case,
            procedures=Procedure.objects.filter(code__in=done),
            technique="",
            surgeon=surgeon,
            assistant=None,
            findings="",
            acting_user=user,
        )
    return case


@pytest.fixture
def programme(db: None, coordinator: Any) -> Programme:
    recent: Any = MissionFactory(name="Hà Nội 5/2026", start_date=dt.date(2026, 5, 4), end_date=dt.date(2026, 5, 7))
    later: Any = MissionFactory(name="TP.HCM 9/2026", start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 9, 10))
    old: Any = MissionFactory(name="Hà Nội 3/2025", start_date=dt.date(2025, 3, 2), end_date=dt.date(2025, 3, 5))
    binh = VolunteerFactory(family_name="Trần", given_name="Bình", specialty="plastic_surgeon")
    chau = VolunteerFactory(family_name="Đỗ", given_name="Châu", specialty="plastic_surgeon")
    with on(TODAY, "09:00"):
        # unilateral lip, planned 90 minutes
        timed(recent, "lip_uni", binh, "08:00", "09:20", coordinator)  # 80
        timed(recent, "lip_uni", binh, "09:40", "11:15", coordinator)  # 95
        timed(recent, "lip_uni", binh, "11:30", "13:10", coordinator)  # 100
        timed(later, "lip_uni", chau, "08:00", "09:25", coordinator)  # 85
        timed(later, "lip_uni", chau, "09:45", "11:13", coordinator)  # 88
        timed(later, "lip_uni", chau, "11:30", "13:20", coordinator)  # 110
        timed(old, "lip_uni", binh, "08:00", "11:20", coordinator)  # 200, a year and a half ago
        # palate, planned 120
        timed(recent, "palate", binh, "13:30", "15:40", coordinator)  # 130
        timed(recent, "palate", binh, "15:55", "18:25", coordinator)  # 150
        timed(later, "palate", chau, "13:40", "16:00", coordinator)  # 140
        # planned as a lip repair; the note says a nose revision was done with it: 120 minutes
        timed(later, "lip_uni", chau, "16:20", "18:20", coordinator, done=["lip_uni", "revision"])
        # neither counts: one cancelled, one not yet out of the operating room
        visit: Any = ScreeningVisitFactory(mission=later)
        cancelled = SurgicalCase.objects.create(
            visit=visit,
            mission=later,
            day=later.start_date,
            planned_start=moment(later.start_date, "08:00"),
            planned_minutes=90,
            status=SurgicalCase.Status.CANCELLED,
            cancel_code="URI",
        )
        cancelled.procedures.set([Procedure.objects.get(code="lip_uni")])
        unfinished = timed(later, "palate", chau, "18:40", "20:40", coordinator)
        unfinished.milestones.filter(kind__in=[milestones.RECOVERY, milestones.WARD]).delete()
    return Programme(recent, later, old, binh, chau)


def test_the_last_twelve_months_per_procedure(programme: Programme) -> None:
    with on(TODAY, "10:00"):
        times = figures.planning_times(
            Mission.objects.filter(start_date__gte=TODAY - dt.timedelta(days=365), start_date__lte=TODAY)
        )
    assert [m.name for m in times.missions] == ["TP.HCM 9/2026", "Hà Nội 5/2026"]
    # 6 lip repairs + 3 palates + 1 lip with a revision = 10 timed (the old mission's, the
    # cancelled case and the one still in the operating room are not)
    assert times.measured == 10
    rows = {p.comparison.procedures: p for p in times.procedures}
    lip = rows["lip_uni",]
    # 80, 85, 88, 95, 100, 110: median 91.5, rounded up to 95; 80th percentile 100
    assert (lip.comparison.cases, lip.comparison.actual_median, lip.comparison.actual_p80) == (6, 91.5, 100)
    assert (lip.comparison.proposal, lip.current, lip.changes) == (95, 90, True)
    palate = rows["palate",]
    # 130, 140, 150: median 140; 80th percentile 140 + 0.6 × 10 = 146; only 3 cases: no proposal
    assert (palate.comparison.cases, palate.comparison.actual_median, palate.comparison.proposal) == (3, 140, None)
    assert palate.comparison.actual_p80 == pytest.approx(146)
    assert palate.comparison.difference_median == 20  # 10, 20, 30 over the 120 planned
    both = rows["lip_uni", "revision"]
    assert (both.comparison.cases, both.comparison.actual_median, both.procedure) == (1, 120, None)
    assert both.label == "Tạo hình môi một bên + Chỉnh sửa môi hoặc mũi"
    # per surgeon, by name without diacritics (Đỗ before Trần)
    assert [(s.comparison.surgeon, s.comparison.procedures, s.comparison.cases) for s in times.surgeons] == [
        ("Đỗ Châu", ("lip_uni",), 3),
        ("Đỗ Châu", ("palate",), 1),
        ("Đỗ Châu", ("lip_uni", "revision"), 1),
        ("Trần Bình", ("lip_uni",), 3),
        ("Trần Bình", ("palate",), 2),
    ]


def test_the_page_defaults_to_the_last_twelve_months_and_takes_chosen_missions(
    programme: Programme, as_user: Any, coordinator: Any
) -> None:
    with on(TODAY, "10:00"):
        client = as_user(coordinator)
        response = client.get("/planning/times/")
        assert [m.name for m in response.context["times"].missions] == ["TP.HCM 9/2026", "Hà Nội 5/2026"]
        response = client.get("/planning/times/", {"mission": programme.old.pk})
        (only,) = response.context["times"].procedures
        assert (only.comparison.procedures, only.comparison.cases, only.comparison.actual_median) == (
            ("lip_uni",),
            1,
            200,
        )
        response = client.get("/planning/times/", {"start": "01/01/2025", "end": "31/12/2025"})
        assert [m.name for m in response.context["times"].missions] == ["Hà Nội 3/2025"]
        response = client.get("/planning/times/", {"start": "01/01/2026", "end": "31/12/2025"})
        assert "end" in response.context["form"].errors


def test_a_coordinator_applies_a_proposal_and_it_is_audited(
    programme: Programme, as_user: Any, coordinator: Any
) -> None:
    with on(TODAY, "10:00"):
        client = as_user(coordinator)
        page = client.get("/planning/times/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'name="minutes" id="minutes-lip_uni" value="95"' in page
        assert "Too few cases to propose (3 of the 5 needed)." in page
        response = client.post(
            "/planning/times/apply/", {"procedure": "lip_uni", "minutes": "95", "query": "start=01%2F01%2F2026"}
        )
    assert response.status_code == 302 and response["Location"] == "/planning/times/?start=01%2F01%2F2026"
    lip = Procedure.objects.get(code="lip_uni")
    assert lip.planning_minutes == 95
    entry = AuditEntry.objects.filter(model="screening.procedure", object_id=str(lip.pk)).latest("pk")
    assert entry.changes == {"planning_minutes": [90, 95]}
    assert entry.actor == coordinator


def test_bad_minutes_are_refused_naming_the_field(programme: Programme, as_user: Any, coordinator: Any) -> None:
    lip = Procedure.objects.get(code="lip_uni")
    for bad in ("", "ninety", "4", "601", "87.5"):
        with pytest.raises(ValidationError) as refused:
            services.set_planning_minutes(procedure=lip, minutes=bad, acting_user=coordinator)
        assert list(refused.value.message_dict) == ["planning_minutes"]
    client = as_user(coordinator)
    response = client.post(
        "/planning/times/apply/", {"procedure": "lip_uni", "minutes": "601"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Planning minutes (Primary lip repair, unilateral): The planning minutes must be from 5 to 600."
    ]
    lip.refresh_from_db()
    assert lip.planning_minutes == 90


def test_only_coordinators_and_administrators_see_the_planning_times(
    as_user: Any, clinician: Any, viewer: Any, admin_user: Any
) -> None:
    assert as_user(clinician).get("/planning/times/").status_code == 403
    assert as_user(viewer).get("/planning/times/").status_code == 403
    assert as_user(viewer).post("/planning/times/apply/", {"procedure": "lip_uni", "minutes": "95"}).status_code == 403
    assert as_user(admin_user).get("/planning/times/").status_code == 200
    assert Procedure.objects.get(code="lip_uni").planning_minutes == 90


def test_the_page_takes_a_fixed_number_of_queries(
    programme: Programme, as_user: Any, coordinator: Any, django_assert_max_num_queries: Any
) -> None:
    with on(TODAY, "10:00"):
        client = as_user(coordinator)
        # session, user, the filter's missions and hospitals, then the cases, their two sets of
        # procedures, their stamps and the missions listed: as many for 12 cases as for 500
        with django_assert_max_num_queries(11):
            assert client.get("/planning/times/").status_code == 200
