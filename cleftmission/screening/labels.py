"""The names of the eligibility rules and the words of their findings in the reader's
language. `eligibility` stays pure (codes and plain English), the pages and messages say
it here."""

from __future__ import annotations

import re
from typing import Any

from django.utils.formats import get_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RULE_LABELS: dict[str, Promise] = {
    "lip_min_age": _("Lip repair: minimum age"),
    "lip_min_weight": _("Lip repair: minimum weight"),
    "palate_min_age": _("Palate repair: minimum age"),
    "palate_min_weight": _("Palate repair: minimum weight"),
    "haemoglobin": _("Haemoglobin"),
    "nutrition": _("Nutrition (lowest weight z-score)"),
    "fever": _("Fever"),
    "uri": _("Upper respiratory infection"),
    "cardiac": _("Cardiac concern"),
    "asa": _("ASA physical status"),
}

RESULT_LABELS: dict[str, Promise] = {
    "pass": _("pass"),
    "warn": _("warning"),
    "fail": _("fail"),
    "missing": _("missing"),
}

# The messages `eligibility` writes, in the reader's language.
MESSAGES: dict[str, Promise] = {
    "Too young for lip repair": _("Too young for lip repair"),
    "Too young for palate repair": _("Too young for palate repair"),
    "Severe malnutrition: refer to nutrition": _("Severe malnutrition: refer to nutrition"),
    "Malnutrition: refer to nutrition": _("Malnutrition: refer to nutrition"),
    "Below the nutrition target": _("Below the nutrition target"),
    "Cardiac work-up": _("Cardiac work-up"),
    "Needs the anaesthesiologist's explicit acceptance": _("Needs the anaesthesiologist's explicit acceptance"),
}

# The few words inside a finding's value or threshold ("10 wk 3 d", "12 mo", "yes").
WORDS: dict[str, Promise] = {
    "wk": _("wk"),
    "d": _("d"),
    "mo": _("mo"),
    "yes": _("yes"),
    "no": _("no"),
    "none": _("none"),
}
_WORD = re.compile(r"\b(" + "|".join(WORDS) + r")\b")
_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")


def rule_label(rule: str) -> Any:
    return RULE_LABELS.get(rule, rule)


def localize_text(text: str) -> str:
    """'10 wk 3 d', '9.9 g/dL' in the reader's words and decimal separator."""
    text = _WORD.sub(lambda m: str(WORDS[m.group(1)]), text)
    return _DECIMAL.sub(str(get_format("DECIMAL_SEPARATOR")), text)


def message(text: str) -> Any:
    return MESSAGES.get(text, text)
