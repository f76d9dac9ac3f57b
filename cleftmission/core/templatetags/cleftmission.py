import datetime as dt
from typing import Any

import phonenumbers
from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import pgettext

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


@register.filter
def waited(since: dt.datetime | None) -> str:
    """How long since a moment, as a board shows a wait: "1 h 05" or "12 min", in the
    reader's language (Django's timesince has no Vietnamese)."""
    if since is None:
        return "—"
    minutes = max(0, int((timezone.now() - since).total_seconds() // 60))
    hours, rest = divmod(minutes, 60)
    if hours:
        return f"{hours} {pgettext('hours of a wait', 'h')} {rest:02d}"
    return f"{rest} {pgettext('minutes of a wait', 'min')}"
