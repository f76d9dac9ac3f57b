"""The follow-up forms: a visit's outcome and a visit planned by hand. They read what was
typed; the rules (a date in the future, before the operation, a score out of range) are the
services', shown on the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cleftmission.core.forms import DateInput
from cleftmission.followup.models import FollowUpVisit

YES_NO_UNKNOWN = [("", "—"), ("true", _("Yes")), ("false", _("No"))]


def _yes_no(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=YES_NO_UNKNOWN,
        coerce=lambda v: v == "true",
        empty_value=None,
    )


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("The child"),
        choices=[(FollowUpVisit.Status.SEEN, _("was seen")), (FollowUpVisit.Status.MISSED, _("did not come"))],
        widget=forms.RadioSelect,
    )
    seen_on = forms.DateField(label=_("Seen on"), required=False, widget=DateInput())
    weight_kg = forms.DecimalField(
        label=_("Weight (kg)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    wound_healed = _yes_no(_("Wound healed"))
    fistula = _yes_no(_("Oronasal fistula"))
    velopharyngeal_competence = forms.TypedChoiceField(
        label=_("Velopharyngeal competence"),
        required=False,
        choices=[("", "—"), ("0", _("0 competent")), ("1", _("1 marginal")), ("2", _("2 incompetent"))],
        coerce=int,
        empty_value=None,
    )
    consonants_correct_pct = forms.IntegerField(
        label=_("Percentage of consonants correct"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="%",
    )
    intelligibility = forms.ChoiceField(
        label=_("Intelligibility"), required=False, choices=[("", "—"), *FollowUpVisit.Intelligibility.choices]
    )
    photos_taken = forms.BooleanField(label=_("Standard photographs taken"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @staticmethod
    def initial_for(visit: FollowUpVisit) -> dict[str, Any]:
        def yes_no(value: bool | None) -> str:
            return "" if value is None else ("true" if value else "false")

        return {
            "status": visit.status if visit.status != FollowUpVisit.Status.PLANNED else FollowUpVisit.Status.SEEN,
            "seen_on": visit.seen_on,
            "weight_kg": visit.weight_kg,
            "wound_healed": yes_no(visit.wound_healed),
            "fistula": yes_no(visit.fistula),
            "velopharyngeal_competence": visit.velopharyngeal_competence,
            "consonants_correct_pct": visit.consonants_correct_pct,
            "intelligibility": visit.intelligibility,
            "photos_taken": visit.photos_taken,
            "notes": visit.notes,
        }


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Visit"), choices=FollowUpVisit.Kind.choices, initial=FollowUpVisit.Kind.OTHER)
    due_date = forms.DateField(label=_("Due"), widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=500)
