from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cleftmission.core.forms import DateInput
from cleftmission.missions.models import Mission
from cleftmission.volunteers.models import Credential, MissionRole, StaffingNeed, Unavailability, Volunteer

DOCUMENT_ACCEPT = "application/pdf,image/jpeg,image/png,image/webp,.pdf,.jpg,.jpeg,.png,.webp"


class VolunteerForm(forms.ModelForm[Volunteer]):
    class Meta:
        model = Volunteer
        fields = ["family_name", "given_name", "specialty", "origin", "country", "languages", "email", "phone"]


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
