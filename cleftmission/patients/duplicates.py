"""Likely duplicates: a family at the gate against the children already known.

Pure: dataclasses in, ranked matches out, no Django. Each match carries a score (0–100) and
the reasons for it as codes with a value; `Reason.__str__` says them in English and the
pages say them in the reader's language (patients.matching.REASON_TEXT).

The score adds up evidence that two records are one child:
- the name, compared without diacritics or case (Đặng = Dang). The given name carries most
  of the weight: half of Vietnam is called Nguyễn and most boys' middle name is Văn, so
  "Nguyễn Văn An" and "Nguyễn Văn Bình" are not similar names;
- the date of birth: the same day, day and month swapped (03/04 for 04/03), or a few days
  apart within a tolerance (families often know it only roughly, or by the lunar calendar);
  more than a year apart counts against;
- the same guardian phone: strong, as a phone belongs to one family;
- the same province: weak; a different sex counts against.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from cleftmission.core.text import search_key

DOB_TOLERANCE_DAYS = 30
MIN_SCORE = 35
LIMIT = 10

# From this similarity (0–100) two names count as similar.
SIMILAR_NAME = 80

# Points for each kind of evidence; the score is their sum, between 0 and 100.
POINTS_SAME_NAME = 40
POINTS_SAME_DOB = 30
POINTS_SWAPPED_DOB = 25
POINTS_NEAR_DOB = (10, 25)  # at the edge of the tolerance, and one day apart
POINTS_SAME_PHONE = 45
POINTS_SAME_PROVINCE = 5
POINTS_FAR_DOB = -20  # born more than a year apart
POINTS_OTHER_SEX = -15

# Weights of the parts of a name in its similarity.
WEIGHT_GIVEN, WEIGHT_FAMILY, WEIGHT_MIDDLE = 0.6, 0.3, 0.1

# How a province is sometimes written before its name: "Tỉnh Nghệ An", "TP. Hồ Chí Minh".
PROVINCE_PREFIXES = ("tinh ", "thanh pho ", "tp. ", "tp.", "tp ")

SAME_NAME = "same_name"
SAME_NAME_WITHOUT_DIACRITICS = "same_name_without_diacritics"
SIMILAR_NAME_REASON = "similar_name"
SAME_DATE_OF_BIRTH = "same_date_of_birth"
DAY_MONTH_SWAPPED = "day_month_swapped"
DATE_OF_BIRTH_DAYS_APART = "date_of_birth_days_apart"
DATE_OF_BIRTH_YEARS_APART = "date_of_birth_years_apart"
SAME_GUARDIAN_PHONE = "same_guardian_phone"
SAME_PROVINCE = "same_province"
OTHER_SEX = "other_sex"

ENGLISH = {
    SAME_NAME: "same name",
    SAME_NAME_WITHOUT_DIACRITICS: "same name without diacritics",
    SIMILAR_NAME_REASON: "similar name ({value}%)",
    SAME_DATE_OF_BIRTH: "same date of birth",
    DAY_MONTH_SWAPPED: "date of birth with day and month swapped",
    DATE_OF_BIRTH_DAYS_APART: "date of birth {value} days apart",
    DATE_OF_BIRTH_YEARS_APART: "date of birth about {value} years apart",
    SAME_GUARDIAN_PHONE: "same guardian phone",
    SAME_PROVINCE: "same province",
    OTHER_SEX: "other sex",
}
# Reasons that count against a match: shown as a caution.
AGAINST = {DATE_OF_BIRTH_YEARS_APART, OTHER_SEX}
# A match needs one of these: a birthday and a province are shared by too many children.
IDENTIFYING = {SAME_NAME, SAME_NAME_WITHOUT_DIACRITICS, SIMILAR_NAME_REASON, SAME_GUARDIAN_PHONE}


@dataclass(frozen=True)
class Identity:
    """What identifies a child: names, date of birth, sex, province, and the guardians'
    phones as digits in the stored form (84912345678)."""

    family_name: str = ""
    middle_name: str = ""
    given_name: str = ""
    date_of_birth: dt.date | None = None
    sex: str = ""
    province: str = ""
    phones: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    """A known child: `key` is whatever the caller needs to find it again (its id)."""

    key: int
    identity: Identity


@dataclass(frozen=True)
class Reason:
    code: str
    value: int = 0

    @property
    def against(self) -> bool:
        return self.code in AGAINST

    def __str__(self) -> str:
        return ENGLISH[self.code].format(value=self.value)


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    score: int
    reasons: tuple[Reason, ...]

    @property
    def key(self) -> int:
        return self.candidate.key


def _exact(text: str) -> str:
    """Case-insensitive, with diacritics, whatever the keyboard's Unicode form."""
    return " ".join(unicodedata.normalize("NFC", text or "").lower().split())


def _full(identity: Identity, key: bool = True) -> str:
    norm = search_key if key else _exact
    return " ".join(p for p in (norm(identity.family_name), norm(identity.middle_name), norm(identity.given_name)) if p)


def name_similarity(a: Identity, b: Identity) -> int:
    """0–100, without diacritics or case. A missing middle name is left out of the comparison
    rather than counted as different; names typed in the wrong boxes still compare equal."""
    family_a, family_b = search_key(a.family_name), search_key(b.family_name)
    given_a, given_b = search_key(a.given_name), search_key(b.given_name)
    middle_a, middle_b = search_key(a.middle_name), search_key(b.middle_name)
    if not (given_a and given_b):
        return 0
    score = WEIGHT_GIVEN * fuzz.ratio(given_a, given_b) + WEIGHT_FAMILY * fuzz.ratio(family_a, family_b)
    weight = WEIGHT_GIVEN + WEIGHT_FAMILY
    if middle_a and middle_b:
        score += WEIGHT_MIDDLE * fuzz.ratio(middle_a, middle_b)
        weight += WEIGHT_MIDDLE
    similarity = score / weight
    if min(fuzz.ratio(given_a, given_b), fuzz.ratio(family_a, family_b)) < SIMILAR_NAME:
        # A different given name is a different child, however common the family and middle
        # names; a different family name too, however common the given name.
        similarity = min(similarity, SIMILAR_NAME - 1)
    full_a, full_b = _full(a), _full(b)
    if full_a != full_b and sorted(full_a.split()) == sorted(full_b.split()):
        similarity = max(similarity, 95)  # the same words, typed in other boxes
    if middle_a != middle_b and not (middle_a and middle_b):
        similarity = min(similarity, 95)  # a middle name on one side only: similar, not the same
    return round(similarity)


def swapped(day: dt.date) -> dt.date | None:
    """The date with day and month swapped (04/03 for 03/04), if that is another date."""
    if day.day > 12 or day.day == day.month:
        return None
    return day.replace(month=day.day, day=day.month)


def _province(text: str) -> str:
    key = search_key(text)
    for prefix in PROVINCE_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :].strip()
    return key


def _name_evidence(a: Identity, b: Identity) -> tuple[float, Reason | None]:
    if _full(a) and _full(a) == _full(b):
        code = SAME_NAME if _full(a, key=False) == _full(b, key=False) else SAME_NAME_WITHOUT_DIACRITICS
        return POINTS_SAME_NAME, Reason(code)
    similarity = name_similarity(a, b)
    if similarity >= SIMILAR_NAME:
        # From the threshold's half of the points up to all of them at 100%.
        share = 0.5 + 0.5 * (similarity - SIMILAR_NAME) / (100 - SIMILAR_NAME)
        return POINTS_SAME_NAME * share, Reason(SIMILAR_NAME_REASON, similarity)
    return 0, None


def _dob_evidence(a: dt.date | None, b: dt.date | None, tolerance_days: int) -> tuple[float, Reason | None]:
    if a is None or b is None:
        return 0, None
    days = abs((a - b).days)
    if days == 0:
        return POINTS_SAME_DOB, Reason(SAME_DATE_OF_BIRTH)
    if swapped(a) == b:
        return POINTS_SWAPPED_DOB, Reason(DAY_MONTH_SWAPPED)
    if days <= tolerance_days:
        low, high = POINTS_NEAR_DOB
        nearness = 1 - (days - 1) / max(tolerance_days - 1, 1)
        return low + (high - low) * nearness, Reason(DATE_OF_BIRTH_DAYS_APART, days)
    if days > 366:
        return POINTS_FAR_DOB, Reason(DATE_OF_BIRTH_YEARS_APART, max(1, round(days / 365.25)))
    return 0, None


def score(a: Identity, b: Identity, *, tolerance_days: int = DOB_TOLERANCE_DAYS) -> tuple[int, tuple[Reason, ...]]:
    """How likely `a` and `b` are the same child (0–100), and why."""
    evidence = [_name_evidence(a, b), _dob_evidence(a.date_of_birth, b.date_of_birth, tolerance_days)]
    if a.phones & b.phones:
        evidence.append((POINTS_SAME_PHONE, Reason(SAME_GUARDIAN_PHONE)))
    if a.province and _province(a.province) == _province(b.province):
        evidence.append((POINTS_SAME_PROVINCE, Reason(SAME_PROVINCE)))
    if a.sex and b.sex and a.sex != b.sex:
        evidence.append((POINTS_OTHER_SEX, Reason(OTHER_SEX)))
    total = sum(points for points, _reason in evidence)
    reasons = tuple(reason for _points, reason in evidence if reason is not None)
    return max(0, min(100, round(total))), reasons


def rank(
    identity: Identity,
    candidates: Iterable[Candidate],
    *,
    tolerance_days: int = DOB_TOLERANCE_DAYS,
    min_score: int = MIN_SCORE,
    limit: int | None = LIMIT,
) -> list[Match]:
    """The candidates that may be this child, most likely first (ties by key): those scoring
    at least `min_score` with a similar name or the same guardian phone."""
    matches = []
    for candidate in candidates:
        points, reasons = score(identity, candidate.identity, tolerance_days=tolerance_days)
        if points >= min_score and any(r.code in IDENTIFYING for r in reasons):
            matches.append(Match(candidate=candidate, score=points, reasons=reasons))
    matches.sort(key=lambda m: (-m.score, m.key))
    return matches if limit is None else matches[:limit]
