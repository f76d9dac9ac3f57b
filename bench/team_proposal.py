"""Propose a team from a registry of 2,000 volunteers: the solver against a greedy loop.

Part 1, in memory (cleftmission.volunteers.team_solver): a synthetic registry of --volunteers
volunteers (specialties in the proportions of a national registry, anaesthesiologists
scarce, a share of first-time volunteers, origins in-country, regional and international,
credentials ending at various dates) and the international staffing template at
--tables operating tables (45 places at 5 tables) under a size cap of 60. Each scenario is
solved by the CP-SAT solver (p50 of --runs runs) and by the greedy baseline a coordinator
follows by hand (roles in template order, candidates first come first served, until the
cap). Printed per scenario: time, places filled of those open, whether the first-timer share
is within the mission's bounds, the first-timer and in-country shares, and the ratio of
places filled (solver / greedy).

Scenarios:
- plenty: the registry can fill everything, first-timers are 25 % of it (bounds 10–40 %);
- new recruits: most nurses and interpreters are first-timers (bounds 10–40 %);
- half-built team: 30 members already, 10 of them first-timers, nurses mostly new;
- in-country preferred: the mission asks for in-country volunteers first;
- tight cap: 20 members already (12 beyond the template) and a cap of 50: 35 places open, 30
  under the cap, so some stay open.

Part 2, through the database (cleftmission.volunteers.team_propose.propose_team): the same
kind of registry written to a throwaway SQLite file (never db.sqlite3), with credentials
(some expired, some waiting for verification), other missions overlapping this one and
unavailable dates; times propose_team (p50 of --runs runs) and counts its SQL queries.

    DEBUG=true .venv/bin/python bench/team_proposal.py
    DEBUG=true .venv/bin/python bench/team_proposal.py --volunteers 5000 --runs 7
    DEBUG=true .venv/bin/python bench/team_proposal.py --no-database     # part 1 only
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The registry's specialties, in proportion: anaesthesiologists are the scarce ones.
SPECIALTIES = {
    "plastic_surgeon": 9,
    "anesthesiologist": 3,
    "pediatrician": 6,
    "dentist": 3,
    "speech_pathologist": 4,
    "nurse": 35,
    "child_life": 3,
    "biomedical": 2,
    "interpreter": 18,
    "coordinator": 8,
    "student": 6,
    "student_sponsor": 3,
}
ORIGINS = {"in_country": 5, "regional": 2, "international": 3}
FIRST_DAY, LAST_DAY = dt.date(2026, 12, 7), dt.date(2026, 12, 18)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--volunteers", type=int, default=2_000)
    parser.add_argument("--tables", type=int, default=5, help="operating tables per day (5: 45 places)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per scenario")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-database", action="store_true", help="skip part 2")
    return parser.parse_args(argv)


def setup_django(sqlite: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleftmission.settings")
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(sqlite)
    import django

    django.setup()


def template(tables: int) -> dict[str, int]:
    """The international template as seeded (volunteers migration 0004)."""
    per_table = {"plastic_surgeon": 1, "anesthesiologist": 1, "or_nurse": 2}
    fixed = {
        "recovery_nurse": 3,
        "ward_nurse": 4,
        "pediatrician": 2,
        "dentist": 1,
        "speech_pathologist": 2,
        "child_life": 1,
        "biomedical": 1,
        "interpreter": 4,
        "coordinator": 2,
        "student": 2,
        "student_sponsor": 1,
    }
    return {**{role: n * tables for role, n in per_table.items()}, **fixed}


@dataclass(frozen=True)
class Person:
    specialty: str
    origin: str
    experience: int
    margin: int | None  # days the credentials outlast the mission; None: never expire
    eligible: bool  # not double-booked, available, credentials valid for the whole mission


def registry(n: int, rng: random.Random, new_share: dict[str, float] | None = None) -> list[Person]:
    """`new_share`: specialty → share of first-timers (25 % unless given)."""
    specialties = rng.choices(list(SPECIALTIES), weights=list(SPECIALTIES.values()), k=n)
    people = []
    for specialty in specialties:
        new = rng.random() < (new_share or {}).get(specialty, 0.25)
        people.append(
            Person(
                specialty=specialty,
                origin=rng.choices(list(ORIGINS), weights=list(ORIGINS.values()))[0],
                experience=0 if new else rng.randint(1, 25),
                margin=rng.choice([None, 20, 45, 90, 200, 400, 900]),
                eligible=rng.random() < 0.7,  # about 30 % double-booked, away or with a credential problem
            )
        )
    return people


def request(people: list[Person], need: dict[str, int], **kwargs: Any) -> Any:
    from cleftmission.volunteers.models import ROLE_SPECIALTY
    from cleftmission.volunteers.team_solver import Candidate, TeamRequest

    candidates = [
        Candidate(
            volunteer_id=i,
            specialty=p.specialty,
            origin=p.origin,
            first_timer=p.experience == 0,
            experience=p.experience,
            credential_margin=p.margin,
        )
        for i, p in enumerate(people, start=1)
        if p.eligible
    ]
    return TeamRequest(open_need=need, role_specialty=ROLE_SPECIALTY, candidates=candidates, **kwargs)


@dataclass(frozen=True)
class Scenario:
    name: str
    people: list[Person]
    options: dict[str, Any]
    covered: int | None = None  # template places the team already fills (its size unless given)


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    rng = random.Random(args.seed)
    bounds = {"first_timers_min_pct": 10, "first_timers_max_pct": 40, "cap": 60}
    plenty = registry(args.volunteers, rng)
    recruits = registry(args.volunteers, rng, {"nurse": 0.7, "interpreter": 0.8, "student": 1.0})
    return [
        Scenario("plenty", plenty, bounds),
        Scenario("new recruits", recruits, bounds),
        Scenario("half-built team", recruits, {**bounds, "team_size": 30, "team_first_timers": 10}),
        Scenario("in-country preferred", plenty, {**bounds, "prefer_in_country": True}),
        # 20 members of whom 12 beyond the template (extra interpreters and coordinators):
        # 35 places open, 30 under the cap.
        Scenario("tight cap", plenty, {**bounds, "team_size": 20, "team_first_timers": 3, "cap": 50}, covered=8),
    ]


def open_need(need: dict[str, int], team_size: int) -> dict[str, int]:
    """A team already there took the first places of the template, tables first."""
    left = dict(need)
    for role in left:
        taken = min(left[role], team_size)
        left[role] -= taken
        team_size -= taken
    return left


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:4.0f} %" if whole else "   – "


def in_country(solution: Any, req: Any) -> int:
    origin = {c.volunteer_id: c.origin for c in req.candidates}
    return sum(1 for v in solution.assignments if origin[v] == "in_country")


def part_one(args: argparse.Namespace) -> None:
    from cleftmission.volunteers.team_solver import greedy, solve

    need = template(args.tables)
    print(
        f"Part 1 — in memory: {args.volunteers:,} volunteers, template of {sum(need.values())} at {args.tables} tables"
    )
    header = (
        f"{'scenario':<22} {'how':<7} {'p50 ms':>8} {'filled':>9} {'balance':>8} "
        f"{'new':>6} {'in-country':>10} {'status':>9}"
    )
    print(header)
    print("-" * len(header))
    for scenario in scenarios(args):
        covered = scenario.options.get("team_size", 0) if scenario.covered is None else scenario.covered
        req = request(scenario.people, open_need(need, covered), **scenario.options)
        wanted = sum(req.open_need.values())
        results = {}
        for how, run in (("solver", solve), ("greedy", greedy)):
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                solution = run(req)
                samples.append((time.perf_counter() - started) * 1000)
            results[how] = solution
            print(
                f"{scenario.name if how == 'solver' else '':<22} {how:<7} {statistics.median(samples):8.1f} "
                f"{solution.filled:>4} / {wanted:<3} {'met' if solution.balance_met else 'NOT met':>8} "
                f"{pct(solution.first_timers, solution.size):>6} "
                f"{pct(in_country(solution, req), solution.filled):>10} {solution.status:>9}"
            )
        ratio = results["solver"].filled / results["greedy"].filled if results["greedy"].filled else float("inf")
        tables_ok = {
            how: all(s.unfilled.get(role, 0) == 0 for role in ("plastic_surgeon", "anesthesiologist"))
            for how, s in results.items()
        }
        print(
            f"{'':<22} filled ratio solver/greedy {ratio:.2f}; every table staffed: "
            f"solver {'yes' if tables_ok['solver'] else 'no'}, greedy {'yes' if tables_ok['greedy'] else 'no'}"
        )


def build_database(args: argparse.Namespace) -> Any:
    """The registry written to the throwaway database; returns the mission and a coordinator."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from cleftmission.missions.models import Mission, Site
    from cleftmission.volunteers.models import (
        Credential,
        MissionMember,
        RequiredCredential,
        Unavailability,
        Volunteer,
    )

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    rng = random.Random(args.seed)
    site = Site.objects.create(name="Bệnh viện bench", city="Huế")
    mission = Mission.objects.create(
        name="Bench international",
        kind="international",
        site=site,
        start_date=FIRST_DAY,
        end_date=LAST_DAY,
        tables_per_day=args.tables,
        team_size_cap=60,
        prefer_in_country=True,
    )
    others = [
        Mission.objects.create(
            name=f"Other {i}",
            kind="local",
            site=site,
            start_date=FIRST_DAY + dt.timedelta(days=3 * i - 20),
            end_date=FIRST_DAY + dt.timedelta(days=3 * i - 14),
        )
        for i in range(12)
    ]
    people = registry(args.volunteers, rng)
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                family_name=f"Nguyễn {i}",
                given_name="An",
                search_name=f"nguyen {i} an",
                specialty=p.specialty,
                origin=p.origin,
                prior_missions=p.experience,
            )
            for i, p in enumerate(people)
        ]
    )
    required: dict[str, list[str]] = {}
    for specialty, kind in RequiredCredential.objects.values_list("specialty", "kind"):
        required.setdefault(specialty, []).append(kind)
    credentials, members, away = [], [], []
    for v, p in zip(volunteers, people, strict=True):
        ends = None if p.margin is None else LAST_DAY + dt.timedelta(days=p.margin)
        trouble = None if p.eligible else rng.choice(["expired", "pending", "overlap", "away"])
        for kind in required.get(p.specialty, []):
            credentials.append(
                Credential(
                    volunteer=v, kind=kind, valid_from=dt.date(2020, 1, 1), valid_to=ends, verification="verified"
                )
            )
        if trouble == "expired" and credentials and credentials[-1].volunteer is v:
            credentials[-1].valid_to = FIRST_DAY - dt.timedelta(days=rng.randint(1, 90))
        elif trouble == "pending" and credentials and credentials[-1].volunteer is v:
            credentials[-1].verification = "pending"
        elif trouble == "overlap":
            members.append(MissionMember(mission=rng.choice(others), volunteer=v, role="coordinator", days=[]))
        elif trouble == "away":
            away.append(Unavailability(volunteer=v, first_day=LAST_DAY - dt.timedelta(days=2), last_day=LAST_DAY))
    Credential.objects.bulk_create(credentials)
    MissionMember.objects.bulk_create(members)
    Unavailability.objects.bulk_create(away)
    user = get_user_model().objects.create_user("bench-coordinator")
    print(
        f"registry: {len(volunteers):,} volunteers, {len(credentials):,} credentials, "
        f"{len(members)} on overlapping missions, {len(away)} unavailable"
    )
    return mission, user


def part_two(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from cleftmission.volunteers.team_propose import propose_team

    print()
    print("Part 2 — propose_team through a throwaway SQLite database")
    translation.activate("en")
    mission, user = build_database(args)
    samples: list[float] = []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            run = propose_team(mission=mission, acting_user=user)
            samples.append((time.perf_counter() - started) * 1000)
    reads = sum(1 for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT"))
    print(
        f"propose_team: p50 {statistics.median(samples):.0f} ms, max {max(samples):.0f} ms over {args.runs} runs; "
        f"{len(captured)} queries, {reads} of them reads (the writes: one audited row per proposal, new or replaced)"
    )
    print(
        f"proposed {len(run.proposals)} of {sum(template(args.tables).values())}, "
        f"balance {'met' if run.balance_met else 'NOT met'}, solver {run.status}"
    )
    for gap in run.unfilled:
        print(f"  {gap.message}")
    if run.proposals:
        first = run.proposals[0]
        print(f"  e.g. {first.volunteer} ({first.role}): {', '.join(first.reasons)}")


def main(argv: Sequence[str] | None = None) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cleftmission-team-") as folder:
        # Django starts once, on a throwaway SQLite file: part 1 needs only its settings.
        setup_django(Path(folder) / "bench.sqlite3")
        part_one(args)
        if not args.no_database:
            part_two(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
