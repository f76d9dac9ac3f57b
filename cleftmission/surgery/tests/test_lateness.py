"""How late a table runs, from literal planned and actual times (the pure rule the OR board
tells in words)."""

from __future__ import annotations

import datetime as dt

from cleftmission.surgery.lateness import CaseTimes, table_state

DAY = dt.datetime(2026, 12, 8, tzinfo=dt.UTC)


def t(hh_mm: str) -> dt.datetime:
    hours, minutes = map(int, hh_mm.split(":"))
    return DAY.replace(hour=hours, minute=minutes)


FIRST = CaseTimes(planned_start=t("08:00"), planned_minutes=90)  # 08:00–09:30
SECOND = CaseTimes(planned_start=t("09:45"), planned_minutes=120)  # 09:45–11:45


def test_a_table_whose_first_child_is_not_in_the_or_is_as_late_as_the_clock_is_past_the_plan() -> None:
    state = table_state([FIRST, SECOND], now=t("08:35"))
    assert state is not None and (state.minutes_late, state.late, state.started) == (35, True, False)
    early = table_state([FIRST, SECOND], now=t("07:50"))
    assert early is not None and (early.minutes_late, early.late) == (0, False)


def test_a_case_in_the_or_counts_its_late_start_then_its_overrun() -> None:
    started_late = CaseTimes(t("08:00"), 90, in_or=t("08:25"))
    assert table_state([started_late, SECOND], now=t("09:00")).minutes_late == 25  # type: ignore[union-attr]
    assert table_state([started_late, SECOND], now=t("10:10")).minutes_late == 40  # type: ignore[union-attr]
    on_time = CaseTimes(t("08:00"), 90, in_or=t("08:05"))
    assert table_state([on_time, SECOND], now=t("09:00")).late is False  # type: ignore[union-attr]


def test_the_next_case_takes_over_once_the_surgery_ends_and_a_cancelled_one_is_skipped() -> None:
    done = CaseTimes(t("08:00"), 90, in_or=t("08:00"), ended=t("09:20"))
    state = table_state([done, SECOND], now=t("10:05"))
    assert state is not None and (state.minutes_late, state.started) == (20, True)
    cancelled = CaseTimes(t("09:45"), 120, cancelled=True)
    third = CaseTimes(t("12:00"), 60)
    assert table_state([done, cancelled, third], now=t("10:05")).minutes_late == 0  # type: ignore[union-attr]


def test_a_finished_table_tells_how_late_its_last_case_ended_even_on_another_day() -> None:
    first = CaseTimes(t("08:00"), 90, in_or=t("08:00"), ended=t("09:30"))
    last = CaseTimes(t("09:45"), 120, in_or=t("10:00"), ended=t("12:00"))
    state = table_state([first, last], now=None)
    assert state is not None and (state.finished, state.minutes_late) == (True, 15)
    assert table_state([FIRST], now=None) is None  # a day not under way: nothing to tell
    assert table_state([CaseTimes(t("08:00"), 90, cancelled=True)], now=t("09:00")) is None
