"""The planning times' filter: which missions' actual times to compare (by default those of
the last twelve months), and the form applying new planning minutes to the catalog."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleftmission.core.forms import DateInput
from cleftmission.missions.models import Mission, Site
from cleftmission.surgery import milestones

DEFAULT_WINDOW = dt.timedelta(days=365)


class MissionChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.start_date:%d/%m/%Y}"


def measured_missions() -> QuerySet[Mission]:
    """Missions with at least one case timed from "in OR" to "in recovery"."""
    return (
        Mission.objects.filter(cases__milestones__kind=milestones.RECOVERY)
        .distinct()
        .select_related("site")
        .order_by("-start_date")
    )


class TimesFilter(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput({"placeholder": _("from dd/mm/yyyy")}))
    end = forms.DateField(label=_("To"), required=False, widget=DateInput({"placeholder": _("to dd/mm/yyyy")}))
    site = forms.ModelChoiceField(
        label=_("Hospital"), queryset=Site.objects.order_by("name"), required=False, empty_label=_("All hospitals")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *Mission.Kind.choices], required=False)
    mission = MissionChoices(
        label=_("Missions"),
        queryset=Mission.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Chosen missions replace the dates, hospital and kind."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mission"].queryset = measured_missions()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        return data

    def missions(self, today: dt.date | None = None) -> tuple[QuerySet[Mission], dt.date, dt.date]:
        """The missions chosen, and the window the dates say (the last twelve months unless given)."""
        today = today or timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - DEFAULT_WINDOW
        chosen = data.get("mission")
        if chosen:
            return Mission.objects.filter(pk__in=[m.pk for m in chosen]), start, end
        missions = Mission.objects.filter(start_date__gte=start, start_date__lte=end)
        if data.get("site"):
            missions = missions.filter(site=data["site"])
        if data.get("kind"):
            missions = missions.filter(kind=data["kind"])
        return missions, start, end
