"""The API's input and output shapes.

Inputs are typed (a wrong type is refused with the field named) but the rules (required,
choices, ranges, dates) are the web forms' own, applied by the routers, so the messages
match the pages. `…In` schemas create, `…Patch` schemas change only the fields sent.
Unknown fields are refused rather than silently ignored.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict

from cleftmission.core import roles
from cleftmission.missions.models import Mission
from cleftmission.patients.models import Guardian, Patient
from cleftmission.volunteers.models import Credential

MAX_GUARDIANS = 4
MAX_TABLES = 30


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# ---- errors and pages -------------------------------------------------------------------


class FieldError(Schema):
    field: str = Field(description='The field at fault ("guardians.0.phone" when nested; "" for the whole request)')
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError]


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=200, description="How many items (at most 200)")
    offset: int = Field(0, ge=0, description="How many items to skip")


ERRORS: dict[int, Any] = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}


# ---- sites and operating tables ---------------------------------------------------------


class TableOut(Schema):
    id: int
    name: str
    active: bool


class TableIn(InputSchema):
    name: str
    active: bool = True


class TablePatch(InputSchema):
    name: str | None = None
    active: bool | None = None


class SiteOut(Schema):
    id: int
    name: str
    city: str
    address: str
    ward_beds: int
    tables: list[TableOut]


class SiteIn(InputSchema):
    name: str
    city: str
    address: str | None = None
    ward_beds: int | None = Field(None, description="Omit for 0")
    tables: list[TableIn] = Field(default_factory=list, max_length=MAX_TABLES)


class SitePatch(InputSchema):
    """Tables are changed through /sites/{id}/tables."""

    name: str | None = None
    city: str | None = None
    address: str | None = None
    ward_beds: int | None = None


class SiteList(Schema):
    items: list[SiteOut]
    count: int


# ---- missions ---------------------------------------------------------------------------


class MissionOut(Schema):
    id: int
    name: str
    kind: str
    site: int
    site_name: str
    start_date: dt.date
    end_date: dt.date
    phase: str
    target_evaluated: int
    target_operated: int
    tables_per_day: int
    day_start: dt.time
    day_end: dt.time
    team_size_cap: int
    notes: str
    # the clinical thresholds in force on this mission (Mission.THRESHOLD_FIELDS)
    lip_min_age_weeks: int
    lip_min_weight_kg: Decimal
    palate_min_age_months: int
    palate_min_weight_kg: Decimal
    min_haemoglobin: Decimal
    nutrition_defer_z: Decimal
    nutrition_warn_z: Decimal
    fever_c: Decimal
    max_asa_accepted: int

    @staticmethod
    def resolve_site(obj: Mission) -> int:
        return obj.site_id

    @staticmethod
    def resolve_site_name(obj: Mission) -> str:
        return obj.site.name


class MissionOptional(InputSchema):
    """Fields that take the mission's defaults when a new mission leaves them out."""

    phase: str | None = Field(None, description=", ".join(Mission.Phase.values))
    target_evaluated: int | None = None
    target_operated: int | None = None
    tables_per_day: int | None = None
    day_start: dt.time | None = None
    day_end: dt.time | None = None
    team_size_cap: int | None = None
    notes: str | None = None
    lip_min_age_weeks: int | None = None
    lip_min_weight_kg: Decimal | None = None
    palate_min_age_months: int | None = None
    palate_min_weight_kg: Decimal | None = None
    min_haemoglobin: Decimal | None = None
    nutrition_defer_z: Decimal | None = None
    nutrition_warn_z: Decimal | None = None
    fever_c: Decimal | None = None
    max_asa_accepted: int | None = None


class MissionIn(MissionOptional):
    name: str
    kind: str = Field(description=", ".join(Mission.Kind.values))
    site: int = Field(description="The partner hospital's id")
    start_date: dt.date
    end_date: dt.date


class MissionPatch(MissionOptional):
    name: str | None = None
    kind: str | None = None
    site: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class MissionList(Schema):
    items: list[MissionOut]
    count: int


# ---- volunteers and credentials ---------------------------------------------------------


class VolunteerOut(Schema):
    id: int
    family_name: str
    given_name: str
    full_name: str
    specialty: str
    origin: str
    country: str
    languages: str
    email: str
    phone: str


class VolunteerIn(InputSchema):
    family_name: str
    given_name: str
    specialty: str
    origin: str
    country: str | None = None
    languages: str | None = None
    email: str | None = None
    phone: str | None = None


class VolunteerPatch(InputSchema):
    family_name: str | None = None
    given_name: str | None = None
    specialty: str | None = None
    origin: str | None = None
    country: str | None = None
    languages: str | None = None
    email: str | None = None
    phone: str | None = None


class VolunteerList(Schema):
    items: list[VolunteerOut]
    count: int


class CredentialOut(Schema):
    id: int
    volunteer: int
    kind: str
    number: str
    issuer: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    status: str = Field(description=", ".join(Credential.Status.values) + " (today)")

    @staticmethod
    def resolve_volunteer(obj: Credential) -> int:
        return obj.volunteer_id

    @staticmethod
    def resolve_status(obj: Credential) -> str:
        return str(obj.status(timezone.localdate()))


class CredentialIn(InputSchema):
    kind: str = Field(description=", ".join(Credential.Kind.values))
    number: str | None = None
    issuer: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class CredentialPatch(InputSchema):
    kind: str | None = None
    number: str | None = None
    issuer: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class CredentialList(Schema):
    items: list[CredentialOut]
    count: int


# ---- children and guardians -------------------------------------------------------------


class GuardianOut(Schema):
    id: int
    name: str
    relation: str
    phone: str


class GuardianIn(InputSchema):
    name: str
    relation: str
    phone: str | None = None


class GuardianPatch(InputSchema):
    name: str | None = None
    relation: str | None = None
    phone: str | None = None


def _sees_contacts(context: Any) -> bool:
    request = (context or {}).get("request")
    return roles.has(getattr(request, "auth", None), roles.SEE_CONTACTS)


class PatientOut(Schema):
    """A child. `address` and `guardians` are left out of the answer for roles that may not
    see contact details (the operations serialize with exclude_unset)."""

    id: int
    record_number: str
    full_name: str
    family_name: str
    middle_name: str
    given_name: str
    sex: str
    date_of_birth: dt.date
    province: str
    district: str
    lahshal: str
    diagnosis_notes: str
    anatomic_group: str | None = Field(description="CL, CLA, CLAP or CP, from the LAHSHAL code")
    laterality: str | None
    veau: str | None = Field(description="I, II, III or IV; null for a cleft of the lip (and alveolus) alone")
    icd10: str | None
    address: str | None = Field(None, description="Only for roles that may see contact details")
    guardians: list[GuardianOut] | None = Field(None, description="Only for roles that may see contact details")

    @staticmethod
    def resolve_anatomic_group(obj: Patient) -> str | None:
        d = obj.diagnosis
        return d.group if d else None

    @staticmethod
    def resolve_laterality(obj: Patient) -> str | None:
        d = obj.diagnosis
        return d.laterality if d else None

    @staticmethod
    def resolve_icd10(obj: Patient) -> str | None:
        d = obj.diagnosis
        return d.icd10 if d else None

    # Raising AttributeError makes the field "not there": it keeps its default and, being
    # unset, is left out of the answer.
    @staticmethod
    def resolve_address(obj: Patient, context: Any) -> str:
        if not _sees_contacts(context):
            raise AttributeError("address")
        return obj.address

    @staticmethod
    def resolve_guardians(obj: Patient, context: Any) -> list[Guardian]:
        if not _sees_contacts(context):
            raise AttributeError("guardians")
        return list(obj.guardians.all())


class PatientIn(InputSchema):
    family_name: str
    middle_name: str | None = None
    given_name: str
    sex: str = Field(description=", ".join(Patient.Sex.values))
    date_of_birth: dt.date
    province: str
    district: str | None = None
    address: str | None = None
    lahshal: str | None = Field(None, description="Coordinators and clinicians only")
    diagnosis_notes: str | None = Field(None, description="Coordinators and clinicians only")
    guardians: list[GuardianIn] = Field(default_factory=list, max_length=MAX_GUARDIANS)
    mission: int | None = Field(
        None, description="Register the child's visit to this mission (required for registrars)"
    )


class PatientPatch(InputSchema):
    """Guardians are changed through /patients/{id}/guardians."""

    family_name: str | None = None
    middle_name: str | None = None
    given_name: str | None = None
    sex: str | None = None
    date_of_birth: dt.date | None = None
    province: str | None = None
    district: str | None = None
    address: str | None = None
    lahshal: str | None = None
    diagnosis_notes: str | None = None


class PatientList(Schema):
    items: list[PatientOut]
    count: int
