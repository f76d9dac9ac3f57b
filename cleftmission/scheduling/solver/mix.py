"""The relaxation over the day's case mix: bound.py's relaxation in a stronger and smaller
form, for problems whose cases come in a few lengths (a mission plans its minutes per
procedure, so 120 children come in five or six).

Children who differ only in who they are (same procedure, minutes, surgeon, priority,
window, mandatory) form a class, and the relaxation counts how many of a class go to each
day instead of choosing which. Every table-day, surgeon-day and anaesthetist-day then takes
one pattern: how many cases of each length it holds (a surgeon: of each procedure and
length), among all that fit its minutes:

- a table: sum of (minutes + turnover) <= its minutes + turnover (n cases, n - 1 turnovers);
  identical tables share their patterns (a count of tables per pattern); a table with a
  locked case is its own, and its pattern holds its locked cases;
- a surgeon or an anaesthetist: sum of minutes <= their minutes, and, with clock times,
  <= the longest table-day (nobody is in two cases at once); a surgeon's pattern that does
  not fit at one table costs a surgeon transfer (they must work at two);
- each day, the cases of each length fit what the tables' and the anaesthetists' patterns
  hold, and the cases of each procedure and length what the surgeons' hold (a case with a
  named or locked surgeon in that surgeon's).

Every schedule gives such patterns at the same or a lower cost (its cases per table-day,
surgeon-day and anaesthetist-day are patterns, and so are what a day needs), so the value is
a lower bound; and the patterns keep what the LP of bound.py loses: that whole cases fill a
table or a surgeon's day. On a 120-child mission the LP rises from 4275 to 4360, and SCIP
proves the relaxation's optimum, 4410, in about 7 s (bench/README.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ortools.linear_solver import pywraplp

from cleftmission.scheduling.solver.problem import Case, Problem

LOOK = 40_000  # count vectors the relaxation may look at for its patterns; past that (cases
# of many lengths, long days) bound.py's plain relaxation is built instead


@dataclass(frozen=True)
class Holder:
    """Tables, anaesthetists or surgeons of a day that take the same patterns: `count` of
    them (`who`: the one table with locked cases, or the one surgeon with named cases);
    `items`: what the patterns count (a length; a surgeon's (procedure, minutes, owner))."""

    day: int
    kind: str  # table, anesthetist, surgeon
    who: str | None
    count: int
    items: list[Any]
    patterns: list[tuple[int, ...]]


@dataclass
class Mix:
    """What the built relaxation says about the cases: each class and its count per day."""

    classes: list[list[Case]]
    days: dict[int, dict[int, Any]]  # class index -> day -> the count of the class that day
    losses: list[tuple[list[tuple[Any, int]], int]] = field(default_factory=list)  # few_anesthetists rows

    def add_losses(self, solver: pywraplp.Solver) -> None:
        """Add what the days short of anaesthetists lose at the start and the end
        (few_anesthetists) to the built relaxation. It raises the LP (9567 to 9616 on 400
        children), but SCIP, given it, no longer proved the 120-child optimum in 60 s,
        against 9 s without: bound.py gives it to the LP only."""
        for terms, most in self.losses:
            constraint = solver.Constraint(-solver.infinity(), most)
            for v, a in terms:
                constraint.SetCoefficient(v, a)

    def shares(self, value: Any) -> dict[tuple[str, int], float]:
        """How much of each case the solved relaxation puts on each day: a class's cases take
        its days in turn (`value`: the solved value of a variable)."""
        out: dict[tuple[str, int], float] = {}
        for i, cases in enumerate(self.classes):
            counts = sorted((d, value(v)) for d, v in self.days.get(i, {}).items())
            filled = 0.0
            for d, amount in counts:
                start, end = filled, filled + amount
                for j, case in enumerate(cases):
                    share = min(end, j + 1) - max(start, j)
                    if share > 1e-9:
                        out[case.id, d] = share
                filled = end
        return out


def patterns(
    sizes: list[int],
    room: int,
    limit: int,
    *,
    within: tuple[list[int], int] | None = None,
    looked: list[int] | None = None,
) -> list[tuple[int, ...]] | None:
    """The maximal count vectors over `sizes` whose total fits `room` (no size can be added);
    None when that takes looking at more than `limit` vectors. Supply may exceed what a day needs, so a pattern
    inside another is never better and is left out. `within`: second sizes and room; a
    vector that fits those too is also kept when it is maximal there (a surgeon's day that
    fits at one table). `looked[0]` counts the vectors looked at."""
    out: list[tuple[int, ...]] = []
    counts = [0] * len(sizes)
    seen = looked if looked is not None else [0]
    smallest = min(sizes, default=0)

    def keep(left: int) -> bool:
        if left < smallest:
            return True
        if within is None:
            return False
        other, cap = within
        used = sum(n * o for n, o in zip(counts, other, strict=True))
        return used <= cap and all(o > cap - used or s > left for o, s in zip(other, sizes, strict=True))

    def fill(i: int, left: int) -> bool:
        seen[0] += 1
        if seen[0] > limit:
            return False
        if i == len(sizes):
            if any(counts) and keep(left):
                out.append(tuple(counts))
            return True
        n = 0
        while n * sizes[i] <= left:
            counts[i] = n
            if not fill(i + 1, left - n * sizes[i]):
                return False
            n += 1
        counts[i] = 0
        return True

    return out if fill(0, room) else None


def build_mix(problem: Problem, solver: pywraplp.Solver, *, integer: bool, person_cap: Any) -> Mix | None:
    """Build the relaxation into `solver` (SCIP with `integer`, else an LP: GLOP); None, and
    nothing built, when finding the patterns would look at more than LOOK vectors.
    `person_cap(problem, minutes, day)`: bound.py's cap on a person's minutes. What a day
    short of anaesthetists loses is kept aside for `Mix.add_losses`."""
    p = problem
    tau = p.turnover
    budget = [LOOK]

    def enumerate_(sizes: list[int], room: int, within: Any = None) -> list[tuple[int, ...]] | None:
        looked = [0]
        found = patterns(sizes, room, budget[0], within=within, looked=looked)
        budget[0] -= looked[0]
        return found

    # plan every pattern first, so that nothing is built when they are too many
    keys: dict[tuple[Any, ...], list[Case]] = defaultdict(list)
    for c in p.cases:
        named = tuple(s.id for s in p.surgeons_for(c)) if c.surgeon or (c.fixed and c.fixed.surgeon) else None
        if c.fixed is not None:
            keys["fixed", c.id].append(c)
        else:
            keys[c.procedure, c.minutes, named, c.priority, c.release_day, c.due_day, c.mandatory].append(c)
    classes = list(keys.values())
    lengths = sorted({c.minutes for c in p.cases})
    item_of = {c.id: _item(p, c) for c in p.cases}
    holders: list[Holder] = []
    shortest = min(lengths, default=0)
    for d in range(p.days):
        for who, count, room in _table_groups(p, d):
            sizes = [m for m in lengths if m <= room]
            found = enumerate_([m + tau for m in sizes], room + tau)
            if found is None:
                return None
            holders.append(Holder(d, "table", who, count, sizes, found))
        if p.uses_anesthetists:
            caps: dict[int, int] = defaultdict(int)
            for a in p.anesthetists:
                if person_cap(p, a.minutes[d], d) > 0:
                    caps[person_cap(p, a.minutes[d], d)] += 1
            for cap, count in caps.items():
                sizes = [m for m in lengths if m <= cap]
                found = enumerate_(sizes, cap)
                if found is None:
                    return None
                holders.append(Holder(d, "anesthetist", None, count, sizes, found))
        for who, count, cap, items in _surgeon_groups(p, d, item_of, person_cap):
            one_table = ([item[1] + tau for item in items], _longest_table(p, d) + tau)
            found = enumerate_([item[1] for item in items], cap, one_table)
            if found is None:
                return None
            holders.append(Holder(d, "surgeon", who, count, items, found))

    solver.SuppressOutput()
    infinity = solver.infinity()

    def var(ub: int) -> pywraplp.Variable:
        return solver.IntVar(0, ub, "") if integer else solver.NumVar(0, ub, "")

    def row(lb: float, ub: float, *terms: Iterable[tuple[pywraplp.Variable, int]]) -> None:
        coefficients: dict[Any, int] = defaultdict(int)
        for part in terms:
            for v, a in part:
                coefficients[v] += a
        constraint = solver.Constraint(lb, ub)
        for v, a in coefficients.items():
            constraint.SetCoefficient(v, a)

    objective = solver.Objective()
    constant = 0
    Terms = list[tuple[pywraplp.Variable, int]]
    need_length: dict[tuple[int, int], Terms] = defaultdict(list)
    need_item: dict[tuple[int, Any], Terms] = defaultdict(list)
    need_named: dict[tuple[int, str, Any], Terms] = defaultdict(list)
    locked_at: dict[tuple[int, str, int], int] = defaultdict(int)
    days: dict[int, dict[int, pywraplp.Variable]] = defaultdict(dict)
    longest = [
        max((person_cap(p, a.minutes[d], d) for a in p.anesthetists), default=0) if p.uses_anesthetists else 0
        for d in range(p.days)
    ]
    for i, cases in enumerate(classes):
        c = cases[0]
        f = c.fixed
        window = [f.day] if f is not None else range(c.release_day, c.due_day + 1)
        people = p.surgeons_for(c)
        counts: Terms = []
        for d in window:
            if p.uses_anesthetists and longest[d] < c.minutes:
                continue
            if f is not None:
                if p.table(f.table).minutes[d] < c.minutes:
                    continue  # a closed table: the locked case cannot be operated
                locked_at[d, f.table, c.minutes] += 1
            elif not any(t.minutes[d] >= c.minutes for t in p.tables):
                continue
            if not any(person_cap(p, s.minutes[d], d) >= c.minutes for s in people):
                continue
            y = var(len(cases))
            days[i][d] = y
            counts.append((y, 1))
            need_length[d, c.minutes].append((y, 1))
            need_item[d, item_of[c.id]].append((y, 1))
            if len(people) == 1 and (c.surgeon or (f and f.surgeon)):
                need_named[d, people[0].id, item_of[c.id]].append((y, 1))
            objective.SetCoefficient(y, p.weights.delay * max(0, d - c.release_day) - c.priority)
        row(len(cases) if c.mandatory or f is not None else 0, len(cases), counts)
        constant += c.priority * len(cases)

    hold_length: dict[tuple[str, int, int], Terms] = defaultdict(list)  # (what, day, length)
    hold_item: dict[tuple[int, Any], Terms] = defaultdict(list)
    hold_named: dict[tuple[int, str, Any], Terms] = defaultdict(list)
    opened: dict[int, Terms] = defaultdict(list)  # day -> the tables' patterns
    for h in holders:
        d = h.day
        chosen: Terms = []
        own: dict[int, Terms] = defaultdict(list)
        for pattern in h.patterns:
            z = var(h.count)
            chosen.append((z, 1))
            held = [(item, n) for item, n in zip(h.items, pattern, strict=True) if n]
            if h.kind == "table":
                objective.SetCoefficient(z, p.weights.open_table)
                for m, n in held:
                    hold_length["table", d, m].append((z, n))
                    own[m].append((z, n))
            elif h.kind == "anesthetist":
                for m, n in held:
                    hold_length["anesthetist", d, m].append((z, n))
            else:
                if sum((item[1] + tau) * n for item, n in held) > _longest_table(p, d) + tau:
                    objective.SetCoefficient(z, p.weights.surgeon_transfer)  # two tables at least
                for item, n in held:
                    hold_item[d, item].append((z, n))
                    if h.who is not None:
                        hold_named[d, h.who, item].append((z, n))
        row(0, h.count, chosen)
        if h.kind == "table":
            opened[d].extend(chosen)
        if h.kind == "table" and h.who is not None:  # a table with locked cases holds them
            for (dd, tid, m), n in locked_at.items():
                if (dd, tid) == (d, h.who):
                    row(n, infinity, own[m])
    losses = []
    for d, tables in opened.items():
        # on a day short of anaesthetists the open tables lose time at the start and the end
        groups = _table_groups(p, d)
        k = few_anesthetists(p, d, groups, shortest, person_cap)
        if k is None:
            continue
        room = groups[0][2] + tau - 2 * shortest
        used = [(y, m + tau) for (dd, m), need in need_length.items() if dd == d for y, _ in need]
        losses.append((used + [(z, -room) for z, _ in tables], 2 * shortest * k))
    # what a day needs fits what its tables, anaesthetists and surgeons hold
    for (d, m), need in need_length.items():
        for what in ("table", "anesthetist") if p.uses_anesthetists else ("table",):
            row(-infinity, 0, need, _minus(hold_length[what, d, m]))
    for (d, item), need in need_item.items():
        row(-infinity, 0, need, _minus(hold_item[d, item]))
    for (d, sid, item), need in need_named.items():
        row(-infinity, 0, need, _minus(hold_named[d, sid, item]))
    objective.SetOffset(constant)
    objective.SetMinimization()
    return Mix(classes, days, losses)


def few_anesthetists(
    problem: Problem, day: int, groups: list[tuple[str | None, int, int]], shortest: int, person_cap: Any
) -> int | None:
    """k, the anaesthetists who can give a case, on a day with clock times, fewer of them than
    tables, and tables all alike (same minutes C, none locked); else None.

    Then at most k tables start a case before minute m (the shortest case): k + 1 such cases
    would all be running at the latest of those starts. And at most k tables end a case after
    minute C - m: those last cases all run just before the first of them ends. So of n open
    tables, at least n - k lose m at their start and at least n - k lose m at their end, and
    the day's cases and their turnovers, sum (minutes + turnover), fit n x (C + turnover) -
    2m (n - k); for n <= k that is looser than n x (C + turnover), so it holds for every n:
    sum (minutes + turnover) - n (C + turnover - 2m) <= 2mk."""
    p = problem
    if not (p.sequence and p.uses_anesthetists) or len(groups) != 1 or groups[0][0] is not None:
        return None
    k = sum(1 for a in p.anesthetists if person_cap(p, a.minutes[day], day) >= shortest)
    return k if k < groups[0][1] else None


def _minus(terms: list[tuple[Any, int]]) -> list[tuple[Any, int]]:
    return [(v, -a) for v, a in terms]


def _item(problem: Problem, case: Case) -> tuple[str, int, str]:
    """What a surgeon's pattern counts the case as: (procedure, minutes, ""); a case named to
    a surgeon who does not list its procedure counts as that surgeon's alone (their id last)."""
    people = problem.surgeons_for(case)
    owner = people[0].id if len(people) == 1 and not people[0].can_do(case.procedure) else ""
    return (case.procedure, case.minutes, owner)


def _longest_table(problem: Problem, day: int) -> int:
    return max((t.minutes[day] for t in problem.tables), default=0)


def _table_groups(problem: Problem, day: int) -> list[tuple[str | None, int, int]]:
    """(the table with locked cases or None, how many tables, their minutes) for the day."""
    locked = {c.fixed.table for c in problem.cases if c.fixed is not None and c.fixed.day == day}
    shared: dict[int, int] = defaultdict(int)
    out: list[tuple[str | None, int, int]] = []
    for t in problem.tables:
        if t.id in locked:
            out.append((t.id, 1, t.minutes[day]))
        elif t.minutes[day] > 0:
            shared[t.minutes[day]] += 1
    return out + [(None, n, minutes) for minutes, n in shared.items()]


def _surgeon_groups(
    problem: Problem, day: int, item_of: dict[str, Any], person_cap: Any
) -> list[tuple[str | None, int, int, list[Any]]]:
    """(the surgeon with named cases or None, how many surgeons, their minutes, the items they
    can take) for the day: surgeons alike share their patterns."""
    p = problem
    named: dict[str, set[Any]] = defaultdict(set)
    for c in p.cases:
        people = p.surgeons_for(c)
        if len(people) == 1 and (c.surgeon or (c.fixed and c.fixed.surgeon)):
            named[people[0].id].add(item_of[c.id])
    kinds = sorted({item_of[c.id] for c in p.cases})
    alike: dict[tuple[int, tuple[Any, ...]], int] = defaultdict(int)
    out: list[tuple[str | None, int, int, list[Any]]] = []
    for s in p.surgeons:
        cap = person_cap(p, s.minutes[day], day)
        if cap <= 0:
            continue
        items = [k for k in kinds if k[1] <= cap and (k[2] == s.id or (not k[2] and s.can_do(k[0])))]
        if s.id in named:
            out.append((s.id, 1, cap, items))
        else:
            alike[cap, tuple(items)] += 1
    return out + [(None, n, cap, list(items)) for (cap, items), n in alike.items()]
