"""relay.py: a day short of anaesthetists planned again with them going from table to table.

Default weights: unscheduled 100, delay 5, open_table 30, surgeon_transfer 10."""

from __future__ import annotations

import time

from cleftmission.scheduling.solver.check import cost_of, violations_of
from cleftmission.scheduling.solver.problem import Assignment, parse_problem
from cleftmission.scheduling.solver.refine import day_problem
from cleftmission.scheduling.solver.relay import relay, relay_days
from cleftmission.scheduling.solver.tests.support import case, problem


def short_day(cases: int = 14, anesthetists: int = 3, days: int = 1) -> dict[str, object]:
    """4 tables of 270 a day, a surgeon for each, `anesthetists` of 270, turnover 30, cases of
    60 (the youngest first: C0 is the youngest)."""
    return problem(
        days=days,
        tables=4,
        minutes=270,
        sequence=True,
        turnover=30,
        surgeons=[{"id": f"S{i + 1}", "minutes": [270] * days} for i in range(4)],
        anesthetists=[{"id": f"A{i + 1}", "minutes": [270] * days} for i in range(anesthetists)],
        cases=[case(f"C{i}", 60, age_days=100 + i) for i in range(cases)],
    )


def team_schedule() -> list[Assignment]:
    """What the team model does with 3 anaesthetists for 4 tables: A1 and A2 each at a table
    (3 cases: 60 + 30 + 60 + 30 + 60 = 240, a fourth would end at 330), A3 alternating over
    T3 and T4 (4 cases: its 270 minutes hold no fifth). 10 cases."""
    out = []
    for t, first in ((1, 0), (2, 3)):
        out += [Assignment(f"C{first + i}", 0, f"T{t}", f"S{t}", f"A{t}", 90 * i, 90 * i + 60) for i in range(3)]
    for i in range(4):
        t = 3 + i % 2
        out.append(Assignment(f"C{6 + i}", 0, f"T{t}", f"S{t}", "A3", 60 * i, 60 * i + 60))
    return out


def test_a_relay_of_three_anaesthetists_over_four_tables_operates_one_child_more() -> None:
    # The team schedule: 10 children, 4 unoperated, 4 tables: 400 + 120 = 520. Going from table to
    # table nobody waits out a turnover, and 11 fit, e.g. A1: T1 0-60, T4 60-120, T3 120-180,
    # T1 180-240; A2: T2 0-60, T1 90-150, T4 150-210, T3 210-270; A3: T3 0-60, T2 90-150,
    # T2 180-240. (The lists are cut at the anaesthetists' 810 minutes less twice the shortest
    # case for the one missing: 690, 11 cases.) 300 + 120 = 420.
    parsed = parse_problem(short_day())
    team = team_schedule()
    assert violations_of(parsed, team) == []
    assert sum(cost_of(parsed, team).values()) == 520
    assert relay_days(parsed) == [0]

    relayed = relay(parsed, team, deadline=time.monotonic() + 5, days=[0])

    assert violations_of(parsed, relayed) == []
    assert cost_of(parsed, relayed) == {"unscheduled": 300, "delay": 0, "open_table": 120, "surgeon_transfer": 0}
    # with one anaesthetist to a table, a table has at most 3 cases and an anaesthetist at most
    # 4 (270 / 60): 3 + 3 + 4 = 10. So 11 means some table had two anaesthetists in turn.
    assert any(len({a.anesthetist for a in relayed if a.table == t}) > 1 for t in ("T1", "T2", "T3", "T4"))


def test_a_day_with_an_anaesthetist_for_each_table_is_not_relayed() -> None:
    assert relay_days(parse_problem(short_day(anesthetists=4))) == []
    assert relay_days(parse_problem(short_day(anesthetists=1))) == []  # one alone: a pair at most


def test_children_of_later_days_come_forward_worth_the_delay_they_save() -> None:
    # two days; C12 and C13 wait for day 1 in the schedule: on day 0 they save 5 each
    raw = short_day(days=2)
    parsed = parse_problem(raw)
    later = [Assignment("C12", 1, "T1", "S1", "A1", 0, 60), Assignment("C13", 1, "T1", "S1", "A1", 90, 150)]
    team = [*team_schedule(), *later]
    sub = day_problem(parsed, 0, team, later=True)
    worth = {c.id: c.priority for c in sub.cases}
    assert worth["C0"] == 100 and worth["C10"] == 100  # on the day, and waiting
    assert worth["C12"] == worth["C13"] == 5  # on day 1: one day of delay saved
    assert sorted(worth) == sorted(f"C{i}" for i in range(14)) and sub.days == 1
    # without `later` (the interval model's re-solved days) they stay where they are
    assert {c.id for c in day_problem(parsed, 0, team).cases} == {f"C{i}" for i in range(12)}

    relayed = relay(parsed, team, deadline=time.monotonic() + 5, days=[0])
    assert violations_of(parsed, relayed) == []
    assert sum(cost_of(parsed, relayed).values()) < sum(cost_of(parsed, team).values())
