"""After the search: a day with fewer anaesthetists than open tables, planned again with the
anaesthetists going from table to table (a relay), as `check()` allows.

The team model gives each anaesthetist a table, or a pair of tables they alternate between.
With one anaesthetist short of the tables, that leaves one pair whose two tables together run
no more than one anaesthetist's day, while every other anaesthetist waits out each turnover at
their own table. In a relay nobody waits for a table to turn over: an anaesthetist who ends a
case goes to a table that is ready. So the day is planned in three steps:

1. the team model without anaesthetists (a surgeon per table, each table's list youngest
   first): the day's cases, the children waiting for a day, and the children of later days,
   each worth the delay that operating them on this day saves; the day's minutes of surgery
   within what the anaesthetists give, less a margin (`_gas_room`);
2. clock times for those lists with at most as many cases at once as there are anaesthetists
   (CP-SAT, a cumulative constraint), keeping each list's order and turnovers, the cases that
   do not fit left out (the least worth first; the mandatory ones stay);
3. an anaesthetist for each case, in order of start: a free one with the most minutes left.

The day changes when the whole schedule's cost falls and it breaks no rule. On the first day
of 400 children over ten days (9 anaesthetists for 10 tables) the team model fits 55 children
(4,110 minutes), the lists without anaesthetists 62, and 61 of them (4,320 minutes) keep to 9
at once; over the whole schedule, the bench's medians went from 10,370 to 10,230
(bench/README.md).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import replace

from ortools.sat.python import cp_model

from cleftmission.scheduling.solver.check import cost_of, violations_of
from cleftmission.scheduling.solver.problem import Assignment, Case, Problem
from cleftmission.scheduling.solver.refine import day_problem
from cleftmission.scheduling.solver.teams import Place, Plan, TeamModel

PER_DAY = 0.5  # seconds a day: on the bench most take 0.1-0.5 s
SHARE = 0.2  # of the time limit, at most
LISTS = 0.6  # of a day's time: the lists (step 1); the rest times them (step 2)


def relay_days(problem: Problem) -> list[int]:
    """The days a relay may help: with clock times, fewer anaesthetists than open tables, at
    least two anaesthetists (one alone is a pair at most), nothing locked."""
    if not problem.uses_anesthetists:
        return []
    locked = {c.fixed.day for c in problem.cases if c.fixed is not None}
    days = []
    for d in range(problem.days):
        tables = sum(1 for t in problem.tables if t.minutes[d] > 0)
        present = sum(1 for a in problem.anesthetists if a.minutes[d] > 0)
        if 2 <= present < tables and d not in locked:
            days.append(d)
    return days


def _gas_room(sub: Problem, anesthetists: dict[str, int]) -> int:
    """The minutes of surgery the lists may hold on a day of n tables and k anaesthetists:
    the anaesthetists' minutes (each within the longest table), less twice the shortest case
    for each anaesthetist missing (what a table waits at the start of the day for one to be
    free, and stops early at the end). A margin, not a bound: without it the lists are
    fuller than the anaesthetists can time, and the timing leaves out more (on 400 children,
    seed 1: 10,060 with it, 10,235 without, 10,090 with twice the margin)."""
    longest = max((t.minutes[0] for t in sub.tables), default=0)
    tables = sum(1 for t in sub.tables if t.minutes[0] > 0)
    shortest = min((c.minutes for c in sub.cases), default=0)
    given = sum(min(m, longest) for m in anesthetists.values())
    return given - 2 * shortest * max(0, tables - len(anesthetists))


def _timed(
    sub: Problem, plan: Plan, anesthetists: dict[str, int], seconds: float
) -> list[tuple[Case, str, str, int]] | None:
    """Step 2 on the relay problem: (case, table, surgeon, start) for those kept, with
    at most len(anesthetists) at once; None when CP-SAT finds nothing in time."""
    tau = sub.turnover
    m = cp_model.CpModel()
    lists: dict[str, list[Case]] = defaultdict(list)
    for cid, place in plan.places.items():
        lists[place.table].append(sub.case(cid))
    present: dict[str, cp_model.IntVar] = {}
    start: dict[str, cp_model.IntVar] = {}
    running = []
    worth = []
    for tid, cases in lists.items():
        cap = sub.table(tid).minutes[0]
        cases.sort(key=lambda c: (c.age_key, c.id))
        with_turnover = []
        for c in cases:
            p = m.new_constant(1) if c.mandatory else m.new_bool_var(f"p[{c.id}]")
            s = m.new_int_var(0, cap - c.minutes, f"s[{c.id}]")
            present[c.id], start[c.id] = p, s
            running.append(m.new_optional_fixed_size_interval_var(s, c.minutes, p, f"i[{c.id}]"))
            with_turnover.append(m.new_optional_fixed_size_interval_var(s, c.minutes + tau, p, f"t[{c.id}]"))
            worth.append(c.priority * p)
        m.add_no_overlap(with_turnover)
        for i, a in enumerate(cases):  # youngest first, among those kept
            for b in cases[i + 1 :]:
                if a.age_key < b.age_key:
                    m.add(start[b.id] >= start[a.id] + a.minutes + tau).only_enforce_if(present[a.id], present[b.id])
    m.add_cumulative(running, [1] * len(running), len(anesthetists))
    m.maximize(sum(worth))
    for cid in present:
        m.add_hint(present[cid], 1)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = 2
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    kept = sorted(
        (
            (sub.case(cid), plan.places[cid].table, plan.places[cid].surgeon, solver.value(start[cid]))
            for cid in present
            if solver.value(present[cid])
        ),
        key=lambda x: (x[3], x[0].id),
    )
    return kept


def _gas(
    kept: list[tuple[Case, str, str, int]], anesthetists: dict[str, int]
) -> list[tuple[Case, str, str, int, str]] | None:
    """Step 3: each case (in order of start) to a free anaesthetist with the most minutes left."""
    free_at = dict.fromkeys(anesthetists, 0)
    left = dict(anesthetists)
    out = []
    for case, table, surgeon, start in kept:
        free = [a for a in anesthetists if free_at[a] <= start and left[a] >= case.minutes]
        if not free:
            return None
        who = max(free, key=lambda a: (left[a], a))
        free_at[who] = start + case.minutes
        left[who] -= case.minutes
        out.append((case, table, surgeon, start, who))
    return out


def relay(problem: Problem, assignments: list[Assignment], *, deadline: float, days: list[int]) -> list[Assignment]:
    """The schedule with `days` planned again as relays while time lasts (each day an equal
    share of it); a day changes only when the schedule's cost falls. Again, while a pass gains
    and time is left: the days before have taken children from those after."""
    cost = sum(cost_of(problem, assignments).values())
    improved = True
    while improved:
        improved = False
        for i, day in enumerate(days):
            seconds = (deadline - time.monotonic()) / (len(days) - i)
            if seconds < 0.2:
                return assignments
            candidate = _relay_day(problem, day, assignments, seconds)
            if candidate is None:
                continue
            new = sum(cost_of(problem, candidate).values())
            if os.environ.get("SOLVER_DEBUG"):
                print(f"  relay day {day}: {cost} -> {new}")
            if new < cost and not violations_of(problem, candidate):
                assignments, cost, improved = candidate, new, True
    return assignments


def _relay_day(problem: Problem, day: int, assignments: list[Assignment], seconds: float) -> list[Assignment] | None:
    """The schedule with `day` planned as a relay in about `seconds`; None when a step finds
    nothing in time."""
    sub = replace(day_problem(problem, day, assignments, later=True), anesthetists=())
    gas = {a.id: a.minutes[day] for a in problem.anesthetists if a.minutes[day] > 0}
    model = TeamModel(sub, [0], list(sub.cases))
    model.m.add(sum(sub.case(c).minutes * v for (c, _, _), v in model.w.items()) <= _gas_room(sub, gas))
    model.add_hint(Plan({a.case: Place(0, a.table, a.surgeon or "") for a in assignments if a.day == day}))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = LISTS * seconds
    solver.parameters.num_workers = 2
    started = time.monotonic()
    if solver.solve(model.m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    kept = _timed(sub, model.read(solver), gas, seconds - (time.monotonic() - started))
    placed = _gas(kept, gas) if kept is not None else None
    if placed is None:
        return None
    moved = {case.id for case, *_ in placed}
    return [a for a in assignments if a.day != day and a.case not in moved] + [
        Assignment(case.id, day, table, surgeon, who, start, start + case.minutes)
        for case, table, surgeon, start, who in placed
    ]
