"""The search for a schedule with the team model (teams.py), while bound.py proves a bound.

1. Day by day: each day is a small model that CP-SAT solves in a fraction of a second, over
   the cases no earlier day took (mandatory ones are worth more, and must be placed on the
   last day they can take). Two ways: greedily by priority, and following the days the
   relaxation's LP gives each case (which spreads the delay well when most children fit;
   a day then takes only the cases the LP puts on it or the next day). Each day's model
   starts from a first fit that opens every table, pairing tables on a day short of
   anaesthetists.
2. Neighbourhoods: one day at a time (its cases and those nobody operates) re-solved with
   the rest kept, then pairs of days when single days stop helping. The team model's days
   only share "each case once", so a neighbourhood is just a smaller team model.
   Once the relaxation's search beside it is done, a third schedule day by day, following
   the days of the relaxation's best solution (mix.py: how many of each class of children
   each day takes, which fill the days with whole cases).
3. On a mission of about five days, the whole problem, hinted with the best so far: CP-SAT's
   own neighbourhoods, with both cores once the relaxation's search beside it is done (on a
   larger one CP-SAT's presolve of the whole model takes most of the time: step 2 instead).

Every step stops early when the schedule is within `stop_gap` of the bound.
"""

from __future__ import annotations

import itertools
import os
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from cleftmission.scheduling.solver.check import cost_of
from cleftmission.scheduling.solver.problem import Case, Person, Problem, Table
from cleftmission.scheduling.solver.teams import Place, Plan, TeamModel, day_options, pairs_possible
from cleftmission.scheduling.solver.timing import timed

STOP_GAP = 0.005  # the search stops within this share of the objective from the bound


@dataclass
class Found:
    plan: Plan | None
    objective: int | None
    optimal: bool = False  # optimal for the team model (not a proof for the problem: see bound.py)


def plan_cost(problem: Problem, plan: Plan) -> int:
    return sum(cost_of(problem, timed(problem, plan)).values())


def complete(problem: Problem, plan: Plan) -> bool:
    return all(c.id in plan.places for c in problem.cases if c.mandatory or c.fixed is not None)


class _Stopper(cp_model.CpSolverSolutionCallback):
    """Stops CP-SAT when a solution is within the gap of the bound proven elsewhere."""

    def __init__(self, bound: Callable[[], int | None], gap: float, constant: int = 0) -> None:
        super().__init__()
        self.bound = bound
        self.gap = gap
        self.constant = constant

    def on_solution_callback(self) -> None:
        b = self.bound()
        objective = round(self.objective_value) + self.constant
        if b is not None and objective - b <= self.gap * max(1, objective):
            self.stop_search()


def _solver(seconds: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver


def day_by_day(
    problem: Problem,
    *,
    deadline: float,
    workers: int,
    seconds_per_day: float,
    guide: dict[tuple[str, int], float] | None = None,
) -> Plan | None:
    """`guide`: the LP's share of each case on each day; a case the LP puts on a day (more
    than half) is worth more there, and little before."""
    p = problem
    target: dict[str, int] = {}
    for (cid, d), share in (guide or {}).items():
        if share > 0.5:
            target[cid] = d
    last_day: dict[str, int] = {}
    for c in p.cases:
        if c.mandatory:
            opts = day_options(p, c, range(p.days))
            if not opts:
                return None
            last_day[c.id] = opts[-1][0]
    bonus = 1 + sum(c.priority for c in p.cases) + p.weights.delay * p.days * len(p.cases)
    plan = Plan()
    per_unit = BUILD_SECONDS  # to build a model, per case and table (measured at each build)
    for d in range(p.days):
        cands = [
            c
            for c in p.cases
            if c.id not in plan.places and (c.fixed is None or c.fixed.day == d) and day_options(p, c, [d])
        ]
        must = {c.id for c in cands if c.fixed is not None or last_day.get(c.id) == d}
        if guide:
            # the day's model takes the cases the guide puts on this day or the next, and
            # those it puts nowhere: on 400 children the whole pool (350 on the first day)
            # leaves CP-SAT no time past its presolve; later cases fill room in the
            # neighbourhoods
            cands = [c for c in cands if c.id in must or target.get(c.id, d) <= d + 1 or guide.get((c.id, d), 0) > 0]
        # the LP's day for a case: there it is worth twice its priority; before it only what
        # operating it earlier saves in delay, so it fills what room is left
        worth = {}
        for c in cands:
            t = target.get(c.id)
            if t == d:
                worth[c.id] = 2 * c.priority
            elif t is not None and t > d:
                worth[c.id] = p.weights.delay * (t - d)
        first = first_fit(p, d, cands)
        code = cp_model.UNKNOWN
        # out of time (a model is worth building when there is as long again to solve it),
        # the first fit of the day stands
        units = len(cands) * len(p.tables)
        if deadline - time.monotonic() > 0.02 + 2 * per_unit * units:
            started = time.monotonic()
            model = TeamModel(p, [d], cands, must=must, bonus=bonus, worth=worth)
            model.add_hint(first)
            per_unit = (time.monotonic() - started) / max(1, units)
            solver = _solver(min(seconds_per_day, deadline - time.monotonic()), workers, d + 1)
            code = solver.solve(model.m)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            plan = plan.merged(model.read(solver))
        elif must - set(first.places):
            return None
        else:  # no time for the day's model, or none to prove it: the first fit of the day stands
            plan = plan.merged(first)
    return plan if complete(p, plan) else None


def first_fit(problem: Problem, day: int, cases: list[Case]) -> Plan:
    """A quick plan of one day for the hint: the i-th surgeon present at the i-th table (those
    a mandatory case names first), cases by priority on the surgeon with the most time left
    that can take them. Each table has an anaesthetist; on a day short of them, as the team
    model allows, the last ones each cover a pair of tables with the same minutes,
    alternating (so every table can open). Locked cases are left to the model."""
    p = problem
    tau = p.turnover
    tables = sorted((t for t in p.tables if t.minutes[day] > 0), key=lambda t: -t.minutes[day])
    # the surgeons a mandatory case names come first: with more surgeons than tables the
    # last ones get no table
    named = {c.fixed.surgeon if c.fixed and c.fixed.surgeon else c.surgeon for c in cases if c.mandatory}
    surgeons = sorted((s for s in p.surgeons if s.minutes[day] > 0), key=lambda s: s.id not in named)
    anesthetists = sorted((a for a in p.anesthetists if a.minutes[day] > 0), key=lambda a: -a.minutes[day])
    plan = Plan()
    seat: dict[str, str] = {}
    room: dict[str, int] = {}
    cover: dict[str, str] = {}  # table -> its anaesthetist
    if p.uses_anesthetists:
        cover = _cover(problem, day, tables, anesthetists)
        tables = [t for t in tables if t.id in cover]
        plan.anesthetist = {(day, t): a for t, a in cover.items()}
    for t, s in zip(tables, surgeons, strict=False):
        seat[s.id] = t.id
        room[t.id] = t.minutes[day] + tau
    # an anaesthetist's minutes, count of cases per table, and the most they can give
    given: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    gas = {
        a.id: min([a.minutes[day]] + [t.minutes[day] for t in tables if cover.get(t.id) == a.id]) for a in anesthetists
    }
    mine = {a: [t for t, b in cover.items() if b == a] for a in gas}
    used = {s.id: 0 for s in surgeons}
    minutes = {s.id: s.minutes[day] for s in surgeons}
    order = sorted(
        (c for c in cases if c.fixed is None), key=lambda c: (not c.mandatory, -c.priority / c.minutes, c.minutes)
    )

    def room_for_gas(at: str, case: Case) -> bool:
        """The anaesthetist of table `at` can take the case: within their minutes, and a
        pair's alternating lists still fit (teams.py: P + turnover * (2 n_t - n - 1) <= cap)."""
        a = cover[at]
        total = given[a] + case.minutes
        n = sum(count[t] for t in mine[a]) + 1
        return total <= gas[a] and all(
            total + tau * (2 * (count[t] + (t == at)) - n - 1) <= p.table(t).minutes[day] for t in mine[a]
        )

    for c in order:
        best = None
        for s in p.surgeons_for(c):
            at = seat.get(s.id)
            if at is None or used[s.id] + c.minutes > minutes[s.id] or room[at] < c.minutes + tau:
                continue
            if p.uses_anesthetists and not room_for_gas(at, c):
                continue
            if best is None or minutes[s.id] - used[s.id] > minutes[best] - used[best]:
                best = s.id
        if best is None:
            continue
        at = seat[best]
        used[best] += c.minutes
        room[at] -= c.minutes + tau
        if p.uses_anesthetists:
            given[cover[at]] += c.minutes
        count[at] += 1
        plan.places[c.id] = Place(day, at, best)
    opened = {pl.table for pl in plan.places.values()}
    plan.anesthetist = {k: a for k, a in plan.anesthetist.items() if k[1] in opened}
    return plan


def _cover(problem: Problem, day: int, tables: list[Table], anesthetists: list[Person]) -> dict[str, str]:
    """Each table's anaesthetist for first_fit: one each while they last; then, where the
    team model allows pairs, the last anaesthetists each take a second table of the same
    minutes (no locked case on either)."""
    cover = {t.id: a.id for t, a in zip(tables, anesthetists, strict=False)}
    if not pairs_possible(problem, day, tables):
        return cover
    locked = {c.fixed.table for c in problem.cases if c.fixed is not None and c.fixed.day == day}
    left = [t for t in tables[len(anesthetists) :] if t.id not in locked]
    for t, a in zip(tables[: len(anesthetists)][::-1], anesthetists[::-1], strict=False):
        if not left or t.id in locked:
            continue
        partner = next((x for x in left if x.minutes[day] == t.minutes[day]), None)
        if partner is not None:
            left.remove(partner)
            cover[partner.id] = a.id
    return cover


def neighbourhoods(
    problem: Problem,
    plan: Plan,
    cost: int,
    *,
    deadline: float,
    workers: int,
    good_enough: Callable[[int], bool],
    seconds: float = 0.3,
    seed: int = 1,
) -> tuple[Plan, int]:
    """Re-solve one day at a time (its cases and those nobody operates), keeping the rest;
    after a round of single days that helps no more, pairs of days, then single days again."""
    p = problem
    by_id = {c.id: c for c in p.cases}
    rng = random.Random(seed)
    size = 1
    queue: list[set[int]] = []
    improved = True  # start with single days
    tries = itertools.count(seed)
    per_unit = BUILD_SECONDS
    while time.monotonic() < deadline - 0.05 and not good_enough(cost):
        if not queue:
            if not improved:
                size = 2 if size == 1 and p.days > 1 else 1
            improved = False
            queue = [set(c) for c in itertools.combinations(range(p.days), size)]
            rng.shuffle(queue)
        chosen = queue.pop()
        cands = [c for c in p.cases if c.id not in plan.places and (c.fixed is None or c.fixed.day in chosen)]
        cands += [by_id[c] for c, pl in plan.places.items() if pl.day in chosen]
        must = {c.id for c in cands if c.fixed is not None or (c.mandatory and c.id in plan.places)}
        units = len(cands) * len(p.tables) * size
        if time.monotonic() + per_unit * units > deadline - 0.05:
            break  # no time to build it
        started = time.monotonic()
        model = TeamModel(p, sorted(chosen), cands, must=must)
        model.add_hint(plan.day_part(chosen))
        per_unit = (time.monotonic() - started) / max(1, units)
        solver = _solver(min(seconds * size, deadline - time.monotonic()), workers, next(tries))
        code = solver.solve(model.m)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            candidate = plan.without_days(chosen).merged(model.read(solver))
            new = plan_cost(p, candidate)
            if new <= cost:
                if new < cost:
                    improved = True
                    _debug(f"lns {sorted(chosen)}", new, deadline)
                plan, cost = candidate, new
    return plan, cost


def search(
    problem: Problem,
    *,
    deadline: float,
    hints: list[Plan],
    bound: Callable[[], int | None],
    guide: dict[tuple[str, int], float] | None = None,
    workers: int = 2,
    stop_gap: float = STOP_GAP,
    alone: bool = False,
    beside_until: float | None = None,
    later_guide: Callable[[], dict[tuple[str, int], float] | None] | None = None,
    keep: float = 0.0,
) -> Found:
    """The best plan found before `deadline` (time.monotonic()). `guide`: the LP's share of
    each case on each day (bound.linear_relaxation), for a second first schedule; `alone`:
    nothing else runs, use `workers` throughout; `beside_until`: the relaxation's search runs
    beside until then, use one worker until then; `later_guide`: the days of the relaxation's
    solution once that search is done (bound.Bound.solution), for one more schedule; `keep`:
    seconds the whole model leaves before `deadline` (for api's refine step)."""
    p = problem
    seeds = itertools.count(3)

    def left() -> float:
        return deadline - time.monotonic()

    def good_enough(objective: int | None) -> bool:
        b = bound()
        return objective is not None and b is not None and objective - b <= stop_gap * max(1, objective)

    best: Plan | None = None
    best_cost: int | None = None

    def offer(plan: Plan | None) -> None:
        nonlocal best, best_cost
        if plan is not None and complete(p, plan):
            cost = plan_cost(p, plan)
            if best_cost is None or cost < best_cost:
                best, best_cost = plan, cost

    for h in hints:
        offer(h)
    whole_first = len(p.cases) * p.days <= WHOLE
    if len(p.cases) > SMALL:
        # a first schedule day by day, greedily by priority (better when room is short) and
        # following the LP's days (which spreads the delay well when most children fit); on
        # a large problem only the latter: the time is better spent on neighbourhoods
        per_day = min(0.4, max(0.05, left() * 0.3 / p.days))
        ways = [None, guide] if whole_first else [guide]
        for i, way in enumerate(ways):
            if i > 0 and (way is None or left() < p.days * per_day * 1.5):
                continue
            offer(day_by_day(p, deadline=deadline, workers=workers if alone else 1, seconds_per_day=per_day, guide=way))
            _debug("days" + (" (LP)" if way else ""), best_cost, deadline)

    optimal = False
    if whole_first and best is not None and best_cost is not None and beside_until is not None:
        # while the relaxation's search runs beside, one core: neighbourhoods of days
        best, best_cost = neighbourhoods(
            p,
            best,
            best_cost,
            deadline=min(beside_until, deadline),
            workers=1,
            good_enough=good_enough,
            seed=next(seeds),
        )
        _debug("neighbourhoods", best_cost, deadline)
    if later_guide is not None and len(p.cases) > SMALL and left() > p.days * 0.4 and not good_enough(best_cost):
        # the relaxation's own solution, once its search is done: its days as the guide
        better = later_guide()
        if better:
            per_day = min(0.4, max(0.05, left() * 0.15 / p.days))
            offer(day_by_day(p, deadline=deadline, workers=workers, seconds_per_day=per_day, guide=better))
            _debug("days (relaxation)", best_cost, deadline)
    if whole_first and left() - keep > 0.02 and (best_cost is None or not good_enough(best_cost)):
        whole = TeamModel(p, list(range(p.days)), list(p.cases))
        if best is not None:
            whole.add_hint(best)
        # a small problem leaves half the time to the interval model (api._exact)
        solver = _solver((left() - keep) * (0.5 if len(p.cases) <= SMALL else 1.0), workers, next(seeds))
        code = solver.solve(whole.m, _Stopper(bound, stop_gap))
        if code == cp_model.INFEASIBLE:  # the team model cannot hold it; the caller falls back
            return Found(best, best_cost)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            plan = whole.read(solver)
            cost = plan_cost(p, plan)
            if best_cost is None or cost <= best_cost:
                best, best_cost = plan, cost
                optimal = code == cp_model.OPTIMAL
        _debug("whole", best_cost, deadline)
    elif best is not None and best_cost is not None:
        best, best_cost = neighbourhoods(
            p,
            best,
            best_cost,
            deadline=deadline,
            workers=workers if alone else 1,
            good_enough=good_enough,
            seed=next(seeds),
        )
        _debug("neighbourhoods", best_cost, deadline)
    return Found(best, best_cost, optimal=optimal)


BUILD_SECONDS = 5e-5  # to build the team model, per case, table and day: 1,500 cases on 15 tables
# take about 1 s (each search measures it again as it builds)
SMALL = 40  # cases: the whole model at once, no first schedule needed
WHOLE = 1500  # cases × days: above, CP-SAT's presolve of the whole model takes too long


def _debug(what: str, cost: int | None, deadline: float) -> None:
    if os.environ.get("SOLVER_DEBUG"):
        print(f"  {what}: {cost} ({deadline - time.monotonic():.2f} s left) [{threading.active_count()} threads]")
