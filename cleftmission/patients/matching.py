"""Finding the children a new registration may duplicate: a few indexed queries pick the
candidates (date of birth near, same guardian phone, name words), the pure
`patients.duplicates` ranks them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cleftmission.core.text import search_key
from cleftmission.patients import duplicates
from cleftmission.patients.duplicates import Candidate, Identity, Match, Reason
from cleftmission.patients.models import Guardian, Patient
from cleftmission.patients.search import phone_key

# The most candidates read for one ranking: a common name on a common birthday stays cheap.
MAX_CANDIDATES = 300

REASON_TEXT = {
    duplicates.SAME_NAME: _("same name"),
    duplicates.SAME_NAME_WITHOUT_DIACRITICS: _("same name without diacritics"),
    duplicates.SIMILAR_NAME_REASON: _("similar name (%(value)s%%)"),
    duplicates.SAME_DATE_OF_BIRTH: _("same date of birth"),
    duplicates.DAY_MONTH_SWAPPED: _("date of birth with day and month swapped"),
    duplicates.DATE_OF_BIRTH_DAYS_APART: _("date of birth %(value)s days apart"),
    duplicates.DATE_OF_BIRTH_YEARS_APART: _("date of birth about %(value)s years apart"),
    duplicates.SAME_GUARDIAN_PHONE: _("same guardian phone"),
    duplicates.SAME_PROVINCE: _("same province"),
    duplicates.OTHER_SEX: _("other sex"),
}


def reason_text(reason: Reason) -> str:
    """The reason in the reader's language."""
    return str(REASON_TEXT[reason.code]) % {"value": reason.value}


@dataclass(frozen=True)
class Duplicate:
    """A known child that may be the one being registered."""

    patient: Patient
    match: Match

    @property
    def score(self) -> int:
        return self.match.score

    @property
    def reasons(self) -> list[tuple[str, bool]]:
        """(text in the reader's language, counts against) for each reason."""
        return [(reason_text(r), r.against) for r in self.match.reasons]


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        parsed = forms.DateField(required=False).clean(value)
    except ValidationError:  # a half-typed date while the registrar is still typing
        return None
    return parsed if isinstance(parsed, dt.date) else None


def identity_from(data: Mapping[str, Any], phones: Iterable[str] = ()) -> Identity:
    """The identity typed so far, read leniently: whatever is incomplete is left out."""
    return Identity(
        family_name=str(data.get("family_name") or ""),
        middle_name=str(data.get("middle_name") or ""),
        given_name=str(data.get("given_name") or ""),
        date_of_birth=_date(data.get("date_of_birth")),
        sex=str(data.get("sex") or ""),
        province=str(data.get("province") or ""),
        phones=frozenset(key for key in (phone_key(p) for p in phones) if len(key) >= 9),
    )


def identity_of(patient: Patient) -> Identity:
    """A stored child's identity (the guardians are read from their prefetch when there is one)."""
    return Identity(
        family_name=patient.family_name,
        middle_name=patient.middle_name,
        given_name=patient.given_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
        province=patient.province,
        phones=frozenset(g.phone_digits for g in patient.guardians.all() if g.phone_digits),
    )


def candidates_query(identity: Identity, tolerance_days: int) -> Q | None:
    """Children worth ranking: born within the tolerance (or on the swapped date), with the
    same guardian phone, or whose name holds the family name and the start of the given name."""
    condition = Q()
    dob = identity.date_of_birth
    if dob is not None:
        tolerance = dt.timedelta(days=max(tolerance_days, 0))
        condition |= Q(date_of_birth__range=(dob - tolerance, dob + tolerance))  # patient_dob_idx
        other = duplicates.swapped(dob)
        if other is not None:
            condition |= Q(date_of_birth=other)
    if identity.phones:
        # guardian_phone_idx
        condition |= Q(pk__in=Guardian.objects.filter(phone_digits__in=identity.phones).values("patient_id"))
    family, given = search_key(identity.family_name).split(), search_key(identity.given_name).split()
    if family and given and len(given[-1]) >= 2:
        # "nguyen" at the start (patient_search_idx), then a word starting like the given name
        start = given[-1][:2]
        condition |= Q(search_name__startswith=family[0] + " ") & Q(search_name__contains=" " + start)
    return condition if condition.children else None


def find_duplicates(
    *,
    among: QuerySet[Patient],
    identity: Identity,
    exclude: Iterable[int] = (),
    tolerance_days: int = duplicates.DOB_TOLERANCE_DAYS,
    limit: int = duplicates.LIMIT,
) -> list[Duplicate]:
    """The children of `among` (merged records left out) that may be this child, most likely
    first. Two queries: the children, then their guardians' phones."""
    condition = candidates_query(identity, tolerance_days)
    if condition is None:
        return []
    phones = Prefetch("guardians", queryset=Guardian.objects.only("id", "patient_id", "phone_digits"))
    rows = list(
        among.filter(condition, merged_into__isnull=True)
        .exclude(pk__in=list(exclude))
        .order_by()
        .prefetch_related(phones)[:MAX_CANDIDATES]
    )
    by_pk = {p.pk: p for p in rows}
    matches = duplicates.rank(
        identity,
        (Candidate(key=p.pk, identity=identity_of(p)) for p in rows),
        tolerance_days=tolerance_days,
        limit=limit,
    )
    return [Duplicate(patient=by_pk[m.key], match=m) for m in matches]
