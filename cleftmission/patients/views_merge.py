"""Merging two records of the same child, and undoing it: coordinators and administrators."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cleftmission.core import roles
from cleftmission.core.forms import add_service_errors
from cleftmission.core.roles import role_required
from cleftmission.core.text import is_htmx
from cleftmission.patients import services
from cleftmission.patients.access import visible_patients
from cleftmission.patients.matching import find_duplicates, identity_of
from cleftmission.patients.models import Patient, PatientMerge
from cleftmission.patients.search import search_patients

# DESIGN.md, Access: merges are the coordinator's (and the administrator's).
MERGE_RECORDS = roles.MANAGE_PLANNING


class MergeForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked that these two records are the same child."),
        error_messages={"required": gettext_lazy("Tick the box to confirm that these records are the same child.")},
    )


def _patient(request: HttpRequest, pk: int) -> Patient:
    return get_object_or_404(visible_patients(request.user).prefetch_related("guardians"), pk=pk)


@role_required(MERGE_RECORDS)
def merge_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick the other record: the likely duplicates first, then a search by name, phone or number."""
    patient = _patient(request, pk)
    q = request.GET.get("q", "").strip()
    others = visible_patients(request.user).exclude(pk=patient.pk)
    results = list(search_patients(others, q)[:20]) if q else []
    context = {"patient": patient, "q": q, "results": results}
    if is_htmx(request):
        return render(request, "patients/merge_search_rows.html", context)
    context["likely"] = find_duplicates(among=others, identity=identity_of(patient))
    return render(request, "patients/merge_search.html", context)


def _side_by_side(kept: Patient, merged: Patient, filled: dict[str, list[Any]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in services.MERGE_FILLS:
        field: Any = Patient._meta.get_field(name)
        values = []
        for patient in (kept, merged):
            value: Any = getattr(patient, name)
            display = getattr(patient, f"get_{name}_display", None)
            values.append(display() if display else value)
        rows.append({"label": field.verbose_name, "kept": values[0], "merged": values[1], "fills": name in filled})
    return rows


@role_required(MERGE_RECORDS)
@require_http_methods(["GET", "POST"])
def merge_confirm(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    """Both records side by side; confirming keeps the first (`pk`) and merges the other into it."""
    if pk == other_pk:
        raise Http404
    kept, merged = _patient(request, pk), _patient(request, other_pk)
    form = MergeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            merge = services.merge_patients(kept=kept, merged=merged, acting_user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(merged)s is merged into %(kept)s.")
                % {"merged": merge.merged.record_number, "kept": merge.kept.record_number},
            )
            return redirect(kept)
    filled = services.fields_filled_by_merge(kept, merged)
    shared = list(services.shared_missions(kept, merged))
    return render(
        request,
        "patients/merge_confirm.html",
        {
            "form": form,
            "kept": kept,
            "merged": merged,
            "rows": _side_by_side(kept, merged, filled),
            "shared": shared,
            "shared_names": [m.name for m in shared],
            "visits": {
                side: patient.visits.select_related("mission").order_by("mission__start_date")
                for side, patient in (("kept", kept), ("merged", merged))
            },
            "guardians_moved": {g.pk for g in services.guardians_moved_by_merge(kept, merged)},
        },
    )


@role_required(MERGE_RECORDS)
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo the merge of this (merged) record."""
    patient = get_object_or_404(visible_patients(request.user, include_merged=True), pk=pk)
    merge = PatientMerge.objects.filter(merged=patient, undone_at__isnull=True).order_by("-merged_at").first()
    if merge is None:
        messages.error(request, _("This record is not merged into another."))
        return redirect(patient)
    try:
        services.undo_merge(merge=merge, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The merge is undone: %(record)s is a record of its own again.") % {"record": patient.record_number},
        )
    return redirect(patient)
