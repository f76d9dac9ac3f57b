"""Text helpers for Vietnamese names: search that ignores diacritics and case."""

import re
from typing import Any

from django.db.models import Q
from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def search_key(text: str) -> str:
    """'Nguyễn Văn  An' -> 'nguyen van an'. Đ/đ become d, as Vietnamese readers expect."""
    return _SPACES.sub(" ", unidecode(text or "")).strip().lower()


def name_words_match(query: str, field: str = "search_name") -> Q:
    """Every word typed must start a word of the name, in any order and without diacritics:
    "an nguyen" and "nguyen van an" both find Nguyễn Văn An, and "an" does not find Lan.
    `field` holds the name as search_key() writes it."""
    condition = Q()
    for word in search_key(query).split(" "):
        if word:
            condition &= Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": " " + word})
    return condition


def digits(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def is_htmx(request: Any) -> bool:
    """True when htmx asked for a fragment of the page (django-htmx sets request.htmx)."""
    return bool(getattr(request, "htmx", False))
