"""The eligibility rules at their boundaries, with literal facts and thresholds (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from cleftmission.screening.eligibility import ChildFacts, Result, Thresholds, assess, whole_months

SEEN = dt.date(2026, 12, 7)
DEFAULTS = Thresholds()

# A healthy child of two, fit for anything, every station done.
FIT = ChildFacts(
    date_of_birth=dt.date(2024, 12, 1),
    seen_on=SEEN,
    procedures=frozenset(),
    weight_kg=Decimal("12.0"),
    haemoglobin=Decimal("12.0"),
    temperature_c=Decimal("36.8"),
    lowest_weight_z=Decimal("0.0"),
    uri=False,
    cardiac_concern=False,
    asa=1,
)


def finding(child: ChildFacts, rule: str, limits: Thresholds = DEFAULTS) -> tuple[Result, str | None]:
    [found] = [f for f in assess(child, limits).findings if f.rule == rule]
    return found.result, found.deferral_code


def born_days_before(days: int) -> dt.date:
    return SEEN - dt.timedelta(days=days)


def test_a_fit_child_passes_every_rule() -> None:
    result = assess(replace(FIT, procedures=frozenset({"lip_uni", "palate"})), DEFAULTS)
    assert {f.result for f in result.findings} == {Result.PASS}
    assert result.suggested_deferral is None


@pytest.mark.parametrize(("hb", "expected"), [("9.9", Result.FAIL), ("10.0", Result.PASS), ("10.1", Result.PASS)])
def test_haemoglobin_below_10_fails_and_10_passes(hb: str, expected: Result) -> None:
    result, code = finding(replace(FIT, haemoglobin=Decimal(hb)), "haemoglobin")
    assert result is expected
    assert code == ("LOW_HB" if expected is Result.FAIL else None)


def test_lip_repair_at_exactly_10_weeks_passes_and_a_day_younger_fails() -> None:
    lip = replace(FIT, procedures=frozenset({"lip_uni"}))
    assert finding(replace(lip, date_of_birth=born_days_before(70)), "lip_min_age") == (Result.PASS, None)
    assert finding(replace(lip, date_of_birth=born_days_before(69)), "lip_min_age") == (Result.FAIL, "UNDER_AGE")


def test_the_bilateral_lip_repair_has_the_same_age_rule() -> None:
    lip = replace(FIT, procedures=frozenset({"lip_bi"}), date_of_birth=born_days_before(69))
    assert finding(lip, "lip_min_age") == (Result.FAIL, "UNDER_AGE")


@pytest.mark.parametrize(("kg", "expected"), [("4.5", Result.PASS), ("4.4", Result.FAIL)])
def test_lip_repair_needs_4_5_kg(kg: str, expected: Result) -> None:
    lip = replace(FIT, procedures=frozenset({"lip_uni"}), weight_kg=Decimal(kg))
    assert finding(lip, "lip_min_weight")[0] is expected


def test_palate_repair_at_exactly_12_months_passes_and_the_day_before_fails() -> None:
    palate = replace(FIT, procedures=frozenset({"palate"}), date_of_birth=dt.date(2025, 12, 7))
    assert finding(palate, "palate_min_age") == (Result.PASS, None)
    assert finding(replace(palate, seen_on=dt.date(2026, 12, 6)), "palate_min_age") == (Result.FAIL, "UNDER_AGE")


@pytest.mark.parametrize(("kg", "expected"), [("9.5", Result.PASS), ("9.4", Result.FAIL)])
def test_palate_repair_needs_9_5_kg(kg: str, expected: Result) -> None:
    palate = replace(FIT, procedures=frozenset({"palate"}), weight_kg=Decimal(kg))
    assert finding(palate, "palate_min_weight")[0] is expected


def test_whole_months_count_a_month_only_once_its_day_is_reached() -> None:
    assert whole_months(dt.date(2025, 1, 31), dt.date(2026, 1, 30)) == 11
    assert whole_months(dt.date(2025, 1, 31), dt.date(2026, 1, 31)) == 12
    assert whole_months(dt.date(2025, 3, 15), dt.date(2025, 3, 15)) == 0


def test_age_and_weight_rules_apply_only_to_the_procedures_planned() -> None:
    rules = {f.rule for f in assess(replace(FIT, procedures=frozenset({"revision"})), DEFAULTS).findings}
    assert not rules & {"lip_min_age", "lip_min_weight", "palate_min_age", "palate_min_weight"}
    rules = {f.rule for f in assess(replace(FIT, procedures=frozenset({"palate"})), DEFAULTS).findings}
    assert {"palate_min_age", "palate_min_weight"} <= rules
    assert not rules & {"lip_min_age", "lip_min_weight"}


@pytest.mark.parametrize(("temperature", "expected"), [("38.0", Result.FAIL), ("37.9", Result.PASS)])
def test_a_fever_from_38_0_fails_and_37_9_passes(temperature: str, expected: Result) -> None:
    result, code = finding(replace(FIT, temperature_c=Decimal(temperature)), "fever")
    assert result is expected
    assert code == ("FEVER" if expected is Result.FAIL else None)


@pytest.mark.parametrize(
    ("z", "expected", "code"),
    [
        ("-2.01", Result.FAIL, "MALNUTRITION"),
        ("-2.0", Result.WARN, None),
        ("-1.01", Result.WARN, None),
        ("-1.0", Result.PASS, None),
        ("1.5", Result.PASS, None),
    ],
)
def test_nutrition_fails_below_minus_2_warns_below_minus_1_and_passes_from_minus_1(
    z: str, expected: Result, code: str | None
) -> None:
    assert finding(replace(FIT, lowest_weight_z=Decimal(z)), "nutrition") == (expected, code)


def test_severe_malnutrition_below_minus_3_says_so() -> None:
    [found] = [
        f for f in assess(replace(FIT, lowest_weight_z=Decimal("-3.2")), DEFAULTS).findings if f.rule == "nutrition"
    ]
    assert found.result is Result.FAIL
    assert found.message.startswith("Severe")


@pytest.mark.parametrize(("asa", "expected"), [(1, Result.PASS), (2, Result.PASS), (3, Result.FAIL), (4, Result.FAIL)])
def test_asa_1_and_2_pass_and_3_fails(asa: int, expected: Result) -> None:
    assert finding(replace(FIT, asa=asa), "asa")[0] is expected


def test_an_upper_respiratory_infection_fails_with_the_uri_code() -> None:
    assert finding(replace(FIT, uri=True), "uri") == (Result.FAIL, "URI")
    assert finding(FIT, "uri") == (Result.PASS, None)


def test_a_cardiac_concern_is_a_warning_suggesting_a_work_up() -> None:
    assert finding(replace(FIT, cardiac_concern=True), "cardiac") == (Result.WARN, "CARDIAC_WORKUP")
    assert "cardiac" not in {f.rule for f in assess(FIT, DEFAULTS).findings}


def test_what_is_not_measured_yet_is_missing_not_passed() -> None:
    unmeasured = ChildFacts(date_of_birth=FIT.date_of_birth, seen_on=SEEN, procedures=frozenset({"lip_uni"}))
    result = assess(unmeasured, DEFAULTS)
    missing = {f.rule for f in result.missing}
    assert missing == {"lip_min_weight", "haemoglobin", "nutrition", "fever", "uri", "asa"}
    assert not result.failing


def test_the_first_failing_rule_suggests_the_deferral_code() -> None:
    child = replace(FIT, haemoglobin=Decimal("8.0"), temperature_c=Decimal("39.0"))
    result = assess(child, DEFAULTS)
    assert [f.rule for f in result.failing] == ["haemoglobin", "fever"]
    assert result.suggested_deferral == "LOW_HB"


def test_thresholds_changed_on_the_mission_change_the_outcome() -> None:
    young = replace(
        FIT, procedures=frozenset({"lip_uni"}), date_of_birth=born_days_before(20), weight_kg=Decimal("4.0")
    )
    assert finding(young, "lip_min_age")[0] is Result.FAIL
    # Operation Smile Vietnam's HCMC programme operated lips from 2 weeks.
    hcmc = replace(DEFAULTS, lip_min_age_weeks=2, lip_min_weight_kg=Decimal("3.5"))
    assert finding(young, "lip_min_age", hcmc)[0] is Result.PASS
    assert finding(young, "lip_min_weight", hcmc)[0] is Result.PASS
    assert (
        finding(
            replace(FIT, haemoglobin=Decimal("10.5")), "haemoglobin", replace(DEFAULTS, min_haemoglobin=Decimal("11.0"))
        )[0]
        is Result.FAIL
    )
    assert (
        finding(replace(FIT, temperature_c=Decimal("38.2")), "fever", replace(DEFAULTS, fever_c=Decimal("38.5")))[0]
        is Result.PASS
    )
    assert finding(replace(FIT, asa=3), "asa", replace(DEFAULTS, max_asa_accepted=3))[0] is Result.PASS
    strict = replace(DEFAULTS, nutrition_defer_z=Decimal("-1.0"), nutrition_warn_z=Decimal("0.0"))
    assert finding(replace(FIT, lowest_weight_z=Decimal("-1.5")), "nutrition", strict)[0] is Result.FAIL
    palate = replace(FIT, procedures=frozenset({"palate"}), date_of_birth=dt.date(2026, 2, 7))  # ten months old
    assert finding(palate, "palate_min_age")[0] is Result.FAIL
    assert finding(palate, "palate_min_age", replace(DEFAULTS, palate_min_age_months=9))[0] is Result.PASS
