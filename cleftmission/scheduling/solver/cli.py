"""cleftmission-schedule: solve, repair and check schedules from JSON files.

Exit 0 with a schedule (or a check that finds nothing broken), 1 when infeasible (or a check
that finds a broken rule), 2 on bad input, with a message naming the field."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cleftmission.scheduling.solver.api import solve
from cleftmission.scheduling.solver.check import check
from cleftmission.scheduling.solver.problem import ProblemError
from cleftmission.scheduling.solver.repair import repair


class InputError(Exception):
    pass


def _read(path: str, what: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as error:
        raise InputError(f"{what} {path}: cannot be read ({error.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{what} {path}: not valid JSON ({error})") from None


def _write(data: dict[str, Any], out: str | None) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


def _summary(solution: dict[str, Any]) -> str:
    if solution["status"] in ("infeasible", "unknown"):
        return f"{solution['status']}: {solution.get('reason', '')}"
    return (
        f"{solution['status']}: {len(solution['assignments'])} operated, {len(solution['unscheduled'])} not; "
        f"objective {solution['objective']}, bound {solution['bound']}, changes {solution['changes']}, "
        f"{solution['seconds']} s"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cleftmission-schedule", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("solve", help="build a schedule")
    s.add_argument("problem")
    s.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    s.add_argument("--out", help="write the solution here instead of stdout")
    r = sub.add_parser("repair", help="repair a published schedule after events")
    r.add_argument("problem")
    r.add_argument("--schedule", required=True)
    r.add_argument("--events", required=True)
    r.add_argument("--time-limit", type=float, default=5.0, help="seconds (default 5)")
    r.add_argument("--out", help="write the solution here instead of stdout")
    c = sub.add_parser("check", help="price a schedule and list every broken rule")
    c.add_argument("problem")
    c.add_argument("solution")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if getattr(args, "time_limit", 1.0) <= 0:
            raise InputError("--time-limit must be positive")
        problem = _read(args.problem, "problem")
        if args.command == "solve":
            solution = solve(problem, time_limit=args.time_limit)
        elif args.command == "repair":
            schedule = _read(args.schedule, "schedule")
            events = _read(args.events, "events")
            solution = repair(problem, schedule, events, time_limit=args.time_limit)
        else:
            result = check(problem, _read(args.solution, "solution"))
            _write(result, None)
            print(f"cost {result['cost']}, objective {result['objective']}", file=sys.stderr)
            for v in result["violations"]:
                print(f"broken: {v['rule']}: {v['message']}", file=sys.stderr)
            return 1 if result["violations"] else 0
    except ProblemError as error:
        print(f"error: {error.field}: {error.message}", file=sys.stderr)
        return 2
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _write(solution, args.out)
    print(_summary(solution), file=sys.stderr)
    return 0 if solution["status"] in ("optimal", "feasible") else 1


if __name__ == "__main__":
    sys.exit(main())
