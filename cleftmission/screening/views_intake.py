"""Intake at the gate: find the child already known (from an earlier mission, or registered
twice today) or register a new one; then print the wristband."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import qrcode
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, URLPattern, path
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from qrcode.image.svg import SvgPathImage

from cleftmission.core import roles
from cleftmission.core.forms import add_service_errors
from cleftmission.core.roles import role_required
from cleftmission.core.text import is_htmx
from cleftmission.missions.models import Mission
from cleftmission.patients import services
from cleftmission.patients.access import intake_candidates, missions_for_registration, my_missions, visible_patients
from cleftmission.patients.forms import GuardianForm, PatientForm
from cleftmission.patients.matching import Duplicate, find_duplicates, identity_from
from cleftmission.patients.models import Patient
from cleftmission.screening.models import ScreeningVisit

# At the gate only who the child is; the diagnosis is the stations' work.
INTAKE_FIELDS = Patient.IDENTITY_FIELDS
GUARDIAN_FIELDS = ["name", "relation", "phone"]


@dataclass
class Proposal:
    """A known child proposed at intake, with what the registrar needs to recognise them."""

    duplicate: Duplicate
    visit_here: ScreeningVisit | None = None
    registered_today: bool = False
    history: list[ScreeningVisit] = field(default_factory=list)
    visible: bool = False

    @property
    def patient(self) -> Patient:
        return self.duplicate.patient

    @property
    def score(self) -> int:
        return self.duplicate.score

    @property
    def reasons(self) -> list[tuple[str, bool]]:
        return self.duplicate.reasons


def _intake_mission(request: HttpRequest, mission_id: int) -> Mission:
    """The mission, if this user may register children for it (registrars: their own)."""
    mission = get_object_or_404(Mission.objects.select_related("site"), pk=mission_id)
    if not missions_for_registration(request.user).filter(pk=mission.pk).exists():
        raise PermissionDenied
    return mission


def _proposals(request: HttpRequest, mission: Mission, data: Any) -> list[Proposal]:
    identity = identity_from(data, [data.get("guardian-phone", "")])
    found = find_duplicates(among=intake_candidates(request.user), identity=identity)
    if not found:
        return []
    pks = [d.patient.pk for d in found]
    visits: dict[int, list[ScreeningVisit]] = defaultdict(list)
    for visit in (
        ScreeningVisit.objects.filter(patient_id__in=pks)
        .select_related("mission")
        .order_by("-mission__start_date", "-registered_at")
    ):
        visits[visit.patient_id].append(visit)
    visible = set(visible_patients(request.user).filter(pk__in=pks).values_list("pk", flat=True))
    today = timezone.localdate()
    proposals = []
    for duplicate in found:
        pk = duplicate.patient.pk
        here = next((v for v in visits[pk] if v.mission_id == mission.pk), None)
        proposals.append(
            Proposal(
                duplicate=duplicate,
                visit_here=here,
                registered_today=here is not None and timezone.localdate(here.registered_at) == today,
                history=[v for v in visits[pk] if v.mission_id != mission.pk],
                visible=pk in visible,
            )
        )
    return proposals


def _register_known(request: HttpRequest, mission: Mission, proposal: Proposal) -> HttpResponse:
    patient = proposal.patient
    visit = services.register_visit(patient=patient, mission=mission, acting_user=request.user)
    names = {"name": patient.full_name, "record": patient.record_number, "number": visit.queue_number}
    if proposal.visit_here is not None:
        messages.warning(
            request, _("%(name)s is already on this mission's list as number %(number)s: no second visit.") % names
        )
    else:
        messages.success(request, _("%(name)s (%(record)s) is on this mission's list as number %(number)s.") % names)
    return redirect("screening:wristband", mission.pk, visit.pk)


@role_required(roles.REGISTER_CHILDREN)
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, mission_id: int) -> HttpResponse:
    """The registrar types the family's data; the known children that may be this child are
    proposed (as they type, with htmx, and on every submit). Picking one puts them on the
    mission's list; a new record is made only once the proposals have been seen."""
    mission = _intake_mission(request, mission_id)
    data = request.POST if request.method == "POST" else None
    form = PatientForm(data, allowed_fields=INTAKE_FIELDS)
    guardian = GuardianForm(data, prefix="guardian")
    proposals: list[Proposal] = []
    notice = ""
    if data is not None:
        proposals = _proposals(request, mission, data)
        action = data.get("action", "check")
        if is_htmx(request) and action == "suggest":
            context = {"mission": mission, "proposals": proposals, "checked": True}
            return render(request, "screening/intake/candidates.html", context)
        if data.get("pick"):
            chosen = next((p for p in proposals if str(p.patient.pk) == data["pick"]), None)
            if chosen is not None:
                return _register_known(request, mission, chosen)
            notice = _("That child is not among the matches for what is typed: check the names, birth date and phone.")
        elif action == "new":
            valid = form.is_valid() & guardian.is_valid()  # both, so that every error shows
            seen = set(data.getlist("seen"))
            if valid and any(str(p.patient.pk) not in seen for p in proposals):
                notice = _("Known children may be this child: check them below before registering a new one.")
            elif valid:
                try:
                    patient = services.create_patient(
                        data={f: form.cleaned_data[f] for f in form.fields},
                        guardians=[{f: guardian.cleaned_data[f] for f in GUARDIAN_FIELDS}],
                        mission=mission,
                        acting_user=request.user,
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    visit = patient.visits.get(mission=mission)
                    messages.success(
                        request,
                        _("%(name)s is registered as %(record)s, number %(number)s on this mission's list.")
                        % {"name": patient.full_name, "record": patient.record_number, "number": visit.queue_number},
                    )
                    return redirect("screening:wristband", mission.pk, visit.pk)
        else:
            form.is_valid()
            guardian.is_valid()
    today = ScreeningVisit.objects.filter(mission=mission, registered_at__date=timezone.localdate())
    return render(
        request,
        "screening/intake/intake.html",
        {
            "mission": mission,
            "form": form,
            "guardian": guardian,
            "proposals": proposals,
            "checked": data is not None,
            "notice": notice,
            "today_count": today.count(),
            "today_visits": today.select_related("patient").order_by("-registered_at", "-pk")[:15],
        },
    )


def qr_svg(text: str) -> SafeString:
    """`text` as a QR code, an inline SVG drawn here (no image service, nothing fetched)."""
    image = qrcode.make(text, image_factory=SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    svg = svg.replace("<svg ", '<svg role="img" aria-label="QR" ', 1)
    # Safe: qrcode writes only its own path geometry; `text` is encoded in it, never copied.
    return mark_safe(svg)  # noqa: S308


def visit_url(visit: ScreeningVisit) -> str:
    """The child's visit page, or the child's page while the visit page does not exist."""
    try:
        return visit.get_absolute_url()
    except NoReverseMatch:
        return visit.patient.get_absolute_url()


@role_required(roles.REGISTER_CHILDREN)
def wristband(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    """A label to print: name, queue number, record number, date of birth, mission, and a QR
    code that opens the child's visit."""
    mission = get_object_or_404(Mission, pk=mission_id)
    on_mission = my_missions(request.user).filter(pk=mission.pk).exists()
    if not (on_mission or roles.has(request.user, roles.MANAGE_PLANNING)):
        raise PermissionDenied
    visit = get_object_or_404(ScreeningVisit.objects.select_related("patient"), pk=pk, mission=mission)
    url = request.build_absolute_uri(visit_url(visit))
    return render(
        request,
        "screening/intake/wristband.html",
        {"mission": mission, "visit": visit, "patient": visit.patient, "visit_url": url, "qr": qr_svg(url)},
    )


urlpatterns: list[URLPattern] = [
    path("intake/", intake, name="intake"),
    path("visits/<int:pk>/wristband/", wristband, name="wristband"),
]
