"""Follow-up pages: the programme's overdue visits and those due soon (with the guardian's
phone for the roles that may see contacts, and a CSV for the phone team), recording a visit
(inline on the list with htmx, or on its own page), planning a visit by hand, a mission's
recall list (with its CSV for the outreach team), and a child's journey across missions.

Everyone with a role reads the lists (clinicians and registrars only the children of the
missions they are on, viewers without contacts); the clinical roles record and plan visits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cleftmission.core import roles
from cleftmission.core.exports import csv_response
from cleftmission.core.forms import add_service_errors
from cleftmission.core.roles import role_required
from cleftmission.core.text import is_htmx
from cleftmission.followup import journey as journey_data
from cleftmission.followup import queries, recall_query, services
from cleftmission.followup.forms import OutcomeForm, PlanForm
from cleftmission.followup.models import FollowUpVisit
from cleftmission.missions.models import Site
from cleftmission.patients.access import visible_patients
from cleftmission.patients.models import Guardian, Patient
from cleftmission.screening import queries as screening_queries
from cleftmission.surgery.models import SurgicalCase

OVERDUE_PAGE = 50
DUE_SOON_LIMIT = 200


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


# ---- the overdue list ----------------------------------------------------------------------


@dataclass
class Row:
    visit: FollowUpVisit
    operation: str
    days_overdue: int
    guardians: list[Guardian] | None  # None: not shown to this role

    @property
    def patient(self) -> Patient:
        return self.visit.case.visit.patient


def _rows(visits: Any, today: dt.date, contacts: bool) -> list[Row]:
    return [
        Row(
            visit=v,
            operation=queries.operation_text(v.case),
            days_overdue=queries.days_overdue(v, today),
            guardians=list(v.case.visit.patient.guardians.all()) if contacts else None,
        )
        for v in visits
    ]


def _filters(request: HttpRequest) -> dict[str, int | None]:
    return {"site": _id(request.GET.get("site")), "mission": _id(request.GET.get("mission"))}


@role_required(roles.ANY_ROLE)
def overdue_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    contacts = roles.has(user, roles.SEE_CONTACTS)
    filters = _filters(request)
    visits = queries.filtered(queries.visible_follow_ups(user), **filters)
    page = Paginator(queries.with_details(queries.overdue(visits, today), contacts=contacts), OVERDUE_PAGE).get_page(
        request.GET.get("page")
    )
    soon = queries.with_details(queries.due_soon(visits, today), contacts=contacts)[:DUE_SOON_LIMIT]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "followup/overdue.html",
        {
            "page": page,
            "overdue": _rows(page, today, contacts),
            "soon": _rows(soon, today, contacts),
            "soon_days": queries.DUE_SOON_DAYS,
            "today": today,
            "sites": Site.objects.filter(pk__in=queries.missions_with_cases(user).values("site_id")).order_by("name"),
            "missions": queries.missions_with_cases(user),
            "filters": filters,
            "query": query.urlencode(),
            "can_record": roles.has(user, queries.RECORD_FOLLOW_UP),
            "contacts": contacts,
        },
    )


def _day(value: dt.date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _contact_cells(guardians: list[Guardian]) -> list[str]:
    return [
        "; ".join(f"{g.name} ({g.get_relation_display()})" for g in guardians),
        "; ".join(g.phone for g in guardians if g.phone),
    ]


@role_required(roles.ANY_ROLE)
def overdue_csv(request: HttpRequest) -> HttpResponse:
    """The overdue visits for the phone team, oldest first; phones only for the roles that may
    see contact details."""
    user = request.user
    today = timezone.localdate()
    contacts = roles.has(user, roles.SEE_CONTACTS)
    visits = queries.filtered(queries.visible_follow_ups(user), **_filters(request))
    header = [
        _("Child"),
        _("Record number"),
        _("Date of birth"),
        _("Visit"),
        _("Due"),
        _("Days overdue"),
        _("Mission"),
        _("Hospital"),
        _("Operated on"),
        _("Operation"),
    ]
    if contacts:
        header += [_("Guardian"), _("Phone")]
    rows = []
    for row in _rows(queries.with_details(queries.overdue(visits, today), contacts=contacts), today, contacts):
        case = row.visit.case
        line: list[Any] = [
            row.patient.full_name,
            row.patient.record_number,
            _day(row.patient.date_of_birth),
            row.visit.get_kind_display(),
            _day(row.visit.due_date),
            row.days_overdue,
            case.mission.name,
            case.mission.site.name,
            _day(case.day),
            row.operation,
        ]
        if row.guardians is not None:
            line += _contact_cells(row.guardians)
        rows.append(line)
    return csv_response(f"follow-up-overdue-{today.isoformat()}.csv", [str(h) for h in header], rows)


# ---- recording a visit ---------------------------------------------------------------------


def _visible_visit(request: HttpRequest, pk: int) -> FollowUpVisit:
    visits = queries.with_details(queries.visible_follow_ups(request.user), contacts=False)
    return get_object_or_404(visits, pk=pk)


def _comparison(form: OutcomeForm, stored: FollowUpVisit) -> list[dict[str, Any]]:
    """Field by field: what is stored now and what this person typed."""

    def show(value: Any) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        if isinstance(value, dt.date):
            return date_format(value, "SHORT_DATE_FORMAT")
        return str(value)

    cleaned: dict[str, Any] = getattr(form, "cleaned_data", {})
    labels: dict[str, dict[str, Any]] = {
        "status": dict(FollowUpVisit.Status.choices),
        "intelligibility": dict(FollowUpVisit.Intelligibility.choices),
    }
    rows: list[dict[str, Any]] = []
    for name, field in form.fields.items():
        theirs, yours = getattr(stored, name), cleaned.get(name)
        if name in labels:
            theirs, yours = labels[name].get(theirs, theirs), labels[name].get(str(yours), yours)
        stored_text, yours_text = show(theirs), show(yours)
        rows.append(
            {"label": field.label, "stored": stored_text, "yours": yours_text, "differs": stored_text != yours_text}
        )
    return rows


@role_required(queries.RECORD_FOLLOW_UP)
@require_http_methods(["GET", "POST"])
def record_visit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visible_visit(request, pk)
    back = _next(request, reverse("followup:overdue"))
    version = visit.version
    conflict = None
    if request.method == "POST":
        form = OutcomeForm(request.POST)
        version = _id(request.POST.get("version")) or 0
        if form.is_valid():
            try:
                services.record_outcome(
                    visit=visit, changes=dict(form.cleaned_data), expected_version=version, acting_user=request.user
                )
            except services.ConflictError as exc:
                conflict = _comparison(form, exc.current)
                visit, version = exc.current, exc.current.version
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Follow-up visit recorded for %(name)s.") % {"name": visit.case.visit.patient.full_name},
                )
                if is_htmx(request):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = back
                    return response
                return redirect(back)
    else:
        form = OutcomeForm(initial=OutcomeForm.initial_for(visit))
    context = {
        "visit": visit,
        "form": form,
        "version": version,
        "conflict": conflict,
        "next": back,
        "operation": queries.operation_text(visit.case),
        "today": timezone.localdate(),
    }
    template = "followup/_record_form.html" if is_htmx(request) else "followup/visit.html"
    return render(request, template, context)


@role_required(queries.RECORD_FOLLOW_UP)
@require_http_methods(["GET", "POST"])
def plan_visit(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Plan a follow-up visit by hand for an operated child."""
    cases = SurgicalCase.objects.filter(visit__patient__in=visible_patients(request.user).values("pk"))
    case = get_object_or_404(cases.select_related("visit__patient", "mission"), pk=case_pk)
    patient = case.visit.patient
    back = _next(request, reverse("followup:journey", args=[patient.pk]))
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_visit(
                case=case,
                kind=form.cleaned_data["kind"],
                due_date=form.cleaned_data["due_date"],
                notes=form.cleaned_data["notes"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Follow-up visit planned for %(name)s on %(date)s.")
                % {"name": patient.full_name, "date": _day(form.cleaned_data["due_date"])},
            )
            return redirect(back)
    return render(
        request,
        "followup/plan.html",
        {"case": case, "patient": patient, "form": form, "next": back, "operation": queries.operation_text(case)},
    )


# ---- recall for a mission --------------------------------------------------------------------


@dataclass
class RecallRow:
    entry: recall_query.Entry
    reasons: list[str]


@role_required(roles.ANY_ROLE)
def recall_list(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = screening_queries.visible_mission(request.user, mission_id)
    data = recall_query.recall_list_for(request.user, mission)
    rows = [RecallRow(e, [recall_query.describe(r, data.missions) for r in e.reasons]) for e in data.entries]
    return render(
        request,
        "followup/recall.html",
        {
            "mission": mission,
            "recall": data,
            "rows": rows,
            "contacts": roles.has(request.user, roles.SEE_CONTACTS),
            "rules": recall_query.rules_for(mission),
        },
    )


@role_required(roles.ANY_ROLE)
def recall_csv(request: HttpRequest, mission_id: int) -> HttpResponse:
    """The recall list for the outreach team; guardians and phones only for the roles that may
    see contact details."""
    mission = screening_queries.visible_mission(request.user, mission_id)
    data = recall_query.recall_list_for(request.user, mission)
    contacts = roles.has(request.user, roles.SEE_CONTACTS)
    header = [
        _("Child"),
        _("Record number"),
        _("Date of birth"),
        _("Age on the first day"),
        _("Province"),
        _("Diagnosis (LAHSHAL)"),
        _("Reason"),
        _("Last seen"),
    ]
    if contacts:
        header += [_("Guardian"), _("Phone")]
    rows = []
    for entry in data.entries:
        years, months = entry.age
        line: list[Any] = [
            entry.patient.full_name,
            entry.patient.record_number,
            _day(entry.patient.date_of_birth),
            _("%(y)s y %(m)s m") % {"y": years, "m": months},
            entry.patient.province,
            entry.patient.lahshal,
            "; ".join(recall_query.describe(r, data.missions) for r in entry.reasons),
            _day(entry.last_seen),
        ]
        if entry.guardians is not None:
            line += _contact_cells(entry.guardians)
        rows.append(line)
    return csv_response(f"recall-{mission.pk}-{mission.start_date.isoformat()}.csv", [str(h) for h in header], rows)


# ---- a child's journey -------------------------------------------------------------------------


@role_required(roles.ANY_ROLE)
def journey(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's story across missions, printable for the family; the same access as the
    child's page (viewers see no contacts and no photos)."""
    patient = get_object_or_404(
        visible_patients(request.user, include_merged=True).select_related("merged_into"), pk=pk
    )
    contacts = roles.has(request.user, roles.SEE_CONTACTS)
    today = timezone.localdate()
    return render(
        request,
        "patients/journey.html",
        {
            "patient": patient,
            "chapters": journey_data.chapters(patient, request.user),
            "guardians": list(patient.guardians.all()) if contacts else None,
            "diagnosis": patient.diagnosis,
            "age": patient.age_on(today),
            "today": today,
            "can_plan": roles.has(request.user, queries.RECORD_FOLLOW_UP),
        },
    )
