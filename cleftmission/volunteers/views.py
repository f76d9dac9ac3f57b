import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cleftmission.core import audit, roles
from cleftmission.core.roles import role_required
from cleftmission.core.search import name_words_match
from cleftmission.core.text import is_htmx
from cleftmission.missions.models import Mission
from cleftmission.volunteers import services
from cleftmission.volunteers.forms import CredentialForm, VolunteerForm
from cleftmission.volunteers.models import Credential, Volunteer


@role_required(roles.SEE_VOLUNTEERS)
def volunteer_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    volunteers = Volunteer.objects.all()
    q = request.GET.get("q", "").strip()
    if q:
        volunteers = volunteers.filter(name_words_match(q))
    specialty = request.GET.get("specialty", "")
    if specialty in Volunteer.Specialty.values:
        volunteers = volunteers.filter(specialty=specialty)
    origin = request.GET.get("origin", "")
    if origin in Volunteer.Origin.values:
        volunteers = volunteers.filter(origin=origin)
    problem = request.GET.get("credentials", "")
    soon = today + dt.timedelta(days=settings.CREDENTIAL_WARNING_DAYS)
    if problem == "expired":
        volunteers = volunteers.filter(Exists(Credential.objects.filter(volunteer=OuterRef("pk"), valid_to__lt=today)))
    elif problem == "expiring":
        volunteers = volunteers.filter(
            Exists(Credential.objects.filter(volunteer=OuterRef("pk"), valid_to__gte=today, valid_to__lte=soon))
        )
    page = Paginator(volunteers.prefetch_related("credentials"), 50).get_page(request.GET.get("page"))
    rows = []
    for volunteer in page:
        statuses = [c.status(today) for c in volunteer.credentials.all()]
        rows.append(
            (
                volunteer,
                statuses.count(Credential.Status.EXPIRED),
                statuses.count(Credential.Status.EXPIRING),
            )
        )
    template = "volunteers/_volunteer_rows.html" if is_htmx(request) else "volunteers/volunteer_list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "rows": rows,
            "specialties": Volunteer.Specialty.choices,
            "origins": Volunteer.Origin.choices,
            "filters": {"q": q, "specialty": specialty, "origin": origin, "credentials": problem},
        },
    )


@role_required(roles.SEE_VOLUNTEERS)
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = get_object_or_404(Volunteer, pk=pk)
    today = timezone.localdate()
    memberships = volunteer.memberships.select_related("mission", "mission__site").order_by("-mission__start_date")
    next_mission = (
        Mission.objects.filter(members__volunteer=volunteer, end_date__gte=today).order_by("start_date").first()
    )
    credentials = [
        (c, c.status(today), c.status(today, next_mission) if next_mission else None)
        for c in volunteer.credentials.all()
    ]
    return render(
        request,
        "volunteers/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "credentials": credentials,
            "memberships": memberships,
            "next_mission": next_mission,
            "trail": audit.trail(volunteer)[:50] if roles.has(request.user, roles.SEE_AUDIT) else None,
        },
    )


@role_required(roles.MANAGE_PLANNING)
@require_http_methods(["GET", "POST"])
def volunteer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    volunteer = get_object_or_404(Volunteer, pk=pk) if pk else None
    form = VolunteerForm(request.POST or None, instance=volunteer)
    if request.method == "POST" and form.is_valid():
        saved = services.save_volunteer(volunteer=form.instance, acting_user=request.user)
        messages.success(request, _("Volunteer saved."))
        return redirect(saved)
    return render(request, "volunteers/volunteer_form.html", {"form": form, "volunteer": volunteer})


@role_required(roles.MANAGE_PLANNING)
@require_http_methods(["GET", "POST"])
def credential_edit(request: HttpRequest, volunteer_pk: int, pk: int | None = None) -> HttpResponse:
    volunteer = get_object_or_404(Volunteer, pk=volunteer_pk)
    credential = get_object_or_404(Credential, pk=pk, volunteer=volunteer) if pk else Credential(volunteer=volunteer)
    form = CredentialForm(request.POST or None, instance=credential)
    if request.method == "POST" and form.is_valid():
        services.save_credential(credential=form.instance, acting_user=request.user)
        messages.success(request, _("Credential saved."))
        return redirect(volunteer)
    return render(
        request,
        "volunteers/credential_form.html",
        {"form": form, "volunteer": volunteer, "credential": credential if pk else None},
    )


@role_required(roles.MANAGE_PLANNING)
@require_POST
def credential_delete(request: HttpRequest, volunteer_pk: int, pk: int) -> HttpResponse:
    credential = get_object_or_404(Credential, pk=pk, volunteer_id=volunteer_pk)
    volunteer = credential.volunteer
    services.remove_credential(credential=credential, acting_user=request.user)
    messages.success(request, _("Credential removed."))
    return redirect(volunteer)


@role_required(roles.SEE_VOLUNTEERS)
def credential_expiry(request: HttpRequest) -> HttpResponse:
    """Credentials that are expired, expire within 60 days, or expire before a chosen
    mission ends (or within 60 days of its end)."""
    today = timezone.localdate()
    missions = Mission.objects.upcoming(today).select_related("site")
    mission_id = request.GET.get("mission", "")
    mission = missions.filter(pk=int(mission_id)).first() if mission_id.isdigit() else None
    if mission is not None:
        horizon = mission.end_date + dt.timedelta(days=settings.CREDENTIAL_WARNING_DAYS)
        credentials = Credential.objects.filter(volunteer__memberships__mission=mission, valid_to__lte=horizon)
    else:
        horizon = today + dt.timedelta(days=settings.CREDENTIAL_WARNING_DAYS)
        credentials = Credential.objects.filter(valid_to__lte=horizon, valid_to__gte=today - dt.timedelta(days=365))
    rows = [(c, c.status(today, mission)) for c in credentials.select_related("volunteer").order_by("valid_to")[:500]]
    return render(
        request,
        "volunteers/credential_expiry.html",
        {"rows": rows, "missions": missions[:50], "mission": mission, "horizon": horizon},
    )


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


verification_queue = team_rules = credential_document = credential_verify = _todo
