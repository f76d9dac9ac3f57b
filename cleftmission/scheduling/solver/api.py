"""solve(): problem dict in, solution dict out (docs/scheduling-format.md)."""

from __future__ import annotations

import time
from typing import Any

from cleftmission.scheduling.solver.check import cost_of
from cleftmission.scheduling.solver.greedy import greedy
from cleftmission.scheduling.solver.model import Options, Result, solve_model
from cleftmission.scheduling.solver.problem import Assignment, Problem, parse_assignments, parse_problem
from cleftmission.scheduling.solver.reasons import reason_unscheduled, static_reason


def known_assignments(problem: Problem, raw: Any) -> list[Assignment]:
    """A hint's placements that still make sense for this problem (cases may have gone since)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("assignments"), list):
        return []
    case_ids = {c.id for c in problem.cases}
    table_ids = {t.id for t in problem.tables}
    items = [
        a
        for a in raw["assignments"]
        if isinstance(a, dict) and a.get("case") in case_ids and a.get("table") in table_ids
    ]
    return parse_assignments(problem, items)


def infeasible_reason(problem: Problem, first_day: int = 0) -> str:
    blocked = []
    for c in problem.cases:
        if c.mandatory or c.fixed is not None:
            why = static_reason(problem, c, first_day)
            if why is not None:
                blocked.append(f"{'locked' if c.fixed else 'mandatory'} {c.id}: {why}")
    if blocked:
        return "; ".join(blocked)
    return "the mandatory and locked cases cannot all be operated together within the tables' and surgeons' minutes"


def to_solution(problem: Problem, result: Result, started: float, *, first_day: int = 0) -> dict[str, Any]:
    seconds = round(time.monotonic() - started, 3)
    if result.status in ("infeasible", "unknown"):
        return {
            "status": result.status,
            "objective": None,
            "bound": result.bound,
            "cost": None,
            "assignments": [],
            "unscheduled": [],
            "changes": 0,
            "seconds": seconds,
            "reason": infeasible_reason(problem, first_day)
            if result.status == "infeasible"
            else "no schedule was found within the time limit",
        }
    assignments = sorted(result.assignments, key=lambda a: (a.day, a.table, a.start or 0, a.case))
    cost = cost_of(problem, assignments)
    done = {a.case for a in assignments}
    return {
        "status": result.status,
        "objective": sum(cost.values()),
        "bound": result.bound,
        "cost": cost,
        "assignments": [a.as_dict() for a in assignments],
        "unscheduled": [
            {"case": c.id, "reason": reason_unscheduled(problem, c, assignments, first_day)}
            for c in problem.cases
            if c.id not in done
        ],
        "changes": 0,
        "seconds": seconds,
    }


def solve(problem: dict[str, Any], *, time_limit: float = 10.0, hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the schedule. `hint`: an earlier solution to start from (unknown cases ignored).

    Raises ProblemError (a ValueError with `.field`) when the problem is malformed."""
    started = time.monotonic()
    parsed = parse_problem(problem)
    if time_limit <= 0:
        raise ValueError("time_limit must be positive")
    hints = [greedy(parsed)]
    if hint is not None:
        hints.insert(0, known_assignments(parsed, hint))
    result = solve_model(parsed, time_limit=time_limit - (time.monotonic() - started), hints=hints, opts=Options())
    return to_solution(parsed, result, started)
