from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cleftmission.core.text import search_key
from cleftmission.core.validators import validate_phone
from cleftmission.missions.models import Mission


class Volunteer(models.Model):
    class Specialty(models.TextChoices):
        PLASTIC_SURGEON = "plastic_surgeon", _("Plastic surgeon")
        ANESTHESIOLOGIST = "anesthesiologist", _("Anesthesiologist")
        PEDIATRICIAN = "pediatrician", _("Pediatrician")
        DENTIST = "dentist", _("Dentist")
        SPEECH_PATHOLOGIST = "speech_pathologist", _("Speech pathologist")
        NURSE = "nurse", _("Nurse")
        CHILD_LIFE = "child_life", _("Child life specialist")
        BIOMEDICAL = "biomedical", _("Biomedical technician")
        INTERPRETER = "interpreter", _("Interpreter")
        COORDINATOR = "coordinator", _("Coordinator")
        STUDENT = "student", _("Student")
        STUDENT_SPONSOR = "student_sponsor", _("Student sponsor")

    class Origin(models.TextChoices):
        IN_COUNTRY = "in_country", _("In-country")
        REGIONAL = "regional", _("Regional")
        INTERNATIONAL = "international", _("International")

    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100)
    specialty = models.CharField(_("specialty"), max_length=30, choices=Specialty.choices)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    country = models.CharField(_("country"), max_length=100, blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True, help_text=_("For example: vi, en"))
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
        verbose_name=_("login"),
    )
    search_name = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        ordering = ["search_name", "id"]  # "Đỗ" sorts with D, as Vietnamese readers expect
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("volunteers:detail", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = search_key(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)


class CredentialQuerySet(models.QuerySet["Credential"]):
    def valid_on(self, day: dt.date) -> CredentialQuerySet:
        return self.filter(models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day)).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )

    def expired(self, today: dt.date) -> CredentialQuerySet:
        return self.filter(valid_to__lt=today)

    def expiring_within(self, today: dt.date, days: int) -> CredentialQuerySet:
        return self.filter(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=days))


class Credential(models.Model):
    class Kind(models.TextChoices):
        LICENCE = "licence", _("Medical licence")
        SPECIALTY_DIPLOMA = "specialty_diploma", _("Specialty diploma")
        BOARD_CERTIFICATION = "board_certification", _("Board certification")
        BLS = "bls", _("BLS")
        PALS = "pals", _("PALS")
        ACLS = "acls", _("ACLS")
        NURSING_LICENCE = "nursing_licence", _("Nursing licence")
        PASSPORT = "passport", _("Passport")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        EXPIRING = "expiring", _("expires within 60 days")
        ENDS_DURING_MISSION = "ends_during_mission", _("expires before the mission ends")
        EXPIRED = "expired", _("expired")
        NOT_YET_VALID = "not_yet_valid", _("not yet valid")

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="credentials", verbose_name=_("volunteer")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Leave empty if it never expires"))

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["volunteer", "kind", "-valid_to"]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="credential_ends_after_start",
            )
        ]
        indexes = [
            # expiry reminders and the dashboard's "expiring soon" list
            models.Index(fields=["valid_to"], name="credential_valid_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.volunteer}"

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("A credential cannot end before it starts.")})

    def status(self, today: dt.date, mission: Mission | None = None) -> Credential.Status:
        """Where this credential stands today, and against a mission's dates when given."""
        if self.valid_to is not None and self.valid_to < today:
            return self.Status.EXPIRED
        if mission is None and self.valid_from is not None and self.valid_from > today:
            return self.Status.NOT_YET_VALID
        if mission is not None:
            if self.valid_from is not None and self.valid_from > mission.start_date:
                return self.Status.NOT_YET_VALID
            if self.valid_to is not None and self.valid_to < mission.end_date:
                return self.Status.ENDS_DURING_MISSION
            if self.valid_to is not None and self.valid_to <= mission.end_date + dt.timedelta(
                days=settings.CREDENTIAL_WARNING_DAYS
            ):
                return self.Status.EXPIRING
        if self.valid_to is not None and self.valid_to <= today + dt.timedelta(days=settings.CREDENTIAL_WARNING_DAYS):
            return self.Status.EXPIRING
        return self.Status.VALID


class MissionMember(models.Model):
    """A volunteer on a mission's team."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="members", verbose_name=_("mission"))
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("volunteer")
    )
    role = models.CharField(_("role on this mission"), max_length=30, choices=Volunteer.Specialty.choices)

    class Meta:
        ordering = ["mission", "role"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["mission", "volunteer"], name="member_once_per_mission"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.mission}"
