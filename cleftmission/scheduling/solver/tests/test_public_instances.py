"""The solver on published instances we did not write: the IHTC-2024 surgical case planning
instances, as redistributed (MIT) by the MiniZinc Benchmarks and translated by
tests/public/translate.py. Sources, licence and the field mapping: tests/public/README.md.

What a user relies on, checked on each: a schedule comes back within the time limit, it breaks
no hard rule, its objective is what check() prices, the bound is a true lower bound (never above
the cost of the best published IHTC schedule for the instance, projected onto days and theatres),
and a malformed instance is refused with the bad field named."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cleftmission.scheduling.solver import ProblemError, solve
from cleftmission.scheduling.solver.check import cost_of, violations_of
from cleftmission.scheduling.solver.problem import parse_problem, parse_solution
from cleftmission.scheduling.solver.reasons import CODES
from cleftmission.scheduling.solver.tests.public.translate import from_ihtc, from_kletzander

DATA = Path(__file__).parent / "public" / "data"

TIME_LIMIT = 2.0
MARGIN = 0.5  # seconds over the limit the caller may wait: building the model before CP-SAT's clock starts


def _marte(raw: dict[str, Any]) -> dict[str, Any]:
    return from_ihtc(raw, first_day=1)


# file, translation, and the cost in this format (README.md) of the best published IHTC-2024
# schedule for the instance projected onto days and theatres: that schedule is feasible here,
# so no lower bound may exceed it. None where no published schedule could be read.
INSTANCES: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]], int | None]] = [
    ("kletzander-i02.json", from_kletzander, 615),
    ("kletzander-i07.json", from_kletzander, 1850),
    ("kletzander-i09.json", from_kletzander, 3405),
    ("kletzander-test03.json", from_kletzander, None),
    ("kletzander-test05.json", from_kletzander, None),
    ("marte-i01.json", _marte, 3510),
]
IDS = [name.removesuffix(".json") for name, _, _ in INSTANCES]


def load(name: str) -> dict[str, Any]:
    translate = next(t for n, t, _ in INSTANCES if n == name)
    raw: dict[str, Any] = json.loads((DATA / name).read_text())
    return translate(raw)


def timed_solve(problem: dict[str, Any], time_limit: float) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    solution = solve(problem, time_limit=time_limit)
    return solution, time.monotonic() - started


def assert_sound(problem: dict[str, Any], solution: dict[str, Any]) -> None:
    """What check() and the format promise about a returned schedule, recomputed here."""
    assert solution["status"] in ("optimal", "feasible"), solution.get("reason")
    parsed = parse_problem(problem)
    assignments = parse_solution(parsed, solution)
    broken = violations_of(parsed, assignments)
    assert broken == [], [v.message for v in broken[:5]]
    cost = cost_of(parsed, assignments)
    assert solution["cost"] == cost
    assert solution["objective"] == sum(cost.values())
    assert solution["bound"] is not None
    assert solution["bound"] <= solution["objective"]
    # docs: `status` is `optimal` exactly when the bound meets the objective
    assert (solution["status"] == "optimal") == (solution["bound"] == solution["objective"])
    operated = [a["case"] for a in solution["assignments"]]
    left = [u["case"] for u in solution["unscheduled"]]
    assert sorted(operated + left) == sorted(c["id"] for c in problem["cases"])
    assert {c["id"] for c in problem["cases"] if c.get("mandatory")} <= set(operated)
    for u in solution["unscheduled"]:
        assert u["code"] in CODES and u["reason"], u


@pytest.mark.parametrize(("name", "published"), [(n, p) for n, _, p in INSTANCES], ids=IDS)
def test_a_published_instance_gets_a_sound_schedule_within_the_time_limit(name: str, published: int | None) -> None:
    problem = load(name)
    solution, wall = timed_solve(problem, TIME_LIMIT)
    assert wall <= TIME_LIMIT + MARGIN, f"{name}: {wall:.2f} s for a limit of {TIME_LIMIT} s"
    assert solution["seconds"] <= TIME_LIMIT + MARGIN
    assert_sound(problem, solution)
    if published is not None:
        # the published schedule is one of this problem's schedules: no lower bound exceeds its cost,
        # and an optimum claimed is at most as dear
        assert solution["bound"] <= published
        if solution["status"] == "optimal":
            assert solution["objective"] <= published


@pytest.mark.parametrize("name", [n for n, _, _ in INSTANCES], ids=IDS)
def test_the_same_instance_with_clock_times_gets_a_sound_schedule(name: str) -> None:
    # not the published problem: the same theatres, surgeons and cases, given clock times and a
    # 15-minute turnover, so the team model (one table per surgeon a day, no overlaps) is
    # exercised on data we did not write; IHTC itself has neither
    problem = load(name)
    problem.update(sequence=True, turnover=15)
    solution, wall = timed_solve(problem, 1.5)
    assert wall <= 1.5 + MARGIN, f"{name}: {wall:.2f} s for a limit of 1.5 s"
    assert_sound(problem, solution)
    for a in solution["assignments"]:
        assert a["start"] is not None and a["end"] == a["start"] + next(
            c["minutes"] for c in problem["cases"] if c["id"] == a["case"]
        )


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "cleftmission-schedule"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cleftmission.scheduling"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60, check=False)


def test_the_check_command_accepts_the_solvers_schedule_and_names_a_rule_a_move_breaks(tmp_path: Path) -> None:
    problem = load("kletzander-i09.json")
    solution = solve(problem, time_limit=1.0)
    problem_file = tmp_path / "i09.json"
    problem_file.write_text(json.dumps(problem))
    solution_file = tmp_path / "solution.json"
    solution_file.write_text(json.dumps(solution))
    done = cli("check", str(problem_file), str(solution_file))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["objective"] == solution["objective"]
    assert json.loads(done.stdout)["violations"] == []

    # the referee is not blind: move one operated case to a day its surgeon is absent
    surgeons = {s["id"]: s["minutes"] for s in problem["surgeons"]}
    moved = copy.deepcopy(solution)
    a = moved["assignments"][0]
    absent = next(d for d, m in enumerate(surgeons[a["surgeon"]]) if m == 0)
    a["day"] = absent
    solution_file.write_text(json.dumps(moved))
    done = cli("check", str(problem_file), str(solution_file))
    assert done.returncode == 1
    assert f"surgeon {a['surgeon']} is absent on day {absent}" in done.stderr


def _raw(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / name).read_text())
    return loaded


def _set(raw: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    target: Any = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return raw


# a corruption of the published file (then translated) or of the translated problem, and the
# field the error must name
MALFORMED: list[tuple[str, Callable[[], dict[str, Any]], str]] = [
    (
        "a negative surgery duration",
        lambda: from_kletzander(_set(_raw("kletzander-i09.json"), ["surgery_duration", 7], -90)),
        "cases[7].minutes",
    ),
    (
        "a surgeon number past the surgeons",
        lambda: from_kletzander(_set(_raw("kletzander-i09.json"), ["surgeon", 12], 9)),
        "cases[12].surgeon",
    ),
    (
        "a theatre open for one day too few",
        lambda: from_kletzander(_set(_raw("kletzander-i07.json"), ["max_ot", 2], [600] * 13)),
        "tables[2].minutes",
    ),
    (
        "a negative surgeon availability",
        lambda: from_kletzander(_set(_raw("kletzander-i02.json"), ["max_surgery", 0, 4], -480)),
        "surgeons[0].minutes[4]",
    ),
    (
        "a mandatory patient due before release",
        lambda: from_kletzander(_set(_raw("kletzander-test05.json"), ["release_day", 0], 10)),
        "cases[0].due_day",
    ),
    (
        "a release day past the horizon",
        lambda: _marte(_set(_raw("marte-i01.json"), ["patients", 5, "surgery_release_day"], 20)),
        "cases[5].release_day",
    ),
    (
        "a duration that is not a number",
        lambda: _marte(_set(_raw("marte-i01.json"), ["patients", 3, "surgery_duration"], "180")),
        "cases[3].minutes",
    ),
    (
        "a patient listed twice",
        lambda: _set(load("kletzander-test03.json"), ["cases", 4, "id"], "p03"),
        "cases[4].id",
    ),
]


@pytest.mark.parametrize(("label", "make", "field"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_instance_is_refused_with_the_field_named(
    label: str, make: Callable[[], dict[str, Any]], field: str
) -> None:
    problem = make()
    with pytest.raises(ProblemError) as error:
        solve(problem, time_limit=1.0)
    assert error.value.field == field
    assert str(error.value).startswith(f"{field}: ")


def test_the_solve_command_refuses_a_malformed_instance_naming_the_field(tmp_path: Path) -> None:
    problem = from_kletzander(_set(_raw("kletzander-i09.json"), ["surgery_duration", 7], -90))
    problem_file = tmp_path / "broken.json"
    problem_file.write_text(json.dumps(problem))
    done = cli("solve", str(problem_file), "--time-limit", "1")
    assert done.returncode == 2
    assert "cases[7].minutes" in done.stderr
    assert done.stdout == ""
