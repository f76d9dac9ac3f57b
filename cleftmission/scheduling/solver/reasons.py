"""Why a child is not operated: a stable code for the app to translate, the days concerned,
and the reason in words a coordinator can act on (docs/scheduling-format.md)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cleftmission.scheduling.solver.problem import Assignment, Case, Problem

CODES = (
    "days_passed",
    "no_surgeon_for_procedure",
    "no_surgeon_present",
    "no_surgeon_minutes",
    "no_table_open",
    "too_long",
    "no_anesthetist",
    "no_room",
    "no_surgeon_time",
    "low_priority",
    "no_slot",
    "other",
)


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    days: list[int] = field(default_factory=list)

    def as_dict(self, case: str) -> dict[str, Any]:
        return {"case": case, "code": self.code, "reason": self.text, "days": self.days}


def _days(a: int, b: int) -> str:
    return f"on day {a}" if a == b else f"between days {a} and {b}"


def _who(problem: Problem, case: Case) -> str:
    named = case.fixed.surgeon if case.fixed and case.fixed.surgeon else case.surgeon
    return f"surgeon {named}" if named else f"surgeon who can do {case.procedure}"


def static_reason(problem: Problem, case: Case, first_day: int = 0) -> Reason | None:
    """A reason that holds whatever else is scheduled, or None."""
    lo, hi = max(case.release_day, first_day), case.due_day
    if lo > hi:
        return Reason(
            "days_passed", f"its days ({case.release_day} to {case.due_day}) have passed", list(range(lo, hi + 1))
        )
    surgeons = problem.surgeons_for(case)
    if not surgeons:
        return Reason("no_surgeon_for_procedure", f"no surgeon can do {case.procedure}")
    when = _days(lo, hi)
    window = list(range(lo, hi + 1))
    if not any(s.minutes[d] > 0 for s in surgeons for d in window):
        return Reason("no_surgeon_present", f"no {_who(problem, case)} is present {when}", window)
    surgeon_days = [d for d in window if any(s.minutes[d] >= case.minutes for s in surgeons)]
    if not surgeon_days:
        return Reason(
            "no_surgeon_minutes", f"no {_who(problem, case)} has {case.minutes} minutes on a day {when}", window
        )
    if not any(t.minutes[d] > 0 for t in problem.tables for d in surgeon_days):
        return Reason(
            "no_table_open",
            f"no table is open on the days its {_who(problem, case)} is present {when}",
            surgeon_days,
        )
    table_days = [d for d in surgeon_days if any(t.minutes[d] >= case.minutes for t in problem.tables)]
    if not table_days:
        return Reason(
            "too_long",
            f"at {case.minutes} minutes it is longer than any table's day {when} when its surgeon is present",
            surgeon_days,
        )
    if problem.uses_anesthetists and not any(
        a.minutes[d] >= case.minutes for a in problem.anesthetists for d in table_days
    ):
        return Reason(
            "no_anesthetist",
            f"no anesthetist is present for {case.minutes} minutes on the days it could be operated ({when})",
            table_days,
        )
    return None


@dataclass
class Usage:
    """What a schedule uses: minutes and cases per (day, table), minutes per (surgeon, day)."""

    load: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))
    count: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))
    surgeon_used: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))


def usage_of(problem: Problem, assignments: list[Assignment]) -> Usage:
    usage = Usage()
    for a in assignments:
        minutes = problem.case(a.case).minutes
        usage.load[a.day, a.table] += minutes
        usage.count[a.day, a.table] += 1
        if a.surgeon:
            usage.surgeon_used[a.surgeon, a.day] += minutes
    return usage


def reason_unscheduled(
    problem: Problem, case: Case, assignments: list[Assignment], first_day: int = 0, usage: Usage | None = None
) -> Reason:
    """`usage`: usage_of(problem, assignments), when the caller asks for many cases."""
    reason = static_reason(problem, case, first_day)
    if reason is not None:
        return reason
    lo, hi = max(case.release_day, first_day), case.due_day
    when = _days(lo, hi)
    window = list(range(lo, hi + 1))
    turnover = problem.turnover
    usage = usage or usage_of(problem, assignments)
    load, count, surgeon_used = usage.load, usage.count, usage.surgeon_used
    surgeons = problem.surgeons_for(case)
    room_days = set()
    opens_table = True
    for d in window:
        for t in problem.tables:
            n = count[d, t.id]
            used = load[d, t.id] + turnover * max(0, n - 1)
            if used + case.minutes + (turnover if n else 0) <= t.minutes[d]:
                room_days.add(d)
                if n:
                    opens_table = False
    surgeon_days = {d for d in window for s in surgeons if surgeon_used[s.id, d] + case.minutes <= s.minutes[d]}
    both = sorted(room_days & surgeon_days)
    if not room_days and not surgeon_days:
        return Reason(
            "no_room",
            f"no room: every table-day that could take it {when} is full, and its surgeons are fully booked",
            window,
        )
    if not room_days:
        return Reason("no_room", f"no room: every table-day that could take it {when} is full", window)
    if not both:
        return Reason(
            "no_surgeon_time", f"no surgeon time: every {_who(problem, case)} is fully booked {when}", sorted(room_days)
        )
    w = problem.weights
    if opens_table and w.open_table >= case.priority:
        return Reason(
            "low_priority",
            f"low priority: operating it would open another table-day, which costs more ({w.open_table}) "
            f"than leaving it out ({case.priority})",
            both,
        )
    if w.delay * (both[0] - case.release_day) >= case.priority:
        return Reason(
            "low_priority",
            f"low priority: operating it on day {both[0]} costs more in delay than leaving it out ({case.priority})",
            [both[0]],
        )
    if problem.sequence:
        return Reason(
            "no_slot",
            f"no time slot: on the days with room ({', '.join(map(str, both))}) its surgeon, "
            "the anesthetists or the youngest-first order leave no gap long enough",
            both,
        )
    return Reason("other", "leaving it out costs less than the moves operating it would need", both)
