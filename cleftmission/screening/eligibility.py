"""Eligibility for surgery, pure: the child's facts and the mission's thresholds in,
findings out. Rules produce findings (pass / warn / fail / missing, with the reason and the
deferral code they suggest); the clinician decides, and an override keeps its reason.
Thresholds come from the mission (DOMAIN.md defaults), never from constants here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

PRIMARY_LIP = {"lip_uni", "lip_bi"}
PRIMARY_PALATE = {"palate"}


class Result(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    MISSING = "missing"


@dataclass(frozen=True)
class Thresholds:
    lip_min_age_weeks: int = 10
    lip_min_weight_kg: Decimal = Decimal("4.5")
    palate_min_age_months: int = 12
    palate_min_weight_kg: Decimal = Decimal("9.5")
    min_haemoglobin: Decimal = Decimal("10.0")
    nutrition_defer_z: Decimal = Decimal("-2.0")
    nutrition_warn_z: Decimal = Decimal("-1.0")
    fever_c: Decimal = Decimal("38.0")
    max_asa_accepted: int = 2


@dataclass(frozen=True)
class ChildFacts:
    date_of_birth: dt.date
    seen_on: dt.date
    procedures: frozenset[str] = frozenset()
    weight_kg: Decimal | None = None
    haemoglobin: Decimal | None = None
    temperature_c: Decimal | None = None
    lowest_weight_z: Decimal | None = None  # lower of weight-for-age and weight-for-length
    uri: bool | None = None
    cardiac_concern: bool | None = None
    asa: int | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    result: Result
    value: str
    threshold: str
    deferral_code: str | None = None
    message: str = ""


@dataclass(frozen=True)
class Assessment:
    findings: list[Finding] = field(default_factory=list)

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.result is Result.FAIL]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.result is Result.WARN]

    @property
    def missing(self) -> list[Finding]:
        return [f for f in self.findings if f.result is Result.MISSING]

    @property
    def suggested_deferral(self) -> str | None:
        return next((f.deferral_code for f in self.failing if f.deferral_code), None)


def whole_months(born: dt.date, on: dt.date) -> int:
    months = (on.year - born.year) * 12 + on.month - born.month
    return months - 1 if on.day < born.day else months


def assess(child: ChildFacts, limits: Thresholds) -> Assessment:
    findings: list[Finding] = []
    age_days = (child.seen_on - child.date_of_birth).days

    if child.procedures & PRIMARY_LIP:
        need = limits.lip_min_age_weeks * 7
        ok = age_days >= need
        findings.append(
            Finding(
                "lip_min_age",
                Result.PASS if ok else Result.FAIL,
                f"{age_days // 7} wk {age_days % 7} d",
                f"≥ {limits.lip_min_age_weeks} wk",
                None if ok else "UNDER_AGE",
                "" if ok else "Too young for lip repair",
            )
        )
        findings.append(_at_least("lip_min_weight", child.weight_kg, limits.lip_min_weight_kg, "kg", "UNDER_WEIGHT"))

    if child.procedures & PRIMARY_PALATE:
        months = whole_months(child.date_of_birth, child.seen_on)
        ok = months >= limits.palate_min_age_months
        findings.append(
            Finding(
                "palate_min_age",
                Result.PASS if ok else Result.FAIL,
                f"{months} mo",
                f"≥ {limits.palate_min_age_months} mo",
                None if ok else "UNDER_AGE",
                "" if ok else "Too young for palate repair",
            )
        )
        findings.append(
            _at_least("palate_min_weight", child.weight_kg, limits.palate_min_weight_kg, "kg", "UNDER_WEIGHT")
        )

    findings.append(_at_least("haemoglobin", child.haemoglobin, limits.min_haemoglobin, "g/dL", "LOW_HB"))
    findings.append(_nutrition(child.lowest_weight_z, limits))

    if child.temperature_c is None:
        findings.append(Finding("fever", Result.MISSING, "—", f"< {limits.fever_c} °C"))
    else:
        fever = child.temperature_c >= limits.fever_c
        findings.append(
            Finding(
                "fever",
                Result.FAIL if fever else Result.PASS,
                f"{child.temperature_c} °C",
                f"< {limits.fever_c} °C",
                "FEVER" if fever else None,
            )
        )

    if child.uri is None:
        findings.append(Finding("uri", Result.MISSING, "—", "none"))
    else:
        findings.append(
            Finding(
                "uri",
                Result.FAIL if child.uri else Result.PASS,
                "yes" if child.uri else "no",
                "none",
                "URI" if child.uri else None,
            )
        )

    if child.cardiac_concern:
        findings.append(Finding("cardiac", Result.WARN, "yes", "none", "CARDIAC_WORKUP", "Cardiac work-up"))

    if child.asa is None:
        findings.append(Finding("asa", Result.MISSING, "—", f"≤ {limits.max_asa_accepted}"))
    else:
        ok = child.asa <= limits.max_asa_accepted
        findings.append(
            Finding(
                "asa",
                Result.PASS if ok else Result.FAIL,
                f"ASA {child.asa}",
                f"≤ {limits.max_asa_accepted}",
                None if ok else "ASA",
                "" if ok else "Needs the anaesthesiologist's explicit acceptance",
            )
        )
    return Assessment(findings)


def _at_least(rule: str, value: Decimal | None, minimum: Decimal, unit: str, code: str) -> Finding:
    if value is None:
        return Finding(rule, Result.MISSING, "—", f"≥ {minimum} {unit}")
    ok = value >= minimum
    return Finding(
        rule, Result.PASS if ok else Result.FAIL, f"{value} {unit}", f"≥ {minimum} {unit}", None if ok else code
    )


def _nutrition(z: Decimal | None, limits: Thresholds) -> Finding:
    threshold = f"≥ {limits.nutrition_warn_z}"
    if z is None:
        return Finding("nutrition", Result.MISSING, "—", threshold)
    if z < limits.nutrition_defer_z:
        severe = z < Decimal("-3")
        return Finding(
            "nutrition",
            Result.FAIL,
            f"z {z}",
            threshold,
            "MALNUTRITION",
            "Severe malnutrition: refer to nutrition" if severe else "Malnutrition: refer to nutrition",
        )
    if z < limits.nutrition_warn_z:
        return Finding("nutrition", Result.WARN, f"z {z}", threshold, None, "Below the nutrition target")
    return Finding("nutrition", Result.PASS, f"z {z}", threshold)
