from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleftmission.missions.models import Mission
from cleftmission.patients.models import Patient


class ScreeningVisit(models.Model):
    """A child seen at a mission: the thread of the child's history across missions.

    Station evaluations and decisions hang off this record (screening issue)."""

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

    class Meta:
        ordering = ["mission", "queue_number"]
        verbose_name = _("screening visit")
        verbose_name_plural = _("screening visits")
        constraints = [
            models.UniqueConstraint(fields=["patient", "mission"], name="visit_once_per_mission"),
            models.UniqueConstraint(fields=["mission", "queue_number"], name="queue_number_unique_per_mission"),
        ]

    def __str__(self) -> str:
        return f"{self.mission} #{self.queue_number} {self.patient}"
