"""repair() for each event type: what has started stays, as few published cases move as can."""

from __future__ import annotations

from typing import Any

import pytest

from cleftmission.scheduling.solver import ProblemError, apply_events, repair, solve
from cleftmission.scheduling.solver.tests.support import case, placed, problem, sound


def two_tables() -> dict[str, Any]:
    # two days, two tables of 300, one surgeon per table, lists youngest first
    return problem(
        days=2,
        tables=2,
        sequence=True,
        surgeons=[{"id": "S1", "minutes": [480, 480]}, {"id": "S2", "minutes": [480, 480]}],
        cases=[
            case("A", 90, age_days=100, surgeon="S1"),
            case("B", 90, age_days=200, surgeon="S1"),
            case("C", 90, age_days=300, surgeon="S1"),
            case("D", 120, age_days=150, surgeon="S2"),
            case("E", 120, age_days=250, surgeon="S2"),
        ],
    )


def repaired(p: dict[str, Any], events: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    published = sound(p, solve(p, time_limit=5))
    result = repair(p, published, events, time_limit=5)
    sound(result["problem"], result)
    assert result["changes"] == len(result["moved"])
    return published, result


def test_a_cancelled_case_leaves_its_gap_and_nothing_moves() -> None:
    _, s = repaired(two_tables(), {"now": {"day": 0, "minute": 0}, "events": [{"type": "cancel", "case": "B"}]})
    assert s["changes"] == 0
    assert "B" not in placed(s)


def test_a_cancellation_lets_a_waiting_child_in_without_moving_anyone() -> None:
    # one table of 300: A 140 + B 140 fill it (295); W (140) waits. B cancelled: W takes its place.
    p = problem(
        sequence=True,
        cases=[
            case("A", 140, age_days=1, priority=200),
            case("B", 140, age_days=2, priority=200),
            case("W", 140, age_days=3),
        ],
    )
    published, s = repaired(p, {"events": [{"type": "cancel", "case": "B"}]})
    assert "W" not in placed(published)
    assert "W" in placed(s) and s["changes"] == 0


def test_an_overrun_pushes_back_only_what_it_must() -> None:
    p = two_tables()
    published = solve(p, time_limit=5)
    first = next(
        a
        for a in published["assignments"]
        if a["table"] == placed(published)["A"]["table"] and a["day"] == 0 and a["start"] == 0
    )
    events = {"now": {"day": 0, "minute": 60}, "events": [{"type": "duration", "case": first["case"], "minutes": 150}]}
    s = repair(p, published, events, time_limit=5)
    sound(s["problem"], s)
    after = placed(s)
    assert (after[first["case"]]["start"], after[first["case"]]["end"]) == (0, 150)  # under way: stays
    others = [
        a for a in s["assignments"] if a["day"] == 0 and a["table"] == first["table"] and a["case"] != first["case"]
    ]
    assert all(a["start"] >= 165 for a in others)
    assert s["changes"] <= 2


def test_a_closed_table_sends_its_cases_elsewhere() -> None:
    p = two_tables()
    published = solve(p, time_limit=5)
    table = placed(published)["D"]["table"]
    day = placed(published)["D"]["day"]
    s = repair(
        p, published, {"events": [{"type": "table_closed", "table": table, "day": day, "from": 0}]}, time_limit=5
    )
    sound(s["problem"], s)
    assert all(not (a["table"] == table and a["day"] == day) for a in s["assignments"])
    moved = {m["case"] for m in s["moved"]}
    assert moved == {a["case"] for a in published["assignments"] if a["table"] == table and a["day"] == day}
    assert len(s["assignments"]) == 5  # everyone still operated, on day 1 or the other table


def test_a_table_closed_mid_day_keeps_the_case_under_way() -> None:
    p = problem(sequence=True, cases=[case("A", 120, age_days=1), case("B", 60, age_days=2)])
    published = solve(p, time_limit=5)
    events = {
        "now": {"day": 0, "minute": 30},
        "events": [{"type": "table_closed", "table": "T1", "day": 0, "from": 60}],
    }
    s = repair(p, published, events, time_limit=5)
    sound(s["problem"], s)
    assert placed(s)["A"]["start"] == 0  # started: stays, its table open until it ends
    assert "B" not in placed(s)
    assert s["problem"]["tables"][0]["minutes"] == [120]
    assert s["changes"] == 1


def test_an_absent_surgeon_is_replaced_or_their_cases_move() -> None:
    p = two_tables()
    p["surgeons"].append({"id": "S3", "minutes": [480, 480]})
    for c in p["cases"]:
        c.pop("surgeon")
    published = solve(p, time_limit=5)
    day = 0
    gone = {a["case"] for a in published["assignments"] if a["surgeon"] == "S1" and a["day"] == day}
    s = repair(p, published, {"events": [{"type": "surgeon_absent", "surgeon": "S1", "day": day}]}, time_limit=5)
    sound(s["problem"], s)
    assert all(not (a["surgeon"] == "S1" and a["day"] == day) for a in s["assignments"])
    assert len(s["assignments"]) == 5
    assert s["changes"] <= len(gone)


def test_an_added_case_goes_into_free_room_without_moving_anyone() -> None:
    p = two_tables()
    new = case("N", 60, age_days=5000, surgeon="S2")
    _, s = repaired(p, {"events": [{"type": "add_case", "case": new}]})
    assert "N" in placed(s)
    assert s["changes"] == 0


def test_nothing_new_starts_before_now_and_earlier_days_stay() -> None:
    p = two_tables()
    published = solve(p, time_limit=5)
    events = {
        "now": {"day": 1, "minute": 100},
        "events": [{"type": "add_case", "case": case("N", 60, age_days=9000, surgeon="S2")}],
    }
    s = repair(p, published, events, time_limit=5)
    sound(s["problem"], s)
    before = placed(published)
    for a in s["assignments"]:
        if a["case"] in before and before[a["case"]]["day"] == 0:
            assert a == before[a["case"]]
        if a["case"] == "N":
            assert a["day"] == 1 and a["start"] >= 100


def test_an_anesthetist_absence_is_an_event_too() -> None:
    p = two_tables()
    p["anesthetists"] = [{"id": "A1", "minutes": [540, 540]}, {"id": "A2", "minutes": [540, 540]}]
    published = solve(p, time_limit=5)
    s = repair(p, published, {"events": [{"type": "anesthetist_absent", "anesthetist": "A1", "day": 0}]}, time_limit=5)
    sound(s["problem"], s)
    assert all(a["anesthetist"] != "A1" for a in s["assignments"] if a["day"] == 0)


def test_apply_events_returns_the_changed_problem_and_leaves_the_input_alone() -> None:
    p = two_tables()
    events = {
        "events": [
            {"type": "cancel", "case": "A"},
            {"type": "duration", "case": "B", "minutes": 150},
            {"type": "table_closed", "table": "T2", "day": 1, "from": 240},
            {"type": "surgeon_absent", "surgeon": "S1", "day": 1},
            {"type": "add_case", "case": case("N", 60)},
        ]
    }
    out = apply_events(p, events)
    assert [c["id"] for c in out["cases"]] == ["B", "C", "D", "E", "N"]
    assert out["cases"][0]["minutes"] == 150
    assert out["tables"][1]["minutes"] == [300, 240]
    assert out["surgeons"][0]["minutes"] == [480, 0]
    assert [c["id"] for c in p["cases"]] == ["A", "B", "C", "D", "E"]


def test_a_day_before_now_is_history_and_its_changes_are_refused_by_field() -> None:
    # day 0 is over: a case of day 0 running longer would put its surgeon in two cases at
    # once in the past, and an absence that day changes nothing to come; both are refused,
    # naming the event's field, instead of calling the schedule infeasible
    p = two_tables()
    published = solve(p, time_limit=5)
    on_day_0 = next(a["case"] for a in published["assignments"] if a["day"] == 0)
    cases = [
        ({"type": "duration", "case": on_day_0, "minutes": 200}, "events[1].case"),
        ({"type": "surgeon_absent", "surgeon": "S1", "day": 0}, "events[1].day"),
        ({"type": "table_closed", "table": "T1", "day": 0, "from": 60}, "events[1].day"),
    ]
    for event, field in cases:
        events = {"now": {"day": 1, "minute": 0}, "events": [{"type": "add_case", "case": case("N", 60)}, event]}
        with pytest.raises(ProblemError) as refused:
            repair(p, published, events, time_limit=5)
        assert refused.value.field == field
        assert "before now (day 1)" in refused.value.message
    # the same changes on the day under way are repairs like any other
    today = {"now": {"day": 1, "minute": 0}, "events": [{"type": "surgeon_absent", "surgeon": "S1", "day": 1}]}
    r = repair(p, published, today, time_limit=5)
    sound(r["problem"], r)
    assert all(a["surgeon"] != "S1" for a in r["assignments"] if a["day"] == 1)
