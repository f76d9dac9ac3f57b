"""solve(): problem dict in, solution dict out (docs/scheduling-format.md)."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from cleftmission.scheduling.solver.bound import Bound, linear_relaxation
from cleftmission.scheduling.solver.check import cost_of, violations_of
from cleftmission.scheduling.solver.greedy import greedy
from cleftmission.scheduling.solver.model import Options, Result, solve_model
from cleftmission.scheduling.solver.problem import Assignment, Problem, parse_assignments, parse_problem
from cleftmission.scheduling.solver.reasons import reason_unscheduled, static_reason, usage_of
from cleftmission.scheduling.solver.refine import DAYS, PER_DAY, SHARE, refine, short_days
from cleftmission.scheduling.solver.relay import PER_DAY as RELAY_PER_DAY
from cleftmission.scheduling.solver.relay import SHARE as RELAY_SHARE
from cleftmission.scheduling.solver.relay import relay, relay_days
from cleftmission.scheduling.solver.search import STOP_GAP, WHOLE, search
from cleftmission.scheduling.solver.teams import Place, Plan, expressible
from cleftmission.scheduling.solver.timing import timed


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
                blocked.append(f"{'locked' if c.fixed else 'mandatory'} {c.id}: {why.text}")
    if blocked:
        return "; ".join(blocked)
    # (a repair's first_day: its mandatory cases of earlier days are done, not due)
    return (overbooked(problem) if first_day == 0 else None) or (
        "the mandatory and locked cases cannot all be operated together within the tables' and surgeons' minutes"
    )


def overbooked(problem: Problem) -> str | None:
    """Days lo..hi on which the mandatory and locked cases due within them need more table
    minutes (each with a turnover) or more surgeon minutes than there are: then no schedule
    exists. None when every such span has room (which does not prove that one exists)."""
    tau = problem.turnover
    spans = []
    for c in problem.cases:
        if c.fixed is not None:
            spans.append((c.fixed.day, c.fixed.day, c.minutes))
        elif c.mandatory:
            spans.append((c.release_day, min(c.due_day, problem.days - 1), c.minutes))
    if not spans:
        return None
    table_room = [sum(t.minutes[d] + tau for t in problem.tables if t.minutes[d] > 0) for d in range(problem.days)]
    surgeon_room = [sum(s.minutes[d] for s in problem.surgeons) for d in range(problem.days)]
    for lo in range(problem.days):
        for hi in range(lo, problem.days):
            inside = [m for a, b, m in spans if lo <= a and b <= hi]
            if not inside:
                continue
            when = f"day {lo}" if lo == hi else f"days {lo}-{hi}"
            need, room = sum(inside) + tau * len(inside), sum(table_room[lo : hi + 1])
            if need > room:
                return (
                    f"the {len(inside)} mandatory and locked cases due on {when} need {need} table minutes "
                    f"with their turnovers, and the tables have {room}"
                )
            need, room = sum(inside), sum(surgeon_room[lo : hi + 1])
            if need > room:
                return (
                    f"the {len(inside)} mandatory and locked cases due on {when} need {need} surgeon minutes, "
                    f"and the surgeons have {room}"
                )
    return None


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
    usage = usage_of(problem, assignments)
    return {
        "status": result.status,
        "objective": sum(cost.values()),
        "bound": result.bound,
        "cost": cost,
        "assignments": [a.as_dict() for a in assignments],
        "unscheduled": [
            reason_unscheduled(problem, c, assignments, first_day, usage).as_dict(c.id)
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
    deadline = started + time_limit
    earlier = known_assignments(parsed, hint) if hint is not None else []
    if overbooked(parsed) or any(
        c.mandatory and c.fixed is None and static_reason(parsed, c) is not None for c in parsed.cases
    ):
        # a mandatory case nobody can operate, or more of them than there is room for: say so
        # now, whatever the time limit
        return to_solution(parsed, Result("infeasible", [], None, None), started)
    if expressible(parsed):
        result = solve_teams(parsed, deadline=deadline, earlier=earlier)
    elif not parsed.sequence and len(parsed.cases) > SMALL:
        result = _solve_untimed(parsed, deadline=deadline, earlier=earlier)
    else:
        result = _solve_intervals(parsed, deadline=deadline, earlier=earlier)
    return to_solution(parsed, result, started)


def _solve_untimed(problem: Problem, *, deadline: float, earlier: list[Assignment]) -> Result:
    """Without clock times a surgeon may work at two tables a day, which the team model does
    not hold; but its schedules (each surgeon at one table) are schedules here too, and it
    finds good ones fast. So: the team model on the problem with clock times and without
    anaesthetists for 40 % of the time, then the interval model from its schedule. The
    relaxation's bound runs beside from the start (SCIP needs about 0.6 s on 100 cases over
    14 days), with its LP as a floor."""
    limit = deadline - time.monotonic()
    size = len(problem.cases) * problem.days
    bound = Bound(problem, max(0.05, 0.6 * limit)) if size <= BESIDE and limit >= 0.3 else None
    if bound is not None:
        bound.start()
    linear = linear_relaxation(problem) if limit >= 4 * lp_seconds(problem) else None
    timed_copy = replace(problem, sequence=True, anesthetists=())
    # on a problem too large to build the interval model in its share of the time (300
    # cases over 14 days of 15 tables: 5 s), the team model keeps all of it
    intervals = 0.6 * (deadline - time.monotonic()) > interval_build_seconds(problem)
    first: list[Assignment] = []
    if expressible(timed_copy):
        until = time.monotonic() + (0.4 if intervals else 1.0) * (deadline - time.monotonic())
        found = solve_teams(timed_copy, deadline=until, earlier=earlier, prove=False)
        first = [Assignment(a.case, a.day, a.table, a.surgeon) for a in found.assignments]
        if violations_of(problem, first):
            first = []
    if not intervals:
        if bound is not None:
            bound.stop()
            bound.join()
        if not first:
            return _with_floor(_fallback(problem, deadline, earlier), linear.bound if linear else None)
        team = Result("feasible", first, least_cost(problem), sum(cost_of(problem, first).values()))
        return _with_floor(_with_bound(team, bound), linear.bound if linear else None)
    result = _solve_intervals(problem, deadline=deadline, earlier=first or earlier, bound=bound)
    if first and result.status != "infeasible":
        objective = sum(cost_of(problem, first).values())
        if result.model_objective is None or objective < result.model_objective:
            result = _with_floor(Result("feasible", first, None, objective), result.bound)
    return _with_floor(result, linear.bound if linear else None)


def _with_floor(result: Result, floor: int | None) -> Result:
    """The result with its bound raised to `floor` (another proven bound), never above its
    objective; optimal when they meet."""
    if result.model_objective is None or floor is None or (result.bound is not None and result.bound >= floor):
        return result
    bound = min(floor, result.model_objective)
    status = "optimal" if bound == result.model_objective else result.status
    return Result(status, result.assignments, bound, result.model_objective)


def _solve_intervals(
    problem: Problem, *, deadline: float, earlier: list[Assignment], bound: Bound | None = None
) -> Result:
    """The interval model (model.py), for what the team model cannot hold: no clock times
    (a surgeon may then work at two tables, at a transfer cost), or locked cases that put a
    surgeon at two tables. `bound`: the relaxation already running beside (else one starts)."""
    if bound is None:
        bound = Bound(problem, max(0.05, (deadline - time.monotonic()) * 0.5))
        bound.start()
    hints = [earlier, greedy(problem)] if earlier else [greedy(problem)]
    result = solve_model(problem, time_limit=deadline - time.monotonic(), hints=hints, opts=Options())
    bound.stop()
    bound.join()
    return _with_bound(result, bound)


def _with_bound(result: Result, bound: Bound | None) -> Result:
    """The best proven bound of the two, never above the schedule's objective."""
    if bound is not None and bound.infeasible:
        return Result("infeasible", [], None, None)
    values = [b for b in (result.bound, bound.current() if bound else None) if b is not None]
    best = max(values) if values else None
    done = result.status in ("optimal", "feasible") and result.model_objective is not None
    if done and best is not None and result.model_objective is not None and best >= result.model_objective:
        return Result("optimal", result.assignments, result.model_objective, result.model_objective)
    return Result(result.status, result.assignments, best, result.model_objective)


def team_plan(problem: Problem, assignments: list[Assignment]) -> Plan | None:
    """An earlier schedule as a plan of the team model, when it keeps each surgeon at one
    table a day and each table's cases with one anaesthetist."""
    if not assignments or any(a.surgeon is None for a in assignments):
        return None
    plan = Plan()
    tables: dict[tuple[str, int], str] = {}
    for a in assignments:
        assert a.surgeon is not None
        if tables.setdefault((a.surgeon, a.day), a.table) != a.table:
            return None
        plan.places[a.case] = Place(a.day, a.table, a.surgeon)
        if problem.uses_anesthetists and (
            a.anesthetist is None or plan.anesthetist.setdefault((a.day, a.table), a.anesthetist) != a.anesthetist
        ):
            return None
    if violations_of(problem, timed(problem, plan)):
        return None
    return plan


def solve_teams(problem: Problem, *, deadline: float, earlier: list[Assignment], prove: bool = True) -> Result:
    """The team model's search (search.py) with the relaxation's bound (bound.py) beside it,
    then its days short of people re-solved by the interval model (refine.py); the interval
    model when the team model finds nothing. `prove` False: no relaxation
    beside (the caller proves its own bound)."""
    limit = deadline - time.monotonic()
    size = len(problem.cases) * problem.days
    linear = linear_relaxation(problem) if limit >= 4 * lp_seconds(problem) else None
    # the relaxation's CP-SAT search raises the LP's bound a little on a mission of 5 days;
    # on a larger one it does not get past the LP in time, and the core is better searching
    beside_for = max(0.05, min(limit * 0.4, deadline - time.monotonic() - 0.05))
    bound = Bound(problem, beside_for) if prove and size <= BESIDE and limit >= 0.3 else None
    if bound is not None:
        bound.start()
    floor = least_cost(problem)

    def best_bound() -> int | None:
        values = [floor, bound.current() if bound else None, linear.bound if linear else None]
        return max(v for v in values if v is not None)

    hints = [h for h in [team_plan(problem, earlier)] if h is not None]
    # on a mission of about five days, the days the team model holds too tightly get the
    # time of the search's last step, the whole model (refine.py); on a larger one the
    # search gains more with it
    refining = prove and problem.sequence and len(problem.cases) > SMALL and size <= WHOLE
    short = short_days(problem) if refining else []
    reserve = min(SHARE * limit, PER_DAY * min(DAYS, len(short)))
    # and on any mission, the days one or more anaesthetists short get the very end, planned
    # again with the anaesthetists going from table to table (relay.py)
    relaying = relay_days(problem) if prove and len(problem.cases) > SMALL else []
    relay_reserve = min(RELAY_SHARE * limit, RELAY_PER_DAY * len(relaying))
    found = search(
        problem,
        deadline=deadline - 0.02 - relay_reserve,
        hints=hints,
        bound=best_bound,
        guide=linear.days if linear else None,
        workers=2,
        alone=bound is None and prove,
        beside_until=time.monotonic() + beside_for if bound is not None and len(problem.cases) > SMALL else None,
        later_guide=bound.solution if bound is not None else None,
        keep=reserve,
    )
    if bound is not None:
        if not bound.finished.is_set():
            bound.stop()
        bound.join()
        if bound.infeasible:
            return Result("infeasible", [], None, None)
    if found.plan is None:
        return _fallback(problem, deadline, earlier)
    assignments = timed(problem, found.plan)
    if violations_of(problem, assignments):  # never hand out a schedule that breaks a rule
        return _fallback(problem, deadline, earlier)
    objective = sum(cost_of(problem, assignments).values())
    proven = best_bound()

    def far_from_bound() -> bool:  # else the steps below cannot gain enough to matter
        return proven is None or objective - proven > STOP_GAP * objective

    if short and far_from_bound():
        refined = refine(
            problem, assignments, deadline=deadline - 0.05 - relay_reserve, guide=linear.days if linear else None
        )
        if not violations_of(problem, refined):
            assignments = refined
            objective = sum(cost_of(problem, assignments).values())
    if relaying and far_from_bound():
        assignments = relay(problem, assignments, deadline=deadline - 0.05, days=relaying)
        objective = sum(cost_of(problem, assignments).values())
    result = Result("feasible", assignments, proven, objective)
    if len(problem.cases) <= SMALL and deadline - time.monotonic() > 0.1:
        result = _exact(problem, deadline, assignments, result)
    return _with_bound(result, bound)


def lp_seconds(problem: Problem) -> float:
    """About how long the relaxation's LP takes: 0.1 s on a 5-day mission, 1.5 s on 400
    children over 10 days, 0.8 s on 130 cases over 14 days without clock times. It gets at
    most a quarter of the time."""
    size = len(problem.cases) * problem.days
    return 0.05 + 0.8 * (size / 3000) ** 2 + (0.3 * (size / 2000) ** 2 if not problem.sequence else 0.0)


def least_cost(problem: Problem) -> int:
    """A bound that needs no solver: the priorities of the cases nobody can operate."""
    return sum(c.priority for c in problem.cases if static_reason(problem, c) is not None)


def interval_build_seconds(problem: Problem) -> float:
    """About how long the interval model (model.py) takes to build, with room to spare: 0.2 s
    for 120 children over 5 days of 5 tables, 4 s for 400 over 10 days of 10."""
    table_days = sum(1 for t in problem.tables for m in t.minutes if m > 0)
    return 0.1 + 2 * len(problem.cases) * table_days / 10000


def _fallback(problem: Problem, deadline: float, earlier: list[Assignment]) -> Result:
    """No team plan: the interval model when there is time for it, else the greedy schedule."""
    if deadline - time.monotonic() > interval_build_seconds(problem):
        return _solve_intervals(problem, deadline=deadline, earlier=earlier)
    first = greedy(problem)
    if violations_of(problem, first):
        return Result("unknown", [], None, None)
    return Result("feasible", first, least_cost(problem), sum(cost_of(problem, first).values()))


SMALL = 40  # cases: the interval model can then prove what the team model cannot (search.SMALL)
BESIDE = 1500  # cases × days: up to this, the relaxation's CP-SAT search runs beside the search


def _exact(problem: Problem, deadline: float, assignments: list[Assignment], result: Result) -> Result:
    """On a small problem, the interval model (exact: surgeons may change tables) from the
    team model's schedule, for a proof or a better schedule."""
    exact = solve_model(
        problem, time_limit=deadline - time.monotonic(), hints=[assignments, greedy(problem)], opts=Options()
    )
    proven = max((b for b in (exact.bound, result.bound) if b is not None), default=None)
    if exact.status == "optimal":
        return exact
    better = exact.model_objective is not None and (
        result.model_objective is None or exact.model_objective < result.model_objective
    )
    if better:
        return Result(exact.status, exact.assignments, proven, exact.model_objective)
    return Result(result.status, result.assignments, proven, result.model_objective)
