from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cleftmission.core import audit, roles
from cleftmission.core.roles import role_required
from cleftmission.missions import services
from cleftmission.missions.forms import MissionForm, SiteForm, TableFormSet
from cleftmission.missions.models import Mission, Site
from cleftmission.screening import queries as screening_queries
from cleftmission.screening.models import ScreeningVisit
from cleftmission.volunteers.models import Credential, MissionMember


def _per_mission(rows: QuerySet[Any]) -> Coalesce:
    """A count per mission as a subquery: joining visits and members in one query would
    multiply the rows (visits × members) before counting."""
    counted = rows.filter(mission=OuterRef("pk")).order_by().values("mission").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), Value(0))


@role_required(roles.ANY_ROLE)
def mission_list(request: HttpRequest) -> HttpResponse:
    # distinct: visits and members are joined together, so each count would be multiplied by the other.
    missions = (
        Mission.objects.select_related("site")
        .annotate(
            evaluated=_per_mission(ScreeningVisit.objects.all()),
            operated=_per_mission(ScreeningVisit.objects.filter(outcome=ScreeningVisit.Outcome.OPERATED)),
            team=_per_mission(MissionMember.objects.all()),
        )
        .order_by("-start_date", "-id")
    )
    kind = request.GET.get("kind", "")
    if kind in Mission.Kind.values:
        missions = missions.filter(kind=kind)
    phase = request.GET.get("phase", "")
    if phase in Mission.Phase.values:
        missions = missions.filter(phase=phase)
    site = request.GET.get("site", "")
    if site.isdigit():
        missions = missions.filter(site_id=int(site))
    # 50 a page: ten years of missions would otherwise be one long, slow page
    page = Paginator(missions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "missions/mission_list.html",
        {
            "missions": page,
            "page": page,
            "sites": Site.objects.all(),
            "kinds": Mission.Kind.choices,
            "phases": Mission.Phase.choices,
            "filters": {"kind": kind, "phase": phase, "site": site},
        },
    )


@role_required(roles.ANY_ROLE)
def mission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mission = get_object_or_404(Mission.objects.select_related("site"), pk=pk)
    visits = ScreeningVisit.objects.filter(mission=mission)
    counts = {row["outcome"]: row["n"] for row in visits.values("outcome").annotate(n=Count("id"))}
    outcomes = [(label, counts.get(value, 0)) for value, label in ScreeningVisit.Outcome.choices]
    members = mission.members.select_related("volunteer").order_by("role", "volunteer__family_name")
    today = timezone.localdate()
    credential_problems = []
    if roles.has(request.user, roles.SEE_VOLUNTEERS):
        for credential in Credential.objects.filter(volunteer__memberships__mission=mission).select_related(
            "volunteer"
        ):
            status = credential.status(today, mission)
            if status != Credential.Status.VALID:
                credential_problems.append((credential, status))
    # Children deferred at earlier missions here, due back at this one (planning and screening).
    rescreen = None
    if mission.phase in (Mission.Phase.PLANNING, Mission.Phase.SCREENING):
        rescreen = screening_queries.rescreen_list_for(request.user, mission)
    return render(
        request,
        "missions/mission_detail.html",
        {
            "mission": mission,
            "evaluated": sum(counts.values()),
            "outcomes": outcomes,
            "members": members,
            "credential_problems": credential_problems,
            "rescreen": rescreen,
            "sees_screening": screening_queries.may_see_screening(request.user, mission),
            "threshold_fields": [(mission._meta.get_field(f), getattr(mission, f)) for f in Mission.THRESHOLD_FIELDS],
            "trail": audit.trail(mission)[:50] if roles.has(request.user, roles.SEE_AUDIT) else None,
        },
    )


@role_required(roles.MANAGE_PLANNING)
@require_http_methods(["GET", "POST"])
def mission_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    mission = get_object_or_404(Mission, pk=pk) if pk else None
    form = MissionForm(request.POST or None, instance=mission)
    if request.method == "POST" and form.is_valid():
        saved = services.save_mission(mission=form.instance, acting_user=request.user)
        messages.success(request, _("Mission saved."))
        return redirect(saved)
    return render(request, "missions/mission_form.html", {"form": form, "mission": mission})


@role_required(roles.ANY_ROLE)
def site_list(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.annotate(
        table_count=Count("tables", filter=Q(tables__active=True), distinct=True),
        mission_count=Count("missions", distinct=True),
    ).order_by("name")
    return render(request, "missions/site_list.html", {"sites": sites})


@role_required(roles.ANY_ROLE)
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(Site, pk=pk)
    return render(
        request,
        "missions/site_detail.html",
        {
            "site": site,
            "tables": site.tables.all(),
            "missions": site.missions.all()[:50],
            "trail": audit.trail(site)[:50] if roles.has(request.user, roles.SEE_AUDIT) else None,
        },
    )


@role_required(roles.MANAGE_PLANNING)
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    site = get_object_or_404(Site, pk=pk) if pk else Site()
    form = SiteForm(request.POST or None, instance=site)
    tables = TableFormSet(request.POST or None, instance=site, prefix="tables")
    if request.method == "POST" and form.is_valid() and tables.is_valid():
        with transaction.atomic():
            saved = services.save_site(site=form.instance, acting_user=request.user)
            for table_form in tables.forms:
                if not table_form.has_changed() and table_form.instance.pk is None:
                    continue
                table = table_form.instance
                table.site = saved
                if table_form.cleaned_data.get("DELETE"):
                    if table.pk:
                        services.remove_table(table=table, acting_user=request.user)
                else:
                    services.save_table(table=table, acting_user=request.user)
        messages.success(request, _("Hospital saved."))
        return redirect(saved)
    return render(request, "missions/site_form.html", {"form": form, "tables": tables, "site": site if pk else None})
