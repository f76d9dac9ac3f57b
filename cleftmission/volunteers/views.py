import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cleftmission.core import audit, roles
from cleftmission.core.forms import add_service_errors
from cleftmission.core.roles import role_required
from cleftmission.core.search import name_words_match
from cleftmission.core.text import is_htmx
from cleftmission.missions.models import Mission
from cleftmission.volunteers import services
from cleftmission.volunteers.forms import (
    CredentialForm,
    RequiredCredentialsForm,
    StaffingForm,
    VerificationForm,
    VolunteerForm,
    required_value,
    staffing_field,
)
from cleftmission.volunteers.models import Credential, MissionRole, RequiredCredential, StaffingNeed, Volunteer


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
        saved = services.save_volunteer(
            volunteer=form.instance, acting_user=request.user, procedures=form.cleaned_data["procedures"]
        )
        messages.success(request, _("Volunteer saved."))
        return redirect(saved)
    return render(request, "volunteers/volunteer_form.html", {"form": form, "volunteer": volunteer})


@role_required(roles.MANAGE_PLANNING)
@require_http_methods(["GET", "POST"])
def credential_edit(request: HttpRequest, volunteer_pk: int, pk: int | None = None) -> HttpResponse:
    volunteer = get_object_or_404(Volunteer, pk=volunteer_pk)
    credential = get_object_or_404(Credential, pk=pk, volunteer=volunteer) if pk else Credential(volunteer=volunteer)
    posted = request.method == "POST"
    form = CredentialForm(request.POST if posted else None, request.FILES if posted else None, instance=credential)
    if posted and form.is_valid():
        try:
            services.save_credential(
                credential=form.instance, document=form.cleaned_data.get("document"), acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
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


# --- credential documents and their verification -------------------------------------------


def credential_document(request: HttpRequest, volunteer_pk: int, pk: int) -> HttpResponseBase:
    """The scan behind a credential, served only to its own volunteer and to coordinators;
    there is no public URL for it."""
    credential = get_object_or_404(Credential.objects.select_related("volunteer"), pk=pk, volunteer_id=volunteer_pk)
    own = request.user.is_authenticated and credential.volunteer.user_id == request.user.pk
    if not own and not roles.has(request.user, roles.MANAGE_PLANNING):
        raise PermissionDenied
    if not credential.document:
        raise Http404
    try:
        handle = credential.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=services.document_content_type(credential.document.name or ""))
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(roles.MANAGE_PLANNING)
def verification_queue(request: HttpRequest) -> HttpResponse:
    """Credentials waiting for verification, the longest-waiting first."""
    today = timezone.localdate()
    pending = (
        Credential.objects.filter(verification=Credential.Verification.PENDING)
        .select_related("volunteer")
        .order_by("pk")
    )
    page = Paginator(pending, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/verification_queue.html",
        {"page": page, "rows": [(c, c.status(today)) for c in page]},
    )


@role_required(roles.MANAGE_PLANNING)
@require_http_methods(["GET", "POST"])
def credential_verify(request: HttpRequest, volunteer_pk: int, pk: int) -> HttpResponse:
    credential = get_object_or_404(
        Credential.objects.select_related("volunteer", "verified_by"), pk=pk, volunteer_id=volunteer_pk
    )
    form = VerificationForm(
        request.POST if request.method == "POST" else None,
        initial={"rejection_reason": credential.rejection_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["action"] == "verify":
                services.verify_credential(credential=credential, acting_user=request.user)
                messages.success(request, _("Credential verified."))
            else:
                services.reject_credential(
                    credential=credential, reason=form.cleaned_data["rejection_reason"], acting_user=request.user
                )
                messages.success(request, _("Credential rejected. The volunteer sees the reason on their page."))
        except ValidationError as exc:
            add_service_errors(form, exc)
            credential.refresh_from_db()
        else:
            return redirect("volunteers:verification")
    today = timezone.localdate()
    return render(
        request,
        "volunteers/credential_verify.html",
        {"credential": credential, "status": credential.status(today), "form": form},
    )


# --- the team rules ---------------------------------------------------------------------------


@role_required(roles.MANAGE_PLANNING)
@require_http_methods(["GET", "POST"])
def team_rules(request: HttpRequest) -> HttpResponse:
    """The credentials each specialty must hold, and the staffing template of each kind of
    mission: two forms on one page, each saved on its own."""
    required_form = RequiredCredentialsForm(
        initial={"required": [required_value(r.specialty, r.kind) for r in RequiredCredential.objects.all()]}
    )
    staffing_form = StaffingForm(initial=StaffingForm.initial_from(list(StaffingNeed.objects.all())))
    if request.method == "POST":
        if request.POST.get("section") == "required":
            required_form = RequiredCredentialsForm(request.POST)
            if required_form.is_valid():
                try:
                    changed = services.set_required_credentials(
                        required=required_form.pairs(), acting_user=request.user
                    )
                except ValidationError as exc:
                    add_service_errors(required_form, exc)
                else:
                    messages.success(request, _("Required credentials saved (%(n)s changes).") % {"n": changed})
                    return redirect("volunteers:rules")
        else:
            staffing_form = StaffingForm(request.POST)
            if staffing_form.is_valid():
                try:
                    changed = services.set_staffing_templates(
                        templates=staffing_form.templates(), acting_user=request.user
                    )
                except ValidationError as exc:
                    add_service_errors(staffing_form, exc)
                else:
                    messages.success(request, _("Staffing templates saved (%(n)s changes).") % {"n": changed})
                    return redirect("volunteers:rules")
    ticked = set(required_form["required"].value() or [])
    matrix = [
        (
            specialty_label,
            [(required_value(specialty, kind), kind_label, required_value(specialty, kind) in ticked)
             for kind, kind_label in Credential.Kind.choices],
        )
        for specialty, specialty_label in Volunteer.Specialty.choices
    ]  # fmt: skip
    staffing_rows = [
        (
            role_label,
            [
                staffing_form[staffing_field(kind, role, column)]
                for kind in Mission.Kind.values
                for column in StaffingForm.COLUMNS
            ],
        )
        for role, role_label in MissionRole.choices
    ]
    return render(
        request,
        "volunteers/team_rules.html",
        {
            "required_form": required_form,
            "kinds": Credential.Kind.choices,
            "matrix": matrix,
            "staffing_form": staffing_form,
            "mission_kinds": Mission.Kind.choices,
            "staffing_rows": staffing_rows,
        },
    )
