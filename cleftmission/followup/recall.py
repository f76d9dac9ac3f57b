"""Recall for the next mission at a site: which children to bring back, and why. Pure: facts
about each child in (dataclasses), the children to call with their reasons out; no database.
The facts are read by followup/recall_query.py.

The reasons (DOMAIN.md):
- a child deferred at an earlier mission whose re-screen date falls on or before this
  mission's last day;
- the next stage, palate after lip: a cleft palate (H, h, S or s in the LAHSHAL code), the lip
  repaired and the palate not yet, old enough for the mission's palate threshold on its first
  day, and heavy enough if a recent weight says otherwise;
- an alveolar bone graft: a cleft of the alveolus (A or a), aged 8 to 10 years on the
  mission's first day (from the 8th birthday to the day before the 11th), the palate repaired
  (when there is a cleft palate) and no bone graft yet;
- a follow-up visit due around the mission's dates, still to be seen.

A child who died (an ICHOM complication recorded) is never called back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from cleftmission.patients import lahshal as lahshal_code

RESCREEN = "rescreen"
PALATE = "palate"
BONE_GRAFT = "bone_graft"
FOLLOW_UP = "follow_up"
# The order reasons are listed in, and a child with several is sorted by its first.
REASONS = (RESCREEN, PALATE, BONE_GRAFT, FOLLOW_UP)


@dataclass(frozen=True)
class Rules:
    """The mission's dates and the thresholds in force (the palate ones are the mission's own)."""

    first_day: dt.date
    last_day: dt.date
    palate_min_age_months: int
    palate_min_weight_kg: Decimal
    bone_graft_min_years: int = 8
    bone_graft_max_years: int = 10
    # A weight older than this says little about the child's weight on the mission's first
    # day (a baby weighed at the lip repair has grown since): it is treated as unknown.
    weight_valid_days: int = 90
    # Follow-up visits due from this many days before the first day to this many after the last.
    follow_up_days_before: int = 90
    follow_up_days_after: int = 30


@dataclass(frozen=True)
class Weight:
    kg: Decimal
    on: dt.date


@dataclass(frozen=True)
class Deferral:
    code: str
    rescreen_date: dt.date
    mission_id: int  # where the child was deferred


@dataclass(frozen=True)
class Child:
    patient_id: int
    name: str  # for a stable order among children with the same reason
    date_of_birth: dt.date
    lahshal: str
    lip_repaired: bool = False
    palate_repaired: bool = False
    bone_graft_done: bool = False
    weight: Weight | None = None  # the latest weight known
    deferral: Deferral | None = None
    follow_ups_due: tuple[dt.date, ...] = ()  # planned follow-up visits, not yet seen
    deceased: bool = False


@dataclass(frozen=True)
class Reason:
    code: str  # one of REASONS
    on: dt.date | None = None  # the re-screen date, or the follow-up visit's due date
    deferral: Deferral | None = None
    weight_to_check: bool = False  # palate: no recent weight, weigh the child at screening


@dataclass(frozen=True)
class Recall:
    patient_id: int
    age_months: int  # on the mission's first day
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def age_in_months(born: dt.date, on: dt.date) -> int:
    """Whole months of age on a day (the 12th month is reached on the first birthday)."""
    months = (on.year - born.year) * 12 + on.month - born.month
    if on.day < born.day:
        months -= 1
    return months


def _valid(code: str) -> bool:
    try:
        lahshal_code.validate(code)
    except lahshal_code.LahshalError:
        return False
    return True


def has_cleft_palate(code: str) -> bool:
    """Hard or soft palate (positions 3 to 5 of LAHSHAL)."""
    return _valid(code) and any(ch != "." for ch in code[2:5])


def has_cleft_alveolus(code: str) -> bool:
    """Either alveolus (positions 2 and 6 of LAHSHAL)."""
    return _valid(code) and (code[1] != "." or code[5] != ".")


def _palate_due(child: Child, rules: Rules, months: int) -> Reason | None:
    if not (has_cleft_palate(child.lahshal) and child.lip_repaired and not child.palate_repaired):
        return None
    if months < rules.palate_min_age_months:
        return None
    weight = child.weight
    recent = weight is not None and (rules.first_day - weight.on).days <= rules.weight_valid_days
    if weight is not None and recent and weight.kg < rules.palate_min_weight_kg:
        return None
    return Reason(PALATE, weight_to_check=not recent)


def _bone_graft_due(child: Child, rules: Rules, months: int) -> Reason | None:
    if not has_cleft_alveolus(child.lahshal) or child.bone_graft_done:
        return None
    if has_cleft_palate(child.lahshal) and not child.palate_repaired:
        return None
    if not rules.bone_graft_min_years * 12 <= months < (rules.bone_graft_max_years + 1) * 12:
        return None
    return Reason(BONE_GRAFT)


def reasons_for(child: Child, rules: Rules) -> list[Reason]:
    """Why this child should come to the mission, in REASONS order; empty: no reason."""
    if child.deceased or child.date_of_birth > rules.first_day:
        return []
    months = age_in_months(child.date_of_birth, rules.first_day)
    reasons: list[Reason] = []
    deferral = child.deferral
    if deferral is not None and deferral.rescreen_date <= rules.last_day:
        reasons.append(Reason(RESCREEN, on=deferral.rescreen_date, deferral=deferral))
    for reason in (_palate_due(child, rules, months), _bone_graft_due(child, rules, months)):
        if reason is not None:
            reasons.append(reason)
    earliest = rules.first_day - dt.timedelta(days=rules.follow_up_days_before)
    latest = rules.last_day + dt.timedelta(days=rules.follow_up_days_after)
    due = sorted(d for d in child.follow_ups_due if earliest <= d <= latest)
    if due:
        reasons.append(Reason(FOLLOW_UP, on=due[0]))
    return reasons


def recall(children: Iterable[Child], rules: Rules) -> list[Recall]:
    """The children to bring back, each with its reasons: sorted by their first reason (in
    REASONS order), then its date, then name."""
    found: list[tuple[tuple[int, dt.date, str, int], Recall]] = []
    for child in children:
        reasons = reasons_for(child, rules)
        if not reasons:
            continue
        first = reasons[0]
        key = (REASONS.index(first.code), first.on or dt.date.min, child.name, child.patient_id)
        months = age_in_months(child.date_of_birth, rules.first_day)
        found.append((key, Recall(patient_id=child.patient_id, age_months=months, reasons=tuple(reasons))))
    return [r for _key, r in sorted(found, key=lambda item: item[0])]
