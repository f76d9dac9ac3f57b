"""The primary model: who operates on which day, at which table, with whom; no clock times.

Each surgeon works at one table a day, and so does each anaesthetist, except that an
anaesthetist may cover a pair of tables, alternating between them (while one table turns
over, the other operates). With that, the clock times follow without a solver
(timing.py): each table's list runs youngest first, back to back with the turnover, and a
pair's lists interleave. No one is ever in two cases at once, so the model needs no
intervals, only knapsacks, which is what makes it fast.

Variables of a day d (the model covers any set of days; days only share "each case once"):

- w[c, d, S]: surgeon S operates case c on day d; sum over d, S <= 1 (= 1 when it must be).
- s[S, d, t]: S works at table t that day; sum over t = 1 when S operates at all.
- the load of S (minutes, and minutes + turnover per case) lands on S's table through
  enforced equalities (TL = load if s else 0), so a table's load is a plain sum.
- a[A, d, t]: anaesthetist A covers table t; every open table has exactly one; A covers at
  most one table, or two with the same minutes (when the day is short of anaesthetists and
  no case is shorter than the turnover). A pair's timeline is A's minutes plus a turnover
  for each time A must stay at one table: P + turnover * max(0, n1 - n2 - 1) <= table minutes.

A locked case (`fixed`) with a start splits its table's day into segments: the younger
cases before it, the older after; each segment is its own knapsack. A locked case's table
takes no pair. Problems the model cannot express (a person locked on two tables the same
day, locked starts out of youngest-first order) go to the interval model (model.py).

Identical tables (same minutes that day, nothing locked on them) are interchangeable: the
i-th surgeon of the day may only sit at one of the first i + 1 of them.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from cleftmission.scheduling.solver.problem import Case, Problem, Table


@dataclass(frozen=True)
class Place:
    day: int
    table: str
    surgeon: str


@dataclass
class Plan:
    """A schedule without clock times: where each case goes, and each open table's anaesthetist."""

    places: dict[str, Place] = field(default_factory=dict)
    anesthetist: dict[tuple[int, str], str] = field(default_factory=dict)

    def day_part(self, days: set[int]) -> Plan:
        return Plan(
            {c: p for c, p in self.places.items() if p.day in days},
            {k: a for k, a in self.anesthetist.items() if k[0] in days},
        )

    def without_days(self, days: set[int]) -> Plan:
        return Plan(
            {c: p for c, p in self.places.items() if p.day not in days},
            {k: a for k, a in self.anesthetist.items() if k[0] not in days},
        )

    def merged(self, other: Plan) -> Plan:
        return Plan({**self.places, **other.places}, {**self.anesthetist, **other.anesthetist})


@dataclass(frozen=True)
class Segment:
    """A stretch of a table's day between locked starts: cases whose age falls in
    (young, old] go there, in [begin, end) (end includes the turnover after the last case)."""

    begin: int
    room: int  # sum of (minutes + turnover) allowed


def fixed_surgeon(problem: Problem, case: Case) -> str | None:
    """The surgeon a locked case must have, when only one is possible."""
    allowed = problem.surgeons_for(case)
    return allowed[0].id if len(allowed) == 1 else None


def segments_of(problem: Problem, day: int, table: str) -> tuple[list[Case], list[Segment]] | None:
    """The locked cases with a start on this table-day (by start) and the segments around
    them; None when they overlap, overrun or break youngest first (model.py then decides)."""
    cap = problem.table(table).minutes[day]
    tau = problem.turnover
    pinned = sorted(
        (
            c
            for c in problem.cases
            if c.fixed is not None and c.fixed.day == day and c.fixed.table == table and c.fixed.start is not None
        ),
        key=lambda c: (c.fixed.start if c.fixed else 0, c.age_key),
    )
    segments = []
    begin = 0
    for c in pinned:
        assert c.fixed is not None and c.fixed.start is not None
        if c.fixed.start < begin:
            return None
        segments.append(Segment(begin, c.fixed.start - begin))
        begin = c.fixed.start + c.minutes + tau
    if begin - tau > cap:
        return None
    segments.append(Segment(begin, cap - begin + tau))
    for a, b in itertools.pairwise(pinned):
        if a.age_key > b.age_key:
            return None
    return pinned, segments


def segment_index(pinned: list[Case], case: Case) -> int:
    """Which segment a case goes to: after every locked case at most as old as it."""
    return sum(1 for f in pinned if f.age_key <= case.age_key)


def day_options(problem: Problem, case: Case, days: list[int] | range) -> list[tuple[int, list[str]]]:
    """(day, surgeons) a case may take among `days`: in its window (its locked day), with a
    table, a surgeon who can do it and (with clock times) an anaesthetist long enough."""
    p = problem
    out = []
    for d in days:
        if case.fixed is not None:
            if d != case.fixed.day:
                continue
        elif not case.release_day <= d <= case.due_day:
            continue
        if case.fixed is None and not any(t.minutes[d] >= case.minutes for t in p.tables):
            continue
        if p.uses_anesthetists and not any(a.minutes[d] >= case.minutes for a in p.anesthetists):
            continue
        surgeons = [s.id for s in p.surgeons_for(case) if s.minutes[d] >= case.minutes]
        if surgeons:
            out.append((d, surgeons))
    return out


def expressible(problem: Problem) -> bool:
    """Whether the team model can hold this problem's locked cases."""
    if not problem.sequence:
        return False
    pinned: dict[tuple[str, int], set[str]] = defaultdict(set)
    for c in problem.cases:
        if c.fixed is None:
            continue
        s = fixed_surgeon(problem, c)
        if s is not None:
            pinned[s, c.fixed.day].add(c.fixed.table)
        if c.fixed.start is not None and segments_of(problem, c.fixed.day, c.fixed.table) is None:
            return False
    return all(len(tables) <= 1 for tables in pinned.values())


def pairs_possible(problem: Problem, day: int, tables: list[Table]) -> bool:
    """Whether an anaesthetist may cover a pair of the day's `tables`: fewer anaesthetists
    present than tables, and no case shorter than the turnover (while one table turns over,
    the other operates)."""
    p = problem
    if p.turnover > 0 and any(c.minutes < p.turnover for c in p.cases):
        return False
    present = [a for a in p.anesthetists if a.minutes[day] > 0]
    return len(present) < len(tables)


class TeamModel:
    """The team model over `days` for the `cases` (others are not touched)."""

    def __init__(
        self,
        problem: Problem,
        days: list[int],
        cases: list[Case],
        *,
        must: set[str] | None = None,
        bonus: int = 0,
        worth: dict[str, int] | None = None,
    ) -> None:
        """`must`: the cases to place within these days (default: the mandatory and locked
        ones); the other mandatory cases are worth `bonus` more than their priority; `worth`
        replaces the priority of the cases it names (what placing them is worth here)."""
        self.p = problem
        self.days = days
        self.cases = {c.id: c for c in cases}
        self.must = must if must is not None else {c.id for c in cases if c.mandatory or c.fixed is not None}
        self.bonus = bonus
        self.worth = worth or {}
        self.index = {c.id: i for i, c in enumerate(problem.cases)}
        self.m = cp_model.CpModel()
        self.w: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.s: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.a: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.u: dict[tuple[int, str], cp_model.IntVar] = {}
        self.placed_lits: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        self.rank: dict[tuple[int, str], int] = {}
        self.aux: list[tuple[cp_model.IntVar, tuple[Any, ...]]] = []  # derived variables, for hints
        self.constant = 0
        self._build()

    # --- options -----------------------------------------------------------------------

    def options(self, case: Case) -> list[tuple[int, list[str]]]:
        """(day, surgeons) the case may take within the model's days."""
        return day_options(self.p, case, self.days)

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        p, m = self.p, self.m
        w = p.weights
        objective: list[cp_model.LinearExprT] = []
        by_day: dict[int, list[str]] = defaultdict(list)
        for case in self.cases.values():
            lits = []
            for d, surgeons in self.options(case):
                by_day[d].append(case.id)
                for sid in surgeons:
                    v = m.new_bool_var(f"w[{case.id},{d},{sid}]")
                    self.w[case.id, d, sid] = v
                    lits.append(v)
                    if d > case.release_day:
                        objective.append(w.delay * (d - case.release_day) * v)
            self.placed_lits[case.id] = lits
            if case.id in self.must:
                m.add(sum(lits) == 1)
            elif len(lits) > 1:
                m.add_at_most_one(lits)
            worth = self.worth.get(case.id, case.priority) + (self.bonus if case.mandatory else 0)
            self.constant += worth
            if lits:
                objective.append(-worth * sum(lits))
        for d in self.days:
            objective.extend(self._day(d, by_day.get(d, [])))
        m.minimize(sum(objective) + self.constant)

    def _day(self, d: int, cids: list[str]) -> list[cp_model.LinearExprT]:
        p, m = self.p, self.m
        tau = p.turnover
        cases = self.cases
        tables = [t for t in p.tables if t.minutes[d] > 0]
        special: dict[str, tuple[list[Case], list[Segment]]] = {}
        for locked in p.cases:
            f = locked.fixed
            if f is not None and f.day == d and f.start is not None and f.table not in special:
                around = segments_of(p, d, f.table)
                assert around is not None, "expressible() guards this"
                special[f.table] = around
        locked_tables = {c.fixed.table for c in p.cases if c.fixed is not None and c.fixed.day == d}
        for t in p.tables:
            if t.id in locked_tables and t.minutes[d] == 0 and t not in tables:
                tables.append(t)

        by_surgeon: dict[str, list[str]] = defaultdict(list)
        for c in cids:
            for person in p.surgeons:
                if (c, d, person.id) in self.w:
                    by_surgeon[person.id].append(c)
        surgeons = [s for s in p.surgeons if by_surgeon.get(s.id)]
        pinned_at: dict[str, str] = {}
        for c in cids:
            case = cases[c]
            if case.fixed is not None:
                who = fixed_surgeon(p, case)
                if who is not None:
                    pinned_at[who] = case.fixed.table

        # identical tables: ranks for the symmetry rule
        groups: dict[int, list[str]] = defaultdict(list)
        for t in tables:
            if t.id not in locked_tables:
                groups[t.minutes[d]].append(t.id)
        for g in groups.values():
            if len(g) > 1:
                for i, tid in enumerate(g):
                    self.rank[d, tid] = i

        objective: list[cp_model.LinearExprT] = []
        for t in tables:
            u = m.new_bool_var(f"u[{d},{t.id}]")
            self.u[d, t.id] = u
            objective.append(p.weights.open_table * u)

        seg_loads: dict[tuple[str, int], list[cp_model.LinearExprT]] = defaultdict(list)
        table_load: dict[str, list[cp_model.LinearExprT]] = defaultdict(list)
        table_minutes: dict[str, list[cp_model.LinearExprT]] = defaultdict(list)
        table_count: dict[str, list[cp_model.LinearExprT]] = defaultdict(list)
        members: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        surgeon_loads: dict[str, tuple[cp_model.LinearExprT, cp_model.LinearExprT]] = {}
        for i, surgeon in enumerate(surgeons):
            sid = surgeon.id
            mine = by_surgeon[sid]
            lits = [self.w[c, d, sid] for c in mine]
            minutes = sum(cases[c].minutes * lit for c, lit in zip(mine, lits, strict=True))
            count = sum(lits)
            surgeon_loads[sid] = (minutes + tau * count, minutes)
            if sum(cases[c].minutes for c in mine) > surgeon.minutes[d]:
                m.add(minutes <= surgeon.minutes[d])
            act = m.new_bool_var(f"act[{sid},{d}]")
            self.aux.append((act, ("act", sid, d)))
            for lit in lits:
                m.add_implication(lit, act)
            m.add(act <= count)
            smallest = min(cases[c].minutes for c in mine)
            at = []
            for t in tables:
                if pinned_at.get(sid, t.id) != t.id:
                    continue
                if t.minutes[d] < smallest and t.id not in locked_tables:
                    continue
                if self.rank.get((d, t.id), 0) > i:
                    continue
                here = [c for c in mine if self._fits(cases[c], d, t.id)]
                if not here:
                    continue
                s = m.new_bool_var(f"s[{sid},{d},{t.id}]")
                self.s[sid, d, t.id] = s
                at.append(s)
                members[t.id].append(s)
                for c in mine:
                    if c not in here:
                        m.add_implication(s, self.w[c, d, sid].negated())
                m.add_implication(s, self.u[d, t.id])
                cap = t.minutes[d]
                if t.id in special:
                    pinned, segs = special[t.id]
                    for j, _seg in enumerate(segs):
                        part = [
                            c for c in here if not self._pinned_start(cases[c]) and segment_index(pinned, cases[c]) == j
                        ]
                        if not part:
                            continue
                        var = m.new_int_var(0, cap + tau, f"seg[{sid},{d},{t.id},{j}]")
                        self.aux.append((var, ("seg", sid, d, t.id, frozenset(part))))
                        load = sum((cases[c].minutes + tau) * self.w[c, d, sid] for c in part)
                        m.add(var == load).only_enforce_if(s)
                        m.add(var == 0).only_enforce_if(s.negated())
                        seg_loads[t.id, j].append(var)
                else:
                    var = m.new_int_var(0, cap + tau, f"tl[{sid},{d},{t.id}]")
                    self.aux.append((var, ("tl", sid, d, t.id)))
                    m.add(var == minutes + tau * count).only_enforce_if(s)
                    m.add(var == 0).only_enforce_if(s.negated())
                    table_load[t.id].append(var)
                if p.uses_anesthetists:
                    pm = m.new_int_var(0, cap, f"pm[{sid},{d},{t.id}]")
                    self.aux.append((pm, ("pm", sid, d, t.id)))
                    m.add(pm == minutes).only_enforce_if(s)
                    m.add(pm == 0).only_enforce_if(s.negated())
                    table_minutes[t.id].append(pm)
                    if pairs_possible(self.p, d, tables):
                        pc = m.new_int_var(0, len(here), f"pc[{sid},{d},{t.id}]")
                        self.aux.append((pc, ("pc", sid, d, t.id)))
                        m.add(pc == count).only_enforce_if(s)
                        m.add(pc == 0).only_enforce_if(s.negated())
                        table_count[t.id].append(pc)
            if not at:
                for lit in lits:
                    m.add(lit == 0)
                m.add(act == 0)
            else:
                m.add(sum(at) == act)

        for t in tables:
            u = self.u[d, t.id]
            if not members[t.id]:
                m.add(u == 0)
                continue
            m.add(u <= sum(members[t.id]))
            if t.id in special:
                pinned, segs = special[t.id]
                for j, segment in enumerate(segs):
                    if seg_loads.get((t.id, j)):
                        m.add(sum(seg_loads[t.id, j]) <= segment.room)
            elif table_load[t.id]:
                m.add(sum(table_load[t.id]) <= t.minutes[d] + tau)
        for g in groups.values():
            for t1, t2 in itertools.pairwise(g):
                if (d, t1) in self.u and (d, t2) in self.u:
                    m.add(self.u[d, t1] >= self.u[d, t2])

        # redundant, for the LP: the day's loads fit the open tables; a surgeon's load fits a table
        if surgeon_loads:
            m.add(
                sum(load for load, _ in surgeon_loads.values())
                <= sum((t.minutes[d] + tau) * self.u[d, t.id] for t in tables)
            )
            longest = max(t.minutes[d] for t in tables) + tau
            for who, (full, _) in surgeon_loads.items():
                if pinned_at.get(who) is None:
                    m.add(full <= longest)
            if p.uses_anesthetists:
                present = [a for a in p.anesthetists if a.minutes[d] > 0]
                give = sum(min(a.minutes[d], longest - tau) for a in present)
                m.add(sum(busy for _, busy in surgeon_loads.values()) <= give)
                per = 2 if pairs_possible(self.p, d, tables) else 1
                m.add(sum(self.u[d, t.id] for t in tables) <= per * len(present))

        if p.uses_anesthetists:
            self._anesthetists(d, tables, table_minutes, table_count, special)
        return objective

    def _pinned_start(self, case: Case) -> bool:
        return case.fixed is not None and case.fixed.start is not None

    def _fits(self, case: Case, d: int, tid: str) -> bool:
        if case.fixed is not None:
            return case.fixed.table == tid
        return self.p.table(tid).minutes[d] >= case.minutes

    def _anesthetists(
        self,
        d: int,
        tables: list[Table],
        table_minutes: dict[str, list[cp_model.LinearExprT]],
        table_count: dict[str, list[cp_model.LinearExprT]],
        special: dict[str, tuple[list[Case], list[Segment]]],
    ) -> None:
        p, m = self.p, self.m
        tau = p.turnover
        present = [a for a in p.anesthetists if a.minutes[d] > 0]
        pairs = pairs_possible(self.p, d, tables)
        minutes_at = {t.id: cp_model.LinearExpr.sum(table_minutes[t.id]) for t in tables}
        count_at = {t.id: cp_model.LinearExpr.sum(table_count[t.id]) for t in tables} if pairs else {}
        for t in tables:
            lits = []
            for a in present:
                v = m.new_bool_var(f"a[{a.id},{d},{t.id}]")
                self.a[a.id, d, t.id] = v
                lits.append(v)
            m.add(sum(lits) == self.u[d, t.id])
        for a in present:
            mine = [(t, self.a[a.id, d, t.id]) for t in tables]
            if not pairs:
                m.add_at_most_one(v for _, v in mine)
                for t, v in mine:
                    m.add(minutes_at[t.id] <= min(a.minutes[d], t.minutes[d])).only_enforce_if(v)
                continue
            m.add(sum(v for _, v in mine) <= 2)
            total_minutes = []
            total_count = []
            for t, v in mine:
                cap = t.minutes[d]
                q = m.new_int_var(0, cap, f"q[{a.id},{d},{t.id}]")
                self.aux.append((q, ("q", a.id, d, t.id)))
                m.add(q == minutes_at[t.id]).only_enforce_if(v)
                m.add(q == 0).only_enforce_if(v.negated())
                r = m.new_int_var(0, len(self.cases), f"r[{a.id},{d},{t.id}]")
                self.aux.append((r, ("r", a.id, d, t.id)))
                m.add(r == count_at[t.id]).only_enforce_if(v)
                m.add(r == 0).only_enforce_if(v.negated())
                total_minutes.append(q)
                total_count.append(r)
            pa = cp_model.LinearExpr.sum(total_minutes)
            na = cp_model.LinearExpr.sum(total_count)
            m.add(pa <= a.minutes[d])
            for t, v in mine:
                cap = t.minutes[d]
                m.add(pa <= cap).only_enforce_if(v)
                m.add(pa + tau * (2 * count_at[t.id] - na) - tau <= cap).only_enforce_if(v)
            for (t1, v1), (t2, v2) in _pairs_of(mine):
                if t1.minutes[d] != t2.minutes[d] or t1.id in special or t2.id in special:
                    m.add_bool_or([v1.negated(), v2.negated()])

    # --- hints and answers ----------------------------------------------------------------

    def add_hint(self, plan: Plan) -> None:
        m = self.m
        m.clear_hints()
        plan = self.canonical(plan)
        for (c, d, sid), v in self.w.items():
            pl = plan.places.get(c)
            m.add_hint(v, pl is not None and (pl.day, pl.surgeon) == (d, sid))
        at = {(pl.surgeon, pl.day): pl.table for pl in plan.places.values()}
        for (sid, d, tid), v in self.s.items():
            m.add_hint(v, at.get((sid, d)) == tid)
        used = {(pl.day, pl.table) for pl in plan.places.values()}
        for key, v in self.u.items():
            m.add_hint(v, key in used)
        for (aid, d, tid), v in self.a.items():
            m.add_hint(v, plan.anesthetist.get((d, tid)) == aid)
        self._hint_aux(plan)

    def _hint_aux(self, plan: Plan) -> None:
        """Hint the derived variables too, so CP-SAT takes the hint as a whole solution."""
        tau = self.p.turnover
        minutes: dict[tuple[str, int], int] = defaultdict(int)
        count: dict[tuple[str, int], int] = defaultdict(int)
        at: dict[tuple[str, int], str] = {}
        table_minutes: dict[tuple[int, str], int] = defaultdict(int)
        table_count: dict[tuple[int, str], int] = defaultdict(int)
        mine: dict[tuple[str, int], set[str]] = defaultdict(set)
        for c, pl in plan.places.items():
            if c not in self.cases:
                continue
            k = (pl.surgeon, pl.day)
            minutes[k] += self.cases[c].minutes
            count[k] += 1
            at[k] = pl.table
            mine[k].add(c)
            table_minutes[pl.day, pl.table] += self.cases[c].minutes
            table_count[pl.day, pl.table] += 1
        for var, key in self.aux:
            kind = key[0]
            if kind == "act":
                value = int(count[key[1], key[2]] > 0)
            elif kind in ("tl", "pm", "pc", "seg"):
                sid, d, tid = key[1], key[2], key[3]
                if at.get((sid, d)) != tid:
                    value = 0
                elif kind == "tl":
                    value = minutes[sid, d] + tau * count[sid, d]
                elif kind == "pm":
                    value = minutes[sid, d]
                elif kind == "pc":
                    value = count[sid, d]
                else:
                    value = sum(self.cases[c].minutes + tau for c in mine[sid, d] & key[4])
            else:
                aid, d, tid = key[1], key[2], key[3]
                if plan.anesthetist.get((d, tid)) != aid:
                    value = 0
                else:
                    value = table_minutes[d, tid] if kind == "q" else table_count[d, tid]
            self.m.add_hint(var, value)

    def canonical(self, plan: Plan) -> Plan:
        """Relabel identical tables day by day so the plan obeys the symmetry rule."""
        if not self.rank:
            return plan
        order = {s.id: i for i, s in enumerate(self.p.surgeons)}
        rename: dict[tuple[int, str], str] = {}
        for d in self.days:
            groups: dict[int, list[str]] = defaultdict(list)
            for (dd, tid), _r in sorted(self.rank.items(), key=lambda kv: kv[1]):
                if dd == d:
                    groups[self.p.table(tid).minutes[d]].append(tid)
            for g in groups.values():
                first: dict[str, int] = {}
                for pl in plan.places.values():
                    if pl.day == d and pl.table in g:
                        first[pl.table] = min(first.get(pl.table, 10**9), order[pl.surgeon])
                ranked = sorted(g, key=lambda t: (first.get(t, 10**9), g.index(t)))
                for new, old in zip(g, ranked, strict=True):
                    rename[d, old] = new
        if not rename:
            return plan
        return Plan(
            {c: Place(pl.day, rename.get((pl.day, pl.table), pl.table), pl.surgeon) for c, pl in plan.places.items()},
            {(d, rename.get((d, t), t)): a for (d, t), a in plan.anesthetist.items()},
        )

    def read(self, solver: cp_model.CpSolver) -> Plan:
        plan = Plan()
        table_of: dict[tuple[str, int], str] = {}
        for (sid, d, tid), v in self.s.items():
            if solver.boolean_value(v):
                table_of[sid, d] = tid
        for (c, d, sid), v in self.w.items():
            if solver.boolean_value(v):
                plan.places[c] = Place(d, table_of[sid, d], sid)
        for (aid, d, tid), v in self.a.items():
            if solver.boolean_value(v):
                plan.anesthetist[d, tid] = aid
        return plan


def _pairs_of(items: list[tuple[Table, cp_model.IntVar]]) -> list[tuple[tuple[Table, cp_model.IntVar], ...]]:
    return [(items[i], items[j]) for i in range(len(items)) for j in range(i + 1, len(items))]
