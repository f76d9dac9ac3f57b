from typing import Any

from django import forms

from cleftmission.core.forms import DateInput, TimeInput
from cleftmission.missions.models import Mission, OperatingTable, Site


class SiteForm(forms.ModelForm[Site]):
    class Meta:
        model = Site
        fields = ["name", "city", "address", "ward_beds"]


TableFormSet: type[forms.BaseInlineFormSet[OperatingTable, Site, Any]] = forms.inlineformset_factory(
    Site, OperatingTable, fields=["name", "active"], extra=2, can_delete=True, max_num=30
)


class MissionForm(forms.ModelForm[Mission]):
    class Meta:
        model = Mission
        fields = [
            "name",
            "kind",
            "site",
            "start_date",
            "end_date",
            "phase",
            "target_evaluated",
            "target_operated",
            "tables_per_day",
            "screening_days",
            "day_start",
            "day_end",
            "team_size_cap",
            "first_timers_min_pct",
            "first_timers_max_pct",
            "prefer_in_country",
            "notes",
            *Mission.THRESHOLD_FIELDS,
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "day_start": TimeInput(),
            "day_end": TimeInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def planning_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.Meta.fields if name not in Mission.THRESHOLD_FIELDS]

    def threshold_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in Mission.THRESHOLD_FIELDS]
