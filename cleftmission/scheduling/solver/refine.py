"""After the team model: the days short of surgeons or anaesthetists, re-solved one at a time
by the interval model (model.py).

The team model keeps each surgeon at one table a day and each anaesthetist at one table or
alternating over two. That is what makes it fast, and on most days it costs nothing. On a day
with fewer anaesthetists than tables it does: an anaesthetist kept at one table waits out
every turnover, where the rules let them go round three tables; and a surgeon may operate at
two tables (at a transfer's cost). The interval model holds those rules with clock times,
and one day of a mission is small enough for it: the day's cases and the waiting children
who may come that day, the rest of the schedule kept. On a five-day mission (api.py) the two
days shortest of anaesthetists get the end of the time; on a ten-day one the search gains
more with it (bench/README.md).

A day's model is a problem of its own: one day, the tables' and people's minutes that day,
and each child's delay folded into what operating them is worth.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import replace

from cleftmission.scheduling.solver.check import cost_of
from cleftmission.scheduling.solver.model import Options, solve_model
from cleftmission.scheduling.solver.problem import Assignment, Case, Problem

PER_DAY = 2.0  # seconds: what a day's model gets at most (on the bench most gains come within 1-2 s)
SHARE = 0.4  # of the time limit, at most: the whole model's step seldom gains in its time
DAYS = 2  # the days re-solved at most, in short_days' order


def short_days(
    problem: Problem, guide: dict[tuple[str, int], float] | None = None, placed: list[Assignment] | None = None
) -> list[int]:
    """The days with fewer anaesthetists or surgeons than open tables. Those shortest of
    anaesthetists come first: an anaesthetist kept at one table waits out every turnover,
    where going round the tables they would not. Then those where the schedule `placed`
    operates the fewest minutes next to the relaxation's `guide` (each case's share of
    each day)."""
    short: dict[int, int] = {}
    for d in range(problem.days):
        tables = sum(1 for t in problem.tables if t.minutes[d] > 0)
        surgeons = sum(1 for s in problem.surgeons if s.minutes[d] > 0)
        anesthetists = sum(1 for a in problem.anesthetists if a.minutes[d] > 0)
        if 0 < surgeons < tables or (problem.uses_anesthetists and 0 < anesthetists < tables):
            short[d] = tables - anesthetists if problem.uses_anesthetists else 0
    minutes = {c.id: c.minutes for c in problem.cases}
    behind: dict[int, float] = defaultdict(float)
    for a in placed or []:
        behind[a.day] += minutes[a.case]
    for (case, d), share in (guide or {}).items():
        behind[d] -= share * minutes[case]
    return sorted(short, key=lambda d: (-short[d], round(behind[d]), d))


def day_problem(problem: Problem, day: int, assignments: list[Assignment], *, later: bool = False) -> Problem:
    """Day `day` as a problem of its own: its cases (the mandatory ones must stay) and the
    waiting children who may come that day, each worth their priority less the delay; with
    `later`, also the children of later days, each worth the delay it would save (relay.py;
    in the interval model here they make it too slow to gain). At most as many children alike
    as the day has tables come from outside the day."""
    day_of = {a.case: a.day for a in assignments}
    w = problem.weights
    cases = []
    others: dict[tuple[str, int, str | None], list[Case]] = defaultdict(list)
    for c in problem.cases:
        now = day_of.get(c.id)
        worth = c.priority - w.delay * (day - c.release_day)
        if now == day:
            fixed = replace(c.fixed, day=0) if c.fixed is not None else None
            cases.append(replace(c, release_day=0, due_day=0, priority=max(0, worth), fixed=fixed))
        elif c.fixed is not None or not c.release_day <= day <= c.due_day:
            continue
        elif now is None and worth > 0:
            others[c.procedure, c.minutes, c.surgeon].append(replace(c, priority=worth, mandatory=False))
        elif later and now is not None and now > day:
            saved = w.delay * (now - day)
            others[c.procedure, c.minutes, c.surgeon].append(replace(c, priority=saved, mandatory=False))
    tables = sum(1 for t in problem.tables if t.minutes[day] > 0)
    for alike in others.values():
        # children alike but for their age and worth: no more than the day has tables (on the
        # first day of 400 children, 347 candidates left CP-SAT no time to find a relay's lists)
        for c in sorted(alike, key=lambda c: (-c.priority, c.age_key))[:tables]:
            cases.append(replace(c, release_day=0, due_day=0))
    return replace(
        problem,
        days=1,
        tables=tuple(replace(t, minutes=(t.minutes[day],)) for t in problem.tables),
        surgeons=tuple(replace(s, minutes=(s.minutes[day],)) for s in problem.surgeons),
        anesthetists=tuple(replace(a, minutes=(a.minutes[day],)) for a in problem.anesthetists),
        cases=tuple(cases),
    )


def refine(
    problem: Problem,
    assignments: list[Assignment],
    *,
    deadline: float,
    guide: dict[tuple[str, int], float] | None = None,
) -> list[Assignment]:
    """The schedule with its short days re-solved by the interval model while time lasts;
    a day changes only when its cost falls."""
    days = short_days(problem, guide, assignments)[:DAYS]
    for i, day in enumerate(days):
        left = deadline - time.monotonic()
        seconds = min(PER_DAY, left / (len(days) - i))
        if seconds < 0.3:
            break
        sub = day_problem(problem, day, assignments)
        hint = [replace(a, day=0) for a in assignments if a.day == day]
        before = sum(cost_of(sub, hint).values())
        result = solve_model(sub, time_limit=seconds, hints=[hint], opts=Options(workers=2))
        if os.environ.get("SOLVER_DEBUG"):
            print(f"  refine day {day}: {before} -> {result.model_objective} in {seconds:.2f} s")
        if result.model_objective is not None and result.model_objective < before:
            assignments = [a for a in assignments if a.day != day] + [replace(a, day=day) for a in result.assignments]
    return assignments
