"""The mission report (its page, printed page and CSV) and the planning times compared over
missions, with the coordinator applying new planning minutes to the catalog.

The mission report is for everyone who may see the mission's screening, viewers included:
it shows figures only, never a child's name. The planning times are for coordinators and
administrators (they name surgeons and change the catalog)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cleftmission.core import roles
from cleftmission.core.exports import csv_response
from cleftmission.core.roles import role_required
from cleftmission.core.text import is_htmx
from cleftmission.missions.models import Mission
from cleftmission.reports import figures, forms, planning, services
from cleftmission.reports.export import report_rows
from cleftmission.screening import queries
from cleftmission.screening.models import Procedure


def _report_context(request: HttpRequest, mission: Mission) -> dict[str, Any]:
    return {
        "mission": mission,
        "report": figures.mission_report(mission),
        "can_plan": roles.has(request.user, roles.MANAGE_PLANNING),
        "times_url": times_link(mission),
    }


@role_required(roles.ANY_ROLE)
def mission_report(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = queries.visible_mission(request.user, mission_id)
    return render(request, "reports/mission_report.html", _report_context(request, mission))


@role_required(roles.ANY_ROLE)
def mission_report_print(request: HttpRequest, mission_id: int) -> HttpResponse:
    """The same figures on A4 pages, for the partner hospital and the programme's files."""
    mission = queries.visible_mission(request.user, mission_id)
    context = _report_context(request, mission)
    context["printed_at"] = timezone.localtime()
    return render(request, "reports/mission_report_print.html", context)


@role_required(roles.ANY_ROLE)
def mission_report_csv(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = queries.visible_mission(request.user, mission_id)
    header, rows = report_rows(figures.mission_report(mission))
    return csv_response(f"mission-report-{mission.pk}-{mission.start_date.isoformat()}.csv", header, rows)


# ---- planning times ---------------------------------------------------------------------------


@role_required(roles.MANAGE_PLANNING)
def planning_times(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    window = {"start": f"{today - forms.DEFAULT_WINDOW:%d/%m/%Y}", "end": f"{today:%d/%m/%Y}"}
    data = request.GET.copy()
    if request.GET and not request.GET.get("start") and not request.GET.get("end"):
        data.update(window)  # a hospital or kind alone: over the last twelve months, as the boxes say
    form = forms.TimesFilter(data or None, initial=window)
    missions, start, end = form.missions()
    times = figures.planning_times(missions)
    return render(
        request,
        "reports/planning_times.html",
        {
            "form": form,
            "times": times,
            "start": start,
            "end": end,
            "min_cases": planning.MIN_CASES,
            "percentile": planning.PERCENTILE,
            "query": request.GET.urlencode(),
        },
    )


def _back_to_times(request: HttpRequest) -> HttpResponse:
    url = reverse("reports:planning_times")
    query = request.POST.get("query", "")
    target = f"{url}?{query}" if query else url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = url
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@role_required(roles.MANAGE_PLANNING)
@require_POST
def apply_minutes(request: HttpRequest) -> HttpResponse:
    """Apply a procedure's proposed (or adjusted) planning minutes to the catalog."""
    procedure = Procedure.objects.filter(code=request.POST.get("procedure", "")).first()
    if procedure is None:
        messages.error(request, _("Procedure: choose a procedure of the catalog."))
        return _back_to_times(request)
    before = procedure.planning_minutes
    field = str(Procedure._meta.get_field("planning_minutes").verbose_name)
    try:
        services.set_planning_minutes(
            procedure=procedure, minutes=request.POST.get("minutes", ""), acting_user=request.user
        )
    except ValidationError as exc:
        for message in exc.message_dict.get("planning_minutes", exc.messages):
            messages.error(request, f"{field.capitalize()} ({procedure}): {message}")
    else:
        messages.success(
            request,
            _("%(procedure)s is now planned for %(minutes)s minutes (was %(before)s).")
            % {"procedure": procedure, "minutes": procedure.planning_minutes, "before": before},
        )
    return _back_to_times(request)


def times_link(mission: Mission) -> str:
    return reverse("reports:planning_times") + "?" + urlencode({"mission": mission.pk})


urlpatterns: list[URLPattern] = [
    path("missions/<int:mission_id>/report/", mission_report, name="mission"),
    path("missions/<int:mission_id>/report/print/", mission_report_print, name="mission_print"),
    path("missions/<int:mission_id>/report.csv", mission_report_csv, name="mission_csv"),
    path("planning/times/", planning_times, name="planning_times"),
    path("planning/times/apply/", apply_minutes, name="apply_minutes"),
]
