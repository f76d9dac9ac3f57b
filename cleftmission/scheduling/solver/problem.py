"""The problem and the schedule as typed values, read from the JSON contract
(docs/scheduling-format.md). Everything that reads a dict from outside goes through here,
so a malformed problem fails in one place, with the JSON path of the field that is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

DEFAULT_WEIGHTS = {"unscheduled": 100, "delay": 5, "open_table": 30, "surgeon_transfer": 10}
UNKNOWN_AGE = 10**9  # a case without age_days goes after the aged ones on its table


class ProblemError(ValueError):
    """The input is malformed; `field` is the JSON path of the culprit ("cases[3].minutes")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Table:
    id: str
    minutes: tuple[int, ...]


@dataclass(frozen=True)
class Person:
    """A surgeon or an anaesthetist: minutes available per day; procedures None = any."""

    id: str
    minutes: tuple[int, ...]
    procedures: frozenset[str] | None = None

    def can_do(self, procedure: str) -> bool:
        return self.procedures is None or procedure in self.procedures


@dataclass(frozen=True)
class Fixed:
    day: int
    table: str
    start: int | None = None
    surgeon: str | None = None


@dataclass(frozen=True)
class Case:
    id: str
    minutes: int
    procedure: str
    surgeon: str | None
    release_day: int
    due_day: int
    mandatory: bool
    priority: int
    age_days: int | None
    fixed: Fixed | None = None

    @property
    def age_key(self) -> int:
        return UNKNOWN_AGE if self.age_days is None else self.age_days


@dataclass(frozen=True)
class Weights:
    unscheduled: int = 100
    delay: int = 5
    open_table: int = 30
    surgeon_transfer: int = 10


@dataclass(frozen=True)
class Problem:
    days: int
    tables: tuple[Table, ...]
    surgeons: tuple[Person, ...]
    cases: tuple[Case, ...]
    anesthetists: tuple[Person, ...] = ()
    turnover: int = 0
    sequence: bool = True
    day_start: str | None = None
    weights: Weights = field(default_factory=Weights)

    def table(self, table_id: str) -> Table:
        return self._tables_by_id[table_id]

    def surgeon(self, surgeon_id: str) -> Person:
        return self._surgeons_by_id[surgeon_id]

    def case(self, case_id: str) -> Case:
        return self._cases_by_id[case_id]

    # by id: the solver looks them up in its inner loops
    @cached_property
    def _tables_by_id(self) -> dict[str, Table]:
        return {t.id: t for t in self.tables}

    @cached_property
    def _surgeons_by_id(self) -> dict[str, Person]:
        return {s.id: s for s in self.surgeons}

    @cached_property
    def _cases_by_id(self) -> dict[str, Case]:
        return {c.id: c for c in self.cases}

    @property
    def uses_anesthetists(self) -> bool:
        return self.sequence and bool(self.anesthetists)

    def surgeons_for(self, case: Case) -> list[Person]:
        """The surgeons who may operate the case: the named or locked one, else all who can do it."""
        named = case.fixed.surgeon if case.fixed and case.fixed.surgeon else case.surgeon
        if named is not None:
            return [self.surgeon(named)]
        return [s for s in self.surgeons if s.can_do(case.procedure)]

    def allowed_surgeon(self, case: Case, surgeon_id: str) -> bool:
        return any(s.id == surgeon_id for s in self.surgeons_for(case))


@dataclass(frozen=True)
class Assignment:
    case: str
    day: int
    table: str
    surgeon: str | None
    anesthetist: str | None = None
    start: int | None = None
    end: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "day": self.day,
            "table": self.table,
            "surgeon": self.surgeon,
            "anesthetist": self.anesthetist,
            "start": self.start,
            "end": self.end,
        }


# --- reading ---------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(value: Any, path: str, *, minimum: int | None = 0, maximum: int | None = None) -> int:
    if not _is_int(value):
        raise ProblemError(path, f"must be a whole number, not {value!r}")
    if minimum is not None and value < minimum:
        raise ProblemError(path, f"must be at least {minimum}, not {value}")
    if maximum is not None and value > maximum:
        raise ProblemError(path, f"must be at most {maximum}, not {value}")
    return int(value)


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProblemError(path, f"must be a non-empty string, not {value!r}")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ProblemError(path, f"must be true or false, not {value!r}")
    return value


def _obj(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProblemError(path, f"must be an object, not {type(value).__name__}")
    return value


def _list(value: Any, path: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise ProblemError(path, f"must be a list, not {type(value).__name__}")
    return value


def _required(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in obj or obj[key] is None:
        raise ProblemError(f"{path}.{key}" if path else key, "is missing")
    return obj[key]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _minutes_per_day(value: Any, path: str, days: int) -> tuple[int, ...]:
    items = _list(value, path)
    if len(items) != days:
        raise ProblemError(path, f"must give minutes for each of the {days} days, not {len(items)}")
    return tuple(_int(m, f"{path}[{d}]") for d, m in enumerate(items))


def _people(items: Sequence[Any], path: str, days: int, seen: set[str]) -> tuple[Person, ...]:
    people = []
    for i, raw in enumerate(items):
        p = f"{path}[{i}]"
        obj = _obj(raw, p)
        pid = _str(_required(obj, "id", p), f"{p}.id")
        if pid in seen:
            raise ProblemError(f"{p}.id", f"{pid!r} is used twice")
        seen.add(pid)
        procedures = None
        if obj.get("procedures") is not None:
            procedures = frozenset(
                _str(x, f"{p}.procedures[{j}]") for j, x in enumerate(_list(obj["procedures"], f"{p}.procedures"))
            )
        people.append(Person(pid, _minutes_per_day(_required(obj, "minutes", p), f"{p}.minutes", days), procedures))
    return tuple(people)


def parse_problem(raw: Any) -> Problem:
    """Read and validate a problem dict; raise ProblemError naming the first bad field."""
    obj = _obj(raw, "problem")
    days = _int(_required(obj, "days", ""), "days", minimum=1, maximum=366)
    day_start = obj.get("day_start")
    if day_start is not None and (not isinstance(day_start, str) or not re.fullmatch(r"\d\d:\d\d", day_start)):
        raise ProblemError("day_start", f'must be a clock time like "08:00", not {day_start!r}')
    turnover = _int(obj.get("turnover", 0), "turnover")
    sequence = _bool(obj.get("sequence", True), "sequence")

    tables_raw = _list(_required(obj, "tables", ""), "tables")
    if not tables_raw:
        raise ProblemError("tables", "must list at least one table")
    tables = []
    table_ids: set[str] = set()
    for i, raw_t in enumerate(tables_raw):
        p = f"tables[{i}]"
        t = _obj(raw_t, p)
        tid = _str(_required(t, "id", p), f"{p}.id")
        if tid in table_ids:
            raise ProblemError(f"{p}.id", f"{tid!r} is used twice")
        table_ids.add(tid)
        tables.append(Table(tid, _minutes_per_day(_required(t, "minutes", p), f"{p}.minutes", days)))

    surgeon_ids: set[str] = set()
    surgeons = _people(_list(_required(obj, "surgeons", ""), "surgeons"), "surgeons", days, surgeon_ids)
    anesthetists = _people(_list(obj.get("anesthetists") or [], "anesthetists"), "anesthetists", days, set())

    weights_raw = _obj(obj.get("weights") or {}, "weights")
    for key in weights_raw:
        if key not in DEFAULT_WEIGHTS and key != "move":
            raise ProblemError(f"weights.{key}", f"is not a weight (known: {', '.join(DEFAULT_WEIGHTS)}, move)")
    weights = Weights(**{k: _int(weights_raw.get(k, v), f"weights.{k}") for k, v in DEFAULT_WEIGHTS.items()})

    cases_raw = _list(_required(obj, "cases", ""), "cases")
    cases = []
    case_ids: set[str] = set()
    for i, raw_c in enumerate(cases_raw):
        p = f"cases[{i}]"
        c = _obj(raw_c, p)
        cid = _str(_required(c, "id", p), f"{p}.id")
        if cid in case_ids:
            raise ProblemError(f"{p}.id", f"{cid!r} is used twice")
        case_ids.add(cid)
        minutes = _int(_required(c, "minutes", p), f"{p}.minutes", minimum=1)
        procedure = _str(_required(c, "procedure", p), f"{p}.procedure")
        surgeon = c.get("surgeon")
        if surgeon is not None:
            surgeon = _str(surgeon, f"{p}.surgeon")
            if surgeon not in surgeon_ids:
                raise ProblemError(f"{p}.surgeon", f"{surgeon!r} is not one of the surgeons")
        release = _int(c.get("release_day", 0), f"{p}.release_day", maximum=days - 1)
        due = _int(c.get("due_day", days - 1), f"{p}.due_day", maximum=days - 1)
        if due < release:
            raise ProblemError(f"{p}.due_day", f"{due} is before the release day {release}")
        mandatory = _bool(c.get("mandatory", False), f"{p}.mandatory")
        priority = _int(c.get("priority", weights.unscheduled), f"{p}.priority")
        age = c.get("age_days")
        age_days = None if age is None else _int(age, f"{p}.age_days")
        fixed = None
        if c.get("fixed") is not None:
            fp = f"{p}.fixed"
            f = _obj(c["fixed"], fp)
            fday = _int(_required(f, "day", fp), f"{fp}.day", maximum=days - 1)
            ftable = _str(_required(f, "table", fp), f"{fp}.table")
            if ftable not in table_ids:
                raise ProblemError(f"{fp}.table", f"{ftable!r} is not one of the tables")
            fstart = None if f.get("start") is None else _int(f["start"], f"{fp}.start")
            fsurgeon = None
            if f.get("surgeon") is not None:
                fsurgeon = _str(f["surgeon"], f"{fp}.surgeon")
                if fsurgeon not in surgeon_ids:
                    raise ProblemError(f"{fp}.surgeon", f"{fsurgeon!r} is not one of the surgeons")
            fixed = Fixed(fday, ftable, fstart, fsurgeon)
        cases.append(Case(cid, minutes, procedure, surgeon, release, due, mandatory, priority, age_days, fixed))

    return Problem(
        days=days,
        tables=tuple(tables),
        surgeons=surgeons,
        cases=tuple(cases),
        anesthetists=anesthetists,
        turnover=turnover,
        sequence=sequence,
        day_start=day_start,
        weights=weights,
    )


def move_weight(raw: Mapping[str, Any]) -> int:
    """The cost of moving a published case in a repair (extension `weights.move`)."""
    weights = raw.get("weights") or {}
    unscheduled = weights.get("unscheduled", DEFAULT_WEIGHTS["unscheduled"])
    return _int(weights.get("move", max(1, unscheduled // 2)), "weights.move")


def parse_assignments(problem: Problem, raw: Any, path: str = "assignments") -> list[Assignment]:
    """Read a solution's assignments. Unknown ids and wrong types are input errors; a rule
    the placements break (overlap, over capacity, a duplicate) is left to check()."""
    table_ids = {t.id for t in problem.tables}
    surgeon_ids = {s.id for s in problem.surgeons}
    anesthetist_ids = {a.id for a in problem.anesthetists}
    case_ids = {c.id for c in problem.cases}
    out = []
    for i, raw_a in enumerate(_list(raw, path)):
        p = f"{path}[{i}]"
        a = _obj(raw_a, p)
        case = _str(_required(a, "case", p), f"{p}.case")
        if case not in case_ids:
            raise ProblemError(f"{p}.case", f"{case!r} is not one of the cases")
        day = _int(_required(a, "day", p), f"{p}.day")
        table = _str(_required(a, "table", p), f"{p}.table")
        if table not in table_ids:
            raise ProblemError(f"{p}.table", f"{table!r} is not one of the tables")
        surgeon = a.get("surgeon")
        if surgeon is not None and _str(surgeon, f"{p}.surgeon") not in surgeon_ids:
            raise ProblemError(f"{p}.surgeon", f"{surgeon!r} is not one of the surgeons")
        anesthetist = a.get("anesthetist")
        if anesthetist is not None and _str(anesthetist, f"{p}.anesthetist") not in anesthetist_ids:
            raise ProblemError(f"{p}.anesthetist", f"{anesthetist!r} is not one of the anesthetists")
        start = None if a.get("start") is None else _int(a["start"], f"{p}.start", minimum=None)
        end = None if a.get("end") is None else _int(a["end"], f"{p}.end", minimum=None)
        out.append(Assignment(case, day, table, surgeon, anesthetist, start, end))
    return out


def parse_solution(problem: Problem, raw: Any, path: str = "solution") -> list[Assignment]:
    obj = _obj(raw, path)
    return parse_assignments(problem, obj.get("assignments", []), "assignments")
