"""The WHO Surgical Safety Checklist (2009): its three phases and 19 items, and the rule that a
phase is signed only with every item answered. Pure: no ORM, tested with literal answers.

Each item is answered with one of its `answers`: a confirmation ("yes"), a "not applicable"
where the WHO form offers it, or the yes/no of a risk (a known allergy, a difficult airway,
blood loss over 7 ml/kg in a child); a risk answered "yes" needs its note (what is ready).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SIGN_IN = "sign_in"
TIME_OUT = "time_out"
SIGN_OUT = "sign_out"
PHASES = (SIGN_IN, TIME_OUT, SIGN_OUT)

YES = "yes"
NO = "no"
NOT_APPLICABLE = "na"

CONFIRM = (YES,)
CONFIRM_OR_NA = (YES, NOT_APPLICABLE)
RISK = (NO, YES)  # "yes" is a risk: say what is ready


@dataclass(frozen=True)
class Item:
    code: str
    label: str | Promise
    answers: tuple[str, ...] = CONFIRM
    risk: bool = False  # a "yes" needs a note

    @property
    def is_risk(self) -> bool:
        return self.answers == RISK


ITEMS: dict[str, tuple[Item, ...]] = {
    SIGN_IN: (
        Item("identity_site_procedure_consent", _("Patient has confirmed identity, site, procedure and consent")),
        Item("site_marked", _("Site marked"), CONFIRM_OR_NA),
        Item("anaesthesia_check", _("Anaesthesia machine and medication check complete")),
        Item("pulse_oximeter", _("Pulse oximeter on the patient and functioning")),
        Item("known_allergy", _("Known allergy"), RISK),
        Item("difficult_airway", _("Difficult airway or aspiration risk"), RISK),
        Item("blood_loss_risk", _("Risk of blood loss over 7 ml/kg (children)"), RISK),
    ),
    TIME_OUT: (
        Item("team_introduced", _("All team members have introduced themselves by name and role")),
        Item(
            "confirmed_patient_site_procedure", _("Surgeon, anaesthetist and nurse confirm patient, site and procedure")
        ),
        Item("surgeon_critical_events", _("Surgeon: critical or non-routine steps, case duration, blood loss")),
        Item("anaesthesia_critical_events", _("Anaesthetist: patient-specific concerns")),
        Item("nursing_critical_events", _("Nursing: sterility confirmed, equipment issues or concerns")),
        Item("antibiotic_prophylaxis", _("Antibiotic prophylaxis given within the last 60 minutes"), CONFIRM_OR_NA),
        Item("imaging_displayed", _("Essential imaging displayed"), CONFIRM_OR_NA),
    ),
    SIGN_OUT: (
        Item("procedure_recorded", _("Nurse confirms the name of the procedure recorded")),
        Item("counts_correct", _("Instrument, sponge and needle counts are correct"), CONFIRM_OR_NA),
        Item("specimen_labelled", _("Specimen labelled, with the patient's name"), CONFIRM_OR_NA),
        Item("equipment_problems", _("Equipment problems to be addressed"), RISK),
        Item("recovery_concerns", _("Key concerns for recovery and management of this patient"), RISK),
    ),
}

PHASE_LABELS = {
    SIGN_IN: pgettext_lazy("checklist", "Sign In"),
    TIME_OUT: pgettext_lazy("checklist", "Time Out"),
    SIGN_OUT: pgettext_lazy("checklist", "Sign Out"),
}
PHASE_WHEN = {
    SIGN_IN: _("Before induction of anaesthesia"),
    TIME_OUT: _("Before skin incision"),
    SIGN_OUT: _("Before the patient leaves the operating room"),
}
ANSWER_LABELS = {YES: _("Yes"), NO: _("No"), NOT_APPLICABLE: _("Not applicable")}


def item_count() -> int:
    return sum(len(items) for items in ITEMS.values())


def problems(phase: str, answers: dict[str, str], notes: dict[str, str] | None = None) -> dict[str, str]:
    """What stops the phase being signed, item code → message; empty when it may be signed."""
    notes = notes or {}
    found: dict[str, str] = {}
    for item in ITEMS[phase]:
        answer = answers.get(item.code, "")
        if not answer:
            found[item.code] = str(_("Answer this item."))
        elif answer not in item.answers:
            found[item.code] = str(_("Not an answer this item takes."))
        elif item.is_risk and answer == YES and not (notes.get(item.code) or "").strip():
            found[item.code] = str(_("Say what is ready for this risk."))
    unknown = set(answers) - {item.code for item in ITEMS[phase]}
    for code in sorted(unknown):
        found[code] = str(_("Not an item of this phase."))
    return found
