import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from cleftmission.core import roles
from cleftmission.core.roles import role_required
from cleftmission.missions.models import Mission
from cleftmission.patients.access import my_missions, visible_patients
from cleftmission.volunteers.models import Credential, Volunteer


@role_required(roles.ANY_ROLE)
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    role = roles.role_of(request.user)
    upcoming = Mission.objects.upcoming(today).select_related("site")
    if role in (roles.Role.CLINICIAN, roles.Role.REGISTRAR):
        upcoming = upcoming.filter(pk__in=my_missions(request.user).values("pk"))
    context: dict[str, object] = {
        "today": today,
        "upcoming": upcoming[:6],
        "children_count": visible_patients(request.user).count(),
        "missions_this_year": Mission.objects.filter(start_date__year=today.year).count(),
        "by_phase": dict(Mission.objects.values_list("phase").annotate(n=Count("id")).values_list("phase", "n")),
    }
    if role in roles.SEE_VOLUNTEERS:
        soon = today + dt.timedelta(days=settings.CREDENTIAL_WARNING_DAYS)
        context["volunteer_count"] = Volunteer.objects.count()
        context["expired_count"] = Credential.objects.expired(today).count()
        context["expiring"] = (
            Credential.objects.filter(valid_to__gte=today, valid_to__lte=soon)
            .select_related("volunteer")
            .order_by("valid_to")[:10]
        )
    return render(request, "core/dashboard.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})
