"""The operating schedule on mission-shaped problems: the CP-SAT solver against the greedy
first fit a coordinator does by hand, then single-event repairs. See bench/README.md.

    .venv/bin/python bench/scheduler.py [--time-limit 10] [--repair-limit 5] [--seed 1] [--runs 1]

With --runs N each problem is solved N times (CP-SAT on two cores is not deterministic under a
time limit: the objective moves by a few percent between runs); the row shows the median run,
then the lowest and highest objective and gap.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from cleftmission.scheduling.solver import repair, solve
from cleftmission.scheduling.solver.check import cost_of, violations_of
from cleftmission.scheduling.solver.generate import mission
from cleftmission.scheduling.solver.greedy import greedy
from cleftmission.scheduling.solver.problem import parse_problem

SIZES = [(120, 5, 5), (200, 6, 5), (400, 10, 10)]


def objective(solution: dict[str, Any]) -> int:
    return int(solution["objective"])


def gap_of(solution: dict[str, Any]) -> float:
    return 100 * (solution["objective"] - solution["bound"]) / max(1, solution["objective"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--repair-limit", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    header = "children tables days | solver: operated objective bound gap% seconds"
    print(header + " | greedy: operated objective | ratio operated objective")
    first: tuple[dict[str, Any], dict[str, Any]] | None = None
    for children, tables, days in SIZES:
        p = mission(children=children, tables=tables, days=days, seed=args.seed)
        runs = sorted((solve(p, time_limit=args.time_limit) for _ in range(max(1, args.runs))), key=objective)
        s = runs[len(runs) // 2]
        parsed = parse_problem(p)
        started = time.monotonic()
        g = greedy(parsed)
        g_seconds = time.monotonic() - started
        assert not violations_of(parsed, g) or any(c.mandatory for c in parsed.cases)
        g_objective = sum(cost_of(parsed, g).values())
        gap = gap_of(s)
        print(
            f"{children:8} {tables:6} {days:4} | {len(s['assignments']):15} {s['objective']:9} {s['bound']:5} "
            f"{gap:4.1f} {s['seconds']:7.2f} | {len(g):15} {g_objective:9} ({g_seconds * 1000:.0f} ms) | "
            f"{len(s['assignments']) / max(1, len(g)):14.2f} {s['objective'] / max(1, g_objective):9.2f}"
            + (
                f" | {len(runs)} runs: objective {runs[0]['objective']}–{runs[-1]['objective']}, "
                f"gap {min(map(gap_of, runs)):.1f}–{max(map(gap_of, runs)):.1f} %"
                if len(runs) > 1
                else ""
            )
        )
        if first is None:
            first = (p, s)

    assert first is not None
    p, s = first
    day = 1
    today = sorted((a for a in s["assignments"] if a["day"] == day), key=lambda a: a["start"])
    now = {"day": day, "minute": 120}
    running = next(a for a in today if a["start"] < 120 <= a["end"])
    later = next(a for a in today if a["start"] > 120)
    surgeon = next(a["surgeon"] for a in s["assignments"] if a["day"] == 2)
    new_case = {"id": "NEW", "minutes": 90, "procedure": "lip_uni", "age_days": 150, "priority": 200}
    events = [
        ("cancel", {"type": "cancel", "case": later["case"]}),
        (
            "duration +60",
            {"type": "duration", "case": running["case"], "minutes": running["end"] - running["start"] + 60},
        ),
        ("table_closed", {"type": "table_closed", "table": "T2", "day": day, "from": 240}),
        ("surgeon_absent", {"type": "surgeon_absent", "surgeon": surgeon, "day": 2}),
        ("add_case", {"type": "add_case", "case": new_case}),
    ]
    print()
    print(f"repairs of the {SIZES[0][0]}-child schedule at day {day} minute 120 | seconds moved operated objective")
    for label, event in events:
        r = repair(p, s, {"now": now, "events": [event]}, time_limit=args.repair_limit)
        print(f"{label:16} | {r['seconds']:7.2f} {r['changes']:5} {len(r['assignments']):8} {r['objective']:9}")


if __name__ == "__main__":
    main()
