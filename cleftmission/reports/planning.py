"""Actual operating times against the planned ones, and the planning minutes they suggest.
Pure: timings in (literal minutes), comparisons out; no ORM.

A case's actual minutes run from "in the operating room" to "in recovery" (the table is
busy for that long; turnover is planned apart). The proposal for a procedure is the median
of its actual minutes rounded up to the next 5 minutes, and only from at least MIN_CASES
cases: fewer say too little about a procedure to change how every mission plans it.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_CASES = 5
STEP = 5
PERCENTILE = 80


@dataclass(frozen=True)
class Timing:
    """One operated case: its procedures (catalog codes, longest first), who operated,
    the minutes planned and the minutes it took."""

    procedures: tuple[str, ...]
    surgeon: str
    planned: int
    actual: int


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The pct-th percentile, interpolated between the closest ranks (rank (n − 1)·pct/100,
    as numpy's default and spreadsheets' PERCENTILE.INC)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


def round_up(value: float, step: int = STEP) -> int:
    return int(math.ceil(value / step - 1e-9) * step)


def propose(actuals: Sequence[int], min_cases: int = MIN_CASES) -> int | None:
    """New planning minutes from the actual minutes of one procedure, or None with too few."""
    if len(actuals) < min_cases:
        return None
    middle = median(actuals)
    assert middle is not None
    return round_up(middle)


@dataclass(frozen=True)
class Comparison:
    """Planned against actual minutes for one procedure (or combination of procedures
    done together), for all surgeons (surgeon "") or one."""

    procedures: tuple[str, ...]
    surgeon: str
    cases: int
    planned_median: float
    actual_median: float
    actual_p80: float
    difference_median: float  # median of (actual − planned), per case: > 0 runs long
    proposal: int | None  # only for one procedure over all surgeons, with enough cases

    @property
    def single(self) -> bool:
        return len(self.procedures) == 1

    @property
    def enough(self) -> bool:
        return self.cases >= MIN_CASES


def _compare(procedures: tuple[str, ...], surgeon: str, group: list[Timing], with_proposal: bool) -> Comparison:
    planned = [t.planned for t in group]
    actual = [t.actual for t in group]
    difference = [t.actual - t.planned for t in group]
    return Comparison(
        procedures=procedures,
        surgeon=surgeon,
        cases=len(group),
        planned_median=median(planned) or 0.0,
        actual_median=median(actual) or 0.0,
        actual_p80=percentile(actual, PERCENTILE) or 0.0,
        difference_median=median(difference) or 0.0,
        proposal=propose(actual) if with_proposal and len(procedures) == 1 else None,
    )


def by_procedure(timings: Iterable[Timing]) -> list[Comparison]:
    """One row per procedure (or combination of procedures), by their codes."""
    groups: dict[tuple[str, ...], list[Timing]] = defaultdict(list)
    for timing in timings:
        groups[timing.procedures].append(timing)
    return [_compare(key, "", group, True) for key, group in sorted(groups.items())]


def by_surgeon(timings: Iterable[Timing]) -> list[Comparison]:
    """One row per surgeon and procedure (or combination), by surgeon's name."""
    groups: dict[tuple[str, tuple[str, ...]], list[Timing]] = defaultdict(list)
    for timing in timings:
        groups[timing.surgeon, timing.procedures].append(timing)
    return [_compare(key, surgeon, group, False) for (surgeon, key), group in sorted(groups.items())]
