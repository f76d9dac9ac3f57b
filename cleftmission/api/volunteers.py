"""/volunteers: the people on mission teams, and (nested) their credentials."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Status

from cleftmission.api.auth import allow, user_of
from cleftmission.api.common import checked, filled_form, get_or_404, page, sent
from cleftmission.api.schemas import (
    ERRORS,
    CredentialIn,
    CredentialList,
    CredentialOut,
    CredentialPatch,
    PageParams,
    VolunteerIn,
    VolunteerList,
    VolunteerOut,
    VolunteerPatch,
)
from cleftmission.core import roles
from cleftmission.core.search import name_words_match
from cleftmission.volunteers import services
from cleftmission.volunteers.forms import CredentialForm, VolunteerForm
from cleftmission.volunteers.models import Credential, Volunteer

router = Router(tags=["volunteers"])


class VolunteerFilters(PageParams):
    q: str = Field("", description="Name, with or without diacritics; every word must start a word of the name")
    specialty: str | None = Field(None, description=", ".join(Volunteer.Specialty.values))
    origin: str | None = Field(None, description=", ".join(Volunteer.Origin.values))


def _volunteers() -> QuerySet[Volunteer]:
    return Volunteer.objects.order_by("family_name", "given_name", "id")


def _credentials(volunteer: Volunteer) -> QuerySet[Credential]:
    return volunteer.credentials.order_by("kind", "-valid_to", "id")


@router.get("", response={200: VolunteerList, **ERRORS}, summary="List volunteers", auth=allow(roles.SEE_VOLUNTEERS))
def list_volunteers(request: HttpRequest, params: Query[VolunteerFilters]) -> Any:
    volunteers = _volunteers()
    if params.q:
        volunteers = volunteers.filter(name_words_match(params.q))
    if params.specialty:
        volunteers = volunteers.filter(specialty=params.specialty)
    if params.origin:
        volunteers = volunteers.filter(origin=params.origin)
    return page(volunteers, params)


@router.get(
    "/{int:volunteer_id}",
    response={200: VolunteerOut, **ERRORS},
    summary="Get a volunteer",
    auth=allow(roles.SEE_VOLUNTEERS),
)
def get_volunteer(request: HttpRequest, volunteer_id: int) -> Any:
    return get_or_404(_volunteers(), volunteer_id)


@router.post("", response={201: VolunteerOut, **ERRORS}, summary="Add a volunteer", auth=allow(roles.MANAGE_PLANNING))
def create_volunteer(request: HttpRequest, payload: VolunteerIn) -> Any:
    user = user_of(request)
    form = checked(filled_form(VolunteerForm, instance=Volunteer(), changes=sent(payload)))
    return Status(201, services.save_volunteer(volunteer=form.instance, acting_user=user))


@router.patch(
    "/{int:volunteer_id}",
    response={200: VolunteerOut, **ERRORS},
    summary="Change a volunteer",
    auth=allow(roles.MANAGE_PLANNING),
)
def update_volunteer(request: HttpRequest, volunteer_id: int, payload: VolunteerPatch) -> Any:
    user = user_of(request)
    volunteer = get_or_404(Volunteer.objects.all(), volunteer_id)
    form = checked(filled_form(VolunteerForm, instance=volunteer, changes=sent(payload)))
    return services.save_volunteer(volunteer=form.instance, acting_user=user)


@router.get(
    "/{int:volunteer_id}/credentials",
    response={200: CredentialList, **ERRORS},
    summary="List a volunteer's credentials",
    auth=allow(roles.SEE_VOLUNTEERS),
)
def list_credentials(request: HttpRequest, volunteer_id: int, params: Query[PageParams]) -> Any:
    volunteer = get_or_404(Volunteer.objects.all(), volunteer_id)
    return page(_credentials(volunteer), params)


@router.get(
    "/{int:volunteer_id}/credentials/{int:credential_id}",
    response={200: CredentialOut, **ERRORS},
    summary="Get one of a volunteer's credentials",
    auth=allow(roles.SEE_VOLUNTEERS),
)
def get_credential(request: HttpRequest, volunteer_id: int, credential_id: int) -> Any:
    volunteer = get_or_404(Volunteer.objects.all(), volunteer_id)
    return get_or_404(_credentials(volunteer), credential_id)


@router.post(
    "/{int:volunteer_id}/credentials",
    response={201: CredentialOut, **ERRORS},
    summary="Record a credential (licence, certification…) of a volunteer",
    auth=allow(roles.MANAGE_PLANNING),
)
def create_credential(request: HttpRequest, volunteer_id: int, payload: CredentialIn) -> Any:
    user = user_of(request)
    volunteer = get_or_404(Volunteer.objects.all(), volunteer_id)
    credential = Credential(volunteer=volunteer)
    form = checked(filled_form(CredentialForm, instance=credential, changes=sent(payload)))
    return Status(201, services.save_credential(credential=form.instance, acting_user=user))


@router.patch(
    "/{int:volunteer_id}/credentials/{int:credential_id}",
    response={200: CredentialOut, **ERRORS},
    summary="Change a volunteer's credential",
    auth=allow(roles.MANAGE_PLANNING),
)
def update_credential(request: HttpRequest, volunteer_id: int, credential_id: int, payload: CredentialPatch) -> Any:
    user = user_of(request)
    volunteer = get_or_404(Volunteer.objects.all(), volunteer_id)
    credential = get_or_404(_credentials(volunteer), credential_id)
    form = checked(filled_form(CredentialForm, instance=credential, changes=sent(payload)))
    return services.save_credential(credential=form.instance, acting_user=user)
