"""Check a schedule against every hard rule and price it: the referee for the solver, the
greedy baseline and a coordinator's manual moves alike. Each broken rule is named in words a
coordinator can act on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cleftmission.scheduling.solver.problem import Assignment, Problem, parse_problem, parse_solution


@dataclass(frozen=True)
class Violation:
    rule: str
    case: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "case": self.case, "message": self.message}


def cost_of(problem: Problem, assignments: Iterable[Assignment]) -> dict[str, int]:
    placed = list(assignments)
    done = {a.case for a in placed}
    w = problem.weights
    cases = {c.id: c for c in problem.cases}
    table_days = {(a.day, a.table) for a in placed}
    surgeon_tables: dict[tuple[str, int], set[str]] = defaultdict(set)
    for a in placed:
        if a.surgeon is not None:
            surgeon_tables[a.surgeon, a.day].add(a.table)
    return {
        "unscheduled": sum(c.priority for c in problem.cases if c.id not in done),
        "delay": w.delay * sum(max(0, a.day - cases[a.case].release_day) for a in placed),
        "open_table": w.open_table * len(table_days),
        "surgeon_transfer": w.surgeon_transfer * sum(len(ts) - 1 for ts in surgeon_tables.values()),
    }


def _ids(cases: Iterable[Assignment]) -> str:
    return ", ".join(sorted(a.case for a in cases))


def _overlaps(items: list[Assignment]) -> list[tuple[Assignment, Assignment]]:
    """Pairs of timed cases that run at the same moment."""
    timed = sorted((a for a in items if a.start is not None), key=lambda a: (a.start, a.case))
    pairs = []
    for i, a in enumerate(timed):
        assert a.start is not None
        a_end = a.start + _minutes_of(a)
        for b in timed[i + 1 :]:
            assert b.start is not None
            if b.start >= a_end:
                break
            pairs.append((a, b))
    return pairs


def _minutes_of(a: Assignment) -> int:
    # `end` is checked against the case's minutes separately; overlaps use the real length
    assert a.start is not None and a.end is not None
    return a.end - a.start


def violations_of(problem: Problem, assignments: list[Assignment]) -> list[Violation]:
    out: list[Violation] = []
    cases = {c.id: c for c in problem.cases}
    tables = {t.id: t for t in problem.tables}
    surgeons = {s.id: s for s in problem.surgeons}
    anesthetists = {a.id: a for a in problem.anesthetists}
    turnover = problem.turnover

    seen: set[str] = set()
    placed: list[Assignment] = []
    for a in assignments:
        case = cases[a.case]
        if a.case in seen:
            out.append(Violation("duplicate", a.case, f"{a.case} is scheduled more than once"))
            continue
        seen.add(a.case)
        if not 0 <= a.day < problem.days:
            out.append(
                Violation("day", a.case, f"{a.case} is on day {a.day}, outside the days 0 to {problem.days - 1}")
            )
            continue
        if problem.sequence:
            if a.start is None:
                out.append(Violation("start", a.case, f"{a.case} has no start time"))
                continue
            end = a.start + case.minutes
            if a.start < 0:
                out.append(Violation("start", a.case, f"{a.case} starts before the day begins ({a.start})"))
            if a.end is not None and a.end != end:
                out.append(
                    Violation(
                        "end", a.case, f"{a.case} ends at {a.end}, but {case.minutes} minutes from {a.start} is {end}"
                    )
                )
            a = Assignment(a.case, a.day, a.table, a.surgeon, a.anesthetist, a.start, end)
        placed.append(a)

        if a.day < case.release_day:
            out.append(
                Violation(
                    "release_day",
                    a.case,
                    f"{a.case} operated before its release day (day {a.day} < {case.release_day})",
                )
            )
        if a.day > case.due_day:
            out.append(
                Violation("due_day", a.case, f"{a.case} operated after its due day (day {a.day} > {case.due_day})")
            )
        if case.fixed is not None:
            f = case.fixed
            moved = a.day != f.day or a.table != f.table
            moved |= problem.sequence and f.start is not None and a.start != f.start
            moved |= f.surgeon is not None and a.surgeon != f.surgeon
            if moved:
                where = f"{f.table} day {f.day}" + (f" at minute {f.start}" if f.start is not None else "")
                out.append(Violation("locked", a.case, f"{a.case} is locked on {where} but was moved"))
        if a.surgeon is None:
            out.append(Violation("surgeon", a.case, f"{a.case} has no surgeon"))
        elif case.surgeon is not None and a.surgeon != case.surgeon and not (case.fixed and case.fixed.surgeon):
            out.append(Violation("surgeon", a.case, f"{a.case} must be operated by {case.surgeon}, not {a.surgeon}"))
        elif not problem.allowed_surgeon(case, a.surgeon):
            out.append(Violation("surgeon_procedure", a.case, f"{a.surgeon} cannot do {case.procedure} ({a.case})"))
        if problem.uses_anesthetists and a.anesthetist is None:
            out.append(Violation("anesthetist", a.case, f"{a.case} has no anesthetist"))

    for c in problem.cases:
        if c.mandatory and c.id not in seen:
            out.append(Violation("mandatory", c.id, f"mandatory {c.id} unscheduled"))
        if c.fixed is not None and c.id not in seen:
            out.append(
                Violation("locked", c.id, f"{c.id} is locked on {c.fixed.table} day {c.fixed.day} but unscheduled")
            )

    by_table_day: dict[tuple[int, str], list[Assignment]] = defaultdict(list)
    for a in placed:
        by_table_day[a.day, a.table].append(a)
    for (day, tid), items in sorted(by_table_day.items()):
        cap = tables[tid].minutes[day]
        if problem.sequence:
            items.sort(key=lambda a: (a.start, a.case))
            last_end = max(a.end or 0 for a in items)
            over = last_end - cap
            prev = items[0]
            for nxt in items[1:]:
                assert prev.end is not None and nxt.end is not None and nxt.start is not None
                gap = nxt.start - prev.end
                if gap < turnover:
                    what = "overlaps" if gap < 0 else f"starts {gap} minutes after"
                    out.append(
                        Violation(
                            "table_overlap",
                            nxt.case,
                            f"{nxt.case} {what} {prev.case} on table {tid} day {day}"
                            + (f"; the turnover is {turnover} minutes" if gap >= 0 else ""),
                        )
                    )
                if nxt.end > prev.end:
                    prev = nxt
            for i, a in enumerate(items):
                older = [b for b in items[:i] if cases[b.case].age_key > cases[a.case].age_key]
                if older:
                    out.append(
                        Violation(
                            "youngest_first",
                            a.case,
                            f"{a.case} is not youngest-first on {tid} day {day}: it comes after older {_ids(older)}",
                        )
                    )
        else:
            used = sum(cases[a.case].minutes for a in items) + turnover * (len(items) - 1)
            over = used - cap
        if over > 0:
            if cap == 0:
                message = f"table {tid} is closed on day {day} ({_ids(items)})"
            else:
                message = f"table {tid} on day {day} is over by {over} minutes"
            out.append(Violation("table_capacity", items[-1].case, message))

    def people_rules(kind: str, key: str, people: dict[str, Any]) -> None:
        by_person_day: dict[tuple[str, int], list[Assignment]] = defaultdict(list)
        for a in placed:
            who = getattr(a, key)
            if who is not None:
                by_person_day[who, a.day].append(a)
        for (who, day), items in sorted(by_person_day.items()):
            cap = people[who].minutes[day]
            used = sum(cases[a.case].minutes for a in items)
            if used > cap:
                if cap == 0:
                    message = f"{kind} {who} is absent on day {day} ({_ids(items)})"
                else:
                    message = f"{kind} {who} on day {day} is over by {used - cap} minutes ({_ids(items)})"
                out.append(Violation(f"{kind}_minutes", items[-1].case, message))
            if problem.sequence:
                for a, b in _overlaps(items):
                    out.append(
                        Violation(
                            f"{kind}_overlap",
                            b.case,
                            f"{kind} {who} is in two cases at once on day {day} ({a.case}, {b.case})",
                        )
                    )

    people_rules("surgeon", "surgeon", surgeons)
    if problem.uses_anesthetists:
        people_rules("anesthetist", "anesthetist", anesthetists)
    return out


def check_parsed(problem: Problem, assignments: list[Assignment]) -> dict[str, Any]:
    violations = violations_of(problem, assignments)
    # the cost of a schedule counts each case once, however broken it is
    first: dict[str, Assignment] = {}
    for a in assignments:
        first.setdefault(a.case, a)
    cost = cost_of(problem, first.values())
    return {
        "cost": cost,
        "objective": sum(cost.values()),
        "violations": [v.as_dict() for v in violations],
    }


def check(problem: dict[str, Any], solution: dict[str, Any]) -> dict[str, Any]:
    """Price a schedule and name every hard rule it breaks.

    Returns {"cost": {...}, "objective": int, "violations": [{"rule", "case", "message"}]}.
    Raises ProblemError when the problem or the solution is malformed (unknown ids, wrong types).
    """
    parsed = parse_problem(problem)
    return check_parsed(parsed, parse_solution(parsed, solution))
