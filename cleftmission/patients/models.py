from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleftmission.core.text import digits, search_key
from cleftmission.core.validators import validate_phone
from cleftmission.patients import lahshal as lahshal_code

MAX_AGE_YEARS = 25


# The pure LAHSHAL module explains in English; these say the same in the user's language.
LAHSHAL_REASONS = {
    "length": _("A LAHSHAL code has 7 positions, not %(length)s."),
    "position": _("Position %(position)s must be %(upper)s, %(lower)s or “.”, not “%(found)s”."),
    "no_cleft": _("A LAHSHAL code must record at least one cleft."),
}


def validate_lahshal(value: str) -> None:
    try:
        lahshal_code.validate(value)
    except lahshal_code.LahshalError as exc:
        template = LAHSHAL_REASONS.get(exc.reason)
        reason = str(template) % exc.params if template is not None else str(exc)
        raise ValidationError(
            _("“%(value)s” is not a LAHSHAL code: %(reason)s"), params={"value": value, "reason": reason}
        ) from exc


def validate_date_of_birth(value: dt.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("The date of birth cannot be in the future."))
    try:
        earliest = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        earliest = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if value < earliest:
        raise ValidationError(
            _("The date of birth cannot be more than %(years)s years ago."), params={"years": MAX_AGE_YEARS}
        )


class Patient(models.Model):
    """A child with a cleft, known across missions."""

    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    record_number = models.CharField(_("record number"), max_length=20, unique=True, editable=False)
    family_name = models.CharField(_("family name"), max_length=60)
    middle_name = models.CharField(_("middle name"), max_length=60, blank=True)
    given_name = models.CharField(_("given name"), max_length=60)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"), validators=[validate_date_of_birth])
    province = models.CharField(_("province"), max_length=60)
    district = models.CharField(_("district / ward"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    lahshal = models.CharField(
        _("diagnosis (LAHSHAL)"),
        max_length=7,
        blank=True,
        validators=[validate_lahshal],
        help_text=_(
            "Seven positions from the child's right: L A H S H A L; capital complete, small incomplete, '.' none."
        ),
    )
    diagnosis_notes = models.TextField(_("diagnosis notes"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        db_index=False,  # see the partial index in Meta
        related_name="merged_records",
        verbose_name=_("merged into"),
    )
    search_name = models.CharField(max_length=200, editable=False)
    created_at = models.DateTimeField(_("registered"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    IDENTITY_FIELDS = [
        "family_name",
        "middle_name",
        "given_name",
        "sex",
        "date_of_birth",
        "province",
        "district",
        "address",
    ]
    CONTACT_FIELDS = ["address"]
    CLINICAL_FIELDS = ["lahshal", "diagnosis_notes"]

    class Meta:
        ordering = ["search_name", "id"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        indexes = [
            # search by name (prefix) and the children list ordered by name
            models.Index(fields=["search_name", "id"], name="patient_search_idx"),
            # duplicate finding by date of birth (screening intake)
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
            # "records merged into this one": partial, because a full index on a column that is
            # almost always NULL lures SQLite into using it for "merged_into IS NULL" and then
            # sorting the whole registry (bench/scale.py)
            models.Index(
                fields=["merged_into"], condition=models.Q(merged_into__isnull=False), name="patient_merged_into_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)

    @property
    def diagnosis(self) -> lahshal_code.Diagnosis | None:
        if not self.lahshal:
            return None
        try:
            return lahshal_code.parse(self.lahshal)
        except lahshal_code.LahshalError:
            return None

    @property
    def veau(self) -> str | None:
        d = self.diagnosis
        return d.veau if d else None

    def age_on(self, day: dt.date) -> tuple[int, int]:
        """Years and months of age on a day."""
        months = (day.year - self.date_of_birth.year) * 12 + day.month - self.date_of_birth.month
        if day.day < self.date_of_birth.day:
            months -= 1
        return months // 12, months % 12

    def get_absolute_url(self) -> str:
        return reverse("patients:detail", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = search_key(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_name", "updated_at"}
        super().save(*args, **kwargs)


class Guardian(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GRANDPARENT = "grandparent", _("Grandparent")
        SIBLING = "sibling", _("Sibling")
        OTHER = "other", _("Other")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("child"))
    name = models.CharField(_("guardian's name"), max_length=120)
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    phone_digits = models.CharField(max_length=20, editable=False, blank=True)

    class Meta:
        ordering = ["patient", "id"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        indexes = [
            # search by guardian phone
            models.Index(fields=["phone_digits"], name="guardian_phone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_digits = digits(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "phone_digits"}
        super().save(*args, **kwargs)


class PatientMerge(models.Model):
    """Two records of the same child made one. The duplicate is kept (marked merged) and what
    moved is listed, so a coordinator can undo the merge exactly."""

    kept = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="merges_kept", verbose_name=_("kept"))
    merged = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="merges_merged", verbose_name=_("merged")
    )
    # {"visits": [ids], "guardians": [ids], "fields": {name: [kept's old value, new value]}}
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("merge of records")
        verbose_name_plural = _("merges of records")

    def __str__(self) -> str:
        return f"{self.merged} → {self.kept}"
