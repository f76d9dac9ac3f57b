"""/patients: the children, and (nested) their guardians.

Who sees which child and which fields follows the web pages exactly: clinicians and
registrars see only the children of their missions (404 for the others); address and
guardians are shown only to the roles that may see contact details; registrars change
identity fields, clinicians clinical fields, coordinators both.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from cleftmission.api.auth import allow, user_of
from cleftmission.api.common import checked, filled_form, get_or_404, page, sent
from cleftmission.api.errors import ApiError, forbidden_fields, form_errors, invalid
from cleftmission.api.schemas import (
    ERRORS,
    MAX_GUARDIANS,
    GuardianIn,
    GuardianOut,
    GuardianPatch,
    PageParams,
    PatientIn,
    PatientList,
    PatientOut,
    PatientPatch,
)
from cleftmission.core import roles
from cleftmission.patients import services
from cleftmission.patients.access import missions_for_registration, visible_patients
from cleftmission.patients.forms import GuardianForm, PatientForm, RegistrationForm, patient_fields_for
from cleftmission.patients.models import Guardian, Patient
from cleftmission.patients.search import search_patients

router = Router(tags=["patients"])

GUARDIAN_FIELDS = ["name", "relation", "phone"]


class PatientFilters(PageParams):
    q: str = Field(
        "",
        description="A name with or without diacritics (“nguyen van an”), a guardian's phone, or a record number",
    )


def _patients(user: Any) -> QuerySet[Patient]:
    patients = visible_patients(user).order_by("search_name", "id")
    if roles.has(user, roles.SEE_CONTACTS):
        patients = patients.prefetch_related("guardians")
    return patients


def _refuse_fields_not_allowed(user: Any, changes: dict[str, Any]) -> list[str]:
    allowed = patient_fields_for(user)
    refused = set(changes) - set(allowed)
    if refused:
        raise forbidden_fields(refused)
    return allowed


@router.get(
    "",
    response={200: PatientList, **ERRORS},
    exclude_unset=True,
    summary="List or search the children you may see",
    auth=allow(roles.ANY_ROLE),
)
def list_patients(request: HttpRequest, params: Query[PatientFilters]) -> Any:
    user = user_of(request)
    # As on the children page: a phone number finds nobody for roles that may not see contacts.
    found = search_patients(_patients(user), params.q, by_phone=roles.has(user, roles.SEE_CONTACTS))
    return page(found, params)


@router.get(
    "/{int:patient_id}",
    response={200: PatientOut, **ERRORS},
    exclude_unset=True,
    summary="Get a child",
    auth=allow(roles.ANY_ROLE),
)
def get_patient(request: HttpRequest, patient_id: int) -> Any:
    user = user_of(request)
    return get_or_404(_patients(user), patient_id)


@router.post(
    "",
    response={201: PatientOut, **ERRORS},
    exclude_unset=True,
    summary="Register a child, with guardians and the mission they came to",
    auth=allow(roles.REGISTER_CHILDREN),
)
def create_patient(request: HttpRequest, payload: PatientIn) -> Any:
    user = user_of(request)
    changes = sent(payload)
    guardians = changes.pop("guardians", [])
    mission = changes.pop("mission", None)
    allowed = _refuse_fields_not_allowed(user, changes)
    form = filled_form(PatientForm, instance=Patient(), changes=changes, allowed_fields=allowed)
    guardian_forms = [GuardianForm(data=g) for g in guardians]
    # Clinicians and registrars must register the child for one of their missions, or
    # they would never see the child again (as on the web form).
    registration = RegistrationForm(
        data={"mission": mission},
        missions=missions_for_registration(user),
        required=not roles.has(user, roles.MANAGE_PLANNING),
    )
    errors = form_errors(form) + form_errors(registration)
    for i, guardian_form in enumerate(guardian_forms):
        errors += form_errors(guardian_form, f"guardians.{i}")
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        patient = services.create_patient(
            data={f: form.cleaned_data[f] for f in form.fields},
            guardians=[{f: g.cleaned_data[f] for f in GUARDIAN_FIELDS} for g in guardian_forms],
            mission=registration.cleaned_data["mission"],
            acting_user=user,
        )
    return Status(201, _patients(user).get(pk=patient.pk))


@router.patch(
    "/{int:patient_id}",
    response={200: PatientOut, **ERRORS},
    exclude_unset=True,
    summary="Change a child's record",
    auth=allow(roles.EDIT_IDENTITY | roles.EDIT_CLINICAL),
)
def update_patient(request: HttpRequest, patient_id: int, payload: PatientPatch) -> Any:
    user = user_of(request)
    patient = get_or_404(visible_patients(user), patient_id)
    changes = sent(payload)
    allowed = _refuse_fields_not_allowed(user, changes)
    form = checked(filled_form(PatientForm, instance=patient, changes=changes, allowed_fields=allowed))
    with transaction.atomic():
        services.update_patient(patient=patient, data={f: form.cleaned_data[f] for f in changes}, acting_user=user)
    return _patients(user).get(pk=patient.pk)


@router.post(
    "/{int:patient_id}/guardians",
    response={201: GuardianOut, **ERRORS},
    summary="Add a guardian to a child",
    auth=allow(roles.EDIT_IDENTITY),
)
def create_guardian(request: HttpRequest, patient_id: int, payload: GuardianIn) -> Any:
    user = user_of(request)
    patient = get_or_404(visible_patients(user), patient_id)
    if patient.guardians.count() >= MAX_GUARDIANS:
        raise ApiError(409, _("A child has at most %(n)s guardians; change one instead.") % {"n": MAX_GUARDIANS})
    form = checked(filled_form(GuardianForm, instance=Guardian(patient=patient), changes=sent(payload)))
    data = {f: form.cleaned_data[f] for f in GUARDIAN_FIELDS}
    return Status(201, services.add_guardian(patient=patient, data=data, acting_user=user))


@router.patch(
    "/{int:patient_id}/guardians/{int:guardian_id}",
    response={200: GuardianOut, **ERRORS},
    summary="Change a child's guardian",
    auth=allow(roles.EDIT_IDENTITY),
)
def update_guardian(request: HttpRequest, patient_id: int, guardian_id: int, payload: GuardianPatch) -> Any:
    user = user_of(request)
    patient = get_or_404(visible_patients(user), patient_id)
    guardian = get_or_404(patient.guardians.all(), guardian_id)
    changes = sent(payload)
    form = checked(filled_form(GuardianForm, instance=guardian, changes=changes))
    data = {f: form.cleaned_data[f] for f in changes}
    return services.update_guardian(guardian=guardian, data=data, acting_user=user)
