"""Building a mission's schedule from the database: what the solver is given, and what is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cleftmission.scheduling import services, solver
from cleftmission.scheduling.models import Schedule
from cleftmission.scheduling.tests.conftest import OPERATING_DAYS, Setup
from cleftmission.volunteers.models import MissionMember

TIME_LIMIT = 5.0


def assert_follows_every_rule(schedule: Schedule) -> None:
    report = solver.check(schedule.problem, services.solution_of(schedule))
    assert report["violations"] == []


def test_the_problem_reads_the_operating_days_tables_team_and_accepted_children(setup: Setup) -> None:
    problem = services.build_problem(setup.mission)
    assert problem.days == OPERATING_DAYS
    data = problem.data
    assert data["days"] == 4 and data["day_start"] == "08:00" and data["turnover"] == 15
    assert [t["id"] for t in data["tables"]] == [f"T{t.pk}" for t in setup.tables]
    assert all(t["minutes"] == [240] * 4 for t in data["tables"])
    away = {s["id"]: s["minutes"] for s in data["surgeons"]}[f"S{setup.surgeons[1].pk}"]
    assert away == [240, 0, 240, 240]  # not present on the second operating day
    assert len(data["anesthetists"]) == 2
    cases = {c["id"]: c for c in data["cases"]}
    an = cases[f"V{setup.visit('An').pk}"]
    assert (an["procedure"], an["minutes"], an["age_days"]) == (
        "lip_uni",
        90,
        (OPERATING_DAYS[0] - dt.date(2026, 7, 1)).days,
    )
    assert cases[f"V{setup.visit('Bảo').pk}"]["minutes"] == 120  # the catalog's planning minutes for a palate


def test_a_built_schedule_operates_every_child_youngest_first_within_every_rule(setup: Setup, coordinator: Any) -> None:
    schedule = services.build_schedule(mission=setup.mission, acting_user=coordinator, time_limit=TIME_LIMIT)
    assert schedule.status == Schedule.Status.DRAFT and schedule.number == 1
    rows = list(schedule.cases.select_related("visit__patient"))
    assert len(rows) == 6 and all(r.scheduled for r in rows)
    assert_follows_every_rule(schedule)
    assert schedule.bound is not None and schedule.objective is not None and schedule.bound <= schedule.objective
    by_table_day: dict[tuple[Any, Any], list[Any]] = {}
    for r in rows:
        by_table_day.setdefault((r.day, r.table_id), []).append(r)
    for cases in by_table_day.values():
        cases.sort(key=lambda r: r.start)
        births = [r.visit.patient.date_of_birth for r in cases]
        assert births == sorted(births, reverse=True)  # the youngest first
    away = setup.surgeons[1]
    assert not any(r.surgeon_id == away.pk and r.day == OPERATING_DAYS[1] for r in rows)


def test_a_case_too_long_for_any_operating_day_is_left_out_with_the_reason(setup: Setup, coordinator: Any) -> None:
    decision = setup.visit("Em").decision
    decision.estimated_minutes = 300  # the operating day is 240 minutes
    decision.save()
    schedule = services.build_schedule(mission=setup.mission, acting_user=coordinator, time_limit=TIME_LIMIT)
    row = schedule.cases.get(visit=setup.visit("Em"))
    assert row.day is None and row.unscheduled_reason
    assert schedule.cases.filter(day__isnull=False).count() == 5
    assert_follows_every_rule(schedule)


def test_without_a_surgeon_on_the_team_building_is_refused_naming_the_team(setup: Setup, coordinator: Any) -> None:
    MissionMember.objects.filter(mission=setup.mission, role="plastic_surgeon").delete()
    with pytest.raises(ValidationError) as refused:
        services.build_schedule(mission=setup.mission, acting_user=coordinator, time_limit=TIME_LIMIT)
    assert "team" in refused.value.message_dict
    assert not Schedule.objects.exists()


def test_a_mission_without_operating_days_is_refused_naming_the_screening_days(setup: Setup, coordinator: Any) -> None:
    setup.mission.screening_days = 5
    with pytest.raises(ValidationError) as refused:
        services.build_problem(setup.mission)
    assert "screening_days" in refused.value.message_dict


def test_building_again_replaces_the_draft_and_keeps_a_locked_case_where_it_was(setup: Setup, coordinator: Any) -> None:
    first = services.build_schedule(mission=setup.mission, acting_user=coordinator, time_limit=TIME_LIMIT)
    row = first.cases.get(visit=setup.visit("Dũng"))
    services.move_case(
        case=row,
        move=services.Move(day=OPERATING_DAYS[3], table_id=setup.tables[1].pk, surgeon_id=setup.surgeons[0].pk),
        acting_user=coordinator,
    )
    services.set_locked(case=first.cases.get(visit=setup.visit("Dũng")), locked=True, acting_user=coordinator)
    second = services.build_schedule(mission=setup.mission, acting_user=coordinator, time_limit=TIME_LIMIT)
    first.refresh_from_db()
    assert first.status == Schedule.Status.REPLACED and second.status == Schedule.Status.DRAFT
    kept = second.cases.get(visit=setup.visit("Dũng"))
    assert (kept.day, kept.table_id, kept.surgeon_id, kept.locked) == (
        OPERATING_DAYS[3],
        setup.tables[1].pk,
        setup.surgeons[0].pk,
        True,
    )
    assert_follows_every_rule(second)


def test_a_surgeon_who_does_only_lip_repairs_is_never_given_a_palate(setup: Setup, coordinator: Any) -> None:
    from cleftmission.screening.models import Procedure
    from cleftmission.volunteers import services as volunteer_services

    lips_only = setup.surgeons[0]
    volunteer_services.save_volunteer(
        volunteer=lips_only,
        acting_user=coordinator,
        procedures=Procedure.objects.filter(code__in=["lip_uni", "lip_bi"]),
    )
    problem = services.build_problem(setup.mission)
    assert {s["id"]: s.get("procedures") for s in problem.data["surgeons"]}[f"S{lips_only.pk}"] == ["lip_bi", "lip_uni"]
    schedule = services.build_schedule(mission=setup.mission, acting_user=coordinator, time_limit=TIME_LIMIT)
    theirs = schedule.cases.filter(surgeon=lips_only)
    assert theirs.exists() and set(theirs.values_list("procedure", flat=True)) <= {"lip_uni", "lip_bi"}
    assert_follows_every_rule(schedule)
