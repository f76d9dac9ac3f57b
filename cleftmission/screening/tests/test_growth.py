"""WHO z-scores against the spot values of DOMAIN.md (WHO weight-for-age tables)."""

from __future__ import annotations

import datetime as dt

import pytest

from cleftmission.screening.growth import ZScores, zscores

BORN = dt.date(2025, 1, 1)


def on_day(days: int) -> dt.date:
    return BORN + dt.timedelta(days=days)


def test_a_boy_of_365_days_weighing_7_7_kg_is_about_minus_2_05() -> None:
    z = zscores(sex="M", date_of_birth=BORN, measured_on=on_day(365), weight_kg=7.7, length_cm=None)
    assert z.weight_for_age == pytest.approx(-2.05, abs=0.01)


def test_a_girl_of_365_days_weighing_8_9_kg_is_at_the_median() -> None:
    z = zscores(sex="F", date_of_birth=BORN, measured_on=on_day(365), weight_kg=8.9, length_cm=None)
    assert z.weight_for_age == pytest.approx(-0.04, abs=0.01)


def test_the_length_gives_length_for_age_and_weight_for_length() -> None:
    z = zscores(sex="M", date_of_birth=BORN, measured_on=on_day(365), weight_kg=7.7, length_cm=70.0)
    assert z.length_for_age is not None and z.length_for_age < -2
    assert z.weight_for_length is not None and -2 < z.weight_for_length < 0
    assert z.lowest_weight_based == z.weight_for_age


def test_without_a_length_only_weight_for_age_is_computed() -> None:
    z = zscores(sex="F", date_of_birth=BORN, measured_on=on_day(200), weight_kg=7.0, length_cm=None)
    assert z.weight_for_age is not None
    assert (z.length_for_age, z.weight_for_length) == (None, None)


@pytest.mark.parametrize("days", [-1, 1857, 3000])
def test_outside_the_who_standards_no_z_score_is_made_up(days: int) -> None:
    z = zscores(sex="M", date_of_birth=BORN, measured_on=on_day(days), weight_kg=12.0, length_cm=90.0)
    assert z == ZScores(None, None, None)
    assert z.lowest_weight_based is None


def test_without_a_weight_there_is_no_z_score() -> None:
    assert zscores(sex="M", date_of_birth=BORN, measured_on=on_day(365), weight_kg=None, length_cm=75.0) == ZScores(
        None, None, None
    )
