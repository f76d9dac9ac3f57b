"""The operating day's forms: a milestone's stamp, a checklist phase, the notes, a
complication, the discharge and cancelling a case. The services check the rules; a refusal
comes back on the field it names (core.forms.add_service_errors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleftmission.core.forms import DateInput, TimeInput
from cleftmission.screening.models import DeferralCode, Procedure
from cleftmission.surgery import checklist, milestones
from cleftmission.surgery.models import AnesthesiaRecord, CareNote, Complication, SurgicalCase
from cleftmission.volunteers.models import Volunteer


class StampForm(forms.Form):
    """A milestone, now or at the time typed (on the day given, the case's day by default)."""

    milestone = forms.ChoiceField(label=_("Milestone"), choices=[(m, milestones.LABELS[m]) for m in milestones.ORDER])
    time = forms.TimeField(label=_("Time"), required=False, widget=TimeInput())
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())

    def at(self) -> dt.datetime | None:
        """The moment to stamp; None for now."""
        time = self.cleaned_data.get("time")
        if time is None:
            return None
        date = self.cleaned_data.get("date") or timezone.localdate()
        return timezone.make_aware(dt.datetime.combine(date, time.replace(second=0, microsecond=0)))


class PhaseForm(forms.Form):
    """One phase of the WHO checklist: each item's answer as large radio buttons, and for a
    risk a note of what is ready. Unanswered items are the service's to refuse, so that every
    one is named at once."""

    def __init__(self, *args: Any, phase: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phase = phase
        for item in checklist.ITEMS[phase]:
            self.fields[item.code] = forms.ChoiceField(
                label=str(item.label),
                required=False,
                choices=[(a, checklist.ANSWER_LABELS[a]) for a in item.answers],
                widget=forms.RadioSelect,
            )
            if item.is_risk:
                self.fields[note_field(item.code)] = forms.CharField(
                    label=_("If yes: what is ready"), required=False, max_length=300
                )

    def items(self) -> list[dict[str, Any]]:
        """Each item with its answer field and, for a risk, its note field."""
        return [
            {
                "item": item,
                "field": self[item.code],
                "note": self[note_field(item.code)] if item.is_risk else None,
            }
            for item in checklist.ITEMS[self.phase]
        ]

    def answers(self) -> dict[str, str]:
        return {
            item.code: self.cleaned_data[item.code]
            for item in checklist.ITEMS[self.phase]
            if self.cleaned_data.get(item.code)
        }

    def notes(self) -> dict[str, str]:
        return {
            item.code: self.cleaned_data.get(note_field(item.code), "")
            for item in checklist.ITEMS[self.phase]
            if item.is_risk and self.cleaned_data.get(note_field(item.code))
        }


def note_field(code: str) -> str:
    return f"{code}_note"


def _team(case: SurgicalCase) -> Any:
    return Volunteer.objects.filter(memberships__mission_id=case.mission_id).order_by("search_name")


class VersionedForm(forms.Form):
    """Carries the version of the record read, so that a save over someone else's is caught."""

    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class OperativeNoteForm(VersionedForm):
    procedures = forms.ModelMultipleChoiceField(
        label=_("Procedures done"),
        queryset=Procedure.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    surgeon = forms.ModelChoiceField(label=_("Surgeon"), queryset=Volunteer.objects.none(), required=False)
    assistant = forms.ModelChoiceField(label=_("Assistant"), queryset=Volunteer.objects.none(), required=False)
    technique = forms.CharField(label=_("Technique"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, case: SurgicalCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = _team(case)
        surgeons = team.filter(memberships__role="plastic_surgeon")
        if case.surgeon_id:
            surgeons = surgeons | Volunteer.objects.filter(pk=case.surgeon_id)
        self.fields["surgeon"].queryset = surgeons.distinct()  # type: ignore[attr-defined]
        self.fields["assistant"].queryset = team.distinct()  # type: ignore[attr-defined]


class AnesthesiaForm(VersionedForm):
    asa = forms.TypedChoiceField(
        label=_("ASA class"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(n, f"ASA {roman}") for n, roman in enumerate(("I", "II", "III", "IV", "V", "VI"), 1)]],
    )
    airway = forms.ChoiceField(
        label=_("Airway"), required=False, choices=AnesthesiaRecord.Airway.choices, widget=forms.RadioSelect
    )
    difficult_intubation = forms.BooleanField(label=_("Difficult intubation"), required=False)
    agents = forms.CharField(label=_("Agents"), required=False, max_length=300)
    events = forms.CharField(label=_("Events"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    FIELDS = ("asa", "airway", "difficult_intubation", "agents", "events")

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class CareNoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Where"), choices=CareNote.Kind.choices, widget=forms.RadioSelect, initial=CareNote.Kind.RECOVERY
    )
    text = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ComplicationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Complication"), choices=[("", "—"), *Complication.Kind.choices])
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class DischargeForm(forms.Form):
    date = forms.DateField(label=_("Discharge date"), widget=DateInput())
    instructions_vi = forms.CharField(
        label=_("Instructions for the family (Vietnamese)"), required=False, widget=forms.Textarea(attrs={"rows": 7})
    )
    instructions_en = forms.CharField(
        label=_("Instructions for the family (English)"), required=False, widget=forms.Textarea(attrs={"rows": 7})
    )
    follow_up_1w = forms.DateField(label=_("Follow-up at one week"), required=False, widget=DateInput())
    follow_up_3m = forms.DateField(label=_("Follow-up at three months"), required=False, widget=DateInput())
    follow_up_1y = forms.DateField(label=_("Follow-up at one year"), required=False, widget=DateInput())

    FOLLOW_UPS = (("1w", "follow_up_1w"), ("3m", "follow_up_3m"), ("1y", "follow_up_1y"))

    def follow_ups(self) -> list[tuple[str, dt.date]]:
        return [(kind, self.cleaned_data[name]) for kind, name in self.FOLLOW_UPS if self.cleaned_data.get(name)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date = data.get("date")
        for _kind, name in self.FOLLOW_UPS:
            due = data.get(name)
            if date and due and due <= date:
                self.add_error(name, _("A follow-up visit comes after the discharge."))
        return data


class CancelForm(forms.Form):
    cancel_code = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *DeferralCode.choices])
    cancel_note = forms.CharField(label=_("Note"), max_length=300, required=False)
    rescreen_date = forms.DateField(label=_("Re-screen date"), required=False, widget=DateInput())


# ---- the family's instructions at discharge ----------------------------------------------------

# Written for the family to read at home; the nurse edits them before printing.
INSTRUCTIONS: dict[str, dict[str, str]] = {
    "lip": {
        "vi": (
            "- Giữ vết mổ môi sạch: lau nhẹ bằng nước muối sinh lý hoặc nước đun sôi để nguội 3 lần mỗi ngày, "
            "sau đó bôi thuốc mỡ được phát.\n"
            "- Cho bé ăn bằng thìa, cốc hoặc bình bú đặc biệt trong 2 tuần; không cho ngậm núm vú giả "
            "hay đồ vật cứng.\n"
            "- Không để bé đưa tay hoặc đồ chơi lên môi; đeo nẹp tay nếu được phát.\n"
            "- Không để bé nằm sấp; tránh va chạm vào môi.\n"
            "- Đến tái khám đúng hẹn để kiểm tra vết mổ (cắt chỉ nếu không phải chỉ tự tiêu).\n"
            "- Đưa bé đến bệnh viện ngay nếu sốt trên 38,5 °C, chảy máu, vết mổ sưng đỏ, chảy mủ hoặc bị hở."
        ),
        "en": (
            "- Keep the lip wound clean: wipe it gently with saline or boiled, cooled water 3 times a day, "
            "then apply the ointment given.\n"
            "- Feed with a spoon, a cup or the special bottle for 2 weeks; no pacifier and nothing hard "
            "in the mouth.\n"
            "- Keep the child's hands and toys away from the lip; use the arm splints if given.\n"
            "- Do not lay the child face down; protect the lip from knocks.\n"
            "- Come to the follow-up visit to check the wound (stitches out unless they dissolve).\n"
            "- Come to the hospital at once for fever above 38.5 °C, bleeding, a red or swollen wound, "
            "pus, or the wound opening."
        ),
    },
    "palate": {
        "vi": (
            "- Chỉ cho bé ăn thức ăn lỏng hoặc mềm (sữa, cháo loãng, súp) trong 3 tuần, bằng cốc hoặc thìa; "
            "không dùng bình bú có núm, ống hút hay đưa thìa sâu vào miệng.\n"
            "- Cho bé uống một ít nước sau mỗi bữa ăn để làm sạch miệng.\n"
            "- Không để bé ngậm đồ vật cứng hoặc nhọn; đeo nẹp tay nếu được phát.\n"
            "- Nước bọt lẫn ít máu trong 1–2 ngày đầu là bình thường.\n"
            "- Đến tái khám đúng hẹn.\n"
            "- Đưa bé đến bệnh viện ngay nếu sốt trên 38,5 °C, chảy máu miệng hoặc mũi, khó thở, "
            "hoặc thức ăn, nước trào ra mũi."
        ),
        "en": (
            "- Liquid or soft food only (milk, thin porridge, soup) for 3 weeks, from a cup or a spoon; "
            "no bottle teat, no straw, and no spoon deep in the mouth.\n"
            "- Give a little water after each meal to rinse the mouth.\n"
            "- Nothing hard or sharp in the mouth; use the arm splints if given.\n"
            "- A little blood in the saliva for the first 1–2 days is normal.\n"
            "- Come to the follow-up visit.\n"
            "- Come to the hospital at once for fever above 38.5 °C, bleeding from the mouth or nose, "
            "trouble breathing, or food or drink coming out of the nose."
        ),
    },
    "other": {
        "vi": (
            "- Giữ vết mổ sạch và khô; dùng thuốc theo đơn.\n"
            "- Cho bé ăn thức ăn mềm trong 2 tuần.\n"
            "- Đến tái khám đúng hẹn.\n"
            "- Đưa bé đến bệnh viện ngay nếu sốt trên 38,5 °C, chảy máu, vết mổ sưng đỏ, chảy mủ hoặc bị hở."
        ),
        "en": (
            "- Keep the wound clean and dry; give the medicines prescribed.\n"
            "- Soft food for 2 weeks.\n"
            "- Come to the follow-up visit.\n"
            "- Come to the hospital at once for fever above 38.5 °C, bleeding, a red or swollen wound, "
            "pus, or the wound opening."
        ),
    },
}

PALATE_CODES = {"palate", "fistula"}
LIP_CODES = {"lip_uni", "lip_bi", "revision"}


def instructions_kind(procedure_codes: set[str]) -> str:
    """A palate operation's care (soft food, nothing in the mouth) outweighs a lip's."""
    if procedure_codes & PALATE_CODES:
        return "palate"
    if procedure_codes & LIP_CODES:
        return "lip"
    return "other"


def discharge_initial(case: SurgicalCase, codes: set[str]) -> dict[str, Any]:
    from cleftmission.surgery.services import FOLLOW_UP_PLAN

    date = max(timezone.localdate(), case.day)
    text = INSTRUCTIONS[instructions_kind(codes)]
    initial: dict[str, Any] = {"date": date, "instructions_vi": text["vi"], "instructions_en": text["en"]}
    for kind, days in FOLLOW_UP_PLAN:
        initial[f"follow_up_{kind}"] = date + dt.timedelta(days=days)
    return initial
