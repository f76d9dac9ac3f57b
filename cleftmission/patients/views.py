from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cleftmission.core import audit, roles
from cleftmission.core.forms import add_service_errors
from cleftmission.core.roles import role_required
from cleftmission.core.text import is_htmx
from cleftmission.patients import services
from cleftmission.patients.access import missions_for_registration, visible_patients
from cleftmission.patients.forms import GuardianFormSet, PatientForm, RegistrationForm, patient_fields_for
from cleftmission.patients.models import Patient, PatientMerge
from cleftmission.patients.search import search_patients
from cleftmission.patients.views_merge import MERGE_RECORDS

SEARCH_LIMIT = 200


@role_required(roles.ANY_ROLE)
def patient_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    patients = search_patients(visible_patients(request.user), q, by_phone=roles.has(request.user, roles.SEE_CONTACTS))
    columns = ["id", "record_number", "family_name", "middle_name", "given_name", "sex", "date_of_birth"]
    rows = patients.only(*columns, "province", "lahshal")
    if q:
        # A search shows its best SEARCH_LIMIT matches: counting every match of "nguyen" in
        # a national registry would cost more than the search itself.
        rows = rows[:SEARCH_LIMIT]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "today": timezone.localdate(),
        "limited": bool(q) and page.paginator.count >= SEARCH_LIMIT,
    }
    template = "patients/_patient_rows.html" if is_htmx(request) else "patients/patient_list.html"
    return render(request, template, context)


def _get_visible(request: HttpRequest, pk: int) -> Patient:
    return get_object_or_404(visible_patients(request.user), pk=pk)


@role_required(roles.ANY_ROLE)
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # A record merged into another still opens, to say where it went (and to undo the merge).
    patient = get_object_or_404(
        visible_patients(request.user, include_merged=True).select_related("merged_into"), pk=pk
    )
    visits = patient.visits.select_related("mission", "mission__site").order_by("-mission__start_date")
    can_merge = roles.has(request.user, MERGE_RECORDS)
    active_merges = PatientMerge.objects.filter(undone_at__isnull=True).select_related("kept", "merged", "merged_by")
    return render(
        request,
        "patients/patient_detail.html",
        {
            "patient": patient,
            "can_merge": can_merge,
            "merged_records": active_merges.filter(kept=patient) if can_merge else None,
            "merge": active_merges.filter(merged=patient).first() if patient.merged_into_id else None,
            "diagnosis": patient.diagnosis,
            "guardians": patient.guardians.all() if roles.has(request.user, roles.SEE_CONTACTS) else None,
            "visits": visits,
            "age": patient.age_on(timezone.localdate()),
            "trail": audit.trail(patient)[:100] if roles.has(request.user, roles.SEE_AUDIT) else None,
        },
    )


def _save_guardians(formset: Any, patient: Patient, user: Any) -> None:
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue
        guardian = form.instance
        if form.cleaned_data.get("DELETE"):
            if guardian.pk:
                services.remove_guardian(guardian=guardian, acting_user=user)
        elif guardian.pk:
            services.update_guardian(
                guardian=guardian, data={f: form.cleaned_data[f] for f in form.changed_data}, acting_user=user
            )
        else:
            data = {f: form.cleaned_data[f] for f in ("name", "relation", "phone")}
            services.add_guardian(patient=patient, data=data, acting_user=user)


@role_required(roles.REGISTER_CHILDREN)
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    fields = patient_fields_for(request.user)
    data = request.POST or None
    form = PatientForm(data, allowed_fields=fields)
    guardians = GuardianFormSet(data, prefix="guardians")
    must_choose = not roles.has(request.user, roles.MANAGE_PLANNING)
    registration = RegistrationForm(data, missions=missions_for_registration(request.user), required=must_choose)
    if request.method == "POST" and form.is_valid() and guardians.is_valid() and registration.is_valid():
        try:
            with transaction.atomic():
                patient = services.create_patient(
                    data={f: form.cleaned_data[f] for f in form.fields},
                    mission=registration.cleaned_data["mission"],
                    acting_user=request.user,
                )
                _save_guardians(guardians, patient, request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Child registered as %(number)s.") % {"number": patient.record_number})
            return redirect(patient)
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "guardians": guardians, "registration": registration, "patient": None},
    )


@role_required(roles.EDIT_IDENTITY | roles.EDIT_CLINICAL)
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = _get_visible(request, pk)
    fields = patient_fields_for(request.user)
    if not fields:
        raise PermissionDenied
    data = request.POST or None
    form = PatientForm(data, instance=patient, allowed_fields=fields)
    edit_contacts = roles.has(request.user, roles.EDIT_IDENTITY)
    guardians = GuardianFormSet(data, instance=patient, prefix="guardians") if edit_contacts else None
    if request.method == "POST" and form.is_valid() and (guardians is None or guardians.is_valid()):
        try:
            with transaction.atomic():
                services.update_patient(
                    patient=patient, data={f: form.cleaned_data[f] for f in form.fields}, acting_user=request.user
                )
                if guardians is not None:
                    _save_guardians(guardians, patient, request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(patient)
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "guardians": guardians, "registration": None, "patient": patient},
    )
