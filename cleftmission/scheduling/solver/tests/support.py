"""Helpers for the solver's tests: every solution a test produces goes through sound()."""

from __future__ import annotations

import copy
from typing import Any

from cleftmission.scheduling.solver import check


def sound(problem: dict[str, Any], solution: dict[str, Any]) -> dict[str, Any]:
    """check() agrees with the solver: no broken rule, the same cost and objective."""
    assert solution["status"] in ("optimal", "feasible"), solution
    checked = check(problem, solution)
    assert checked["violations"] == [], checked["violations"]
    assert checked["objective"] == solution["objective"]
    assert checked["cost"] == solution["cost"]
    if solution["bound"] is not None:
        assert solution["bound"] <= solution["objective"]
    ids = [a["case"] for a in solution["assignments"]] + [u["case"] for u in solution["unscheduled"]]
    assert sorted(ids) == sorted(c["id"] for c in problem["cases"])
    return solution


def placed(solution: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["case"]: a for a in solution["assignments"]}


def reasons(solution: dict[str, Any]) -> dict[str, str]:
    return {u["case"]: u["reason"] for u in solution["unscheduled"]}


def problem(days: int = 1, tables: int = 1, minutes: int = 300, **extra: Any) -> dict[str, Any]:
    """A small problem: `tables` tables of `minutes` a day, one surgeon who can do anything."""
    base: dict[str, Any] = {
        "days": days,
        "turnover": 15,
        "sequence": False,
        "tables": [{"id": f"T{i + 1}", "minutes": [minutes] * days} for i in range(tables)],
        "surgeons": [{"id": "S1", "minutes": [480] * days}],
        "cases": [],
    }
    base.update(copy.deepcopy(extra))
    return base


def case(cid: str, minutes: int, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "minutes": minutes, "procedure": extra.pop("procedure", "lip_uni"), **extra}
