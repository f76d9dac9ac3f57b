"""Propose a team, pure: the open need per role, the team as it stands, the balance rules
and the candidates in; who takes which role out. No ORM here (`team_propose` reads the
registry and writes the proposals), so the solver is tested with literal inputs.

Why a solver and not a loop that fills roles in order: the constraints share the same
people. The size cap limits every role at once, and the first-timer share is a property of
the whole final team, so whether a first-time nurse may be taken depends on whom the other
roles get. A loop that takes the best candidate role by role ends with a team that breaks
the balance although another choice of the same size keeps it (tested), or, if it refuses
a first-timer when taking them breaks the share of the team so far, leaves roles empty.

The model (OR-Tools CP-SAT): x[v, r] = 1 when volunteer v takes role r, for the roles their
specialty fills. Hard: one role per volunteer, at most the open need per role, the team at
most its cap. Soft: the first-timer share within its bounds (slack variables), because a
full template matters more than the balance; when the bounds cannot be met the solution
says so. The objectives are taken one after the other, each fixed before the next:

1. filled slots, plastic surgeons and anaesthesiologists before any other (without them
   the operating tables cannot run);
2. the least distance from the first-timer bounds;
3. in-country volunteers, when the mission asks for them;
4. experience (missions served, counted up to EXPERIENCE_CAP each);
5. credential margin: how long past the mission's last day the credentials stay valid
   (counted up to MARGIN_CAP_DAYS each).

Volunteers the constraints cannot tell apart are ranked by the later objectives and then by
id, only the best few of each such group are given to the solver, and the solver runs on one
worker with a fixed seed: the same input always gives the same team, whatever the order of
the candidates, in well under a second for a registry of thousands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from cleftmission.volunteers.team import IN_COUNTRY, TABLE_ROLES

EXPERIENCE_CAP = 20  # a volunteer of 20 missions is as experienced as one of 40, for the proposal
MARGIN_CAP_DAYS = 730  # credentials valid two years past the mission are as good as never expiring
DEFAULT_TIME_LIMIT_S = 5.0


@dataclass(frozen=True)
class Candidate:
    volunteer_id: int
    specialty: str
    origin: str
    first_timer: bool
    experience: int = 0  # missions served
    credential_margin: int | None = None  # days the required credentials outlast the mission; None: never expire


@dataclass(frozen=True)
class TeamRequest:
    open_need: Mapping[str, int]  # role → how many are still missing
    role_specialty: Mapping[str, str]  # role → the specialty that fills it
    candidates: Sequence[Candidate]
    team_size: int = 0  # members on the team already
    team_first_timers: int = 0  # of whom first-time volunteers
    cap: int = 60
    first_timers_min_pct: int = 0
    first_timers_max_pct: int = 100
    prefer_in_country: bool = False
    time_limit_s: float = DEFAULT_TIME_LIMIT_S


@dataclass(frozen=True)
class TeamSolution:
    assignments: dict[int, str]  # volunteer id → role
    unfilled: dict[str, int]  # role → still missing after the proposal (roles with a gap only)
    balance_met: bool  # the final team's first-timer share is within the bounds
    size: int  # the final team: members and proposals
    first_timers: int
    status: str  # "optimal", "feasible" (a time limit cut a stage short), "unknown" (no answer in time), "trivial"
    filled: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "filled", len(self.assignments))


def balance_met(size: int, first_timers: int, min_pct: int, max_pct: int) -> bool:
    return size == 0 or min_pct * size <= 100 * first_timers <= max_pct * size


def _solution(
    request: TeamRequest, assignments: dict[int, str], by_id: Mapping[int, Candidate], status: str
) -> TeamSolution:
    taken: dict[str, int] = {}
    for role in assignments.values():
        taken[role] = taken.get(role, 0) + 1
    unfilled = {
        role: need - taken.get(role, 0) for role, need in request.open_need.items() if need - taken.get(role, 0) > 0
    }
    size = request.team_size + len(assignments)
    first_timers = request.team_first_timers + sum(1 for v in assignments if by_id[v].first_timer)
    return TeamSolution(
        assignments=dict(sorted(assignments.items())),
        unfilled=unfilled,
        balance_met=balance_met(size, first_timers, request.first_timers_min_pct, request.first_timers_max_pct),
        size=size,
        first_timers=first_timers,
        status=status,
    )


def solve(request: TeamRequest) -> TeamSolution:
    """The proposal that best fills the open roles under the cap and the balance."""
    by_id = {c.volunteer_id: c for c in request.candidates}
    open_roles = [role for role, need in request.open_need.items() if need > 0]
    room = max(request.cap - request.team_size, 0)
    groups = _groups(request, by_id.values(), open_roles, room)

    model = cp_model.CpModel()
    x: dict[tuple[int, str], cp_model.IntVar] = {}
    for group in groups:
        previous: cp_model.LinearExprT | None = None
        for c in group:
            mine = []
            for role in open_roles:
                if request.role_specialty.get(role) == c.specialty:
                    x[c.volunteer_id, role] = model.new_bool_var(f"x_{c.volunteer_id}_{role}")
                    mine.append(x[c.volunteer_id, role])
            # Within a group the better-ranked volunteer is taken first: the same team, far
            # fewer equivalent ones for the solver to look through.
            taken = sum(mine)
            if previous is not None:
                model.add(taken <= previous)
            previous = taken
    if not x or room == 0:
        return _solution(request, {}, by_id, "trivial")

    by_volunteer: dict[int, list[cp_model.IntVar]] = {}
    by_role: dict[str, list[cp_model.IntVar]] = {}
    for (volunteer_id, role), var in x.items():
        by_volunteer.setdefault(volunteer_id, []).append(var)
        by_role.setdefault(role, []).append(var)
    for variables in by_volunteer.values():
        model.add_at_most_one(variables)
    for role, variables in by_role.items():
        model.add(sum(variables) <= request.open_need[role])
    chosen = sum(x.values())
    model.add(chosen <= room)

    # The first-timer share of the final team, soft: 100·F + under ≥ min·T and 100·F − over ≤ max·T.
    size = request.team_size + chosen
    first_timers = request.team_first_timers + sum(
        var for (volunteer_id, _role), var in x.items() if by_id[volunteer_id].first_timer
    )
    bound = 100 * (request.team_size + room)
    under = model.new_int_var(0, bound, "first_timers_under")
    over = model.new_int_var(0, bound, "first_timers_over")
    model.add(100 * first_timers + under >= request.first_timers_min_pct * size)
    model.add(100 * first_timers - over <= request.first_timers_max_pct * size)

    # 1. Filled slots; a surgeon's or anaesthesiologist's slot outweighs all the others together.
    others = sum(min(request.open_need[role], len(by_role[role])) for role in by_role if role not in TABLE_ROLES)
    fill = sum((others + 1 if role in TABLE_ROLES else 1) * var for (_v, role), var in x.items())
    stages: list[tuple[cp_model.LinearExprT, bool]] = [(fill, True), (under + over, False)]
    if request.prefer_in_country:
        stages.append((sum(var for (v, _r), var in x.items() if by_id[v].origin == IN_COUNTRY), True))
    stages.append((sum(min(by_id[v].experience, EXPERIENCE_CAP) * var for (v, _r), var in x.items()), True))
    stages.append((sum(_margin(by_id[v]) * var for (v, _r), var in x.items()), True))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 7
    status = "optimal"
    best: dict[int, str] = {}
    answered = False
    per_stage = request.time_limit_s / len(stages)
    for objective, maximise in stages:
        if isinstance(objective, int):
            continue  # nothing to choose on this stage (no in-country candidate, say)
        if maximise:
            model.maximize(objective)
        else:
            model.minimize(objective)
        solver.parameters.max_time_in_seconds = per_stage
        result = solver.solve(model)
        if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # Out of time before any answer: keep the previous stage's (none on the first).
            status = "feasible" if answered else "unknown"
            break
        if result == cp_model.FEASIBLE:
            status = "feasible"
        best = {v: role for (v, role), var in x.items() if solver.boolean_value(var)}
        answered = True
        value = round(solver.objective_value)
        # Keep what this stage reached while the next one improves on its own objective.
        if maximise:
            model.add(objective >= value)
        else:
            model.add(objective <= value)
        model.clear_hints()
        for var in x.values():
            model.add_hint(var, solver.boolean_value(var))
    return _solution(request, best, by_id, status)


def _rank(candidate: Candidate) -> tuple[int, int, int]:
    return (-min(candidate.experience, EXPERIENCE_CAP), -_margin(candidate), candidate.volunteer_id)


def _groups(
    request: TeamRequest, candidates: Iterable[Candidate], open_roles: list[str], room: int
) -> list[list[Candidate]]:
    """The candidates worth a variable, in groups of volunteers the constraints cannot tell
    apart (same specialty, first-timer or not, in-country or not when that counts), each
    ranked best first by the later objectives (experience, credential margin, then id).
    Of a group, only as many as the specialty's open places can be taken, and any team
    taking a lower-ranked one is no better than the same team taking a higher-ranked one
    instead, so the rest are left out: a registry of thousands becomes a few hundred."""
    places: dict[str, int] = {}
    for role in open_roles:
        specialty = request.role_specialty.get(role)
        if specialty is not None:
            places[specialty] = places.get(specialty, 0) + request.open_need[role]
    grouped: dict[tuple[str, bool, bool], list[Candidate]] = {}
    for c in candidates:
        if places.get(c.specialty):
            key = (c.specialty, c.first_timer, request.prefer_in_country and c.origin == IN_COUNTRY)
            grouped.setdefault(key, []).append(c)
    return [sorted(members, key=_rank)[: min(places[key[0]], room)] for key, members in sorted(grouped.items())]


def _margin(candidate: Candidate) -> int:
    if candidate.credential_margin is None:
        return MARGIN_CAP_DAYS
    return max(min(candidate.credential_margin, MARGIN_CAP_DAYS), 0)


def greedy(request: TeamRequest) -> TeamSolution:
    """The baseline a coordinator would follow by hand, for the benchmark and the tests: roles
    in template order, candidates first come first served, until the cap. No look-ahead."""
    by_id = {c.volunteer_id: c for c in request.candidates}
    room = max(request.cap - request.team_size, 0)
    taken: set[int] = set()
    assignments: dict[int, str] = {}
    for role, need in request.open_need.items():
        for c in request.candidates:
            if need <= 0 or len(assignments) >= room:
                break
            if c.volunteer_id not in taken and request.role_specialty.get(role) == c.specialty:
                assignments[c.volunteer_id] = role
                taken.add(c.volunteer_id)
                need -= 1
    return _solution(request, assignments, by_id, "greedy")
