from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cleftmission.core.forms import DateInput
from cleftmission.missions.models import Mission
from cleftmission.volunteers.models import (
    SPECIALTY_ROLE,
    Credential,
    MissionRole,
    StaffingNeed,
    Unavailability,
    Volunteer,
    every_day,
    mission_days,
)

DOCUMENT_ACCEPT = "application/pdf,image/jpeg,image/png,image/webp,.pdf,.jpg,.jpeg,.png,.webp"


class VolunteerForm(forms.ModelForm[Volunteer]):
    class Meta:
        model = Volunteer
        fields = [
            "family_name",
            "given_name",
            "specialty",
            "origin",
            "country",
            "languages",
            "email",
            "phone",
            "procedures",
        ]
        widgets = {"procedures": forms.CheckboxSelectMultiple}


class CredentialForm(forms.ModelForm[Credential]):
    """A credential and, optionally, the scan of its document. The document is not a model
    field of the form: the service checks its bytes and stores it under a random name."""

    document = forms.FileField(
        label=_("Document"),
        required=False,
        widget=forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        help_text=_("A PDF or a JPEG, PNG or WebP image, at most 10 MB."),
    )

    class Meta:
        model = Credential
        fields = ["kind", "number", "issuer", "valid_from", "valid_to"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}


class OwnCredentialForm(CredentialForm):
    """A volunteer's own credential: a new one comes with its document."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["document"].required = True
        else:
            self.fields["document"].help_text = _(
                "Leave empty to keep the document you sent. A PDF or a JPEG, PNG or WebP image, at most 10 MB."
            )


class UnavailabilityForm(forms.ModelForm[Unavailability]):
    class Meta:
        model = Unavailability
        fields = ["first_day", "last_day", "reason"]
        widgets = {"first_day": DateInput(), "last_day": DateInput()}


class VerificationForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[("verify", _("Verified")), ("reject", _("Rejected"))],
        widget=forms.RadioSelect,
    )
    rejection_reason = forms.CharField(
        label=_("Reason for rejection"),
        required=False,
        max_length=300,
        help_text=_("Needed to reject: the volunteer reads it on their page."),
    )


# --- the team rules -------------------------------------------------------------------------


def required_value(specialty: str, kind: str) -> str:
    return f"{specialty}:{kind}"


def _required_choices() -> list[tuple[str, str]]:
    return [
        (required_value(specialty, kind), f"{specialty_label} · {kind_label}")
        for specialty, specialty_label in Volunteer.Specialty.choices
        for kind, kind_label in Credential.Kind.choices
    ]


class RequiredCredentialsForm(forms.Form):
    """The matrix of specialties × credential kinds: a ticked box is a required credential."""

    required = forms.MultipleChoiceField(
        label=_("Required credentials"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=_required_choices,
    )

    def pairs(self) -> set[tuple[str, str]]:
        values: list[str] = self.cleaned_data["required"]
        return {(value.split(":", 1)[0], value.split(":", 1)[1]) for value in values}


def staffing_field(kind: str, role: str, column: str) -> str:
    return f"{kind}-{role}-{column}"


class StaffingForm(forms.Form):
    """Per kind of mission and role: how many per operating table and how many in addition."""

    COLUMNS = {"per_table": 20, "fixed": 100}  # the most each may be, as the model says

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, kind_label in Mission.Kind.choices:
            for role, role_label in MissionRole.choices:
                for column, most in self.COLUMNS.items():
                    what = _("per operating table") if column == "per_table" else _("in addition")
                    self.fields[staffing_field(kind, role, column)] = forms.IntegerField(
                        label=f"{role_label}, {what} ({kind_label})",
                        min_value=0,
                        max_value=most,
                        widget=forms.NumberInput(attrs={"min": 0, "max": most, "class": "narrow"}),
                    )

    @classmethod
    def initial_from(cls, needs: list[StaffingNeed]) -> dict[str, int]:
        initial = {
            staffing_field(kind, role, column): 0
            for kind in Mission.Kind.values
            for role in MissionRole.values
            for column in cls.COLUMNS
        }
        for need in needs:
            initial[staffing_field(need.mission_kind, need.role, "per_table")] = need.per_table
            initial[staffing_field(need.mission_kind, need.role, "fixed")] = need.fixed
        return initial

    def templates(self) -> dict[str, dict[str, tuple[int, int]]]:
        data = self.cleaned_data
        return {
            kind: {
                role: (data[staffing_field(kind, role, "per_table")], data[staffing_field(kind, role, "fixed")])
                for role in MissionRole.values
            }
            for kind in Mission.Kind.values
        }


# --- a mission's team ------------------------------------------------------------------------


def day_label(day: dt.date) -> str:
    """A mission day as its checkbox says it: the weekday and the date, in the page's language."""
    return f"{date_format(day, 'D')} {date_format(day, 'MONTH_DAY_FORMAT')}"


class MemberForm(forms.Form):
    """A member of a mission's team: the volunteer (when adding), the role on this mission and
    the days present, as checkboxes of the mission's days (all ticked by default). The service
    decides what the form cannot: a volunteer already on the team, the size cap."""

    volunteer = forms.ModelChoiceField(
        label=_("Volunteer"),
        queryset=Volunteer.objects.all(),
        error_messages={"required": _("Choose a volunteer."), "invalid_choice": _("There is no such volunteer.")},
    )
    role = forms.ChoiceField(label=_("Role on this mission"))
    days = forms.MultipleChoiceField(
        label=_("Days present"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one day present."),
            "invalid_choice": _("Days present must be within the mission's dates."),
        },
    )

    def __init__(self, *args: Any, mission: Mission, adding: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not adding:
            del self.fields["volunteer"]
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        if adding:
            role.required = False
            role.choices = [("", _("The usual role of their specialty")), *MissionRole.choices]
            role.help_text = _("A nurse, for example, is an operating-room, recovery or ward nurse.")
        else:
            role.choices = MissionRole.choices
        days = self.fields["days"]
        assert isinstance(days, forms.MultipleChoiceField)
        days.choices = [(day.isoformat(), day_label(day)) for day in mission_days(mission)]
        if "days" not in self.initial:
            self.initial["days"] = every_day(mission)

    def chosen_role(self) -> str:
        """The role chosen, or the one the volunteer's specialty usually takes."""
        role: str = self.cleaned_data.get("role") or ""
        volunteer = self.cleaned_data.get("volunteer")
        if not role and volunteer is not None:
            role = SPECIALTY_ROLE.get(volunteer.specialty, "")
        return role


class AcceptProposalForm(forms.Form):
    """Accepting a proposal, perhaps with its role or days changed first. Without "edited",
    the proposal is accepted as it stands."""

    edited = forms.BooleanField(required=False, widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role on this mission"), choices=MissionRole.choices, required=False)
    days = forms.MultipleChoiceField(
        label=_("Days present"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Days present must be within the mission's dates.")},
    )

    def __init__(self, *args: Any, mission: Mission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        assert isinstance(days, forms.MultipleChoiceField)
        days.choices = [(day.isoformat(), day_label(day)) for day in mission_days(mission)]
