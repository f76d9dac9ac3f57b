"""How late an operating table runs, read from its list's planned times and the milestones
stamped so far. Pure: planned and actual times in, minutes late out.

The table's current case is the first on its list (not cancelled) whose surgery has not
ended. Once it is in the OR, the table is as late as that case started late, or later still
while the case runs past its planned end; before it is in the OR, the table is as late as
the time now is past the case's planned start. Early is on time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Under this many minutes behind, a table is on time (a child walked in a little late).
LATE_FROM_MINUTES = 10


@dataclass(frozen=True)
class CaseTimes:
    planned_start: dt.datetime
    planned_minutes: int
    in_or: dt.datetime | None = None
    ended: dt.datetime | None = None
    cancelled: bool = False

    @property
    def planned_end(self) -> dt.datetime:
        return self.planned_start + dt.timedelta(minutes=self.planned_minutes)


@dataclass(frozen=True)
class TableState:
    minutes_late: int  # 0 when on time or early
    finished: bool = False  # every case's surgery has ended
    started: bool = False  # a case has been in the OR

    @property
    def late(self) -> bool:
        return self.minutes_late >= LATE_FROM_MINUTES


def _minutes(delta: dt.timedelta) -> int:
    return max(0, round(delta.total_seconds() / 60))


def table_state(cases: list[CaseTimes], now: dt.datetime | None) -> TableState | None:
    """The table's state at `now` (None for a day not under way: only finished tables are
    then told); None for a table with no case left."""
    active = sorted((c for c in cases if not c.cancelled), key=lambda c: c.planned_start)
    if not active:
        return None
    started = any(c.in_or for c in active)
    current = next((c for c in active if c.ended is None), None)
    if current is None:
        last = active[-1]
        assert last.ended is not None
        return TableState(_minutes(last.ended - last.planned_end), finished=True, started=True)
    if now is None:
        return None
    if current.in_or is not None:
        late = max(current.in_or - current.planned_start, now - current.planned_end)
    else:
        late = now - current.planned_start
    return TableState(_minutes(late), started=started)
