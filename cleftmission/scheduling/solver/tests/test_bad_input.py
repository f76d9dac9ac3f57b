"""Malformed input is refused with the field named: ProblemError from the API, exit 2 from the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cleftmission.scheduling.solver import ProblemError, check, repair, solve
from cleftmission.scheduling.solver.tests.support import case, problem


def base() -> dict[str, Any]:
    return problem(days=2, tables=2, sequence=True, cases=[case("C1", 90, age_days=100), case("C2", 60, age_days=200)])


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(p: dict[str, Any]) -> None:
        target: Any = p
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


DELETE = object()

BAD = [
    ("days missing", _set(["days"], DELETE), "days"),
    ("days a string", _set(["days"], "5"), "days"),
    ("days zero", _set(["days"], 0), "days"),
    ("tables missing", _set(["tables"], DELETE), "tables"),
    ("no tables", _set(["tables"], []), "tables"),
    ("table minutes for too few days", _set(["tables", 0, "minutes"], [300]), "tables[0].minutes"),
    ("negative table minutes", _set(["tables", 1, "minutes"], [300, -5]), "tables[1].minutes[1]"),
    ("duplicate table id", _set(["tables", 1, "id"], "T1"), "tables[1].id"),
    ("surgeons missing", _set(["surgeons"], DELETE), "surgeons"),
    ("surgeon minutes a string", _set(["surgeons", 0, "minutes"], "480"), "surgeons[0].minutes"),
    ("case minutes missing", _set(["cases", 1, "minutes"], DELETE), "cases[1].minutes"),
    ("case minutes negative", _set(["cases", 0, "minutes"], -90), "cases[0].minutes"),
    ("case minutes a string", _set(["cases", 0, "minutes"], "90"), "cases[0].minutes"),
    ("case minutes true", _set(["cases", 0, "minutes"], True), "cases[0].minutes"),
    ("case id missing", _set(["cases", 0, "id"], DELETE), "cases[0].id"),
    ("duplicate case id", _set(["cases", 1, "id"], "C1"), "cases[1].id"),
    ("unknown surgeon", _set(["cases", 0, "surgeon"], "S9"), "cases[0].surgeon"),
    ("release day past the mission", _set(["cases", 0, "release_day"], 2), "cases[0].release_day"),
    ("due before release", _set(["cases", 0, "release_day"], 1), None),
    ("mandatory not a boolean", _set(["cases", 0, "mandatory"], "yes"), "cases[0].mandatory"),
    ("negative priority", _set(["cases", 0, "priority"], -1), "cases[0].priority"),
    ("negative turnover", _set(["turnover"], -15), "turnover"),
    ("sequence not a boolean", _set(["sequence"], 1), "sequence"),
    ("unknown weight", _set(["weights"], {"overtime": 3}), "weights.overtime"),
    (
        "a locked case on an unknown table",
        _set(["cases", 0, "fixed"], {"day": 0, "table": "T9"}),
        "cases[0].fixed.table",
    ),
    (
        "a locked case on a day past the mission",
        _set(["cases", 0, "fixed"], {"day": 5, "table": "T1"}),
        "cases[0].fixed.day",
    ),
    ("cases not a list", _set(["cases"], {"C1": 90}), "cases"),
    ("a case not an object", _set(["cases", 0], "C1"), "cases[0]"),
    ("bad day_start", _set(["day_start"], "8 o'clock"), "day_start"),
]


@pytest.mark.parametrize(("label", "change", "field"), BAD, ids=[b[0] for b in BAD])
def test_a_malformed_problem_is_refused_with_the_field_named(label: str, change: Any, field: str | None) -> None:
    p = base()
    if label == "due before release":
        p["cases"][0]["due_day"] = 0
        field = "cases[0].due_day"
    change(p)
    with pytest.raises(ProblemError) as error:
        solve(p, time_limit=1)
    assert error.value.field == field
    assert field in str(error.value)


def test_a_problem_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ProblemError) as error:
        solve([], time_limit=1)  # type: ignore[arg-type]
    assert error.value.field == "problem"


def test_a_solution_with_an_unknown_case_or_table_is_refused_by_check() -> None:
    p = base()
    with pytest.raises(ProblemError) as error:
        check(p, {"assignments": [{"case": "C9", "day": 0, "table": "T1", "surgeon": "S1", "start": 0}]})
    assert error.value.field == "assignments[0].case"
    with pytest.raises(ProblemError) as error:
        check(p, {"assignments": [{"case": "C1", "day": 0, "table": "T7", "surgeon": "S1", "start": 0}]})
    assert error.value.field == "assignments[0].table"


BAD_EVENTS = [
    ({"events": [{"type": "cancel", "case": "C9"}]}, "events[0].case"),
    ({"events": [{"type": "explode"}]}, "events[0].type"),
    ({"events": [{"type": "duration", "case": "C1", "minutes": -3}]}, "events[0].minutes"),
    ({"events": [{"type": "table_closed", "table": "T9", "day": 0}]}, "events[0].table"),
    ({"events": [{"type": "table_closed", "table": "T1", "day": 7}]}, "events[0].day"),
    ({"events": [{"type": "surgeon_absent", "surgeon": "S9", "day": 0}]}, "events[0].surgeon"),
    (
        {"events": [{"type": "add_case", "case": {"id": "C1", "minutes": 30, "procedure": "lip_uni"}}]},
        "events[0].case.id",
    ),
    ({"events": [{"type": "add_case", "case": {"id": "N", "procedure": "lip_uni"}}]}, "events[0].case.minutes"),
    ({"now": {"day": 9, "minute": 0}, "events": []}, "now.day"),
]


@pytest.mark.parametrize(("events", "field"), BAD_EVENTS, ids=[f for _, f in BAD_EVENTS])
def test_a_malformed_event_is_refused_with_the_field_named(events: dict[str, Any], field: str) -> None:
    p = base()
    published = solve(p, time_limit=2)
    with pytest.raises(ProblemError) as error:
        repair(p, published, events, time_limit=2)
    assert error.value.field == field


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cleftmission.scheduling", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_command_solves_checks_and_repairs(tmp_path: Path) -> None:
    p = tmp_path / "problem.json"
    p.write_text(json.dumps(base()))
    out = tmp_path / "solution.json"
    done = run("solve", str(p), "--time-limit", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    solution = json.loads(out.read_text())
    assert solution["status"] == "optimal"
    checked = run("check", str(p), str(out))
    assert checked.returncode == 0
    assert json.loads(checked.stdout)["objective"] == solution["objective"]
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"events": [{"type": "cancel", "case": "C2"}]}))
    repaired = run("repair", str(p), "--schedule", str(out), "--events", str(events), "--time-limit", "2")
    assert repaired.returncode == 0, repaired.stderr
    assert json.loads(repaired.stdout)["changes"] == 0


def test_the_command_exits_1_when_infeasible_or_a_rule_is_broken(tmp_path: Path) -> None:
    bad = base()
    bad["cases"][0].update(minutes=400, mandatory=True)
    p = tmp_path / "problem.json"
    p.write_text(json.dumps(bad))
    done = run("solve", str(p), "--time-limit", "2")
    assert done.returncode == 1
    assert json.loads(done.stdout)["status"] == "infeasible"
    s = tmp_path / "solution.json"
    s.write_text(json.dumps({"assignments": [{"case": "C1", "day": 0, "table": "T1", "surgeon": "S1", "start": 0}]}))
    checked = run("check", str(p), str(s))
    assert checked.returncode == 1
    assert "table T1 on day 0 is over by 100 minutes" in checked.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({**base(), "cases": [{"id": "C1", "minutes": -90, "procedure": "palate"}]}), "cases[0].minutes"),
        (
            json.dumps({**base(), "cases": [{"id": "C1", "minutes": 90, "procedure": "palate", "surgeon": "S7"}]}),
            "cases[0].surgeon",
        ),
        (
            json.dumps(
                {
                    **base(),
                    "cases": [{"id": "C1", "minutes": 90, "procedure": "palate", "fixed": {"day": 0, "table": "X"}}],
                }
            ),
            "cases[0].fixed.table",
        ),
    ],
)
def test_the_command_exits_2_on_bad_input_naming_the_field(tmp_path: Path, content: str, message: str) -> None:
    p = tmp_path / "problem.json"
    p.write_text(content)
    done = run("solve", str(p), "--time-limit", "1")
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_the_command_exits_2_on_a_missing_file(tmp_path: Path) -> None:
    done = run("check", str(tmp_path / "nowhere.json"), str(tmp_path / "x.json"))
    assert done.returncode == 2
    assert "nowhere.json" in done.stderr
