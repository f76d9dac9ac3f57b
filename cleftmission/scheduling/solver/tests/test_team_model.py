"""The team model (teams.py) on small problems worked out by hand, and what it promises:
check() passes, the bound never exceeds the objective, the time limit holds.

Default weights: unscheduled 100, delay 5, open_table 30, surgeon_transfer 10; turnover 15."""

from __future__ import annotations

from typing import Any

import pytest

from cleftmission.scheduling.solver import solve
from cleftmission.scheduling.solver.check import violations_of
from cleftmission.scheduling.solver.generate import mission
from cleftmission.scheduling.solver.problem import parse_problem
from cleftmission.scheduling.solver.reasons import CODES
from cleftmission.scheduling.solver.search import first_fit
from cleftmission.scheduling.solver.tests.support import case, placed, problem, sound
from cleftmission.scheduling.solver.timing import timed


def test_one_anaesthetist_alternates_between_two_tables() -> None:
    # two tables of 300, two surgeons, one anaesthetist, four cases of 100. One table takes
    # two (100 + 15 + 100 + 15 + 100 = 330 > 300); alternating, the anaesthetist gives three:
    # T1 0-100, T2 100-200, T1 200-300 (T1 turns over while T2 operates). Four would need
    # 400 minutes of anaesthesia by minute 300. 100 unoperated + 2 table-days = 160.
    p = problem(
        tables=2,
        sequence=True,
        surgeons=[{"id": "S1", "minutes": [480]}, {"id": "S2", "minutes": [480]}],
        anesthetists=[{"id": "A1", "minutes": [540]}],
        cases=[case(c, 100, age_days=i) for i, c in enumerate("ABCD")],
    )
    s = sound(p, solve(p, time_limit=5))
    assert (s["status"], s["objective"], s["bound"]) == ("optimal", 160, 160)
    assert {a["anesthetist"] for a in s["assignments"]} == {"A1"}
    assert len({a["table"] for a in s["assignments"]}) == 2


def test_the_first_plan_of_a_day_short_of_anaesthetists_opens_every_table() -> None:
    # three tables of 300, three surgeons, two anaesthetists, cases of 60 (turnover 15). An
    # anaesthetist at one table gives four cases (4 x 60 + 3 x 15 = 285; five need 360);
    # alternating over a pair, five (300 minutes of anaesthesia, the lists 3 and 2). So the
    # quick first plan of a day, the search's hint, takes nine cases on three tables, where
    # one anaesthetist per table takes eight on two; check() passes its clock times.
    raw = problem(
        tables=3,
        sequence=True,
        surgeons=[{"id": f"S{i}", "minutes": [480]} for i in (1, 2, 3)],
        anesthetists=[{"id": "A1", "minutes": [300]}, {"id": "A2", "minutes": [300]}],
        cases=[case(f"C{i}", 60, age_days=100 + i) for i in range(12)],
    )
    parsed = parse_problem(raw)
    plan = first_fit(parsed, 0, list(parsed.cases))
    assert len(plan.places) == 9
    assert {pl.table for pl in plan.places.values()} == {"T1", "T2", "T3"}
    assert sorted(plan.anesthetist.values()) == ["A1", "A2", "A2"]
    assert violations_of(parsed, timed(parsed, plan)) == []
    assert sound(raw, solve(raw, time_limit=2))["cost"]["unscheduled"] == 300


def test_two_surgeons_share_a_table_each_at_one_table() -> None:
    # one table of 300, a lip surgeon and a palate surgeon: both work at it, one after the other.
    p = problem(
        sequence=True,
        surgeons=[
            {"id": "L", "minutes": [480], "procedures": ["lip_uni"]},
            {"id": "P", "minutes": [480], "procedures": ["palate"]},
        ],
        cases=[case("LIP", 90, age_days=100), case("PAL", 120, age_days=300, procedure="palate")],
    )
    s = sound(p, solve(p, time_limit=5))
    assert (s["status"], s["objective"]) == ("optimal", 30)
    at = placed(s)
    assert (at["LIP"]["surgeon"], at["LIP"]["start"]) == ("L", 0)
    assert (at["PAL"]["surgeon"], at["PAL"]["start"]) == ("P", 105)


def test_the_younger_cases_fill_the_time_before_a_locked_start() -> None:
    # a locked case (age 500) at minute 200 on a table of 480: the younger child (age 100)
    # goes before it, the older (900) after it: 0-90, 200-320, 335-425.
    p = problem(
        sequence=True,
        minutes=480,
        cases=[
            case("LOCKED", 120, age_days=500, fixed={"day": 0, "table": "T1", "start": 200}),
            case("YOUNG", 90, age_days=100),
            case("OLD", 90, age_days=900),
        ],
    )
    s = sound(p, solve(p, time_limit=5))
    at = placed(s)
    assert (at["YOUNG"]["start"], at["LOCKED"]["start"], at["OLD"]["start"]) == (0, 200, 335)
    assert s["objective"] == 30


def test_a_surgeon_locked_at_two_tables_still_gets_a_valid_schedule() -> None:
    # the coordinator locked S1 at T1 and T2 the same day: the team model cannot hold that, the
    # interval model takes over; C (free) must go where S1 is not busy.
    p = problem(
        tables=2,
        sequence=True,
        minutes=480,
        cases=[
            case("A", 90, age_days=1, fixed={"day": 0, "table": "T1", "start": 0, "surgeon": "S1"}),
            case("B", 90, age_days=2, fixed={"day": 0, "table": "T2", "start": 100, "surgeon": "S1"}),
            case("C", 90, age_days=3),
        ],
    )
    s = sound(p, solve(p, time_limit=5))
    assert len(s["assignments"]) == 3
    assert s["cost"]["surgeon_transfer"] == 10


def test_each_unscheduled_child_has_a_code_and_the_days_concerned() -> None:
    surgeons = [{"id": "S1", "minutes": [480, 0, 480], "procedures": ["lip_uni"]}]
    p = problem(
        days=3,
        surgeons=surgeons,
        cases=[
            case("EAR", 60, procedure="ear"),
            case("AWAY", 60, release_day=1, due_day=1),
            case("LONG", 400),
            case("CHEAP", 60, priority=10, release_day=2),
        ],
    )
    s = sound(p, solve(p, time_limit=5))
    why = {u["case"]: (u["code"], u["days"]) for u in s["unscheduled"]}
    assert why == {
        "EAR": ("no_surgeon_for_procedure", []),
        "AWAY": ("no_surgeon_present", [1]),
        "LONG": ("too_long", [0, 2]),
        "CHEAP": ("low_priority", [2]),
    }
    assert all(code in CODES for code, _ in why.values())


@pytest.mark.parametrize("seed", [2, 3])
def test_on_missions_the_bound_never_exceeds_the_objective_and_the_limit_holds(seed: int) -> None:
    p = mission(children=60, tables=3, days=4, seed=seed)
    s = sound(p, solve(p, time_limit=2.0))
    assert s["bound"] is not None and 0 <= s["bound"] <= s["objective"]
    assert s["seconds"] < 2.5


def test_a_large_mission_keeps_its_time_limit() -> None:
    p = mission(children=300, tables=8, days=8, seed=4)
    s = sound(p, solve(p, time_limit=3.0))
    assert s["seconds"] < 3.5
    assert s["bound"] is not None and s["bound"] <= s["objective"]


def test_without_clock_times_the_bound_holds_too() -> None:
    p = mission(children=60, tables=3, days=4, seed=5, sequence=False)
    s = sound(p, solve(p, time_limit=2.0))
    assert s["bound"] is not None and s["bound"] <= s["objective"]
    assert all(a["start"] is None for a in s["assignments"])


# --- problems shaped like public surgical case scheduling instances ------------------------
#
# Not the instances themselves, but their shape, written out as data: operating rooms ×
# days with session lengths (closed sessions at 0), surgeons with block days, each case with
# its surgeon, a duration, a due date or a priority.


def _elective_blocks() -> dict[str, Any]:
    """Elective OR planning in the style of block-scheduling instances (e.g. Fei et al.):
    3 ORs × 5 days of 480-minute sessions, one closed; 6 surgeons on block days; 30 cases,
    each with its own surgeon, durations 45-240, due days, no turnover."""
    durations = [45, 60, 75, 90, 120, 150, 180, 240, 60, 90, 105, 135, 45, 210, 75,
                 120, 90, 60, 165, 45, 240, 90, 120, 60, 150, 75, 105, 180, 45, 135]  # fmt: skip
    blocks = {"S1": [1, 0, 1, 0, 1], "S2": [0, 1, 0, 1, 0], "S3": [1, 1, 0, 0, 1],
              "S4": [0, 0, 1, 1, 1], "S5": [1, 0, 0, 1, 0], "S6": [0, 1, 1, 0, 1]}  # fmt: skip
    surgeons = [{"id": s, "minutes": [480 * b for b in days]} for s, days in blocks.items()]
    cases = [
        {
            "id": f"E{i + 1}",
            "minutes": m,
            "procedure": "elective",
            "surgeon": f"S{i % 6 + 1}",
            "due_day": min(4, 1 + i % 5),
            "priority": 100 + 20 * (i % 4),
        }
        for i, m in enumerate(durations)
    ]
    return {
        "days": 5,
        "turnover": 0,
        "tables": [
            {"id": "OR1", "minutes": [480] * 5},
            {"id": "OR2", "minutes": [480, 480, 0, 480, 480]},
            {"id": "OR3", "minutes": [480] * 5},
        ],
        "surgeons": surgeons,
        "cases": cases,
        "weights": {"unscheduled": 100, "delay": 2, "open_table": 40, "surgeon_transfer": 10},
    }


def _day_care_children() -> dict[str, Any]:
    """One day of paediatric day surgery in the style of day-care instances that put the
    youngest first (e.g. Cardoen et al.): 4 ORs of 510 minutes with turnover, 8 surgeons of
    various specialties and hours, 3 anaesthetists, 28 children with ages and priorities."""
    specialties = ["ent", "eye", "general", "urology"]
    surgeons = [
        {"id": f"D{i + 1}", "minutes": [[510, 240, 360, 510][i % 4]], "procedures": [specialties[i % 4]]}
        for i in range(8)
    ]
    durations = [30, 45, 60, 35, 90, 40, 120, 25, 55, 75, 30, 65, 50, 100,
                 45, 30, 80, 60, 40, 110, 35, 70, 50, 45, 95, 30, 60, 40]  # fmt: skip
    ages = [400, 2900, 150, 1800, 900, 3600, 250, 5000, 700, 1200, 2100, 330, 4100, 600,
            1500, 2600, 980, 120, 3300, 760, 4500, 1100, 520, 2300, 1700, 290, 3900, 840]  # fmt: skip
    cases = [
        {
            "id": f"K{i + 1}",
            "minutes": m,
            "procedure": specialties[i % 4],
            "age_days": ages[i],
            "priority": [150, 100, 120, 200][i % 4],
        }
        for i, m in enumerate(durations)
    ]
    return {
        "days": 1,
        "turnover": 10,
        "tables": [{"id": f"OR{i + 1}", "minutes": [510]} for i in range(4)],
        "surgeons": surgeons,
        "anesthetists": [{"id": f"AN{i + 1}", "minutes": [510]} for i in range(3)],
        "cases": cases,
    }


def _waiting_list() -> dict[str, Any]:
    """A waiting list over two weeks in the style of elective planning instances with
    sessions of different lengths (e.g. Marques et al.): 5 rooms × 10 days (morning-only
    rooms of 300, full days of 540, rooms closed on some days), 7 surgeons with days off,
    5 anaesthetists, 90 patients released over time, urgent ones mandatory."""
    rooms = []
    for r in range(5):
        rooms.append(
            {"id": f"R{r + 1}", "minutes": [0 if (d + r) % 7 == 6 else (300 if r >= 3 else 540) for d in range(10)]}
        )
    procedures = ["hip", "knee", "hernia", "cataract", "spine"]
    surgeons = [
        {
            "id": f"M{i + 1}",
            "minutes": [0 if d % 5 == i % 5 else 480 for d in range(10)],
            "procedures": [procedures[i % 5], procedures[(i + 2) % 5]],
        }
        for i in range(7)
    ]
    durations = {"hip": 120, "knee": 105, "hernia": 60, "cataract": 30, "spine": 180}
    cases = []
    for i in range(90):
        proc = procedures[(i * 7) % 5]
        cases.append(
            {
                "id": f"W{i + 1}",
                "minutes": durations[proc] + 15 * (i % 3),
                "procedure": proc,
                "release_day": (i * 3) % 6,
                "priority": 80 + 10 * (i % 13),
                "age_days": 10000 + 37 * i,
                "mandatory": i % 23 == 0,
            }
        )
    return {
        "days": 10,
        "turnover": 20,
        "tables": rooms,
        "surgeons": surgeons,
        "anesthetists": [
            {"id": f"N{i + 1}", "minutes": [0 if d % 4 == i % 4 else 540 for d in range(10)]} for i in range(5)
        ],
        "cases": cases,
    }


@pytest.mark.parametrize("make", [_elective_blocks, _day_care_children, _waiting_list])
def test_benchmark_shaped_problems_are_solved_soundly_within_the_limit(make: Any) -> None:
    p = make()
    s = sound(p, solve(p, time_limit=2.0))
    assert s["seconds"] < 2.5
    assert s["bound"] is not None and 0 <= s["bound"] <= s["objective"]
    assert len(s["assignments"]) > 0
