"""Small helpers shared by the web tests: post a form back as a browser would, and check
that a refusal names the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.html import escape


def _posted(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def form_data(*parts: forms.BaseForm | forms.BaseFormSet[Any]) -> dict[str, Any]:
    """What a browser posts back when the user opens these forms (and formsets) and saves
    without touching anything."""
    data: dict[str, Any] = {}
    for part in parts:
        subforms = [part.management_form, *part.forms] if isinstance(part, forms.BaseFormSet) else [part]
        for form in subforms:
            for bound in form:
                value = bound.value()
                if isinstance(bound.field.widget, forms.CheckboxInput):
                    if value:
                        data[bound.html_name] = "on"
                    continue
                data[bound.html_name] = _posted(value)
    return data


def guardian_rows(*rows: dict[str, str], initial: int = 0) -> dict[str, str]:
    """The guardians formset of the child form, with these rows filled in."""
    data = {
        "guardians-TOTAL_FORMS": str(max(len(rows), 1)),
        "guardians-INITIAL_FORMS": str(initial),
        "guardians-MIN_NUM_FORMS": "0",
        "guardians-MAX_NUM_FORMS": "4",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"guardians-{i}-{key}"] = value
    return data


def assert_refused(response: Any, field: str, form: str = "form", row: int | None = None) -> str:
    """The page came back (no redirect) with an error on `field` of `form` (of its `row` for a
    formset), shown to the user; returns the message."""
    assert response.status_code == 200, response.status_code
    context = response.context
    errors = context[form].errors if row is None else context[form].forms[row].errors
    assert field in errors, f"no error on {field!r}: {dict(errors)}"
    message = str(errors[field][0])
    assert escape(message) in response.content.decode(), f"{message!r} is not shown on the page"
    return message
