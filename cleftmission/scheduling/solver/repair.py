"""Repair a published schedule when the day changes: apply the events, keep what has started,
and move as few published cases as possible.

The repair first searches a neighbourhood: published cases on the days the events touch are
free, every other published case may only stay on its day and table (its start may still
shift) or be left out, and the cases nobody had scheduled may go anywhere. That small model is
solved to optimality in well under a second on a mission. Only when it has to leave a published
child out does a second pass open every case, with the first answer as its hint.
"""

from __future__ import annotations

import copy
import itertools
import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from cleftmission.scheduling.solver.api import to_solution
from cleftmission.scheduling.solver.check import violations_of
from cleftmission.scheduling.solver.model import Options, Result, solve_model
from cleftmission.scheduling.solver.problem import (
    UNKNOWN_AGE,
    Assignment,
    Problem,
    ProblemError,
    move_weight,
    parse_problem,
    parse_solution,
)

EVENT_TYPES = ("cancel", "duration", "table_closed", "surgeon_absent", "anesthetist_absent", "add_case")


def _int(value: Any, path: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProblemError(path, f"must be a whole number, not {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"{minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
        raise ProblemError(path, f"must be {bounds}, not {value}")
    return value


def _index(items: list[Any], key: Any, path: str, kind: str) -> int:
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == key:
            return i
    raise ProblemError(path, f"{key!r} is not one of the {kind}")


def read_now(events: Any, days: int) -> tuple[int, int]:
    if not isinstance(events, Mapping):
        raise ProblemError("events", "must be an object with `now` and `events`")
    now = events.get("now") or {"day": 0, "minute": 0}
    if not isinstance(now, Mapping):
        raise ProblemError("now", 'must be an object like {"day": 1, "minute": 120}')
    return _int(now.get("day", 0), "now.day", maximum=days - 1), _int(now.get("minute", 0), "now.minute")


def apply_events(problem: dict[str, Any], events: dict[str, Any]) -> dict[str, Any]:
    """The problem after the events (a new dict; the input is not changed).

    cancel removes the case; duration sets its minutes; table_closed cuts the table's minutes
    that day to `from` (0 when absent); surgeon_absent / anesthetist_absent set their minutes
    that day to 0; add_case appends the case. Raises ProblemError naming the bad field."""
    parsed = parse_problem(problem)
    read_now(events, parsed.days)
    raw = events.get("events", [])
    if not isinstance(raw, list):
        raise ProblemError("events", "must be a list")
    out = copy.deepcopy(problem)
    added: dict[int, int] = {}  # index in out["cases"] → index of the add_case event
    for i, event in enumerate(raw):
        p = f"events[{i}]"
        if not isinstance(event, Mapping):
            raise ProblemError(p, "must be an object")
        kind = event.get("type")
        if kind not in EVENT_TYPES:
            raise ProblemError(f"{p}.type", f"must be one of {', '.join(EVENT_TYPES)}, not {kind!r}")
        if kind in ("cancel", "duration"):
            k = _index(out["cases"], event.get("case"), f"{p}.case", "cases")
            if kind == "cancel":
                del out["cases"][k]
                added = {(j - 1 if j > k else j): e for j, e in added.items() if j != k}
            else:
                out["cases"][k]["minutes"] = _int(event.get("minutes"), f"{p}.minutes", minimum=1)
        elif kind == "table_closed":
            k = _index(out["tables"], event.get("table"), f"{p}.table", "tables")
            day = _int(event.get("day"), f"{p}.day", maximum=parsed.days - 1)
            closed_from = _int(event.get("from", 0), f"{p}.from")
            minutes = out["tables"][k]["minutes"]
            minutes[day] = min(minutes[day], closed_from)
        elif kind in ("surgeon_absent", "anesthetist_absent"):
            who = "surgeon" if kind == "surgeon_absent" else "anesthetist"
            group = "surgeons" if who == "surgeon" else "anesthetists"
            k = _index(out.get(group) or [], event.get(who), f"{p}.{who}", group)
            day = _int(event.get("day"), f"{p}.day", maximum=parsed.days - 1)
            out[group][k]["minutes"][day] = 0
        else:
            if not isinstance(event.get("case"), Mapping):
                raise ProblemError(f"{p}.case", "must be the new case, an object like those in `cases`")
            added[len(out["cases"])] = i
            out["cases"].append(copy.deepcopy(event["case"]))
    try:
        parse_problem(out)
    except ProblemError as error:
        for k, i in added.items():
            prefix = f"cases[{k}]"
            if error.field == prefix or error.field.startswith(prefix + "."):
                raise ProblemError(f"events[{i}].case{error.field[len(prefix) :]}", error.message) from None
        raise
    return out


def _refuse_the_past(events: list[Any], published: list[Assignment], now_day: int) -> None:
    """A day before `now` is history: its tables, people and case minutes no longer change
    (a longer case there would only put its surgeon or anaesthetist in two cases at once)."""
    day_of = {a.case: a.day for a in published}
    for i, e in enumerate(events):
        if e["type"] == "duration" and day_of.get(e["case"], now_day) < now_day:
            raise ProblemError(
                f"events[{i}].case",
                f"{e['case']} was operated on day {day_of[e['case']]}, before now (day {now_day}): its minutes "
                "can no longer change",
            )
        if e["type"] in ("table_closed", "surgeon_absent", "anesthetist_absent") and e["day"] < now_day:
            raise ProblemError(
                f"events[{i}].day", f"day {e['day']} is before now (day {now_day}): it can no longer change"
            )


def _started(problem: Problem, published: list[Assignment], now_day: int, now_minute: int) -> dict[str, Assignment]:
    """The published cases under way or done: every case of an earlier day, and today's cases
    that started before `now`, unless a case before them on their table, or of their surgeon or
    anaesthetist, runs long enough that they cannot have started yet."""
    cases = {c.id: c for c in problem.cases}
    started: dict[str, Assignment] = {}
    ready: dict[str, int] = defaultdict(int)
    for a in sorted(published, key=lambda a: (a.day, a.start or 0, a.case)):
        if a.case not in cases:
            continue
        minutes = cases[a.case].minutes
        if a.day < now_day:
            started[a.case] = _retime(a, minutes)
        elif a.day == now_day and a.start is not None and a.start < now_minute:
            keys = [f"t:{a.table}", f"s:{a.surgeon}", f"a:{a.anesthetist}"]
            if all(a.start >= ready[k] for k in keys):
                started[a.case] = _retime(a, minutes)
                ready[keys[0]] = a.start + minutes + problem.turnover
                ready[keys[1]] = a.start + minutes
                if a.anesthetist is not None:
                    ready[keys[2]] = a.start + minutes
    return started


def _retime(a: Assignment, minutes: int) -> Assignment:
    end = None if a.start is None else a.start + minutes
    return Assignment(a.case, a.day, a.table, a.surgeon, a.anesthetist, a.start, end)


def _overtime(out: dict[str, Any], problem: Problem, started: dict[str, Assignment]) -> None:
    """What has started cannot be undone: where it overruns a table's, surgeon's or
    anaesthetist's minutes, their minutes that day are raised to cover it."""
    cases = {c.id: c for c in problem.cases}
    need: dict[tuple[str, str, int], int] = defaultdict(int)
    count: dict[tuple[str, int], int] = defaultdict(int)
    for a in started.values():
        minutes = cases[a.case].minutes
        if problem.sequence and a.start is not None:
            need["tables", a.table, a.day] = max(need["tables", a.table, a.day], a.start + minutes)
        else:
            need["tables", a.table, a.day] += minutes + (problem.turnover if count[a.table, a.day] else 0)
            count[a.table, a.day] += 1
        if a.surgeon is not None:
            need["surgeons", a.surgeon, a.day] += minutes
        if a.anesthetist is not None:
            need["anesthetists", a.anesthetist, a.day] += minutes
    for (group, who, day), minutes in need.items():
        for item in out.get(group) or []:
            if item["id"] == who and item["minutes"][day] < minutes:
                item["minutes"][day] = minutes


def _touched_days(events: list[Any], published: dict[str, Assignment]) -> set[int]:
    days = set()
    for e in events:
        if e["type"] in ("cancel", "duration"):
            if e["case"] in published:
                days.add(published[e["case"]].day)
        elif e["type"] != "add_case":
            days.add(e["day"])
    return days


def _still_valid(problem: Problem, kept: list[Assignment], frozen: dict[str, Assignment]) -> list[Assignment]:
    """The published placements that survive the events: drop the cases named by a broken rule."""
    kept = list(kept)
    for _ in range(len(kept) + 1):
        broken = {v.case for v in violations_of(problem, kept) if v.case is not None and v.case not in frozen}
        if not broken:
            break
        kept = [a for a in kept if a.case not in broken]
    return kept


QUICK = 0.6  # seconds: what a repair should take; the second pass stops by then


def _solve_around(
    problem: Problem,
    hint: list[Assignment],
    started: dict[str, Assignment],
    pinned: dict[str, Assignment],
    published: dict[str, Assignment],
    touched: set[int],
    now_day: int,
    now_minute: int,
    weight: int,
    deadline: float,
) -> Result:
    """The interval model with the started and `pinned` cases frozen; the other published
    cases may move (at `weight` each), anywhere on the `touched` days, elsewhere into gaps."""
    frozen = {**started, **pinned}
    free = {c: a for c, a in published.items() if c not in pinned}
    allowed = _gaps(problem, frozen, touched, now_day, now_minute)
    opts = Options(now_day, now_minute, frozen, free, weight, allowed, workers=2)
    return solve_model(problem, time_limit=deadline - time.monotonic(), hints=[hint], opts=opts)


def _gaps(
    problem: Problem, frozen: dict[str, Assignment], touched: set[int], now_day: int, now_minute: int
) -> dict[str, set[tuple[int, str]]]:
    """Where each case that is not frozen may go: any table on a touched day; elsewhere only a
    gap between frozen cases long enough for it, at its place in the youngest-first order."""
    cases = {c.id: c for c in problem.cases}
    tau = problem.turnover
    by_table_day: dict[tuple[int, str], list[Assignment]] = defaultdict(list)
    for a in frozen.values():
        by_table_day[a.day, a.table].append(a)
    # each list in its order, with the oldest age before each gap and the youngest after it
    oldest_before: dict[tuple[int, str], list[int]] = {}
    youngest_after: dict[tuple[int, str], list[int]] = {}
    for key, items in by_table_day.items():
        items.sort(key=lambda a: (a.start or 0, a.case))
        ages = [cases[a.case].age_key for a in items]
        oldest_before[key] = list(itertools.accumulate(ages, max, initial=-1))
        youngest_after[key] = list(itertools.accumulate(reversed(ages), min, initial=UNKNOWN_AGE + 1))[::-1]
    out: dict[str, set[tuple[int, str]]] = {}
    for case in problem.cases:
        if case.id in frozen:
            continue
        spots = set()
        for d in range(max(now_day, case.release_day), case.due_day + 1):
            for t in problem.tables:
                cap = t.minutes[d]
                if cap < case.minutes:
                    continue
                if d in touched or not problem.sequence:
                    spots.add((d, t.id))
                    continue
                items = by_table_day.get((d, t.id), [])
                for g in range(len(items) + 1):
                    if items and (
                        oldest_before[d, t.id][g] > case.age_key or youngest_after[d, t.id][g] < case.age_key
                    ):
                        continue
                    lo = (items[g - 1].start or 0) + cases[items[g - 1].case].minutes + tau if g else 0
                    hi = (items[g].start or 0) - tau if g < len(items) else cap
                    if d == now_day:
                        lo = max(lo, now_minute)
                    if hi - lo >= case.minutes:
                        spots.add((d, t.id))
                        break
        out[case.id] = spots
    return out


def repair(
    problem: dict[str, Any], schedule: dict[str, Any], events: dict[str, Any], *, time_limit: float = 5.0
) -> dict[str, Any]:
    """Repair `schedule` (a solution of `problem`) after `events`.

    Returns a solution of the problem after the events, with `changes` (published cases whose
    day, table or start moved, or that were left out), `moved` (each of them, from and to) and
    `problem` (the problem it solved: apply_events(), with minutes raised where a started case
    overruns). `bound` is None: a repair trades the objective against moves."""
    started_at = time.monotonic()
    time_limit_at = started_at + time_limit
    original = parse_problem(problem)
    published_list = parse_solution(original, schedule, "schedule")
    new_raw = apply_events(problem, events)
    now_day, now_minute = read_now(events, original.days)
    _refuse_the_past(events.get("events", []), published_list, now_day)
    interim = parse_problem(new_raw)
    started = _started(interim, published_list, now_day, now_minute)
    _overtime(new_raw, interim, started)
    new = parse_problem(new_raw)
    present = {c.id for c in new.cases}
    published = {a.case: a for a in published_list if a.case in present and a.case not in started}
    touched = _touched_days(events.get("events", []), {a.case: a for a in published_list})
    weight = move_weight(problem)

    kept = [
        _retime(a, new.case(a.case).minutes) if a.case in started else a for a in published_list if a.case in present
    ]
    hint = _still_valid(new, kept, started)
    # 1. the published cases the events broke move (or a waiting child takes a gap); the
    # others stay exactly where they are: a small model, solved in a fraction of a second
    survivors = {a.case for a in hint}
    pinned = {c: a for c, a in published.items() if c in survivors}
    result = _solve_around(new, hint, started, pinned, published, set(), now_day, now_minute, weight, time_limit_at)

    # 2. with the time left (a second in all), the days the events touch are re-planned
    budget = min(time_limit_at, started_at + QUICK) - time.monotonic()
    if touched and budget > 0.1 and result.status in ("optimal", "feasible"):
        pinned = {c: a for c, a in published.items() if c in survivors and a.day not in touched}
        wider = _solve_around(
            new,
            result.assignments,
            started,
            pinned,
            published,
            touched,
            now_day,
            now_minute,
            weight,
            time.monotonic() + budget,
        )
        if wider.model_objective is not None and (
            result.model_objective is None or wider.model_objective < result.model_objective
        ):
            result = wider

    left = time_limit_at - time.monotonic()
    if result.status in ("infeasible", "unknown") and left > 0.2:
        # the neighbourhood cannot keep what it must: every published case may move
        wide = Options(now_day, now_minute, started, published, weight, None)
        second = solve_model(new, time_limit=left, hints=[hint], opts=wide)
        if second.model_objective is not None or second.status == "infeasible":
            result = second

    solution = to_solution(new, result, started_at, first_day=now_day)
    solution["bound"] = None
    placed = {a["case"]: a for a in solution["assignments"]}
    moved = []
    for cid, pub in published.items():
        a = placed.get(cid)
        if a is None or (a["day"], a["table"]) != (pub.day, pub.table) or (new.sequence and a["start"] != pub.start):
            frm = {"day": pub.day, "table": pub.table, "start": pub.start}
            to = None if a is None else {"day": a["day"], "table": a["table"], "start": a["start"]}
            moved.append({"case": cid, "from": frm, "to": to})
    if result.status in ("optimal", "feasible"):
        solution["changes"] = len(moved)
        solution["moved"] = moved
    else:
        solution["moved"] = []
    solution["problem"] = new_raw
    return solution
