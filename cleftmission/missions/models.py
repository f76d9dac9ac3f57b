from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Site(models.Model):
    """A partner hospital."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    city = models.CharField(_("city"), max_length=100)
    address = models.CharField(_("address"), max_length=300, blank=True)
    ward_beds = models.PositiveIntegerField(
        _("ward beds"), default=0, validators=[MaxValueValidator(2000)], help_text=_("Beds for the mission's children")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner hospital")
        verbose_name_plural = _("partner hospitals")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("missions:site", args=[self.pk])


class OperatingTable(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="tables", verbose_name=_("hospital"))
    name = models.CharField(_("name"), max_length=50)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["site", "name"]
        verbose_name = _("operating table")
        verbose_name_plural = _("operating tables")
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="table_name_unique_per_site")]

    def __str__(self) -> str:
        return f"{self.site} · {self.name}"


class MissionQuerySet(models.QuerySet["Mission"]):
    def upcoming(self, today: dt.date) -> MissionQuerySet:
        return self.filter(end_date__gte=today).order_by("start_date")


class Mission(models.Model):
    class Kind(models.TextChoices):
        INTERNATIONAL = "international", _("International")
        LOCAL = "local", _("Local")

    class Phase(models.TextChoices):
        PLANNING = "planning", _("Planning")
        SCREENING = "screening", _("Screening")
        SURGERY = "surgery", _("Surgery")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="missions", verbose_name=_("hospital"))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.PLANNING)
    target_evaluated = models.PositiveIntegerField(
        _("children to evaluate"), default=150, validators=[MaxValueValidator(5000)]
    )
    target_operated = models.PositiveIntegerField(
        _("children to operate"), default=100, validators=[MaxValueValidator(5000)]
    )
    tables_per_day = models.PositiveSmallIntegerField(
        _("operating tables per day"), default=4, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    # The mission's first days are screening days; the operating days follow, to the last day.
    screening_days = models.PositiveSmallIntegerField(
        _("screening days"),
        default=1,
        validators=[MaxValueValidator(30)],
        help_text=_("The first days of the mission are for screening; the operating days follow"),
    )
    day_start = models.TimeField(_("operating day starts"), default=dt.time(8, 0))
    day_end = models.TimeField(_("operating day ends"), default=dt.time(17, 0))
    team_size_cap = models.PositiveSmallIntegerField(
        _("team size cap"), default=60, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    notes = models.TextField(_("notes"), blank=True)

    # The team's balance: the share of first-time volunteers must fall within these bounds.
    first_timers_min_pct = models.PositiveSmallIntegerField(
        _("first-time volunteers: at least (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    first_timers_max_pct = models.PositiveSmallIntegerField(
        _("first-time volunteers: at most (%)"), default=40, validators=[MaxValueValidator(100)]
    )
    prefer_in_country = models.BooleanField(
        _("prefer in-country volunteers"),
        default=False,
        help_text=_("A proposed team takes in-country volunteers before regional and international ones"),
    )

    # Clinical thresholds in force on this mission (DOMAIN.md defaults; editable per mission).
    lip_min_age_weeks = models.PositiveSmallIntegerField(
        _("lip repair: minimum age (weeks)"), default=10, validators=[MaxValueValidator(520)]
    )
    lip_min_weight_kg = models.DecimalField(
        _("lip repair: minimum weight (kg)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("4.5"),
        validators=[MinValueValidator(Decimal("1.0")), MaxValueValidator(Decimal("30.0"))],
    )
    palate_min_age_months = models.PositiveSmallIntegerField(
        _("palate repair: minimum age (months)"), default=12, validators=[MaxValueValidator(240)]
    )
    palate_min_weight_kg = models.DecimalField(
        _("palate repair: minimum weight (kg)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("9.5"),
        validators=[MinValueValidator(Decimal("1.0")), MaxValueValidator(Decimal("50.0"))],
    )
    min_haemoglobin = models.DecimalField(
        _("minimum haemoglobin (g/dL)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("10.0"),
        validators=[MinValueValidator(Decimal("5.0")), MaxValueValidator(Decimal("15.0"))],
    )
    nutrition_defer_z = models.DecimalField(
        _("nutrition: defer below z-score"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("-2.0"),
        validators=[MinValueValidator(Decimal("-5.0")), MaxValueValidator(Decimal("0.0"))],
    )
    nutrition_warn_z = models.DecimalField(
        _("nutrition: warn below z-score"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("-1.0"),
        validators=[MinValueValidator(Decimal("-5.0")), MaxValueValidator(Decimal("0.0"))],
    )
    fever_c = models.DecimalField(
        _("fever from (°C)"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("38.0"),
        validators=[MinValueValidator(Decimal("37.0")), MaxValueValidator(Decimal("40.0"))],
    )
    max_asa_accepted = models.PositiveSmallIntegerField(
        _("highest ASA class accepted without an anaesthesiologist's explicit acceptance"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    objects = MissionQuerySet.as_manager()

    THRESHOLD_FIELDS = [
        "lip_min_age_weeks",
        "lip_min_weight_kg",
        "palate_min_age_months",
        "palate_min_weight_kg",
        "min_haemoglobin",
        "nutrition_defer_z",
        "nutrition_warn_z",
        "fever_c",
        "max_asa_accepted",
    ]

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="mission_ends_after_start"
            ),
        ]
        indexes = [
            # the mission list, newest first, and "missions at this site"
            models.Index(fields=["-start_date"], name="mission_start_idx"),
            models.Index(fields=["site", "-start_date"], name="mission_site_start_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("missions:detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = str(_("The last day cannot be before the first day."))
        if self.start_date and self.end_date and (self.end_date - self.start_date).days > 60:
            errors["end_date"] = str(_("A mission lasts at most 60 days."))
        if self.day_start and self.day_end and self.day_end <= self.day_start:
            errors["day_end"] = str(_("The operating day must end after it starts."))
        low, high = self.first_timers_min_pct, self.first_timers_max_pct
        if low is not None and high is not None and high < low:
            errors["first_timers_max_pct"] = str(_("The upper bound cannot be below the lower bound."))
        if (
            self.start_date
            and self.end_date
            and self.end_date >= self.start_date
            and self.screening_days is not None
            and self.screening_days >= (self.end_date - self.start_date).days + 1
        ):
            errors["screening_days"] = str(_("Leave at least one operating day after the screening days."))
        warn, defer = self.nutrition_warn_z, self.nutrition_defer_z
        if warn is not None and defer is not None and warn < defer:
            errors["nutrition_warn_z"] = str(_("The warning z-score must not be below the deferral z-score."))
        if errors:
            raise ValidationError(errors)

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def operating_days(self) -> list[dt.date]:
        """The days after the screening days, to the last day: what the schedule plans."""
        first = self.start_date + dt.timedelta(days=self.screening_days)
        return [first + dt.timedelta(days=i) for i in range((self.end_date - first).days + 1)]

    @property
    def day_minutes(self) -> int:
        """Minutes from the operating day's start to its end."""
        return (self.day_end.hour * 60 + self.day_end.minute) - (self.day_start.hour * 60 + self.day_start.minute)
