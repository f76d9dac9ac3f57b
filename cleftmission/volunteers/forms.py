from django import forms

from cleftmission.core.forms import DateInput
from cleftmission.volunteers.models import Credential, Volunteer


class VolunteerForm(forms.ModelForm[Volunteer]):
    class Meta:
        model = Volunteer
        fields = ["family_name", "given_name", "specialty", "origin", "country", "languages", "email", "phone"]


class CredentialForm(forms.ModelForm[Credential]):
    class Meta:
        model = Credential
        fields = ["kind", "number", "issuer", "valid_from", "valid_to"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}
