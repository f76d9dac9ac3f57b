from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
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
    prior_missions = models.PositiveSmallIntegerField(
        _("missions before joining this registry"),
        default=0,
        validators=[MaxValueValidator(200)],
        help_text=_("Missions served with the programme before their record was kept here"),
    )
    # For surgeons: the operations they do; none chosen means any (the scheduler reads it).
    procedures = models.ManyToManyField(
        "screening.Procedure",
        blank=True,
        related_name="+",
        verbose_name=_("operations they perform"),
        help_text=_("For surgeons. None chosen: any operation."),
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


def credential_document_path(credential: Credential, filename: str) -> str:
    """Documents are kept under a random name: the file name a volunteer chose (often their
    own name and licence number) never reaches the disk or a URL."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"credentials/{credential.volunteer_id}/{uuid.uuid4().hex}{suffix}"


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

    class Verification(models.TextChoices):
        PENDING = "pending", _("waiting for verification")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="credentials", verbose_name=_("volunteer")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Leave empty if it never expires"))
    # A scan of the certificate (PDF or image). Served only through a view that checks who
    # asks (the volunteer themself or a coordinator); there is no public media URL.
    document = models.FileField(_("document"), upload_to=credential_document_path, blank=True)
    verification = models.CharField(
        _("verification"), max_length=20, choices=Verification.choices, default=Verification.PENDING
    )
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified on"), null=True, blank=True)

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
            # the coordinators' queue of documents waiting for verification
            models.Index(fields=["verification"], name="credential_verification_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.volunteer}"

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("A credential cannot end before it starts.")})
        if self.verification == self.Verification.REJECTED and not self.rejection_reason.strip():
            raise ValidationError({"rejection_reason": _("Say why the document is rejected.")})

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


class MissionRole(models.TextChoices):
    """A volunteer's role on one mission's team. Nurses are one specialty but three roles:
    the staffing template counts operating-room, recovery and ward nurses apart."""

    PLASTIC_SURGEON = "plastic_surgeon", _("Plastic surgeon")
    ANESTHESIOLOGIST = "anesthesiologist", _("Anesthesiologist")
    PEDIATRICIAN = "pediatrician", _("Pediatrician")
    DENTIST = "dentist", _("Dentist")
    SPEECH_PATHOLOGIST = "speech_pathologist", _("Speech pathologist")
    OR_NURSE = "or_nurse", _("Operating-room nurse")
    RECOVERY_NURSE = "recovery_nurse", _("Recovery nurse")
    WARD_NURSE = "ward_nurse", _("Ward nurse")
    CHILD_LIFE = "child_life", _("Child life specialist")
    BIOMEDICAL = "biomedical", _("Biomedical technician")
    INTERPRETER = "interpreter", _("Interpreter")
    COORDINATOR = "coordinator", _("Coordinator")
    STUDENT = "student", _("Student")
    STUDENT_SPONSOR = "student_sponsor", _("Student sponsor")


_ROLE_RANK = {role: i for i, role in enumerate(MissionRole.values)}


def role_rank(role: str) -> int:
    """Where a role comes in the staffing template's order (surgeons first); unknown ones last."""
    return _ROLE_RANK.get(role, len(_ROLE_RANK))


# The specialty a volunteer must have to take a role.
ROLE_SPECIALTY: dict[str, str] = {
    **{role.value: role.value for role in MissionRole if role.value in Volunteer.Specialty.values},
    MissionRole.OR_NURSE.value: Volunteer.Specialty.NURSE.value,
    MissionRole.RECOVERY_NURSE.value: Volunteer.Specialty.NURSE.value,
    MissionRole.WARD_NURSE.value: Volunteer.Specialty.NURSE.value,
}


# The role a volunteer of a specialty takes unless the coordinator says otherwise.
SPECIALTY_ROLE: dict[str, str] = {
    **{specialty: specialty for specialty in Volunteer.Specialty.values if specialty in MissionRole.values},
    Volunteer.Specialty.NURSE.value: MissionRole.OR_NURSE.value,
}


def mission_days(mission: Mission) -> list[dt.date]:
    return [mission.start_date + dt.timedelta(days=i) for i in range(mission.days)]


def every_day(mission: Mission) -> list[str]:
    """The value of `days` for a member present throughout the mission."""
    return [day.isoformat() for day in mission_days(mission)]


class MissionMember(models.Model):
    """A volunteer on a mission's team, with the days they are present. The operating
    schedule reads the surgeons' and anaesthesiologists' days from here."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="members", verbose_name=_("mission"))
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("volunteer")
    )
    role = models.CharField(_("role on this mission"), max_length=30, choices=MissionRole.choices)
    # ISO dates ("2026-12-07"), sorted, each within the mission's dates: a mission lasts at
    # most 60 days, and the team page and the scheduler read a member's days together.
    days = models.JSONField(_("days present"), default=list, blank=True)

    class Meta:
        ordering = ["mission", "role"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["mission", "volunteer"], name="member_once_per_mission"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.mission}"

    @property
    def present_days(self) -> list[dt.date]:
        return sorted(dt.date.fromisoformat(day) for day in self.days)

    def is_present(self, day: dt.date) -> bool:
        return day.isoformat() in self.days

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        mission = self.mission if self.mission_id else None
        if mission is not None:
            allowed = {day.isoformat() for day in mission_days(mission)}
            if not self.days:
                errors["days"] = _("Choose at least one day present.")
            elif not isinstance(self.days, list) or any(day not in allowed for day in self.days):
                errors["days"] = _("Days present must be within the mission's dates.")
            else:
                self.days = sorted(set(self.days))
            if (
                self.volunteer_id
                and MissionMember.objects.filter(mission=mission, volunteer_id=self.volunteer_id)
                .exclude(pk=self.pk)
                .exists()
            ):
                errors["volunteer"] = _("This volunteer is already on the team.")
        if errors:
            raise ValidationError(errors)


class Unavailability(models.Model):
    """Dates a volunteer has said they cannot serve; a proposed team leaves them out."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="unavailable", verbose_name=_("volunteer")
    )
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["volunteer", "first_day"]
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailabilities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="unavailability_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.first_day}–{self.last_day}"

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("The last day cannot be before the first day.")})


class RequiredCredential(models.Model):
    """A credential every volunteer of a specialty must hold, valid for the whole mission.
    Data a coordinator edits (seeded from the programme's medical volunteer process)."""

    specialty = models.CharField(_("specialty"), max_length=30, choices=Volunteer.Specialty.choices)
    kind = models.CharField(_("credential"), max_length=30, choices=Credential.Kind.choices)

    class Meta:
        ordering = ["specialty", "kind"]
        verbose_name = _("required credential")
        verbose_name_plural = _("required credentials")
        constraints = [models.UniqueConstraint(fields=["specialty", "kind"], name="required_credential_once")]

    def __str__(self) -> str:
        return f"{self.get_specialty_display()} · {self.get_kind_display()}"


class StaffingNeed(models.Model):
    """One line of a staffing template: how many of a role a kind of mission needs, per
    operating table and in all (needed = per_table × tables per day + fixed)."""

    mission_kind = models.CharField(_("kind of mission"), max_length=20, choices=Mission.Kind.choices)
    role = models.CharField(_("role"), max_length=30, choices=MissionRole.choices)
    per_table = models.PositiveSmallIntegerField(
        _("per operating table"), default=0, validators=[MaxValueValidator(20)]
    )
    fixed = models.PositiveSmallIntegerField(_("in addition"), default=0, validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["mission_kind", "role"]
        verbose_name = _("staffing need")
        verbose_name_plural = _("staffing template")
        constraints = [models.UniqueConstraint(fields=["mission_kind", "role"], name="staffing_need_once")]

    def __str__(self) -> str:
        return f"{self.get_mission_kind_display()} · {self.get_role_display()}"

    def needed(self, tables_per_day: int) -> int:
        return self.per_table * tables_per_day + self.fixed


class TeamProposal(models.Model):
    """A member the "propose a team" solver suggested; the coordinator accepts (it becomes a
    MissionMember), edits, or rejects it (a rejected volunteer is not proposed again)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="team_proposals", verbose_name=_("mission")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="team_proposals", verbose_name=_("volunteer")
    )
    role = models.CharField(_("role on this mission"), max_length=30, choices=MissionRole.choices)
    days = models.JSONField(_("days present"), default=list, blank=True)
    reasons = models.JSONField(_("why proposed"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    proposed_at = models.DateTimeField(_("proposed on"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)

    class Meta:
        ordering = ["mission", "role", "id"]
        verbose_name = _("team proposal")
        verbose_name_plural = _("team proposals")
        constraints = [models.UniqueConstraint(fields=["mission", "volunteer"], name="proposal_once_per_mission")]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.get_role_display()} · {self.mission}"
