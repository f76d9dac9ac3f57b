"""The recall rules with literal inputs, at their boundaries: no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cleftmission.followup.recall import (
    BONE_GRAFT,
    FOLLOW_UP,
    PALATE,
    RESCREEN,
    Child,
    Deferral,
    Rules,
    Weight,
    age_in_months,
    has_cleft_alveolus,
    has_cleft_palate,
    reasons_for,
    recall,
)

# A mission on 7–11 December 2026 with the default palate thresholds (12 months, 9.5 kg).
RULES = Rules(
    first_day=dt.date(2026, 12, 7),
    last_day=dt.date(2026, 12, 11),
    palate_min_age_months=12,
    palate_min_weight_kg=Decimal("9.5"),
)


def child(**facts: object) -> Child:
    values: dict[str, object] = {
        "patient_id": 1,
        "name": "le an",
        "date_of_birth": dt.date(2025, 12, 7),
        "lahshal": "LAHS...",
    }
    values.update(facts)
    return Child(**values)  # type: ignore[arg-type]


def codes(c: Child, rules: Rules = RULES) -> list[str]:
    return [r.code for r in reasons_for(c, rules)]


# ---- LAHSHAL and age ---------------------------------------------------------------------


def test_the_palate_and_the_alveolus_are_read_from_the_lahshal_code() -> None:
    assert has_cleft_palate("...S...") and has_cleft_palate("..h....") and not has_cleft_palate("LA....l")
    assert has_cleft_alveolus(".a.....") and has_cleft_alveolus(".....A.") and not has_cleft_alveolus("L.HSH.L")
    assert not has_cleft_palate("") and not has_cleft_palate("XXXXXXX") and not has_cleft_alveolus("")


def test_age_in_months_turns_on_the_birthday() -> None:
    assert age_in_months(dt.date(2025, 12, 7), dt.date(2026, 12, 7)) == 12
    assert age_in_months(dt.date(2025, 12, 8), dt.date(2026, 12, 7)) == 11
    assert age_in_months(dt.date(2018, 12, 8), dt.date(2026, 12, 7)) == 7 * 12 + 11


# ---- palate after lip ------------------------------------------------------------------------


def test_palate_is_due_at_exactly_twelve_months_on_the_first_day_and_not_a_day_younger() -> None:
    assert codes(child(lip_repaired=True, date_of_birth=dt.date(2025, 12, 7))) == [PALATE]
    assert codes(child(lip_repaired=True, date_of_birth=dt.date(2025, 12, 8))) == []


def test_palate_follows_the_mission_s_own_age_threshold() -> None:
    strict = Rules(RULES.first_day, RULES.last_day, palate_min_age_months=18, palate_min_weight_kg=Decimal("9.5"))
    assert codes(child(lip_repaired=True), strict) == []
    assert codes(child(lip_repaired=True, date_of_birth=dt.date(2025, 6, 7)), strict) == [PALATE]


def test_a_recent_weight_just_under_the_threshold_holds_the_palate_back_and_at_the_threshold_does_not() -> None:
    weighed = dt.date(2026, 11, 1)
    under = child(lip_repaired=True, weight=Weight(Decimal("9.49"), weighed))
    at = child(lip_repaired=True, weight=Weight(Decimal("9.5"), weighed))
    assert codes(under) == []
    [reason] = reasons_for(at, RULES)
    assert (reason.code, reason.weight_to_check) == (PALATE, False)


def test_an_old_weight_does_not_hold_the_palate_back_but_asks_for_a_new_one() -> None:
    """A baby weighed at the lip repair a year ago has grown: call them, and weigh them."""
    old = child(lip_repaired=True, weight=Weight(Decimal("6.2"), dt.date(2026, 1, 5)))
    [reason] = reasons_for(old, RULES)
    assert (reason.code, reason.weight_to_check) == (PALATE, True)
    edge = child(lip_repaired=True, weight=Weight(Decimal("6.2"), RULES.first_day - dt.timedelta(days=90)))
    assert codes(edge) == []  # 90 days old still counts


def test_palate_is_not_due_without_a_lip_repair_a_cleft_palate_or_when_already_repaired() -> None:
    assert codes(child(lip_repaired=False)) == []
    assert codes(child(lip_repaired=True, lahshal="L......")) == []
    assert codes(child(lip_repaired=True, palate_repaired=True)) == []


# ---- alveolar bone graft -----------------------------------------------------------------------


def graft_child(born: dt.date, **facts: object) -> Child:
    values: dict[str, object] = {"lahshal": "LAHS...", "lip_repaired": True, "palate_repaired": True}
    values.update(facts)
    return child(date_of_birth=born, **values)


def test_bone_graft_is_due_from_the_eighth_birthday_to_the_day_before_the_eleventh() -> None:
    seven_eleven = graft_child(dt.date(2018, 12, 8))  # 7 years 11 months on 7/12/2026
    eight = graft_child(dt.date(2018, 12, 7))
    ten = graft_child(dt.date(2016, 12, 7))
    ten_eleven = graft_child(dt.date(2015, 12, 8))  # 10 years 11 months
    eleven = graft_child(dt.date(2015, 12, 7))
    assert codes(seven_eleven) == []
    assert codes(eight) == [BONE_GRAFT]
    assert codes(ten) == [BONE_GRAFT]
    assert codes(ten_eleven) == [BONE_GRAFT]
    assert codes(eleven) == []


def test_bone_graft_waits_for_the_palate_and_is_not_repeated() -> None:
    born = dt.date(2017, 3, 1)
    assert codes(graft_child(born, palate_repaired=False)) == [PALATE]  # the palate first
    assert codes(graft_child(born, bone_graft_done=True)) == []
    assert codes(graft_child(born, lahshal="LA.....")) == [BONE_GRAFT]  # no cleft palate to repair
    assert codes(graft_child(born, lahshal="L.HS...")) == []  # no cleft of the alveolus


# ---- deferred children --------------------------------------------------------------------------


def deferred(rescreen: dt.date) -> Child:
    return child(lahshal="L......", deferral=Deferral("LOW_HB", rescreen, mission_id=7))


def test_a_deferral_is_due_when_its_re_screen_date_is_on_or_before_the_last_day() -> None:
    assert codes(deferred(dt.date(2026, 9, 1))) == [RESCREEN]
    assert codes(deferred(RULES.last_day)) == [RESCREEN]
    assert codes(deferred(RULES.last_day + dt.timedelta(days=1))) == []
    [reason] = reasons_for(deferred(RULES.first_day), RULES)
    assert reason.on == RULES.first_day and reason.deferral is not None and reason.deferral.code == "LOW_HB"


# ---- follow-up visits ----------------------------------------------------------------------------


def test_a_follow_up_visit_counts_when_due_around_the_mission_s_dates() -> None:
    before, after = RULES.first_day - dt.timedelta(days=90), RULES.last_day + dt.timedelta(days=30)
    assert codes(child(lahshal="L......", follow_ups_due=(before,))) == [FOLLOW_UP]
    assert codes(child(lahshal="L......", follow_ups_due=(after,))) == [FOLLOW_UP]
    assert codes(child(lahshal="L......", follow_ups_due=(before - dt.timedelta(days=1),))) == []
    assert codes(child(lahshal="L......", follow_ups_due=(after + dt.timedelta(days=1),))) == []
    [reason] = reasons_for(child(lahshal="L......", follow_ups_due=(after, RULES.first_day)), RULES)
    assert reason.on == RULES.first_day  # the earliest


# ---- the list -------------------------------------------------------------------------------------


def test_the_list_keeps_every_reason_of_a_child_and_sorts_by_the_first_reason_then_date_then_name() -> None:
    children = [
        child(patient_id=1, name="b", lip_repaired=True),
        child(patient_id=2, name="c", lahshal="L......", deferral=Deferral("FEVER", dt.date(2026, 10, 1), 3)),
        child(patient_id=3, name="a", lip_repaired=True),
        child(
            patient_id=4,
            name="z",
            lip_repaired=True,
            deferral=Deferral("URI", dt.date(2026, 9, 1), 3),
            follow_ups_due=(dt.date(2026, 12, 1),),
        ),
        child(patient_id=5, name="none", lahshal="L......"),
    ]
    rows = recall(children, RULES)
    assert [r.patient_id for r in rows] == [4, 2, 3, 1]
    assert [r.code for r in rows[0].reasons] == [RESCREEN, PALATE, FOLLOW_UP]
    assert rows[0].age_months == 12


def test_a_child_who_died_or_is_not_yet_born_on_the_first_day_is_never_called() -> None:
    assert recall([child(lip_repaired=True, deceased=True)], RULES) == []
    assert recall([child(lip_repaired=True, date_of_birth=dt.date(2027, 1, 1))], RULES) == []
