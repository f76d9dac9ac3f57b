from typing import Any

import phonenumbers
from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from cleftmission.core.models import AuditEntry

register = template.Library()


@register.filter
def field_label(entry: AuditEntry, name: str) -> Any:
    """The audited field's name in the reader's language ("Tỉnh/thành phố", not "province")."""
    try:
        model = apps.get_model(entry.model) if entry.model else entry.content_type.model_class()
        if model is None:
            return name
        return getattr(model._meta.get_field(name), "verbose_name", name)
    except (LookupError, FieldDoesNotExist, ValueError):
        return name


@register.filter
def phone(value: str) -> str:
    """+84912345678 as a Vietnamese reader dials it: 0912 345 678; foreign numbers in full."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == 84:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
