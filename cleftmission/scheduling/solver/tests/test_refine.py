"""refine.py: the days the team model holds too tightly, re-solved by the interval model.

Default weights: unscheduled 100, delay 5, open_table 30, surgeon_transfer 10; turnover 15."""

from __future__ import annotations

import time

from cleftmission.scheduling.solver.check import cost_of, violations_of
from cleftmission.scheduling.solver.problem import Assignment, parse_problem
from cleftmission.scheduling.solver.refine import day_problem, refine, short_days
from cleftmission.scheduling.solver.tests.support import case, problem


def test_a_surgeon_alone_on_a_short_day_operates_at_two_tables() -> None:
    # one surgeon, two tables of 300, five cases of 60. The team model keeps the surgeon at one
    # table: four cases (4 x 60 + 3 x 15 = 285), one unoperated: 100 + one table-day 30 = 130.
    # Going from table to table the surgeon never waits for a turnover: T1 0-60, T2 60-120,
    # T1 120-180, T2 180-240, T1 240-300, all five: two table-days 60 + one transfer 10 = 70.
    parsed = parse_problem(
        problem(tables=2, sequence=True, cases=[case(f"C{i}", 60, age_days=100 + i) for i in range(5)])
    )
    team = [Assignment(f"C{i}", 0, "T1", "S1", None, 75 * i, 75 * i + 60) for i in range(4)]
    assert violations_of(parsed, team) == []
    assert sum(cost_of(parsed, team).values()) == 130

    refined = refine(parsed, team, deadline=time.monotonic() + 5)

    assert violations_of(parsed, refined) == []
    assert cost_of(parsed, refined) == {"unscheduled": 0, "delay": 0, "open_table": 60, "surgeon_transfer": 10}
    assert {a.table for a in refined} == {"T1", "T2"}


def test_a_day_the_interval_model_cannot_better_is_left_as_it_was() -> None:
    # two surgeons for two tables: not a short day, nothing to re-solve
    parsed = parse_problem(
        problem(
            tables=2,
            sequence=True,
            surgeons=[{"id": "S1", "minutes": [480]}, {"id": "S2", "minutes": [480]}],
            cases=[case(f"C{i}", 60, age_days=100 + i) for i in range(5)],
        )
    )
    team = [Assignment(f"C{i}", 0, "T1", "S1", None, 75 * i, 75 * i + 60) for i in range(4)]
    assert short_days(parsed) == []
    assert refine(parsed, team, deadline=time.monotonic() + 5) == team


def test_the_days_shortest_of_anaesthetists_come_first_then_those_furthest_behind() -> None:
    # two tables; one anaesthetist on days 0 and 2, one surgeon on day 3, day 1 has two of each
    raw = problem(
        days=4,
        tables=2,
        sequence=True,
        anesthetists=[{"id": "A1", "minutes": [300] * 4}, {"id": "A2", "minutes": [0, 300, 0, 300]}],
        surgeons=[{"id": "S1", "minutes": [480] * 4}, {"id": "S2", "minutes": [480, 480, 480, 0]}],
        cases=[case(f"C{i}", 60, age_days=100 + i) for i in range(6)],
    )
    parsed = parse_problem(raw)
    assert short_days(parsed) == [0, 2, 3]
    placed = [Assignment("C0", 0, "T1", "S1", "A1", 0, 60), Assignment("C1", 2, "T1", "S1", "A1", 0, 60)]
    # the relaxation puts three cases on day 2 and one on day 0: day 2 is further behind
    guide = {("C0", 0): 1.0, ("C1", 2): 1.0, ("C2", 2): 1.0, ("C3", 2): 1.0}
    assert short_days(parsed, guide, placed) == [2, 0, 3]


def test_a_day_of_its_own_keeps_its_cases_and_weighs_the_delay() -> None:
    raw = problem(
        days=3,
        tables=2,
        sequence=True,
        cases=[
            case("ON", 60, age_days=100, release_day=0, mandatory=True, due_day=2),
            case("LATE", 60, age_days=200, release_day=0, priority=150),
            case("CHEAP", 60, age_days=300, release_day=0, priority=10),  # 10 - 2 x 5 = 0: not worth it
            case("GONE", 60, age_days=400, release_day=0, due_day=1),
            case("ELSEWHERE", 60, age_days=500),
        ],
    )
    parsed = parse_problem(raw)
    schedule = [Assignment("ON", 2, "T1", "S1", None, 0, 60), Assignment("ELSEWHERE", 0, "T1", "S1", None, 0, 60)]
    day = day_problem(parsed, 2, schedule)
    assert day.days == 1
    assert [t.minutes for t in day.tables] == [(300,), (300,)]
    cases = {c.id: c for c in day.cases}
    assert set(cases) == {"ON", "LATE"}
    assert (cases["ON"].mandatory, cases["ON"].priority, cases["ON"].release_day, cases["ON"].due_day) == (
        True,
        90,
        0,
        0,
    )
    assert cases["LATE"].priority == 140
