"""A volunteer's own page: their record, their missions, their credential documents and the
dates they are unavailable. Open to any login linked to a volunteer record, whatever their
role; each sees only their own (someone else's credential or period is not found)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cleftmission.core.forms import add_service_errors
from cleftmission.missions.models import Mission
from cleftmission.volunteers import services
from cleftmission.volunteers.forms import OwnCredentialForm, UnavailabilityForm
from cleftmission.volunteers.models import Credential, Unavailability, Volunteer


def linked_volunteer(user: Any) -> Volunteer | None:
    """The volunteer record a login is linked to, if any."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        volunteer: Volunteer = user.volunteer
    except ObjectDoesNotExist:
        return None
    return volunteer


def _own(request: HttpRequest) -> Volunteer:
    volunteer = linked_volunteer(request.user)
    if volunteer is None:
        raise PermissionDenied
    return volunteer


def _page(
    request: HttpRequest, volunteer: Volunteer, unavailability_form: UnavailabilityForm | None = None
) -> HttpResponse:
    today = timezone.localdate()
    memberships = list(volunteer.memberships.select_related("mission", "mission__site").order_by("mission__start_date"))
    coming = [m for m in memberships if m.mission.end_date >= today]
    past = [m for m in reversed(memberships) if m.mission.end_date < today]
    next_mission: Mission | None = coming[0].mission if coming else None
    credentials = [
        (c, c.status(today), c.status(today, next_mission) if next_mission else None)
        for c in volunteer.credentials.all()
    ]
    return render(
        request,
        "volunteers/my_page.html",
        {
            "volunteer": volunteer,
            "coming": coming,
            "past": past,
            "next_mission": next_mission,
            "credentials": credentials,
            "unavailable": volunteer.unavailable.all(),
            "unavailability_form": unavailability_form or UnavailabilityForm(),
        },
    )


def my_page(request: HttpRequest) -> HttpResponse:
    return _page(request, _own(request))


@require_http_methods(["GET", "POST"])
def my_credential_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    volunteer = _own(request)
    credential = get_object_or_404(Credential, pk=pk, volunteer=volunteer) if pk else Credential(volunteer=volunteer)
    posted = request.method == "POST"
    form = OwnCredentialForm(request.POST if posted else None, request.FILES if posted else None, instance=credential)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_own_credential(
                credential=form.instance, document=form.cleaned_data.get("document"), acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Credential saved. A coordinator will verify it."))
            return redirect("volunteers:me")
    return render(
        request,
        "volunteers/my_credential_form.html",
        {"form": form, "volunteer": volunteer, "credential": credential if pk else None},
    )


@require_http_methods(["GET", "POST"])
def my_unavailability(request: HttpRequest) -> HttpResponse:
    volunteer = _own(request)
    form = UnavailabilityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_unavailability(
                volunteer=volunteer,
                first_day=form.cleaned_data["first_day"],
                last_day=form.cleaned_data["last_day"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Dates saved: you will not be proposed for a mission then."))
            return redirect("volunteers:me")
    return render(request, "volunteers/my_unavailability_form.html", {"form": form, "volunteer": volunteer})


def my_unavailability_delete(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _own(request)
    period = get_object_or_404(Unavailability, pk=pk, volunteer=volunteer)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.remove_unavailability(unavailability=period, acting_user=request.user)
    messages.success(request, _("Dates removed."))
    return redirect("volunteers:me")
