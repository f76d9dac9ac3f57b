import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cleftmission.core import roles
from cleftmission.missions.models import Mission
from cleftmission.patients.access import my_missions, visible_patients
from cleftmission.volunteers.models import Credential, Volunteer
from cleftmission.volunteers.views_me import linked_volunteer


def dashboard(request: HttpRequest) -> HttpResponse:
    """The home page. A volunteer without a role is sent to their own page; a login with
    neither a role nor a volunteer record is refused."""
    role = roles.role_of(request.user)
    if role is None:
        if linked_volunteer(request.user) is not None:
            return redirect("volunteers:me")
        raise PermissionDenied
    today = timezone.localdate()
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
    # the programme's follow-up visits now overdue, for the phone team (the children the user may see)
    from cleftmission.followup import queries as follow_up

    context["follow_ups_overdue"] = follow_up.overdue(follow_up.visible_follow_ups(request.user), today).count()
    if role in roles.SEE_VOLUNTEERS:
        soon = today + dt.timedelta(days=settings.CREDENTIAL_WARNING_DAYS)
        context["volunteer_count"] = Volunteer.objects.count()
        context["expired_count"] = Credential.objects.expired(today).count()
        context["expiring"] = (
            Credential.objects.filter(valid_to__gte=today, valid_to__lte=soon)
            .select_related("volunteer")
            .order_by("valid_to")[:10]
        )
    if role in roles.MANAGE_PLANNING:
        context["pending_documents"] = Credential.objects.filter(verification=Credential.Verification.PENDING).count()
    return render(request, "core/dashboard.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})
