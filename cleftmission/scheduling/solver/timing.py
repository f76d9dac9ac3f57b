"""Clock times for a plan of the team model (teams.py), without a solver.

Each table's list runs youngest first (ties in the problem's order), back to back with the
turnover between cases; around a locked start, the younger cases fill the stretch before it
and the older ones follow it. Two tables that share an anaesthetist interleave: the
anaesthetist starts with the longer list and alternates, so each table turns over while the
other operates, and stays at one table only when the other has no case left.
"""

from __future__ import annotations

from collections import defaultdict

from cleftmission.scheduling.solver.problem import Assignment, Problem
from cleftmission.scheduling.solver.teams import Plan, segment_index, segments_of


def timed(problem: Problem, plan: Plan) -> list[Assignment]:
    cases = {c.id: c for c in problem.cases}
    if not problem.sequence:
        return [Assignment(c, pl.day, pl.table, pl.surgeon) for c, pl in plan.places.items()]
    index = {c.id: i for i, c in enumerate(problem.cases)}
    tau = problem.turnover
    lists: dict[tuple[int, str], list[str]] = defaultdict(list)
    for c, pl in plan.places.items():
        lists[pl.day, pl.table].append(c)
    for items in lists.values():
        items.sort(key=lambda c: (cases[c].age_key, index[c]))
    anesthetist = plan.anesthetist if problem.uses_anesthetists else {}

    out: list[Assignment] = []

    def emit(c: str, start: int, d: int, t: str) -> None:
        pl = plan.places[c]
        out.append(Assignment(c, d, t, pl.surgeon, anesthetist.get((d, t)), start, start + cases[c].minutes))

    shared: dict[tuple[int, str], list[str]] = defaultdict(list)
    for (d, t), a in anesthetist.items():
        if (d, t) in lists:
            shared[d, a].append(t)
    paired: set[tuple[int, str]] = set()
    for (d, _a), tables in shared.items():
        if len(tables) != 2:
            continue
        first, second = sorted(tables, key=lambda t: (-len(lists[d, t]), t))
        paired.update({(d, first), (d, second)})
        queues = {first: list(lists[d, first]), second: list(lists[d, second])}
        clock = 0
        ready = {first: 0, second: 0}
        turn = first
        while queues[first] or queues[second]:
            if not queues[turn]:
                turn = second if turn == first else first
            c = queues[turn].pop(0)
            start = max(clock, ready[turn])
            emit(c, start, d, turn)
            clock = start + cases[c].minutes
            ready[turn] = clock + tau
            turn = second if turn == first else first

    for (d, t), items in lists.items():
        if (d, t) in paired:
            continue
        seg = segments_of(problem, d, t)
        if seg is None or not seg[0]:
            clock = 0
            for c in items:
                emit(c, clock, d, t)
                clock += cases[c].minutes + tau
            continue
        pinned, segments = seg
        pinned_ids = {f.id for f in pinned}
        clocks = [s.begin for s in segments]
        for c in items:
            case = cases[c]
            if c in pinned_ids:
                assert case.fixed is not None and case.fixed.start is not None
                emit(c, case.fixed.start, d, t)
                continue
            j = segment_index(pinned, case)
            emit(c, clocks[j], d, t)
            clocks[j] += case.minutes + tau
    return out
