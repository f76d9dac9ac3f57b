"""Synthetic mission-shaped problems for the benchmark and the tests (never real children).

Procedure mix and planning minutes from DOMAIN.md ("Planning the operating days"); tables of
9 hours with a short last day; surgeons of 8 hours, each with a day off and a set of
procedures; an anaesthetist per table and one spare, each with a day off."""

from __future__ import annotations

import random
from typing import Any

PROCEDURES = {  # planning minutes, share of the children, age range in days
    "lip_uni": (90, 0.30, (90, 365)),
    "lip_bi": (120, 0.10, (120, 540)),
    "palate": (120, 0.35, (270, 900)),
    "revision": (60, 0.10, (730, 4000)),
    "fistula": (90, 0.08, (900, 4000)),
    "bone_graft": (135, 0.07, (2500, 4400)),
}


def mission(
    *, children: int, tables: int, days: int, seed: int = 1, sequence: bool = True, mandatory: float = 0.03
) -> dict[str, Any]:
    rng = random.Random(seed)
    names = list(PROCEDURES)
    shares = [PROCEDURES[n][1] for n in names]
    table_minutes = [540] * (days - 1) + [300]
    surgeons = []
    for i in range(tables + 1):
        minutes = [480] * days
        minutes[rng.randrange(days)] = 0
        if i % 3 == 2:
            procedures: list[str] | None = ["lip_uni", "lip_bi", "revision"]
        elif i % 3 == 1:
            procedures = ["palate", "fistula", "bone_graft", "revision"]
        else:
            procedures = None  # can do any
        surgeon: dict[str, Any] = {"id": f"S{i + 1}", "minutes": minutes}
        if procedures is not None:
            surgeon["procedures"] = procedures
        surgeons.append(surgeon)
    anesthetists = []
    for i in range(tables + 1):
        minutes = [540] * days
        minutes[rng.randrange(days)] = 0
        anesthetists.append({"id": f"A{i + 1}", "minutes": minutes})
    cases = []
    for i in range(children):
        procedure = rng.choices(names, shares)[0]
        length, _, (young, old) = PROCEDURES[procedure]
        item: dict[str, Any] = {
            "id": f"C{i + 1}",
            "minutes": length,
            "procedure": procedure,
            "age_days": rng.randint(young, old),
            "priority": rng.choice([100, 120, 150, 200]),
            "release_day": 0 if rng.random() < 0.85 else rng.randrange(min(days, 3)),
        }
        if rng.random() < 0.25:
            able = [s["id"] for s in surgeons if "procedures" not in s or procedure in s["procedures"]]
            item["surgeon"] = rng.choice(able)
        if rng.random() < mandatory:
            item["mandatory"] = True
            item["release_day"] = 0
            item["due_day"] = days - 1
        cases.append(item)
    return {
        "days": days,
        "day_start": "07:30",
        "turnover": 15,
        "sequence": sequence,
        "tables": [{"id": f"T{i + 1}", "minutes": list(table_minutes)} for i in range(tables)],
        "surgeons": surgeons,
        "anesthetists": anesthetists,
        "cases": cases,
        "weights": {"unscheduled": 100, "delay": 5, "open_table": 30, "surgeon_transfer": 10},
    }
