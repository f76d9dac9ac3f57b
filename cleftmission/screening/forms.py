"""One form per station. They validate what a clinician types (a weight of 0 or 300 kg, a
haemoglobin of 40, a temperature of 60 °C are refused, naming the field) and are used alike
by the station pages and the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cleftmission.core.forms import DateInput
from cleftmission.patients.models import validate_lahshal
from cleftmission.screening.models import (
    VITAL_LIMITS,
    Decision,
    DeferralCode,
    Photo,
    Procedure,
    Referral,
    Station,
)


def _measure(name: str, label: Any, unit: str, required: bool = True, places: int = 1) -> forms.DecimalField:
    low, high = VITAL_LIMITS[name]
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        decimal_places=places,
        max_digits=5,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=unit,
    )


class ProcedureChoiceField(forms.ModelMultipleChoiceField):
    """Procedures from the catalog, each with its planning minutes."""

    def label_from_instance(self, obj: Any) -> str:
        return gettext("%(procedure)s (%(minutes)s min)") % {"procedure": obj, "minutes": obj.planning_minutes}


class StationForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The station's own fields first, the free note last.
        self.order_fields([name for name in self.fields if name != "note"])

    def json_data(self) -> dict[str, Any]:
        """The cleaned values as JSON (decimals as strings, nothing lost)."""
        out: dict[str, Any] = {}
        for key, value in self.cleaned_data.items():
            if key == "note":
                continue
            if isinstance(value, Decimal):
                out[key] = str(value)
            elif isinstance(value, Procedure):
                out[key] = value.code
            elif hasattr(value, "__iter__") and not isinstance(value, str):
                out[key] = [v.code if isinstance(v, Procedure) else v for v in value]
            else:
                out[key] = value
        return out


class VitalsForm(StationForm):
    weight_kg = _measure("weight_kg", _("Weight (kg)"), "kg", places=2)
    length_cm = _measure("length_cm", _("Length or height (cm)"), "cm", required=False)
    temperature_c = _measure("temperature_c", _("Temperature (°C)"), "°C")
    spo2 = _measure("spo2", _("SpO2 (%)"), "%", places=0)
    haemoglobin = _measure("haemoglobin", _("Haemoglobin (g/dL)"), "g/dL")


class PediatricForm(StationForm):
    history = forms.CharField(label=_("Medical history"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    uri = forms.BooleanField(label=_("Upper respiratory infection"), required=False)
    cardiac_concern = forms.BooleanField(label=_("Cardiac concern (murmur, cyanosis…)"), required=False)
    syndrome = forms.CharField(label=_("Associated syndrome or anomalies"), required=False, max_length=300)


class AnesthesiaForm(StationForm):
    ASA_CHOICES = [(str(n), f"ASA {n}") for n in range(1, 6)]
    AIRWAY_CHOICES = [
        ("normal", _("No difficulty expected")),
        ("difficult", _("Difficult airway expected")),
    ]
    # No default: a class or an airway nobody chose must not be saved as "ASA 1, normal".
    asa = forms.TypedChoiceField(label=_("ASA class"), choices=[("", "—"), *ASA_CHOICES], coerce=int)
    airway = forms.ChoiceField(label=_("Airway"), choices=[("", "—"), *AIRWAY_CHOICES])
    mallampati = forms.CharField(label=_("Airway assessment"), required=False, max_length=200)
    accepts_higher_asa = forms.BooleanField(
        label=_("I accept this child for anaesthesia despite the ASA class"), required=False
    )


class SurgicalForm(StationForm):
    LATERALITY = [
        ("left", _("Left")),
        ("right", _("Right")),
        ("bilateral", _("Bilateral")),
        ("midline", _("Midline")),
    ]
    lahshal = forms.CharField(label=_("Diagnosis (LAHSHAL)"), max_length=7, validators=[validate_lahshal])
    procedures = ProcedureChoiceField(
        label=_("Planned procedures"),
        queryset=Procedure.objects.filter(active=True),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    laterality = forms.ChoiceField(label=_("Side"), choices=[("", "—"), *LATERALITY])
    estimated_minutes = forms.IntegerField(
        label=_("Estimated minutes"), required=False, min_value=5, max_value=900, help_text=_("Empty: the catalog's")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        procedures = data.get("procedures")
        if procedures and not data.get("estimated_minutes"):
            data["estimated_minutes"] = sum(p.planning_minutes for p in procedures)
        return data


class DentalForm(StationForm):
    findings = forms.CharField(label=_("Dental findings"), widget=forms.Textarea(attrs={"rows": 3}))
    orthodontic_referral = forms.BooleanField(label=_("Needs orthodontics"), required=False)


class SpeechForm(StationForm):
    findings = forms.CharField(label=_("Speech findings"), widget=forms.Textarea(attrs={"rows": 3}))
    velopharyngeal = forms.TypedChoiceField(
        label=_("Velopharyngeal competence"),
        required=False,
        choices=[("", "—"), ("0", _("0 competent")), ("1", _("1 borderline")), ("2", _("2 incompetent"))],
        coerce=int,
        empty_value=None,
    )
    speech_therapy_referral = forms.BooleanField(label=_("Needs speech therapy"), required=False)


class PhotosForm(StationForm):
    """Photos are uploaded one by one (PhotoForm); this marks the station done."""


STATION_FORMS: dict[str, type[StationForm]] = {
    Station.VITALS: VitalsForm,
    Station.PEDIATRIC: PediatricForm,
    Station.ANESTHESIA: AnesthesiaForm,
    Station.SURGICAL: SurgicalForm,
    Station.DENTAL: DentalForm,
    Station.SPEECH: SpeechForm,
    Station.PHOTOS: PhotosForm,
}

MAX_PHOTO_BYTES = 10 * 1024 * 1024


class PhotoForm(forms.Form):
    image = forms.ImageField(label=_("Photo"))
    view = forms.ChoiceField(label=_("View"), choices=Photo.View.choices)
    consent_by = forms.CharField(
        label=_("Consent given by"), max_length=120, help_text=_("The guardian who agreed to the photographs")
    )

    def clean_image(self) -> Any:
        image = self.cleaned_data["image"]
        if image.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(
                _("The photo is larger than %(mb)s MB."), params={"mb": MAX_PHOTO_BYTES // (1024 * 1024)}
            )
        return image


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    procedures = ProcedureChoiceField(
        label=_("Procedures"),
        queryset=Procedure.objects.filter(active=True),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    estimated_minutes = forms.IntegerField(label=_("Estimated minutes"), required=False, min_value=5, max_value=900)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        choices=[("", "—")] + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        help_text=_("1 most urgent, 5 least"),
    )
    deferral_code = forms.ChoiceField(
        label=_("Deferral reason"), required=False, choices=[("", "—"), *DeferralCode.choices]
    )
    deferral_note = forms.CharField(label=_("Deferral note"), required=False, max_length=300)
    rescreen_date = forms.DateField(label=_("Re-screen date"), required=False, widget=DateInput())
    referral = forms.ChoiceField(label=_("Referral"), required=False, choices=[("", "—"), *Referral.choices])
    referred_to = forms.CharField(label=_("Referred to"), required=False, max_length=200)
    override_reason = forms.CharField(
        label=_("Reason for accepting against a failing rule"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if outcome == Decision.Outcome.ACCEPTED:
            if not data.get("procedures"):
                self.add_error("procedures", _("Choose the procedures the child is accepted for."))
            elif not data.get("estimated_minutes"):
                data["estimated_minutes"] = sum(p.planning_minutes for p in data["procedures"])
            if not data.get("priority"):
                data["priority"] = 3
        elif outcome == Decision.Outcome.DEFERRED:
            if not data.get("deferral_code"):
                self.add_error("deferral_code", _("Give the reason for deferring."))
            if data.get("deferral_code") == DeferralCode.OTHER and not data.get("deferral_note"):
                self.add_error("deferral_note", _("Describe the reason when it is “Other”."))
            if not data.get("rescreen_date"):
                self.add_error("rescreen_date", _("Give the date the child should be screened again."))
        elif outcome == Decision.Outcome.REFERRED and not data.get("referred_to"):
            self.add_error("referred_to", _("Say where the child is referred."))
        return data
