"""The relaxation over the day's case mix (mix.py): a true lower bound, stronger than the
relaxation it replaces, and it steps aside when the cases come in too many lengths."""

from __future__ import annotations

import random
from typing import Any

import pytest
from ortools.linear_solver import pywraplp

from cleftmission.scheduling.solver import generate, solve
from cleftmission.scheduling.solver.bound import Bound, _build, _Lp, linear_relaxation, person_cap
from cleftmission.scheduling.solver.mix import build_mix, patterns
from cleftmission.scheduling.solver.model import Options, solve_model
from cleftmission.scheduling.solver.problem import parse_problem
from cleftmission.scheduling.solver.tests.support import case, problem, sound


def relaxation_optimum(raw: dict[str, Any]) -> float | None:
    """The mix relaxation, with what a day short of anaesthetists loses (the LP's form), solved
    to the end by SCIP; None when it has no solution."""
    scip = pywraplp.Solver.CreateSolver("SCIP")
    mix = build_mix(parse_problem(raw), scip, integer=True, person_cap=person_cap)
    assert mix is not None
    mix.add_losses(scip)
    code = scip.Solve()
    assert code in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.INFEASIBLE)
    return scip.Objective().Value() if code == pywraplp.Solver.OPTIMAL else None


def test_patterns_are_the_fillings_nothing_more_fits_into() -> None:
    # a 180-minute surgeon day from cases of 60 and 90: 3 x 60, 60 + 90 (30 left), 2 x 90;
    # 2 x 60 leaves room for another 60, so it is inside 3 x 60 and left out
    assert sorted(patterns([60, 90], 180, 1000) or []) == [(0, 2), (1, 1), (3, 0)]
    # with a second limit (one table of 150 with a turnover of 15: sizes 75 and 105, room 165)
    # 2 x 60 is also kept: it is what fits at one table
    kept = patterns([60, 90], 180, 1000, within=([75, 105], 165))
    assert sorted(kept or []) == [(0, 1), (0, 2), (1, 1), (2, 0), (3, 0)]
    assert patterns([1], 10_000, 50) is None  # too many to look at


def _random_problem(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    raw = generate.mission(
        children=rng.randint(5, 12),
        tables=rng.randint(1, 3),
        days=rng.randint(1, 3),
        seed=seed,
        sequence=rng.random() < 0.7,
        mandatory=rng.choice([0, 0.2]),
    )
    raw["turnover"] = rng.choice([0, 15, 30])
    for t in raw["tables"]:
        t["minutes"] = [rng.choice([0, 150, 240, 300]) for _ in t["minutes"]]
    for s in raw["surgeons"]:
        s["minutes"] = [rng.choice([0, 120, 240, 480]) for _ in s["minutes"]]
    for a in raw["anesthetists"]:
        a["minutes"] = [rng.choice([0, 200, 540]) for _ in a["minutes"]]
    for c in raw["cases"]:
        if rng.random() < 0.3:
            c["minutes"] = rng.choice([30, 45, 60, 90])
    if rng.random() < 0.4:  # lock a few cases where a first schedule put them
        for a in solve(raw, time_limit=0.5)["assignments"][: rng.randint(1, 3)]:
            locked = next(c for c in raw["cases"] if c["id"] == a["case"])
            locked["fixed"] = {"day": a["day"], "table": a["table"]}
            if rng.random() < 0.5:
                locked["fixed"]["surgeon"] = a["surgeon"]
    return raw


@pytest.mark.parametrize("seed", range(1, 13))
def test_the_relaxation_never_exceeds_the_best_schedule(seed: int) -> None:
    # small problems of every shape (clock times or not, closed tables, short days, locked
    # cases, one anaesthetist, cases of 30-135 minutes) solved to the end by the interval
    # model, which holds every schedule check() accepts
    raw = _random_problem(seed)
    exact = solve_model(parse_problem(raw), time_limit=30, hints=[], opts=Options(workers=2))
    assert exact.status in ("optimal", "infeasible")
    value = relaxation_optimum(raw)
    if exact.status == "optimal":
        assert exact.model_objective is not None
        assert value is not None and value <= exact.model_objective + 1e-6


def test_whole_cases_fill_a_surgeons_day() -> None:
    # one table of 540 (turnover 15); one surgeon of 480 for three cases of 200: two fit his
    # day, not three. The LP of a plain knapsack gives him 480/200 = 2.4 cases (a bound below
    # 0.6 x 100 + 30 = 90); patterns give two whole ones: 100 unoperated + 1 table-day = 130.
    p = problem(
        minutes=540,
        sequence=True,
        cases=[case(c, 200, age_days=i) for i, c in enumerate("ABC")],
    )
    plain = _Lp()
    _build(parse_problem(p), plain)
    assert plain.m.Solve() == pywraplp.Solver.OPTIMAL
    assert plain.m.Objective().Value() < 90  # fractions of cases on the surgeon and the table
    assert relaxation_optimum(p) == 130
    linear = linear_relaxation(parse_problem(p))
    assert linear.bound == 130
    s = sound(p, solve(p, time_limit=5))
    assert (s["status"], s["objective"], s["bound"]) == ("optimal", 130, 130)


def test_a_surgeons_day_too_long_for_one_table_costs_a_transfer() -> None:
    # two tables of 200 (turnover 15), one surgeon, two cases of 100: a table holds one
    # (100 + 15 + 100 > 200), so he operates at both, T1 0-100 then T2 100-200: two
    # table-days and a transfer, 2 x 30 + 10 = 70 (one case alone costs 100 + 30).
    p = problem(tables=2, minutes=200, sequence=True, cases=[case(c, 100, age_days=1) for c in "AB"])
    assert relaxation_optimum(p) == 70
    s = sound(p, solve(p, time_limit=5))
    assert (s["status"], s["objective"], s["bound"]) == ("optimal", 70, 70)
    assert s["cost"]["surgeon_transfer"] == 10


def test_a_locked_case_on_a_closed_table_leaves_no_solution() -> None:
    p = problem(tables=2, cases=[case("A", 60, fixed={"day": 0, "table": "T2"})])
    p["tables"][1]["minutes"] = [0]
    assert relaxation_optimum(p) is None


def test_on_a_mission_the_patterns_raise_the_lp_bound() -> None:
    # 120 children on 5 tables over 5 days: the LP of the old relaxation against the mix's
    raw = generate.mission(children=120, tables=5, days=5, seed=1)
    parsed = parse_problem(raw)
    old = _Lp()
    _build(parsed, old)
    assert old.m.Solve() == pywraplp.Solver.OPTIMAL
    mixed = linear_relaxation(parsed)
    assert mixed.bound is not None
    assert mixed.bound >= old.m.Objective().Value() + 50  # 4360 against 4275
    # and each case's shares of the days add up to at most one
    totals: dict[str, float] = {}
    for (cid, _day), share in mixed.days.items():
        totals[cid] = totals.get(cid, 0.0) + share
    assert max(totals.values()) <= 1 + 1e-6
    assert sum(totals.values()) > 80


def test_on_a_day_short_of_anaesthetists_not_every_table_can_run_all_day() -> None:
    # three tables of 270, two anaesthetists, turnover 30, fifteen cases of 30: a table full
    # from minute 0 to 270 takes five (5 x 30 + 4 x 30 = 270), so the tables hold fifteen and
    # the anaesthetists' minutes eighteen. But with two anaesthetists at most two tables start
    # before minute 30 and at most two end after minute 240, so the third loses 30 at both ends
    # and takes four: fourteen, which the solver reaches (one anaesthetist at a table, the other
    # alternating over two). 100 unoperated + 3 table-days = 190, proven.
    p = problem(
        tables=3,
        minutes=270,
        turnover=30,
        sequence=True,
        surgeons=[{"id": f"S{i}", "minutes": [480]} for i in (1, 2, 3)],
        anesthetists=[{"id": "A1", "minutes": [270]}, {"id": "A2", "minutes": [270]}],
        cases=[case(f"C{i}", 30, age_days=100 + i) for i in range(15)],
    )
    assert relaxation_optimum(p) == pytest.approx(190)
    s = sound(p, solve(p, time_limit=5))
    assert (s["status"], s["objective"], s["bound"]) == ("optimal", 190, 190)


def test_cases_of_too_many_lengths_go_to_the_plain_relaxation() -> None:
    p = problem(
        minutes=10_000,
        cases=[case(f"C{i}", 7 + i) for i in range(40)],
    )
    p["surgeons"] = [{"id": "S1", "minutes": [10_000]}]
    lp = pywraplp.Solver.CreateSolver("GLOP")
    assert build_mix(parse_problem(p), lp, integer=False, person_cap=person_cap) is None
    assert lp.NumVariables() == 0  # nothing half-built
    assert linear_relaxation(parse_problem(p)).bound is not None  # the plain one answers


def test_the_relaxations_solution_gives_each_child_a_day_in_its_window() -> None:
    # what the search follows once the relaxation's search is done (search.py, step 2)
    raw = generate.mission(children=40, tables=3, days=3, seed=4, mandatory=0.1)
    parsed = parse_problem(raw)
    bound = Bound(parsed, 5.0)
    bound.start()
    bound.join()
    days = bound.solution()
    assert days is not None and bound.current() is not None
    totals: dict[str, float] = {}
    for (cid, day), share in days.items():
        c = parsed.case(cid)
        assert c.release_day <= day <= c.due_day
        totals[cid] = totals.get(cid, 0.0) + share
    assert all(t == pytest.approx(1) for t in totals.values())  # whole children: an integer solution
    assert {c.id for c in parsed.cases if c.mandatory} <= set(totals)
    assert 20 <= len(totals) <= 40
