"""LAHSHAL cleft notation (Kriens), pure: no Django.

Seven positions read from the patient's right: right Lip, Alveolus, Hard palate, Soft
palate, Hard palate, Alveolus, Lip on the left. A capital letter is a complete cleft, a
small letter an incomplete one, '.' no cleft. From the code we derive the anatomic group
(CL, CLA, CLAP, CP), laterality, the Veau class and the ICD-10 category.
"""

from __future__ import annotations

from dataclasses import dataclass

POSITIONS = "LAHSHAL"


class LahshalError(ValueError):
    """Why a code is not LAHSHAL. `reason` and `params` let a caller say it in the user's language."""

    def __init__(self, message: str, reason: str = "", **params: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class Diagnosis:
    code: str
    group: str  # CL, CLA, CLAP, CP
    laterality: str  # left, right, bilateral, midline
    veau: str | None  # I, II, III, IV; None for a cleft of the lip (and alveolus) alone
    icd10: str  # Q35, Q36, Q37


def validate(code: str) -> str:
    """Return the code if it is a LAHSHAL code, else raise LahshalError saying why."""
    if len(code) != 7:
        raise LahshalError(f"A LAHSHAL code has 7 positions, not {len(code)}.", "length", length=len(code))
    for i, (ch, expected) in enumerate(zip(code, POSITIONS, strict=True)):
        if ch != "." and ch.upper() != expected:
            raise LahshalError(
                f"Position {i + 1} must be {expected}, {expected.lower()} or '.', not {ch!r}.",
                "position",
                position=i + 1,
                upper=expected,
                lower=expected.lower(),
                found=ch,
            )
    if code == ".......":
        raise LahshalError("A LAHSHAL code must record at least one cleft.", "no_cleft")
    return code


def parse(code: str) -> Diagnosis:
    validate(code)
    right_lip, right_alv, right_hard, soft, left_hard, left_alv, left_lip = (ch != "." for ch in code)
    right = right_lip or right_alv
    left = left_lip or left_alv
    palate = right_hard or soft or left_hard
    lip_side = right or left

    if not lip_side:
        group = "CP"
    elif not palate:
        group = "CL" if not (right_alv or left_alv) else "CLA"
    else:
        group = "CLAP"

    if right and left:
        laterality = "bilateral"
    elif right:
        laterality = "right"
    elif left:
        laterality = "left"
    else:
        laterality = "midline"

    veau: str | None
    if not palate:
        veau = None
    elif not lip_side:
        veau = "II" if (right_hard or left_hard) else "I"
    elif laterality == "bilateral":
        veau = "IV"
    else:
        veau = "III"

    icd10 = "Q35" if group == "CP" else ("Q36" if not palate else "Q37")
    return Diagnosis(code=code, group=group, laterality=laterality, veau=veau, icd10=icd10)
