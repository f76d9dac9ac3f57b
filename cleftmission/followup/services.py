"""Writes of follow-up: a visit's outcome (seen with its findings, or missed) and a visit
planned by hand. Views and the API call these; every write is audited on the child's mission
and refused, naming the field, when it breaks a rule. A visit carries a version: an outcome
is saved only over the version its author read, so two people recording the same visit never
lose each other's entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cleftmission.core.services import save_audited
from cleftmission.followup.models import FollowUpVisit
from cleftmission.surgery.models import SurgicalCase

# The findings a seen visit records (ICHOM outcomes), in the order forms show them.
FINDINGS = (
    "weight_kg",
    "wound_healed",
    "fistula",
    "velopharyngeal_competence",
    "consonants_correct_pct",
    "intelligibility",
    "photos_taken",
)
OUTCOME_FIELDS = ("status", "seen_on", *FINDINGS, "notes")
RECORDED = (FollowUpVisit.Status.SEEN, FollowUpVisit.Status.MISSED)
WEIGHT_KG = (Decimal("0.5"), Decimal("150"))
# Cases that were operated: the ones a follow-up visit can belong to.
OPERATED = (SurgicalCase.Status.OPERATED, SurgicalCase.Status.DISCHARGED)
# How far ahead a visit may be planned: past the bone graft age of a baby operated today.
PLAN_AHEAD_YEARS = 15


class ConflictError(Exception):
    """Someone else saved this visit after it was read. Nothing was overwritten; `current` is
    the visit as stored now, so the second person can compare and save again."""

    def __init__(self, current: FollowUpVisit) -> None:
        super().__init__(_("Someone else saved this record while you were editing it."))
        self.current = current


def _user(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def _as_decimal(value: Any, field: str, errors: dict[str, str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter a number.")
        return None
    if not number.is_finite():
        errors[field] = _("Enter a number.")
        return None
    return number


def _as_int(value: Any, field: str, errors: dict[str, str]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors[field] = _("Enter a whole number.")
        return None
    try:
        return int(value)
    except ValueError:
        errors[field] = _("Enter a whole number.")
        return None


def _check(visit: FollowUpVisit, case: SurgicalCase, today: dt.date) -> dict[str, str]:
    """What is wrong with the visit as it would be saved, field → message."""
    errors: dict[str, str] = {}
    if visit.status not in FollowUpVisit.Status.values:
        errors["status"] = _("Choose seen or missed.")
        return errors
    if visit.status == FollowUpVisit.Status.SEEN:
        if visit.seen_on is None:
            errors["seen_on"] = _("Give the date the child was seen.")
        elif visit.seen_on > today:
            errors["seen_on"] = _("The date is in the future.")
        elif visit.seen_on < case.day:
            errors["seen_on"] = _("The date is before the operation.")
    elif visit.seen_on is not None:
        errors["seen_on"] = _("Only a visit where the child was seen has a date seen.")
    if visit.status != FollowUpVisit.Status.SEEN:
        for name in FINDINGS:
            value = getattr(visit, name)
            if value not in (None, "", False):
                errors[name] = _("Only a visit where the child was seen records findings; clear this field.")
    weight = visit.weight_kg
    if weight is not None and not WEIGHT_KG[0] <= weight <= WEIGHT_KG[1]:
        errors["weight_kg"] = _("The weight must be between %(low)s and %(high)s kg.") % {
            "low": WEIGHT_KG[0],
            "high": WEIGHT_KG[1],
        }
    elif weight is not None and weight != weight.quantize(Decimal("0.01")):
        errors["weight_kg"] = _("Give the weight to two decimals at most.")
    vpc = visit.velopharyngeal_competence
    if vpc is not None and vpc not in (0, 1, 2):
        errors["velopharyngeal_competence"] = _(
            "Velopharyngeal competence is scored 0 (competent), 1 (marginal) or 2 (incompetent)."
        )
    pcc = visit.consonants_correct_pct
    if pcc is not None and not 0 <= pcc <= 100:
        errors["consonants_correct_pct"] = _("A percentage is between 0 and 100.")
    if visit.intelligibility and visit.intelligibility not in FollowUpVisit.Intelligibility.values:
        errors["intelligibility"] = _("Choose one of the listed levels.")
    return errors


def record_outcome(
    *, visit: FollowUpVisit, changes: dict[str, Any], expected_version: int, acting_user: Any
) -> FollowUpVisit:
    """Record what happened at a follow-up visit: `changes` holds the fields to set (status
    seen or missed, seen_on, the findings, notes); the others keep their stored values.
    A planned visit given a date seen becomes seen. Raises ConflictError when the visit's
    version is no longer `expected_version`, ValidationError naming each field at fault."""
    unknown = set(changes) - set(OUTCOME_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    errors: dict[str, str] = {}
    values = dict(changes)
    if "weight_kg" in values:
        values["weight_kg"] = _as_decimal(values["weight_kg"], "weight_kg", errors)
    for name in ("velopharyngeal_competence", "consonants_correct_pct"):
        if name in values:
            values[name] = _as_int(values[name], name, errors)
    for name in ("notes", "intelligibility"):
        if name in values:
            values[name] = (values[name] or "").strip()
    if "photos_taken" in values:
        values["photos_taken"] = bool(values["photos_taken"])
    if "seen_on" in values and values["seen_on"] is not None and not isinstance(values["seen_on"], dt.date):
        errors["seen_on"] = _("Enter a valid date.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One writer per visit at a time: the second of two waits here, then finds the new version.
        locked = FollowUpVisit.objects.select_for_update().select_related("case__mission").get(pk=visit.pk)
        if locked.version != expected_version:
            raise ConflictError(locked)
        for name, value in values.items():
            setattr(locked, name, value)
        if locked.status == FollowUpVisit.Status.PLANNED and locked.seen_on is not None:
            locked.status = FollowUpVisit.Status.SEEN
        if locked.status == FollowUpVisit.Status.PLANNED:
            raise ValidationError({"status": _("Choose seen or missed.")})
        problems = _check(locked, locked.case, timezone.localdate())
        if problems:
            raise ValidationError(problems)
        locked.recorded_by, locked.recorded_at = _user(acting_user), timezone.now()
        locked.version += 1
        save_audited(instance=locked, acting_user=acting_user, target=locked.case.mission)
    return locked


def plan_visit(*, case: SurgicalCase, kind: str, due_date: dt.date, notes: str = "", acting_user: Any) -> FollowUpVisit:
    """Plan a follow-up visit by hand (an extra check of a fistula, a speech assessment…) for
    an operated child; refused on a case not operated, a due date before the operation or
    too far ahead, or a visit of the same kind already planned that day."""
    if kind not in FollowUpVisit.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of visit.")})
    if not isinstance(due_date, dt.date):
        raise ValidationError({"due_date": _("Enter a valid date.")})
    if case.status not in OPERATED:
        raise ValidationError({"case": _("Follow-up visits are planned for operated children only.")})
    if due_date < case.day:
        raise ValidationError({"due_date": _("The date is before the operation.")})
    limit = timezone.localdate() + dt.timedelta(days=365 * PLAN_AHEAD_YEARS)
    if due_date > limit:
        raise ValidationError(
            {"due_date": _("Plan a visit at most %(years)s years ahead.") % {"years": PLAN_AHEAD_YEARS}}
        )
    with transaction.atomic():
        # The case is locked so two people planning the same visit at once make one visit.
        SurgicalCase.objects.select_for_update().filter(pk=case.pk).order_by().values_list("pk").first()
        if FollowUpVisit.objects.filter(case=case, kind=kind, due_date=due_date).exists():
            raise ValidationError({"due_date": _("A visit of this kind is already planned on this date.")})
        visit = FollowUpVisit(case=case, kind=kind, due_date=due_date, notes=notes.strip())
        return save_audited(instance=visit, acting_user=acting_user, target=case.mission)
