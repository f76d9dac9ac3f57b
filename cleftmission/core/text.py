"""Text helpers for Vietnamese names: search that ignores diacritics and case."""

import re
from typing import Any

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def search_key(text: str) -> str:
    """'Nguyễn Văn  An' -> 'nguyen van an'. Đ/đ become d, as Vietnamese readers expect."""
    return _SPACES.sub(" ", unidecode(text or "")).strip().lower()


def digits(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def is_htmx(request: Any) -> bool:
    """True when htmx asked for a fragment of the page (django-htmx sets request.htmx)."""
    return bool(getattr(request, "htmx", False))
