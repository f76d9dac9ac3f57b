"""CSV exports that a spreadsheet opens safely: UTF-8 with a byte-order mark (Excel then keeps
the Vietnamese letters) and no text cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

# A text cell starting with one of these is a formula to a spreadsheet ("=HYPERLINK(…)").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# …except a number or a phone number ("-2", "40.0", "+84 912 345 678"), written as it is.
NUMBER = re.compile(r"[+-]?[\d .,]+")


def spreadsheet_cell(value: Any) -> Any:
    """The value as a spreadsheet may read it: numbers as numbers, text that would start a
    formula behind a quote."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_cell(h) for h in header])
    writer.writerows([spreadsheet_cell(v) for v in row] for row in rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
