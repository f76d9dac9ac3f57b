from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleftmission.missions.models import Mission
from cleftmission.patients.models import Patient


class Station(models.TextChoices):
    """The screening stations a child passes after registration, in their usual order."""

    VITALS = "vitals", _("Vitals and nutrition")
    PEDIATRIC = "pediatric", _("Pediatrics")
    ANESTHESIA = "anesthesia", _("Anesthesia")
    SURGICAL = "surgical", _("Surgery")
    DENTAL = "dental", _("Dental")
    SPEECH = "speech", _("Speech")
    PHOTOS = "photos", _("Photos")


class DeferralCode(models.TextChoices):
    URI = "URI", _("Respiratory infection")
    FEVER = "FEVER", _("Fever")
    LOW_HB = "LOW_HB", _("Low haemoglobin")
    MALNUTRITION = "MALNUTRITION", _("Malnutrition")
    UNDER_AGE = "UNDER_AGE", _("Under age")
    UNDER_WEIGHT = "UNDER_WEIGHT", _("Under weight")
    CARDIAC_WORKUP = "CARDIAC_WORKUP", _("Cardiac work-up")
    ASA = "ASA", _("ASA class")
    NO_CONSENT = "NO_CONSENT", _("No consent")
    NO_CAPACITY = "NO_CAPACITY", _("Fit but not scheduled")
    NO_SHOW = "NO_SHOW", _("Did not come")
    OTHER = "OTHER", _("Other")


class Referral(models.TextChoices):
    NUTRITION = "nutrition", _("Nutrition programme")
    CARDIOLOGY = "cardiology", _("Cardiology")
    ENT = "ent", _("ENT")
    SPEECH_THERAPY = "speech_therapy", _("Speech therapy")
    ORTHODONTICS = "orthodontics", _("Orthodontics")
    OTHER = "other", _("Other")


class Procedure(models.Model):
    """The catalog of operations with their planning minutes (DOMAIN.md; calibrated later
    from recorded times)."""

    class Kind(models.TextChoices):
        PRIMARY_LIP = "primary_lip", _("Primary lip repair")
        PRIMARY_PALATE = "primary_palate", _("Primary palate repair")
        SECONDARY = "secondary", _("Secondary procedure")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_en = models.CharField(_("name in English"), max_length=100)
    name_vi = models.CharField(_("name in Vietnamese"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    planning_minutes = models.PositiveSmallIntegerField(
        _("planning minutes"), validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_vi if (get_language() or "").startswith("vi") else self.name_en


class ScreeningVisit(models.Model):
    """A child seen at a mission: the thread of the child's history across missions."""

    class Outcome(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ACCEPTED = "accepted", _("Accepted for surgery")
        DEFERRED = "deferred", _("Deferred")
        REFERRED = "referred", _("Referred")
        OPERATED = "operated", _("Operated")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visits", verbose_name=_("child"))
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="visits", verbose_name=_("mission"))
    queue_number = models.PositiveIntegerField(_("queue number"))
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.REGISTERED)
    procedure = models.CharField(_("procedure"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["mission", "queue_number"]
        verbose_name = _("screening visit")
        verbose_name_plural = _("screening visits")
        constraints = [
            models.UniqueConstraint(fields=["patient", "mission"], name="visit_once_per_mission"),
            models.UniqueConstraint(fields=["mission", "queue_number"], name="queue_number_unique_per_mission"),
        ]
        indexes = [
            # the screening board: a mission's children by outcome
            models.Index(fields=["mission", "outcome"], name="visit_mission_outcome_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mission} #{self.queue_number} {self.patient}"

    def get_absolute_url(self) -> str:
        return reverse("screening:visit", args=[self.mission_id, self.pk])


class StationEvaluation(models.Model):
    """One station's evaluation of a child on a visit. One row per station, so two stations
    saving at once never touch each other's data; `version` catches two people editing the
    same station's record."""

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        SENT_BACK = "sent_back", _("Sent back")

    visit = models.ForeignKey(ScreeningVisit, on_delete=models.CASCADE, related_name="evaluations")
    station = models.CharField(_("station"), max_length=20, choices=Station.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DONE)
    data = models.JSONField(_("findings"), default=dict)
    note = models.TextField(_("note"), blank=True)
    sent_back_reason = models.CharField(_("sent back because"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["visit", "station"]
        verbose_name = _("station evaluation")
        verbose_name_plural = _("station evaluations")
        constraints = [models.UniqueConstraint(fields=["visit", "station"], name="one_evaluation_per_station")]

    def __str__(self) -> str:
        return f"{self.visit} · {self.get_station_display()}"


class Decision(models.Model):
    """The surgeon's and anaesthesiologist's decision for a child on a visit."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted for surgery")
        DEFERRED = "deferred", _("Deferred")
        REFERRED = "referred", _("Referred")

    visit = models.OneToOneField(ScreeningVisit, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices)
    procedures = models.ManyToManyField(Procedure, blank=True, verbose_name=_("procedures"))
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), null=True, blank=True, validators=[MinValueValidator(5), MaxValueValidator(900)]
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 most urgent, 5 least"),
    )
    deferral_code = models.CharField(_("deferral reason"), max_length=20, choices=DeferralCode.choices, blank=True)
    deferral_note = models.CharField(_("deferral note"), max_length=300, blank=True)
    rescreen_date = models.DateField(_("re-screen date"), null=True, blank=True)
    referral = models.CharField(_("referral"), max_length=20, choices=Referral.choices, blank=True)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    override_reason = models.TextField(_("reason for accepting against a failing rule"), blank=True)
    failing_rules = models.JSONField(_("failing rules at decision"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            # "due for re-screen" on the planning page of later missions
            models.Index(fields=["outcome", "rescreen_date"], name="decision_rescreen_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.visit} · {self.get_outcome_display()}"


def photo_path(instance: Photo, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"photos/{instance.visit.mission_id}/{instance.visit_id}-{timezone.now():%Y%m%d%H%M%S%f}.{ext}"


class Photo(models.Model):
    """A clinical photograph, taken with the guardian's recorded consent. Served only through
    a view that checks role and mission, never from a public media URL."""

    class View(models.TextChoices):
        FRONTAL = "frontal", _("Frontal")
        LATERAL = "lateral", _("Lateral")
        BASAL = "basal", _("Basal (nose)")
        INTRAORAL = "intraoral", _("Intra-oral")
        OTHER = "other", _("Other")

    visit = models.ForeignKey(ScreeningVisit, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_path, blank=True)
    view = models.CharField(_("view"), max_length=20, choices=View.choices, default=View.FRONTAL)
    consent_by = models.CharField(_("consent given by"), max_length=120)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["visit", "uploaded_at"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.visit} · {self.get_view_display()}"


# Quantities that bad input must never reach (a weight of 300 kg, Hb 40, 60 °C).
VITAL_LIMITS: dict[str, tuple[Decimal, Decimal]] = {
    "weight_kg": (Decimal("0.5"), Decimal("150")),
    "length_cm": (Decimal("30"), Decimal("220")),
    "temperature_c": (Decimal("30"), Decimal("43")),
    "spo2": (Decimal("50"), Decimal("100")),
    "haemoglobin": (Decimal("3"), Decimal("25")),
}

RESCREEN_DEFAULT = dt.timedelta(days=90)
