"""A mission's operating schedules: each build or repair is a new version; one is published
(what the OR doors show), at most one is a draft the coordinator is looking at.

A schedule keeps the problem it solved (the solver's JSON, `solver/`) and one row per
accepted child: where and when the child is operated, or why not. The rows are what the
board, the day lists and the API read; the problem is what a repair starts from."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleftmission.missions.models import Mission, OperatingTable
from cleftmission.screening.models import DeferralCode, ScreeningVisit
from cleftmission.volunteers.models import Volunteer


class Schedule(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        REPLACED = "replaced", _("Replaced")

    class Kind(models.TextChoices):
        BUILT = "built", _("Built")
        REPAIRED = "repaired", _("Repaired")
        EDITED = "edited", _("Edited by hand")

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="schedules", verbose_name=_("mission"))
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    kind = models.CharField(_("how it was made"), max_length=20, choices=Kind.choices, default=Kind.BUILT)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("based on")
    )
    # ISO dates of the operating days: the problem's day 0, 1, … in order.
    days = models.JSONField(_("operating days"), default=list)
    problem = models.JSONField(_("problem solved"), default=dict)
    events = models.JSONField(_("events repaired"), default=list, blank=True)
    solver_status = models.CharField(_("solver status"), max_length=20, blank=True)
    objective = models.IntegerField(_("objective"), null=True, blank=True)
    bound = models.IntegerField(_("lower bound"), null=True, blank=True)
    cost = models.JSONField(_("cost"), default=dict, blank=True)
    changes = models.PositiveIntegerField(_("cases moved"), default=0)
    seconds = models.FloatField(_("seconds to solve"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("made by")
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["mission", "-number"]
        verbose_name = _("operating schedule")
        verbose_name_plural = _("operating schedules")
        constraints = [
            models.UniqueConstraint(fields=["mission", "number"], name="schedule_number_unique_per_mission"),
            models.UniqueConstraint(
                fields=["mission"], condition=models.Q(status="published"), name="one_published_schedule_per_mission"
            ),
            models.UniqueConstraint(
                fields=["mission"], condition=models.Q(status="draft"), name="one_draft_schedule_per_mission"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mission} · {_('schedule')} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("scheduling:board", args=[self.mission_id]) + f"?version={self.number}"

    @property
    def operating_days(self) -> list[dt.date]:
        return [dt.date.fromisoformat(day) for day in self.days]

    @property
    def gap_pct(self) -> float | None:
        """How far the objective is above the proven lower bound, in percent of the objective."""
        if self.objective is None or self.bound is None:
            return None
        if self.objective <= 0:
            return 0.0
        return max(0.0, 100.0 * (self.objective - self.bound) / self.objective)


class ScheduledCase(models.Model):
    """An accepted child in one version of the schedule: operated on a day, at a table, from
    `start` to `end` minutes after the operating day's start, or left unoperated with the
    reason, or cancelled by the coordinator with a reason code."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="cases")
    visit = models.ForeignKey(ScreeningVisit, on_delete=models.PROTECT, related_name="+", verbose_name=_("child"))
    key = models.CharField(_("case id"), max_length=30)  # the case's id in the problem
    procedure = models.CharField(_("procedure"), max_length=30)
    minutes = models.PositiveSmallIntegerField(_("planned minutes"))
    day = models.DateField(_("day"), null=True, blank=True)
    table = models.ForeignKey(
        OperatingTable, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("table")
    )
    surgeon = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("surgeon")
    )
    anesthetist = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("anesthetist")
    )
    start = models.PositiveSmallIntegerField(_("start (minutes into the day)"), null=True, blank=True)
    end = models.PositiveSmallIntegerField(_("end (minutes into the day)"), null=True, blank=True)
    locked = models.BooleanField(_("locked"), default=False)
    unscheduled_reason = models.CharField(_("why not operated"), max_length=300, blank=True)
    # the solver's reason code (docs/scheduling-format.md), told in the reader's language
    unscheduled_code = models.CharField(max_length=40, blank=True)
    cancel_code = models.CharField(_("cancelled because"), max_length=20, choices=DeferralCode.choices, blank=True)
    cancel_note = models.CharField(_("cancellation note"), max_length=300, blank=True)

    class Meta:
        ordering = ["schedule", "day", "table", "start", "key"]
        verbose_name = _("scheduled case")
        verbose_name_plural = _("scheduled cases")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "visit"], name="case_once_per_schedule"),
            models.UniqueConstraint(fields=["schedule", "key"], name="case_key_unique_per_schedule"),
        ]

    def __str__(self) -> str:
        return f"{self.key} · {self.schedule}"

    @property
    def scheduled(self) -> bool:
        return self.day is not None and not self.cancel_code

    @property
    def cancelled(self) -> bool:
        return bool(self.cancel_code)
