"""The operating days: a surgical case per child on the published schedule, its milestones,
the WHO checklist, the notes, complications and discharge.

Each stamp, checklist phase and note is its own row, so two nurses recording on the same
case never write over each other; the rows are audited on the child's mission."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleftmission.missions.models import Mission, OperatingTable
from cleftmission.screening.models import DeferralCode, Procedure, ScreeningVisit
from cleftmission.surgery import checklist, milestones
from cleftmission.volunteers.models import Volunteer


class SurgicalCase(models.Model):
    """An accepted child's operation at a mission: where and when it was planned (from the
    published schedule), who operates, and what happened."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNDER_WAY = "under_way", _("Under way")
        OPERATED = "operated", _("Operated")
        DISCHARGED = "discharged", _("Discharged")
        CANCELLED = "cancelled", _("Cancelled")

    visit = models.OneToOneField(
        ScreeningVisit, on_delete=models.PROTECT, related_name="surgical_case", verbose_name=_("child")
    )
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="cases", verbose_name=_("mission"))
    day = models.DateField(_("day"))
    table = models.ForeignKey(
        OperatingTable, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("table")
    )
    order = models.PositiveSmallIntegerField(_("order on the list"), default=1)
    planned_start = models.DateTimeField(_("planned start"))
    planned_minutes = models.PositiveSmallIntegerField(_("planned minutes"))
    procedures = models.ManyToManyField(Procedure, blank=True, related_name="+", verbose_name=_("procedures"))
    surgeon = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("surgeon")
    )
    anesthetist = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("anesthetist")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    cancel_code = models.CharField(_("cancelled because"), max_length=20, choices=DeferralCode.choices, blank=True)
    cancel_note = models.CharField(_("cancellation note"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    schedule_number = models.PositiveIntegerField(_("schedule version"), null=True, blank=True)

    class Meta:
        ordering = ["day", "table", "order"]
        verbose_name = _("surgical case")
        verbose_name_plural = _("surgical cases")
        indexes = [
            # the OR board: a mission's cases of one day
            models.Index(fields=["mission", "day"], name="case_mission_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.visit.patient} · {self.day:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("surgery:case", args=[self.mission_id, self.pk])

    @property
    def planned_end(self) -> dt.datetime:
        return self.planned_start + dt.timedelta(minutes=self.planned_minutes)


class Milestone(models.Model):
    """One stamp of a case's operating day, with who recorded it."""

    class Kind(models.TextChoices):
        CALLED = milestones.CALLED, milestones.LABELS[milestones.CALLED]
        HOLDING = milestones.HOLDING, milestones.LABELS[milestones.HOLDING]
        IDENTITY_CHECKED = milestones.IDENTITY_CHECKED, milestones.LABELS[milestones.IDENTITY_CHECKED]
        IN_OR = milestones.IN_OR, milestones.LABELS[milestones.IN_OR]
        ANESTHESIA_START = milestones.ANESTHESIA_START, milestones.LABELS[milestones.ANESTHESIA_START]
        INCISION = milestones.INCISION, milestones.LABELS[milestones.INCISION]
        SURGERY_END = milestones.SURGERY_END, milestones.LABELS[milestones.SURGERY_END]
        RECOVERY = milestones.RECOVERY, milestones.LABELS[milestones.RECOVERY]
        WARD = milestones.WARD, milestones.LABELS[milestones.WARD]
        DISCHARGED = milestones.DISCHARGED, milestones.LABELS[milestones.DISCHARGED]

    case = models.ForeignKey(SurgicalCase, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("milestone"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("time"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["case", "at"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="milestone_once_per_case")]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()} {self.at:%H:%M}"


class ChecklistPhase(models.Model):
    """One signed phase of the WHO Surgical Safety Checklist: every item answered."""

    class Phase(models.TextChoices):
        SIGN_IN = checklist.SIGN_IN, checklist.PHASE_LABELS[checklist.SIGN_IN]
        TIME_OUT = checklist.TIME_OUT, checklist.PHASE_LABELS[checklist.TIME_OUT]
        SIGN_OUT = checklist.SIGN_OUT, checklist.PHASE_LABELS[checklist.SIGN_OUT]

    case = models.ForeignKey(SurgicalCase, on_delete=models.CASCADE, related_name="checklist")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    answers = models.JSONField(_("answers"), default=dict)
    notes = models.JSONField(_("notes"), default=dict, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        ordering = ["case", "signed_at"]
        verbose_name = _("checklist phase")
        verbose_name_plural = _("checklist phases")
        constraints = [models.UniqueConstraint(fields=["case", "phase"], name="checklist_phase_once_per_case")]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_phase_display()}"


class OperativeNote(models.Model):
    case = models.OneToOneField(SurgicalCase, on_delete=models.CASCADE, related_name="operative_note")
    procedures = models.ManyToManyField(Procedure, related_name="+", verbose_name=_("procedures done"))
    technique = models.TextField(_("technique"), blank=True)
    surgeon = models.ForeignKey(
        Volunteer, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("surgeon")
    )
    assistant = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("assistant")
    )
    findings = models.TextField(_("findings"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("operative note")
        verbose_name_plural = _("operative notes")

    def __str__(self) -> str:
        return f"{self.case} · {_('operative note')}"


class AnesthesiaRecord(models.Model):
    class Airway(models.TextChoices):
        ETT = "ett", _("Endotracheal tube (RAE)")
        LMA = "lma", _("Laryngeal mask")
        OTHER = "other", _("Other")

    case = models.OneToOneField(SurgicalCase, on_delete=models.CASCADE, related_name="anesthesia_record")
    asa = models.PositiveSmallIntegerField(
        _("ASA class"), validators=[MinValueValidator(1), MaxValueValidator(6)], null=True, blank=True
    )
    airway = models.CharField(_("airway"), max_length=10, choices=Airway.choices, blank=True)
    difficult_intubation = models.BooleanField(_("difficult intubation"), default=False)
    agents = models.CharField(_("agents"), max_length=300, blank=True)
    events = models.TextField(_("events"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("anaesthesia record")
        verbose_name_plural = _("anaesthesia records")

    def __str__(self) -> str:
        return f"{self.case} · {_('anaesthesia record')}"


class CareNote(models.Model):
    """A recovery or ward note: one row each, never overwritten."""

    class Kind(models.TextChoices):
        RECOVERY = "recovery", _("Recovery")
        WARD = "ward", _("Ward")

    case = models.ForeignKey(SurgicalCase, on_delete=models.CASCADE, related_name="care_notes")
    kind = models.CharField(_("where"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["case", "recorded_at"]
        verbose_name = _("care note")
        verbose_name_plural = _("care notes")

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"


class Discharge(models.Model):
    case = models.OneToOneField(SurgicalCase, on_delete=models.CASCADE, related_name="discharge")
    date = models.DateField(_("discharge date"))
    instructions_vi = models.TextField(_("instructions for the family (Vietnamese)"))
    instructions_en = models.TextField(_("instructions for the family (English)"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("discharge")
        verbose_name_plural = _("discharges")

    def __str__(self) -> str:
        return f"{self.case} · {_('discharge')}"


class Complication(models.Model):
    """A complication from the ICHOM Cleft Lip and Palate Standard Set (Allori et al. 2017)."""

    class Kind(models.TextChoices):
        BLEEDING_RETURN = "bleeding_return", _("Bleeding needing return to the OR")
        BLEEDING_TRANSFUSION = "bleeding_transfusion", _("Bleeding needing transfusion")
        INFECTION_RETURN = "infection_return", _("Infection needing return to the OR")
        GRAFT_INFECTION = "graft_infection", _("Graft infection or exposure needing removal")
        DEHISCENCE = "dehiscence", _("Complete dehiscence")
        PALATAL_DEHISCENCE = "palatal_dehiscence", _("Palatal dehiscence needing return to the OR")
        FLAP_NECROSIS = "flap_necrosis", _("Palatal flap necrosis")
        FISTULA = "fistula", _("Oronasal fistula")
        RESPIRATORY_DISTRESS = "respiratory_distress", _("Respiratory distress needing ventilation")
        LOWER_RESPIRATORY_INFECTION = "lower_respiratory_infection", _("Lower respiratory infection")
        DEATH = "death", _("Death")
        OTHER = "other", _("Other")

    case = models.ForeignKey(SurgicalCase, on_delete=models.PROTECT, related_name="complications")
    kind = models.CharField(_("complication"), max_length=40, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["case", "occurred_on"]
        verbose_name = _("complication")
        verbose_name_plural = _("complications")

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"
