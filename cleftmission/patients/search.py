"""Find a child by name (with or without diacritics), guardian phone or record number."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from cleftmission.core.search import name_words_match
from cleftmission.core.text import digits
from cleftmission.patients.models import Guardian, Patient

RECORD_NUMBER = re.compile(r"^\s*cm-?\s*(\d+)\s*$", re.IGNORECASE)
# What people write between the digits of a phone number: 0912 345 678, 0912.345.678, (+84) 912-345-678.
PHONE_PUNCTUATION = re.compile(r"[\s+().\-]")


def phone_key(text: str) -> str:
    """The digits of a Vietnamese phone number as stored: 0912… and +84912… both give 84912…"""
    d = digits(text)
    if d.startswith("0"):
        return "84" + d[1:]
    return d


def search_patients(queryset: QuerySet[Patient], query: str, *, by_phone: bool = True) -> QuerySet[Patient]:
    """`by_phone=False` for users who may not see contact details: a phone number then finds
    nobody, so it cannot tell them whose number it is."""
    query = (query or "").strip()
    if not query:
        return queryset
    match = RECORD_NUMBER.match(query)
    if match:
        return queryset.filter(record_number=f"CM-{int(match.group(1)):06d}")
    d = digits(query)
    if d and len(d) >= max(4, len(PHONE_PUNCTUATION.sub("", query)) - 1):
        if not by_phone:
            return queryset.none()
        key = phone_key(query)
        # pk IN (guardians with that number): the phone index finds them, instead of a
        # subquery run once per child of the registry
        phone_match = (
            Guardian.objects.filter(phone_digits=key).values("patient_id")
            if len(d) >= 9
            else Guardian.objects.filter(phone_digits__contains=d).values("patient_id")
        )
        return queryset.filter(pk__in=phone_match)
    return queryset.filter(name_words_match(query))
