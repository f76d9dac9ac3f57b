"""The schedule board's forms: move a case, and the repairs (cancel, overrun, table closed,
surgeon absent, children to add). Choices come from the schedule's own problem, so a
form never offers a table, surgeon or day the schedule does not plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cleftmission.core.forms import TimeInput
from cleftmission.missions.models import OperatingTable
from cleftmission.scheduling.models import Schedule
from cleftmission.scheduling.services import id_of, now_in
from cleftmission.screening.models import DeferralCode, ScreeningVisit
from cleftmission.volunteers.models import Volunteer


def day_choices(schedule: Schedule, *, from_today: bool = False) -> list[tuple[str, str]]:
    """The operating days; `from_today`: only today's and later ones (a day that has passed is
    history: a repair cannot change it)."""
    days = schedule.operating_days
    if from_today:
        days = days[now_in(schedule)["day"] :]
    return [(d.isoformat(), date_format(d, "D d/m")) for d in days]


def table_choices(schedule: Schedule, tables: dict[int, OperatingTable]) -> list[tuple[str, str]]:
    ids = [id_of(t["id"]) for t in schedule.problem.get("tables", [])]
    return [(str(i), str(tables[i].name)) for i in ids if i is not None and i in tables]


def people_choices(schedule: Schedule, kind: str, people: dict[int, Volunteer]) -> list[tuple[str, str]]:
    ids = [id_of(p["id"]) for p in schedule.problem.get(kind, [])]
    return [(str(i), people[i].full_name) for i in ids if i is not None and i in people]


class ScheduleForm(forms.Form):
    from_today = False  # the day choices leave out the days that have passed

    def __init__(
        self,
        *args: Any,
        schedule: Schedule,
        tables: dict[int, OperatingTable],
        people: dict[int, Volunteer],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.schedule = schedule
        for name, field in self.fields.items():
            if not isinstance(field, forms.ChoiceField):
                continue
            if name == "day":
                field.choices = day_choices(schedule, from_today=self.from_today)
            elif name == "table":
                field.choices = table_choices(schedule, tables)
            elif name == "surgeon":
                field.choices = people_choices(schedule, "surgeons", people)

    def clean_day(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["day"])

    def clean_table(self) -> int:
        return int(self.cleaned_data["table"])

    def clean_surgeon(self) -> int | None:
        value = self.cleaned_data.get("surgeon")
        return int(value) if value else None


class MoveForm(ScheduleForm):
    day = forms.ChoiceField(label=_("Day"))
    table = forms.ChoiceField(label=_("Table"))
    surgeon = forms.ChoiceField(label=_("Surgeon"))


class CancelForm(forms.Form):
    cancel_code = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *DeferralCode.choices])
    cancel_note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cancel_code") == DeferralCode.OTHER and not (data.get("cancel_note") or "").strip():
            self.add_error("cancel_note", _("Say why, for the reason “Other”."))
        return data


class DurationForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes the case takes in all"), min_value=5, max_value=900)


class TableClosedForm(ScheduleForm):
    from_today = True
    table = forms.ChoiceField(label=_("Table"))
    day = forms.ChoiceField(label=_("Day"))
    closes_at = forms.TimeField(label=_("Closed from"), widget=TimeInput())

    def from_minute(self) -> int:
        at: dt.time = self.cleaned_data["closes_at"]
        start = self.schedule.mission.day_start
        return max(0, (at.hour * 60 + at.minute) - (start.hour * 60 + start.minute))

    def clean_closes_at(self) -> dt.time:
        at: dt.time = self.cleaned_data["closes_at"]
        mission = self.schedule.mission
        if not mission.day_start <= at <= mission.day_end:
            raise forms.ValidationError(
                _("Give a time within the operating day, %(start)s–%(end)s.")
                % {"start": mission.day_start.strftime("%H:%M"), "end": mission.day_end.strftime("%H:%M")}
            )
        return at


class SurgeonAbsentForm(ScheduleForm):
    from_today = True
    surgeon = forms.ChoiceField(label=_("Surgeon"))
    day = forms.ChoiceField(label=_("Day"))


class ChildChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ScreeningVisit) -> str:
        return f"{obj.patient.full_name} · {obj.patient.record_number}"


class AddChildrenForm(forms.Form):
    visits = ChildChoices(
        label=_("Children accepted since this schedule was made"),
        queryset=ScreeningVisit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, visits: list[ScreeningVisit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["visits"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = ScreeningVisit.objects.filter(pk__in=[v.pk for v in visits]).select_related("patient")
