from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cleftmission.core import roles
from cleftmission.core.forms import DateInput
from cleftmission.core.vietnam import PROVINCES
from cleftmission.missions.models import Mission
from cleftmission.patients.models import Guardian, Patient


def patient_fields_for(user: Any) -> list[str]:
    """The fields of a child this user may edit: identity for registrars, clinical for
    clinicians, both for coordinators."""
    role = roles.role_of(user)
    fields: list[str] = []
    if role in roles.EDIT_IDENTITY:
        fields += Patient.IDENTITY_FIELDS
    if role in roles.EDIT_CLINICAL:
        fields += Patient.CLINICAL_FIELDS
    return fields


class PatientForm(forms.ModelForm[Patient]):
    class Meta:
        model = Patient
        fields = [*Patient.IDENTITY_FIELDS, *Patient.CLINICAL_FIELDS]
        widgets = {
            "date_of_birth": DateInput(),
            "province": forms.TextInput(attrs={"list": "provinces", "autocomplete": "off"}),
            "lahshal": forms.TextInput(
                attrs={"pattern": "[LlAaHhSs.]{7}", "placeholder": "L.HSH.L", "class": "mono", "maxlength": 7}
            ),
            "diagnosis_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, allowed_fields: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed_fields is not None:
            for name in list(self.fields):
                if name not in allowed_fields:
                    del self.fields[name]

    provinces = PROVINCES


class RegistrationForm(forms.Form):
    """The mission a new child is registered for (clinicians and registrars must choose one
    of their own missions, so that they keep seeing the child)."""

    mission = forms.ModelChoiceField(queryset=Mission.objects.none(), required=False, label=_("Register for mission"))

    def __init__(self, *args: Any, missions: Any, required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mission"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = missions
        field.required = required


class GuardianForm(forms.ModelForm[Guardian]):
    class Meta:
        model = Guardian
        fields = ["name", "relation", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})}


GuardianFormSet = forms.inlineformset_factory(
    Patient, Guardian, form=GuardianForm, extra=1, can_delete=True, max_num=4, validate_max=True
)
