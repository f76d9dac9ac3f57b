"""After the operation: follow-up visits planned at discharge (one week, three months, one
year), what was found at each, and the children overdue. Recall for the next mission is
computed (followup/recall.py), not stored."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleftmission.surgery.models import SurgicalCase


class FollowUpVisit(models.Model):
    class Kind(models.TextChoices):
        ONE_WEEK = "1w", _("One week")
        THREE_MONTHS = "3m", _("Three months")
        ONE_YEAR = "1y", _("One year")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SEEN = "seen", _("Seen")
        MISSED = "missed", _("Missed")

    class Intelligibility(models.TextChoices):
        NORMAL = "normal", _("Normal")
        MILD = "mild", _("Mildly reduced")
        MODERATE = "moderate", _("Moderately reduced")
        SEVERE = "severe", _("Severely reduced")

    case = models.ForeignKey(
        SurgicalCase, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("operation")
    )
    kind = models.CharField(_("visit"), max_length=10, choices=Kind.choices)
    due_date = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    seen_on = models.DateField(_("seen on"), null=True, blank=True)
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.5), MaxValueValidator(150)],
    )
    wound_healed = models.BooleanField(_("wound healed"), null=True, blank=True)
    fistula = models.BooleanField(_("oronasal fistula"), null=True, blank=True)
    velopharyngeal_competence = models.PositiveSmallIntegerField(
        _("velopharyngeal competence (0–2)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(2)],
        help_text=_("0 competent, 1 marginal, 2 incompetent"),
    )
    consonants_correct_pct = models.PositiveSmallIntegerField(
        _("percentage of consonants correct"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    intelligibility = models.CharField(_("intelligibility"), max_length=10, choices=Intelligibility.choices, blank=True)
    photos_taken = models.BooleanField(_("standard photographs taken"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        constraints = [models.UniqueConstraint(fields=["case", "kind", "due_date"], name="follow_up_once")]
        indexes = [
            # the overdue list: planned visits due before today
            models.Index(fields=["status", "due_date"], name="follow_up_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()} {self.due_date:%d/%m/%Y}"
