"""A proven lower bound on the objective: a relaxation of the whole problem, solved by SCIP
(CP-SAT where an OR-Tools build lacks it) in a thread of its own while the search
(search.py) looks for schedules, and its LP (GLOP).

When the cases come in a few lengths, the relaxation is mix.py's: the same rules, counted
over classes of alike children with patterns of whole cases, stronger and smaller. Else
it is the one below. It keeps every rule that does not need clock times, and drops the rest:

- a case goes to one day and table (x) and one surgeon (w), but the two are not tied: a
  surgeon may be at any number of tables;
- each table-day: sum of (minutes + turnover) <= minutes + turnover (n cases need n - 1
  turnovers); each surgeon-day: the minutes of their cases <= their minutes, and, with clock
  times, <= the longest table-day (nobody is in two cases at once);
- anaesthetists: the day's case minutes <= the sum of what the anaesthetists can give
  (each at most the longest table-day), and only on days one of them can take the case;
- release, due, mandatory and locked cases as in the problem; the surgeon-transfer cost,
  which is never negative, is left out.

Every schedule of the problem is a solution of either relaxation at the same or a lower
cost, so its proven bound holds for the problem (docs/scheduling-format.md, `bound`).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from cleftmission.scheduling.solver.mix import Mix, build_mix
from cleftmission.scheduling.solver.problem import Problem


def day_length(problem: Problem, day: int) -> int:
    return max((t.minutes[day] for t in problem.tables), default=0)


def person_cap(problem: Problem, minutes: int, day: int) -> int:
    return min(minutes, day_length(problem, day)) if problem.sequence else minutes


def table_groups(problem: Problem, day: int) -> list[list[str]]:
    """The day's open tables, those with the same minutes and no locked case together."""
    locked = {c.fixed.table for c in problem.cases if c.fixed is not None and c.fixed.day == day}
    groups: dict[int, list[str]] = defaultdict(list)
    out = []
    for t in problem.tables:
        if t.id in locked:
            out.append([t.id])
        elif t.minutes[day] > 0:
            groups[t.minutes[day]].append(t.id)
    return out + list(groups.values())


class _Cp:
    """The relaxation as a CP-SAT model (integers)."""

    def __init__(self) -> None:
        self.m = cp_model.CpModel()
        self.vars: dict[tuple[Any, ...], Any] = {}
        self.groups: list[list[list[str]]] = []

    def var(self, ub: int, key: tuple[Any, ...]) -> Any:
        name = f"{key[0]}{list(key[1:])}"
        v = self.m.new_bool_var(name) if ub == 1 else self.m.new_int_var(0, ub, name)
        self.vars[key] = v
        return v

    def add(self, constraint: Any) -> None:
        self.m.add(constraint)

    def minimize(self, objective: Any) -> None:
        self.m.minimize(objective)


class _Lp:
    """The relaxation's linear programme (GLOP)."""

    def __init__(self) -> None:
        self.m = pywraplp.Solver.CreateSolver("GLOP")
        self.groups: list[list[list[str]]] = []

    def var(self, ub: int, key: tuple[Any, ...]) -> Any:
        return self.m.NumVar(0, ub, "")

    def add(self, constraint: Any) -> None:
        self.m.Add(constraint)

    def minimize(self, objective: Any) -> None:
        self.m.Minimize(objective)


def _build(problem: Problem, b: _Cp | _Lp, *, pooled: bool = True) -> dict[tuple[str, int], Any]:
    """Build the relaxation into `b`; returns y[case, day]. `pooled`: identical tables share
    one knapsack (else one per table, the identical ones ordered by load)."""
    p = problem
    tau = p.turnover
    objective: list[Any] = []
    constant = 0
    by_group: dict[tuple[int, int], list[tuple[int, Any]]] = defaultdict(list)
    by_surgeon_day: dict[tuple[str, int], list[tuple[int, Any]]] = defaultdict(list)
    by_day: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    day_of: dict[tuple[str, int], Any] = {}
    groups = [
        table_groups(p, d) if pooled else [[t.id] for t in p.tables if t.minutes[d] > 0 or _locked(p, d, t.id)]
        for d in range(p.days)
    ]
    b.groups = groups
    group_of = [{tid: k for k, g in enumerate(gs) for tid in g} for gs in groups]
    opened = {(d, k): b.var(len(g), ("open", d, k)) for d in range(p.days) for k, g in enumerate(groups[d])}
    anesthesia = [
        sum(person_cap(p, a.minutes[d], d) for a in p.anesthetists) if p.uses_anesthetists else 0 for d in range(p.days)
    ]
    longest = [
        max((person_cap(p, a.minutes[d], d) for a in p.anesthetists), default=0) if p.uses_anesthetists else 0
        for d in range(p.days)
    ]
    for case in p.cases:
        f = case.fixed
        days = [f.day] if f is not None else list(range(case.release_day, case.due_day + 1))
        surgeons = p.surgeons_for(case)
        ys = []
        for d in days:
            if p.uses_anesthetists and longest[d] < case.minutes:
                continue
            if f is not None:
                k = group_of[d].get(f.table)
                where = [] if k is None else [k]  # a closed table: the case cannot be operated
            else:
                where = sorted({group_of[d][t.id] for t in p.tables if t.minutes[d] >= case.minutes})
            people = [s for s in surgeons if person_cap(p, s.minutes[d], d) >= case.minutes]
            if not where or not people:
                continue
            y = b.var(1, ("y", case.id, d))
            day_of[case.id, d] = y
            ys.append(y)
            xs = [y] if len(where) == 1 else [b.var(1, ("x", case.id, d, k)) for k in where]
            if len(xs) > 1:
                b.add(sum(xs) == y)
            for k, x in zip(where, xs, strict=True):
                by_group[d, k].append((case.minutes + tau, x))
                b.add(x <= opened[d, k])  # a case opens a table of the group
            ws = [y] if len(people) == 1 else [b.var(1, ("w", case.id, d, s.id)) for s in people]
            if len(ws) > 1:
                b.add(sum(ws) == y)
            for s, wv in zip(people, ws, strict=True):
                by_surgeon_day[s.id, d].append((case.minutes, wv))
            by_day[d].append((case.minutes, y))
            if d > case.release_day:
                objective.append(p.weights.delay * (d - case.release_day) * y)
        if case.mandatory or f is not None:
            b.add(sum(ys) == 1)
        elif len(ys) > 1:
            b.add(sum(ys) <= 1)
        constant += case.priority
        if ys:
            objective.append(-case.priority * sum(ys))
    loads = {}
    for (d, k), items in by_group.items():
        cap = p.table(groups[d][k][0]).minutes[d]
        loads[d, k] = sum(size * x for size, x in items)
        b.add(loads[d, k] <= (cap + tau) * opened[d, k])
    if not pooled:  # identical tables are interchangeable: order them by load
        for d in range(p.days):
            for same in table_groups(p, d):
                ks = [k for k, g in enumerate(groups[d]) if g[0] in same and (d, k) in loads]
                for k1, k2 in itertools.pairwise(ks):
                    b.add(opened[d, k1] >= opened[d, k2])
                    b.add(loads[d, k1] >= loads[d, k2])
    objective.extend(p.weights.open_table * v for (d, k), v in opened.items() if (d, k) in by_group)
    for (sid, d), items in by_surgeon_day.items():
        cap = person_cap(p, p.surgeon(sid).minutes[d], d)
        if sum(k for k, _ in items) > cap:
            b.add(sum(k * v for k, v in items) <= cap)
    if p.uses_anesthetists:
        for d, items in by_day.items():
            if sum(k for k, _ in items) > anesthesia[d]:
                b.add(sum(k * v for k, v in items) <= anesthesia[d])
    b.minimize(sum(objective) + constant)
    return day_of


def relaxation(problem: Problem, *, pooled: bool = True) -> cp_model.CpModel:
    """The relaxation. `pooled`: each group of identical tables is one knapsack (each open
    table adds its minutes and a turnover); that loses how the cases split between the
    tables, which leaves the LP's value as it is (the tables are interchangeable) and keeps
    a large model small; a small one is stronger with a knapsack per table."""
    b = _Cp()
    _build(problem, b, pooled=pooled)
    return b.m


def _locked(problem: Problem, day: int, table: str) -> bool:
    return any(c.fixed is not None and c.fixed.day == day and c.fixed.table == table for c in problem.cases)


@dataclass
class Linear:
    bound: int | None  # the LP's value, rounded up: a proven bound
    days: dict[tuple[str, int], float]  # how much of each case the LP puts on each day


def linear_relaxation(problem: Problem) -> Linear:
    """The relaxation's LP, solved by GLOP (a fraction of a second on a mission)."""
    b = _Lp()
    mix = build_mix(problem, b.m, integer=False, person_cap=person_cap)
    day_of = _build(problem, b) if mix is None else {}
    code = b.m.Solve()
    if code != pywraplp.Solver.OPTIMAL:
        return Linear(None, {})
    value = b.m.Objective().Value()
    if mix is None:
        return Linear(_rounded(value), {k: v.solution_value() for k, v in day_of.items()})
    days = mix.shares(lambda v: v.solution_value())
    if mix.losses:
        # the days short of anaesthetists raise the bound (on 400 children, 9567 to 9616); the
        # guide stays the LP's without them, which the day-by-day search follows better
        mix.add_losses(b.m)
        if b.m.Solve() == pywraplp.Solver.OPTIMAL:
            value = max(value, b.m.Objective().Value())
    return Linear(_rounded(value), days)


def _rounded(value: float) -> int:
    """A bound from a solver's value: rounded up, past its tolerance."""
    return math.ceil(value - 1e-6 * max(1.0, abs(value)))


PER_TABLE = 600  # cases × table-days: up to this, a knapsack per table (a stronger bound; on a
# larger problem the pooled model's root, with SCIP's cuts, gets further in the time there is)


class _Mip(_Lp):
    """The relaxation as a mixed-integer programme (SCIP): its cuts at the root raise the LP's
    bound by about 2 % on a mission, where CP-SAT's own search stays below the LP."""

    def __init__(self, solver: pywraplp.Solver) -> None:
        self.m = solver
        self.groups = []

    def var(self, ub: int, key: tuple[Any, ...]) -> Any:
        return self.m.IntVar(0, ub, "")


class Bound(threading.Thread):
    """Solve the relaxation in the background; `value` is the best proven bound so far (an int,
    rounded up), `finished` once the relaxation is solved or stopped, `infeasible` when even
    the relaxation has no solution (then neither has the problem).

    SCIP (shipped with OR-Tools) solves it; CP-SAT when an OR-Tools build has no SCIP."""

    def __init__(self, problem: Problem, time_limit: float, workers: int = 1) -> None:
        super().__init__(daemon=True)
        per_table = len(problem.cases) * sum(1 for t in problem.tables for m in t.minutes if m > 0)
        pooled = per_table > PER_TABLE
        self.value: int | None = None
        self.infeasible = False
        self.finished = threading.Event()
        self._lock = threading.Lock()
        self.guide: dict[tuple[str, int], float] | None = None  # the best solution's days, once finished
        scip = pywraplp.Solver.CreateSolver("SCIP")
        self.mip: _Mip | None = None
        self.mix: Mix | None = None
        if scip is not None:
            self.mip = _Mip(scip)
            self.mix = build_mix(problem, scip, integer=True, person_cap=person_cap)
            if self.mix is None:
                _build(problem, self.mip, pooled=pooled)
            scip.SetTimeLimit(max(50, int(time_limit * 1000)))
            scip.SetNumThreads(workers)
            return
        self.built = _Cp()
        _build(problem, self.built, pooled=pooled)
        self.solver = cp_model.CpSolver()
        self.solver.parameters.max_time_in_seconds = max(0.05, time_limit)
        self.solver.parameters.num_workers = workers
        self.solver.parameters.linearization_level = 2
        self.solver.parameters.random_seed = 11
        self.solver.best_bound_callback = self._update

    def _update(self, bound: float) -> None:
        with self._lock:
            value = math.ceil(bound - 1e-6 * max(1.0, abs(bound)))
            if self.value is None or value > self.value:
                self.value = value

    def run(self) -> None:
        try:
            if self.mip is not None:
                self._run_mip(self.mip.m)
                return
            code = self.solver.solve(self.built.m)
            if code == cp_model.INFEASIBLE:
                self.infeasible = True
            elif code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                self._update(self.solver.best_objective_bound)
        finally:
            self.finished.set()

    def _run_mip(self, scip: pywraplp.Solver) -> None:
        exact = pywraplp.MPSolverParameters()  # no gap tolerance: a small relaxation is proven
        exact.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, 0.0)
        code = scip.Solve(exact)
        if code == pywraplp.Solver.INFEASIBLE:
            self.infeasible = True
        elif code in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            # the best bound, also when SCIP says optimal: that is within its gap tolerance
            self._update(scip.Objective().BestBound())
            if self.mix is not None:
                self.guide = self.mix.shares(lambda v: v.solution_value())

    def stop(self) -> None:
        if self.mip is not None:
            self.mip.m.InterruptSolve()
        else:
            self.solver.stop_search()

    def solution(self) -> dict[tuple[str, int], float] | None:
        """The days of the relaxation's best solution (Mix.shares), once its search has
        finished (it is given a moment to, at its time limit); None without one."""
        self.finished.wait(0.2)
        return self.guide if self.finished.is_set() else None

    def current(self) -> int | None:
        with self._lock:
            return self.value
