"""The schedule a coordinator builds by hand: children in priority order, each on the first
day and table with room and a surgeon free for it; then each day's lists run youngest first,
every case as early as its table, surgeon and an anaesthetist allow. A case that no longer fits
its table's day is left out. It is the benchmark's baseline and the solver's first hint, so
the solver has a feasible schedule from its first millisecond."""

from __future__ import annotations

from collections import defaultdict

from cleftmission.scheduling.solver.problem import Assignment, Case, Problem


def _order(problem: Problem) -> list[Case]:
    index = {c.id: i for i, c in enumerate(problem.cases)}
    return sorted(
        problem.cases,
        key=lambda c: (c.fixed is None, not c.mandatory, -c.priority, c.release_day, index[c.id]),
    )


def greedy(problem: Problem, *, blocked: frozenset[tuple[int, str]] = frozenset()) -> list[Assignment]:
    """First fit in priority order; `blocked` table-days take no new case."""
    turnover = problem.turnover
    tables = {t.id: t for t in problem.tables}
    load: dict[tuple[int, str], int] = defaultdict(int)  # minutes incl. turnovers between cases
    count: dict[tuple[int, str], int] = defaultdict(int)
    surgeon_used: dict[tuple[str, int], int] = defaultdict(int)
    surgeon_tables: dict[tuple[str, int], set[str]] = defaultdict(set)
    anesthesia_left = [sum(a.minutes[d] for a in problem.anesthetists) for d in range(problem.days)]
    placed: dict[str, tuple[int, str, str]] = {}

    def fits(case: Case, day: int, tid: str) -> bool:
        key = (day, tid)
        extra = case.minutes + (turnover if count[key] else 0)
        if load[key] + extra > tables[tid].minutes[day]:
            return False
        return not problem.uses_anesthetists or anesthesia_left[day] >= case.minutes

    for case in _order(problem):
        if case.fixed is not None:
            spots = [(case.fixed.day, case.fixed.table)]
        else:
            spots = [
                (d, t.id)
                for d in range(case.release_day, case.due_day + 1)
                for t in problem.tables
                if (d, t.id) not in blocked
            ]
        for day, tid in spots:
            if not fits(case, day, tid):
                continue
            candidates = [
                s for s in problem.surgeons_for(case) if surgeon_used[s.id, day] + case.minutes <= s.minutes[day]
            ]
            if not candidates:
                continue
            # the surgeon already at this table, else the one with the most time left
            surgeon = max(
                candidates,
                key=lambda s, d=day, t=tid: (t in surgeon_tables[s.id, d], s.minutes[d] - surgeon_used[s.id, d]),  # type: ignore[misc]
            )
            key = (day, tid)
            load[key] += case.minutes + (turnover if count[key] else 0)
            count[key] += 1
            surgeon_used[surgeon.id, day] += case.minutes
            surgeon_tables[surgeon.id, day].add(tid)
            anesthesia_left[day] -= case.minutes
            placed[case.id] = (day, tid, surgeon.id)
            break

    if not problem.sequence:
        return [Assignment(cid, d, t, s) for cid, (d, t, s) in placed.items()]
    return time_days(problem, placed)


def time_days(problem: Problem, placed: dict[str, tuple[int, str, str]]) -> list[Assignment]:
    """Give each day's lists clock times: youngest first per table, every case as early as its
    table, surgeon and an anaesthetist allow; a case that would end after its table's day is dropped."""
    cases = {c.id: c for c in problem.cases}
    index = {c.id: i for i, c in enumerate(problem.cases)}
    out: list[Assignment] = []
    for day in range(problem.days):
        lists: dict[str, list[str]] = defaultdict(list)
        for cid, (d, tid, _) in placed.items():
            if d == day:
                lists[tid].append(cid)
        for items in lists.values():
            items.sort(key=lambda cid: (cases[cid].age_key, index[cid]))
        table_ready = dict.fromkeys(lists, 0)
        surgeon_free: dict[str, int] = defaultdict(int)
        anesthetist_free: dict[str, int] = defaultdict(int)
        anesthetist_used: dict[str, int] = defaultdict(int)
        pending = {tid: list(items) for tid, items in lists.items()}
        while any(pending.values()):
            best: tuple[int, str, str | None] | None = None
            for tid, items in pending.items():
                if not items:
                    continue
                case = cases[items[0]]
                start = max(table_ready[tid], surgeon_free[placed[case.id][2]])
                anesthetist = None
                if problem.uses_anesthetists:
                    free = [a for a in problem.anesthetists if anesthetist_used[a.id] + case.minutes <= a.minutes[day]]
                    if not free:
                        start = 10**9
                    else:
                        chosen = min(free, key=lambda a: (max(anesthetist_free[a.id], start), a.minutes[day]))
                        anesthetist = chosen.id
                        start = max(start, anesthetist_free[chosen.id])
                if case.fixed is not None and case.fixed.start is not None:
                    start = max(start, case.fixed.start)
                if best is None or start < best[0]:
                    best = (start, tid, anesthetist)
            assert best is not None
            start, tid, anesthetist = best
            cid = pending[tid].pop(0)
            case = cases[cid]
            surgeon = placed[cid][2]
            end = start + case.minutes
            if end > problem.table(tid).minutes[day] or (problem.uses_anesthetists and anesthetist is None):
                continue  # no longer fits: left out, the lists stay youngest first
            table_ready[tid] = end + problem.turnover
            surgeon_free[surgeon] = end
            if anesthetist is not None:
                anesthetist_free[anesthetist] = end
                anesthetist_used[anesthetist] += case.minutes
            out.append(Assignment(cid, day, tid, surgeon, anesthetist, start, end))
    return out
