"""The CP-SAT model.

Assignment: x[c, d, t] = 1 when case c runs on day d at table t, only for the day-tables that
could take it (inside its release/due window, the table open long enough, a surgeon who can do
it present). y[c, d] = the case runs on day d; w[c, d, s] = surgeon s operates it (the same
literal as y when only one surgeon can); a[c, d, k] = anaesthetist k gives its anaesthesia.

Capacity: per table-day a knapsack, sum (minutes + turnover) <= table minutes + turnover when
the table-day is used (exact: n cases need n - 1 turnovers); per surgeon-day and anaesthetist-day
a knapsack on minutes. These are what give the LP relaxation, and so the bound, its strength.

Clock times (sequence): one start per case, relative to its day. Each table-day's candidates are
sorted youngest first and chained: a running "table free from" value E_k >= E_{k-1}, and a
present case starts at or after E_{k-1} and pushes E_k past its end plus turnover; E_k <= table
minutes + turnover. That encodes the order, the turnover and the end of the table's day with
three linear constraints per candidate, no pairwise disjunctions. Surgeons and anaesthetists
get NoOverlap over optional intervals per day.

Identical tables (same minutes that day, nothing locked on them) are interchangeable day by day,
so their loads are ordered: it removes the permutations that would otherwise keep the bound
search busy.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from cleftmission.scheduling.solver.check import cost_of, violations_of
from cleftmission.scheduling.solver.problem import Assignment, Case, Problem

Key = tuple[str, int, str]  # case, day, table


@dataclass
class Options:
    """What a repair adds to a plain solve."""

    now_day: int = 0
    now_minute: int = 0
    frozen: dict[str, Assignment] = field(default_factory=dict)  # stay exactly as they are
    published: dict[str, Assignment] = field(default_factory=dict)  # moving one costs move_weight
    move_weight: int = 0
    allowed: dict[str, set[tuple[int, str]]] | None = None  # case → the day-tables it may take
    workers: int = 4


@dataclass
class Result:
    status: str  # optimal, feasible, infeasible, unknown
    assignments: list[Assignment]
    bound: int | None  # on the model's objective (the problem's objective + moves in a repair)
    model_objective: int | None


class Model:
    def __init__(self, problem: Problem, opts: Options | None = None) -> None:
        self.p = problem
        self.o = opts or Options()
        self.m = cp_model.CpModel()
        self.x: dict[Key, cp_model.IntVar] = {}
        self.y: dict[tuple[str, int], cp_model.IntVar] = {}
        self.w: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.a: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.s: dict[str, cp_model.IntVar] = {}
        self.u: dict[tuple[int, str], cp_model.IntVar] = {}
        self.v: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.act: dict[tuple[str, int], cp_model.IntVar] = {}
        self.chain: dict[tuple[int, str], list[tuple[str, cp_model.IntVar]]] = {}
        self.keep: dict[str, cp_model.IntVar] = {}
        self.sym_groups: dict[int, list[list[str]]] = {}
        self.tables_of: dict[tuple[str, int], list[str]] = defaultdict(list)
        self.surgeons_of: dict[tuple[str, int], list[str]] = defaultdict(list)
        self.anesthetists_of: dict[tuple[str, int], list[str]] = defaultdict(list)
        self.cases = {c.id: c for c in problem.cases}
        self.index = {c.id: i for i, c in enumerate(problem.cases)}
        self._build()

    # --- building --------------------------------------------------------------------

    def _options(self, case: Case) -> list[tuple[int, str]]:
        o = self.o
        if case.id in o.frozen:
            f = o.frozen[case.id]
            return [(f.day, f.table)]
        if case.fixed is not None:
            return [(case.fixed.day, case.fixed.table)]
        out = []
        surgeons = self.p.surgeons_for(case)
        for d in range(max(case.release_day, o.now_day), case.due_day + 1):
            if not any(s.minutes[d] >= case.minutes for s in surgeons):
                continue
            if self.p.uses_anesthetists and not any(a.minutes[d] >= case.minutes for a in self.p.anesthetists):
                continue
            for t in self.p.tables:
                if t.minutes[d] < case.minutes:
                    continue
                if d == o.now_day and self.p.sequence and o.now_minute + case.minutes > t.minutes[d]:
                    continue
                if o.allowed is not None and case.id in o.allowed and (d, t.id) not in o.allowed[case.id]:
                    continue
                out.append((d, t.id))
        return out

    def _build(self) -> None:
        p, m, o = self.p, self.m, self.o
        turnover = p.turnover
        horizon = max((t.minutes[d] for t in p.tables for d in range(p.days)), default=0)
        by_table_day: dict[tuple[int, str], list[str]] = defaultdict(list)
        self.by_table_day = by_table_day
        by_surgeon_day: dict[tuple[str, int], list[str]] = defaultdict(list)
        by_anesthetist_day: dict[tuple[str, int], list[str]] = defaultdict(list)
        locked_table_days: set[tuple[int, str]] = set()
        objective: list[cp_model.LinearExprT] = []
        constant = 0

        for case in p.cases:
            cid = case.id
            options = self._options(case)
            for d, tid in options:
                self.x[cid, d, tid] = m.new_bool_var(f"x[{cid},{d},{tid}]")
                self.tables_of[cid, d].append(tid)
                by_table_day[d, tid].append(cid)
            forced = case.mandatory or case.fixed is not None or cid in o.frozen
            if case.fixed is not None or cid in o.frozen or cid in o.published:
                locked_table_days.update(options)
            days = sorted({d for d, _ in options})
            for d in days:
                y = m.new_bool_var(f"y[{cid},{d}]")
                self.y[cid, d] = y
                m.add(y == sum(self.x[cid, d, tid] for dd, tid in options if dd == d))
            total = sum(self.y[cid, d] for d in days)
            if forced:
                m.add(total == 1)
            else:
                m.add(total <= 1)
            constant += case.priority
            objective.append(-case.priority * total)
            objective.append(sum(p.weights.delay * (d - case.release_day) * self.y[cid, d] for d in days))

            frozen = o.frozen.get(cid)
            for d in days:
                y = self.y[cid, d]
                surgeons = [s for s in p.surgeons_for(case) if s.minutes[d] >= case.minutes]
                if frozen is not None and frozen.surgeon is not None:
                    surgeons = [s for s in p.surgeons if s.id == frozen.surgeon]
                if not surgeons:
                    m.add(y == 0)
                elif len(surgeons) == 1:
                    self.w[cid, d, surgeons[0].id] = y
                else:
                    lits = [m.new_bool_var(f"w[{cid},{d},{s.id}]") for s in surgeons]
                    for s, lit in zip(surgeons, lits, strict=True):
                        self.w[cid, d, s.id] = lit
                    m.add(sum(lits) == y)
                for s in surgeons:
                    by_surgeon_day[s.id, d].append(cid)
                    self.surgeons_of[cid, d].append(s.id)
                if p.uses_anesthetists:
                    pool = [a for a in p.anesthetists if a.minutes[d] >= case.minutes]
                    if frozen is not None and frozen.anesthetist is not None:
                        pool = [a for a in p.anesthetists if a.id == frozen.anesthetist]
                    if not pool:
                        m.add(y == 0)
                    elif len(pool) == 1:
                        self.a[cid, d, pool[0].id] = y
                    else:
                        lits = [m.new_bool_var(f"a[{cid},{d},{a.id}]") for a in pool]
                        for a, lit in zip(pool, lits, strict=True):
                            self.a[cid, d, a.id] = lit
                        m.add(sum(lits) == y)
                    for a in pool:
                        by_anesthetist_day[a.id, d].append(cid)
                        self.anesthetists_of[cid, d].append(a.id)

            if p.sequence and options:
                lo = 0
                hi = max(0, horizon - case.minutes)
                fixed_start = frozen.start if frozen is not None else (case.fixed.start if case.fixed else None)
                if fixed_start is not None:
                    lo = hi = fixed_start  # too late for the table: the chain makes it infeasible
                start_var = m.new_int_var(lo, hi, f"s[{cid}]")
                self.s[cid] = start_var
                if frozen is None and (cid, o.now_day) in self.y and o.now_minute > 0:
                    m.add(start_var >= o.now_minute).only_enforce_if(self.y[cid, o.now_day])

            if cid in o.published:
                pub = o.published[cid]
                keep = m.new_bool_var(f"keep[{cid}]")
                self.keep[cid] = keep
                if (cid, pub.day, pub.table) in self.x:
                    m.add_implication(keep, self.x[cid, pub.day, pub.table])
                    if p.sequence and pub.start is not None and cid in self.s:
                        m.add(self.s[cid] == pub.start).only_enforce_if(keep)
                else:
                    m.add(keep == 0)
                constant += o.move_weight
                objective.append(-o.move_weight * keep)

        # table-days: capacity knapsack, used flag, youngest-first chain
        for (d, tid), cids in by_table_day.items():
            cap = p.table(tid).minutes[d]
            u = m.new_bool_var(f"u[{d},{tid}]")
            self.u[d, tid] = u
            xs = [self.x[c, d, tid] for c in cids]
            m.add(
                sum((self.cases[c].minutes + turnover) * x for c, x in zip(cids, xs, strict=True))
                <= (cap + turnover) * u
            )
            for x in xs:
                m.add_implication(x, u)
            objective.append(p.weights.open_table * u)
            if p.sequence:
                order = sorted(cids, key=lambda c: (self.cases[c].age_key, self.index[c]))
                prev: cp_model.LinearExprT = 0
                chain = []
                for c in order:
                    x = self.x[c, d, tid]
                    e = m.new_int_var(0, cap + turnover, f"e[{d},{tid},{c}]")
                    m.add(e >= prev)
                    m.add(self.s[c] >= prev).only_enforce_if(x)
                    m.add(e >= self.s[c] + self.cases[c].minutes + turnover).only_enforce_if(x)
                    chain.append((c, e))
                    prev = e
                self.chain[d, tid] = chain

        # surgeons and anaesthetists: minutes per day, one case at a time
        for people, by_day, var in (
            (p.surgeons, by_surgeon_day, self.w),
            (p.anesthetists, by_anesthetist_day, self.a),
        ):
            minutes = {q.id: q.minutes for q in people}
            for (qid, d), cids in by_day.items():
                lits = [var[c, d, qid] for c in cids]
                if sum(self.cases[c].minutes for c in cids) > minutes[qid][d]:
                    m.add(
                        sum(self.cases[c].minutes * lit for c, lit in zip(cids, lits, strict=True)) <= minutes[qid][d]
                    )
                if p.sequence and len(cids) > 1:
                    m.add_no_overlap(
                        [
                            m.new_optional_fixed_size_interval_var(
                                self.s[c], self.cases[c].minutes, lit, f"i[{qid},{d},{c}]"
                            )
                            for c, lit in zip(cids, lits, strict=True)
                        ]
                    )

        # a surgeon at more than one table on a day
        if p.weights.surgeon_transfer > 0:
            for (sid, d), cids in by_surgeon_day.items():
                tables = sorted({tid for c in cids for tid in self.tables_of[c, d]})
                if len(tables) < 2:
                    continue
                vs = {tid: m.new_bool_var(f"v[{sid},{d},{tid}]") for tid in tables}
                for c in cids:
                    w = self.w[c, d, sid]
                    single = w is self.y[c, d]
                    for tid in tables:
                        xt = self.x.get((c, d, tid))
                        if xt is None:
                            continue
                        if single:
                            m.add_implication(xt, vs[tid])
                        else:
                            m.add(vs[tid] >= xt + w - 1)
                act = m.new_bool_var(f"act[{sid},{d}]")
                m.add(act <= sum(vs.values()))
                for tid, v in vs.items():
                    self.v[sid, d, tid] = v
                self.act[sid, d] = act
                objective.append(p.weights.surgeon_transfer * (sum(vs.values()) - act))

        # identical tables are interchangeable within a day
        if not o.published and o.allowed is None:
            for d in range(p.days):
                groups: dict[int, list[str]] = defaultdict(list)
                for t in p.tables:
                    if (d, t.id) in self.u and (d, t.id) not in locked_table_days:
                        groups[t.minutes[d]].append(t.id)
                self.sym_groups[d] = [g for g in groups.values() if len(g) > 1]
                for g in self.sym_groups[d]:
                    for t1, t2 in itertools.pairwise(g):
                        m.add(self._load(d, t1) >= self._load(d, t2))
                        m.add(self.u[d, t1] >= self.u[d, t2])

        self.constant = constant
        m.minimize(sum(objective) + constant)

    def _load(self, d: int, tid: str) -> cp_model.LinearExprT:
        turnover = self.p.turnover
        return sum((self.cases[c].minutes + turnover) * self.x[c, d, tid] for c in self.by_table_day[d, tid])

    # --- hints -----------------------------------------------------------------------

    def canonical(self, assignments: list[Assignment]) -> list[Assignment]:
        """Permute identical tables' lists day by day so the schedule obeys the symmetry order."""
        if not self.sym_groups:
            return assignments
        load: dict[tuple[int, str], int] = defaultdict(int)
        for a in assignments:
            load[a.day, a.table] += self.cases[a.case].minutes + self.p.turnover
        rename: dict[tuple[int, str], str] = {}
        for d, groups in self.sym_groups.items():
            for g in groups:
                ranked = sorted(g, key=lambda t: (-load[d, t], g.index(t)))
                for new, old in zip(g, ranked, strict=True):
                    rename[d, old] = new
        return [
            Assignment(a.case, a.day, rename.get((a.day, a.table), a.table), a.surgeon, a.anesthetist, a.start, a.end)
            for a in assignments
        ]

    def add_hint(self, assignments: list[Assignment]) -> None:
        m = self.m
        m.clear_hints()
        placed = {a.case: a for a in self.canonical(assignments) if (a.case, a.day, a.table) in self.x}
        for (c, d, tid), x in self.x.items():
            a = placed.get(c)
            m.add_hint(x, a is not None and a.day == d and a.table == tid)
        for (c, d), y in self.y.items():
            a = placed.get(c)
            m.add_hint(y, a is not None and a.day == d)
        for (c, d, sid), w in self.w.items():
            if w is not self.y[c, d]:
                a = placed.get(c)
                m.add_hint(w, a is not None and a.day == d and a.surgeon == sid)
        for (c, d, aid), lit in self.a.items():
            if lit is not self.y[c, d]:
                a = placed.get(c)
                m.add_hint(lit, a is not None and a.day == d and a.anesthetist == aid)
        for c, s in self.s.items():
            a = placed.get(c)
            if a is not None and a.start is not None:
                m.add_hint(s, a.start)
        used = {(a.day, a.table) for a in placed.values()}
        for key, u in self.u.items():
            m.add_hint(u, key in used)
        for (d, tid), chain in self.chain.items():
            e = 0
            for c, var in chain:
                a = placed.get(c)
                if a is not None and a.day == d and a.table == tid and a.start is not None:
                    e = max(e, a.start + self.cases[c].minutes + self.p.turnover)
                m.add_hint(var, e)
        works = {(a.surgeon, a.day, a.table) for a in placed.values()}
        for (sid, d, tid), v in self.v.items():
            m.add_hint(v, (sid, d, tid) in works)
        for (sid, d), act in self.act.items():
            m.add_hint(act, any((sid, d, t) in works for t in (tt.id for tt in self.p.tables)))
        for c, keep in self.keep.items():
            pub = self.o.published[c]
            a = placed.get(c)
            m.add_hint(
                keep,
                a is not None
                and a.day == pub.day
                and a.table == pub.table
                and (not self.p.sequence or a.start == pub.start),
            )

    # --- solving ---------------------------------------------------------------------

    def solve(self, time_limit: float) -> Result:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, time_limit)
        solver.parameters.num_workers = self.o.workers
        solver.parameters.random_seed = 7
        code = solver.solve(self.m)
        if code == cp_model.MODEL_INVALID:
            raise RuntimeError(f"the scheduling model is invalid: {self.m.validate()}")
        if code == cp_model.INFEASIBLE:
            return Result("infeasible", [], None, None)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Result("unknown", [], math.ceil(solver.best_objective_bound - 1e-6), None)
        out = []
        for (c, d, tid), x in self.x.items():
            if not solver.boolean_value(x):
                continue
            case = self.cases[c]
            surgeon = next(sid for sid in self.surgeons_of[c, d] if solver.boolean_value(self.w[c, d, sid]))
            anesthetist = None
            if self.p.uses_anesthetists:
                anesthetist = next(aid for aid in self.anesthetists_of[c, d] if solver.boolean_value(self.a[c, d, aid]))
            start = end = None
            if self.p.sequence:
                start = solver.value(self.s[c])
                end = start + case.minutes
            out.append(Assignment(c, d, tid, surgeon, anesthetist, start, end))
        objective = round(solver.objective_value)
        bound = objective if code == cp_model.OPTIMAL else math.ceil(solver.best_objective_bound - 1e-6)
        return Result("optimal" if code == cp_model.OPTIMAL else "feasible", out, bound, objective)


def solve_model(
    problem: Problem,
    *,
    time_limit: float,
    hints: list[list[Assignment]],
    opts: Options | None = None,
) -> Result:
    """Build, hint with the best valid hint, solve; never return a schedule check() rejects."""
    started = time.monotonic()
    model = Model(problem, opts)
    o = model.o

    def model_cost(assignments: list[Assignment]) -> int:
        cost = sum(cost_of(problem, assignments).values())
        placed = {a.case: a for a in assignments}
        for c, pub in o.published.items():
            a = placed.get(c)
            if a is None or a.day != pub.day or a.table != pub.table or (problem.sequence and a.start != pub.start):
                cost += o.move_weight
        return cost

    valid = [h for h in hints if not violations_of(problem, h) and _respects(problem, h, o)]
    best_hint = min(valid, key=model_cost) if valid else None
    if best_hint is not None:
        model.add_hint(best_hint)
    elif hints:
        model.add_hint(hints[0])
    result = model.solve(time_limit - (time.monotonic() - started))
    if result.status in ("optimal", "feasible"):
        broken = violations_of(problem, result.assignments)
        if broken:
            # never hand out a schedule that breaks a rule; the checked hint is safe
            if best_hint is None:
                raise RuntimeError(f"the solver's schedule breaks {broken[0].message}")
            return Result("feasible", best_hint, result.bound, model_cost(best_hint))
        assert result.model_objective is not None
        if best_hint is not None and model_cost(best_hint) < result.model_objective:
            return Result("feasible", best_hint, result.bound, model_cost(best_hint))
        return result
    if result.status == "unknown" and best_hint is not None:
        return Result("feasible", best_hint, result.bound, model_cost(best_hint))
    return result


def _respects(problem: Problem, assignments: list[Assignment], o: Options) -> bool:
    """A hint is only a fallback if it keeps what the repair must keep."""
    placed = {a.case: a for a in assignments}
    for c, f in o.frozen.items():
        a = placed.get(c)
        if a is None or (a.day, a.table, a.start, a.surgeon) != (f.day, f.table, f.start, f.surgeon):
            return False
    for a in assignments:
        if a.case in o.frozen:
            continue
        if a.day < o.now_day:
            return False
        if a.day == o.now_day and problem.sequence and a.start is not None and a.start < o.now_minute:
            return False
        if o.allowed is not None and a.case in o.allowed and (a.day, a.table) not in o.allowed[a.case]:
            return False
    return True
