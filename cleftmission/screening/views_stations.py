"""The screening stations: each station's queue, a child's screening page, the station forms
with live eligibility findings, photos, sending a child back, and the decision.

Clinicians (on the child's mission), coordinators and administrators record; registrars
open the queues and the child's page and route children; viewers read without photos or
contacts."""

from __future__ import annotations

import datetime as dt
import mimetypes
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cleftmission.core import roles
from cleftmission.core.forms import add_service_errors
from cleftmission.core.roles import role_required
from cleftmission.core.text import is_htmx
from cleftmission.missions.models import Mission
from cleftmission.screening import eligibility, labels, services
from cleftmission.screening.access import ROUTE_CHILDREN, SEE_PHOTOS, visible_visits
from cleftmission.screening.forms import STATION_FORMS, DecisionForm, PhotoForm, StationForm
from cleftmission.screening.models import (
    Decision,
    DeferralCode,
    Photo,
    Procedure,
    Referral,
    ScreeningVisit,
    Station,
    StationEvaluation,
)
from cleftmission.screening.queries import board_counts, screening_missions, station_done, undecided

DONE = StationEvaluation.Status.DONE
SENT_BACK = StationEvaluation.Status.SENT_BACK

# Not a station but the last stop: the surgeon and the anaesthesiologist decide once their
# stations are done. Its queue lists the children ready for a decision.
DECISION = "decision"
DECISION_NEEDS = (Station.SURGICAL, Station.ANESTHESIA)

# A deferral code suggests where to refer the child.
REFERRAL_FOR = {DeferralCode.MALNUTRITION: Referral.NUTRITION, DeferralCode.CARDIAC_WORKUP: Referral.CARDIOLOGY}

Z_LABELS = [
    ("waz", gettext_lazy("Weight-for-age")),
    ("laz", gettext_lazy("Length/height-for-age")),
    ("wlz", gettext_lazy("Weight-for-length/height")),
]


# --- finding the mission, the child and the station -----------------------------------------


def _mission(request: HttpRequest, mission_id: int) -> Mission:
    return get_object_or_404(screening_missions(request.user).select_related("site"), pk=mission_id)


def _visit(request: HttpRequest, mission_id: int, pk: int) -> ScreeningVisit:
    """The visit, if it is on a mission the user works on and of a child the user may see
    (404 otherwise: another mission's child does not exist for this user)."""
    evaluations = StationEvaluation.objects.select_related("recorded_by")
    visits = (
        visible_visits(request.user)
        .filter(mission_id=mission_id)
        .select_related("patient", "mission", "mission__site", "decision", "decision__decided_by")
        .prefetch_related(Prefetch("evaluations", queryset=evaluations))
    )
    return get_object_or_404(visits, pk=pk)


def _station(slug: str) -> Station:
    if slug not in Station.values:
        raise Http404
    return Station(slug)


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _decision_of(visit: ScreeningVisit) -> Decision | None:
    try:
        return visit.decision
    except Decision.DoesNotExist:
        return None


def _age(visit: ScreeningVisit) -> dict[str, int]:
    today = timezone.localdate()
    years, months = visit.patient.age_on(today)
    days = (today - visit.patient.date_of_birth).days
    return {"years": years, "months": months, "weeks": days // 7, "days": days % 7, "total_days": days}


def _child_context(request: HttpRequest, visit: ScreeningVisit) -> dict[str, Any]:
    """What every page about one child shows at its top: who, which number, which mission."""
    return {
        "visit": visit,
        "patient": visit.patient,
        "mission": visit.mission,
        "age": _age(visit),
        "may_record": roles.has(request.user, roles.EDIT_CLINICAL),
        "may_route": roles.has(request.user, ROUTE_CHILDREN),
        "may_see_photos": roles.has(request.user, SEE_PHOTOS),
        "routing": _routing(visit),
    }


def _routing(visit: ScreeningVisit) -> list[dict[str, Any]]:
    """Each station with its state for this child: done, sent back (and why), or pending."""
    by_station = {e.station: e for e in visit.evaluations.all()}
    rows = []
    for value, label in Station.choices:
        evaluation = by_station.get(value)
        rows.append(
            {
                "slug": value,
                "label": label,
                "status": evaluation.status if evaluation else "pending",
                "evaluation": evaluation,
                "url": reverse("screening:evaluate", args=[visit.mission_id, visit.pk, value]),
            }
        )
    return rows


# --- findings ----------------------------------------------------------------------------------


def _findings_context(
    visit: ScreeningVisit, assessment: eligibility.Assessment, vitals: dict[str, Any], anesthesia: dict[str, Any]
) -> dict[str, Any]:
    asa_accepted = bool(anesthesia.get("accepts_higher_asa"))
    rows = []
    for f in assessment.findings:
        rows.append(
            {
                "rule": f.rule,
                "label": labels.rule_label(f.rule),
                "result": str(f.result),
                "result_label": labels.RESULT_LABELS[str(f.result)],
                "value": labels.localize_text(f.value),
                "threshold": labels.localize_text(f.threshold),
                "deferral_code": f.deferral_code or "",
                "deferral_label": DeferralCode(f.deferral_code).label if f.deferral_code else "",
                "message": labels.message(f.message) if f.message else "",
                "accepted_by_anaesthesia": f.rule == "asa" and f.result is eligibility.Result.FAIL and asa_accepted,
            }
        )
    zscores = [
        {"label": label, "value": localize(round(float(vitals[key]), 2)), "raw": float(vitals[key])}
        for key, label in Z_LABELS
        if vitals.get(key) is not None
    ]
    failing = [r for r in rows if r["result"] == "fail" and not r["accepted_by_anaesthesia"]]
    suggested = assessment.suggested_deferral
    return {
        "findings": rows,
        "zscores": zscores,
        "failing_count": len(failing),
        "warning_count": sum(r["result"] == "warn" for r in rows),
        "missing_count": sum(r["result"] == "missing" for r in rows),
        "suggested_deferral": DeferralCode(suggested).label if suggested else "",
        "findings_url": reverse("screening:findings", args=[visit.mission_id, visit.pk]),
    }


def _stored(visit: ScreeningVisit, station: str) -> dict[str, Any]:
    row = next((e for e in visit.evaluations.all() if e.station == station and e.status == DONE), None)
    return row.data if row else {}


def _stored_findings(visit: ScreeningVisit) -> dict[str, Any]:
    return _findings_context(
        visit, services.assess(visit), _stored(visit, Station.VITALS), _stored(visit, Station.ANESTHESIA)
    )


@role_required(roles.EDIT_CLINICAL)
@require_http_methods(["GET", "POST"])
def findings(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    """The findings panel (htmx). POST: computed from what is being typed into a station's
    form (?station=…) or the decision form, over the stored evaluations; nothing is saved."""
    visit = _visit(request, mission_id, pk)
    if request.method == "GET":
        return render(request, "screening/stations/_findings.html", _stored_findings(visit))
    overlay: dict[str, dict[str, Any]] = {}
    procedures: set[str] | None = None
    station = request.GET.get("station", "")
    if station in STATION_FORMS:
        form = STATION_FORMS[station](request.POST)
        form.is_valid()  # what is valid so far counts; a field still in error counts as missing
        typed = form.json_data()
        if station == Station.VITALS:
            typed.update(services.growth_for(visit.patient, typed))
        overlay[station] = typed
    elif station == DECISION:
        codes = set(request.POST.getlist("procedures"))
        procedures = set(Procedure.objects.filter(active=True, code__in=codes).values_list("code", flat=True))
    assessment = services.assess(visit, procedures, overlay)
    vitals = overlay.get(Station.VITALS, _stored(visit, Station.VITALS))
    anesthesia = overlay.get(Station.ANESTHESIA, _stored(visit, Station.ANESTHESIA))
    return render(
        request, "screening/stations/_findings.html", _findings_context(visit, assessment, vitals, anesthesia)
    )


# --- the station index and each station's queue ---------------------------------------------


@role_required(roles.ANY_ROLE)
def station_index(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = _mission(request, mission_id)
    jump = _jump(request, mission, None)
    if jump is not None:
        return jump
    counts = board_counts(mission)
    rows = [
        {"slug": value, "label": label, "waiting": counts.waiting[value], "sent_back": counts.sent_back[value]}
        for value, label in Station.choices
    ]
    ready = undecided(mission).filter(*[station_done(s) for s in DECISION_NEEDS]).count()
    return render(
        request,
        "screening/stations/index.html",
        {"mission": mission, "rows": rows, "ready": ready, "undecided": counts.undecided},
    )


def _jump(request: HttpRequest, mission: Mission, station: str | None) -> HttpResponse | None:
    """The queue-number box: go straight to that child (their form at this station, or
    their page). None when there is nothing to jump to."""
    number = request.GET.get("n", "").strip().lstrip("#")
    if not number:
        return None
    visit = visible_visits(request.user).filter(mission=mission, queue_number=_int(number, -1)).first()
    if visit is None:
        messages.error(request, _("No child with queue number %(n)s on this mission.") % {"n": number})
        return None
    return redirect(_target(request, visit, station))


def _target(request: HttpRequest, visit: ScreeningVisit, station: str | None) -> str:
    if station and roles.has(request.user, roles.EDIT_CLINICAL):
        if station == DECISION:
            return reverse("screening:decision", args=[visit.mission_id, visit.pk])
        return reverse("screening:evaluate", args=[visit.mission_id, visit.pk, station])
    return visit.get_absolute_url()


@role_required(roles.ANY_ROLE)
def station_queue(request: HttpRequest, mission_id: int, station: str) -> HttpResponse:
    """The children waiting for a station: registered on the mission, no decision yet, this
    station not done (never seen, or sent back), by queue number."""
    mission = _mission(request, mission_id)
    if station != DECISION:
        station = _station(station)
    jump = _jump(request, mission, station)
    if jump is not None:
        return jump
    queue = undecided(mission).select_related("patient").order_by("queue_number")
    children: list[dict[str, Any]]
    if station == DECISION:
        label: str = _("Decision")
        done = StationEvaluation.objects.filter(status=DONE).only("visit_id", "station")
        ready = queue.filter(*[station_done(s) for s in DECISION_NEEDS]).prefetch_related(
            Prefetch("evaluations", queryset=done, to_attr="done")
        )
        children = [
            {
                "visit": v,
                "url": _target(request, v, station),
                "pending": [name for value, name in Station.choices if value not in {e.station for e in v.done}],
            }
            for v in ready
        ]
    else:
        label = str(Station(station).label)
        sent_back = StationEvaluation.objects.filter(visit=OuterRef("pk"), station=station, status=SENT_BACK)
        waiting = queue.exclude(station_done(station)).annotate(
            sent_back_reason=Subquery(sent_back.values("sent_back_reason")[:1])
        )
        children = [{"visit": v, "url": _target(request, v, station)} for v in waiting]
    context = {"mission": mission, "station": station, "label": label, "children": children}
    template = "screening/stations/_queue.html" if is_htmx(request) else "screening/stations/queue.html"
    return render(request, template, context)


# --- a child's screening page -----------------------------------------------------------------


@role_required(roles.ANY_ROLE)
def visit_detail(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    visit = _visit(request, mission_id, pk)
    context = _child_context(request, visit)
    context.update(_stored_findings(visit))
    decision = _decision_of(visit)
    context["decision"] = decision
    context["decision_procedures"] = list(decision.procedures.all()) if decision else []
    context["photos"] = list(visit.photos.all()) if context["may_see_photos"] else None
    context["guardians"] = list(visit.patient.guardians.all()) if roles.has(request.user, roles.SEE_CONTACTS) else None
    return render(request, "screening/visit.html", context)


# --- a station's form -------------------------------------------------------------------------


def _display(field: forms.Field, value: Any) -> str:
    """A stored or typed value as the reader sees it on the form."""
    if value in (None, "", []):
        return "—"
    if isinstance(field, forms.DecimalField):
        value = Decimal(str(value))
    if isinstance(field, forms.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, forms.ModelMultipleChoiceField):
        codes = [getattr(v, "code", v) for v in value]
        names = {p.code: str(p) for p in Procedure.objects.filter(code__in=codes)}
        return ", ".join(names.get(c, c) for c in codes)
    if isinstance(field, forms.ChoiceField):
        choices = {str(k): str(v) for k, v in cast(Any, field).choices}
        return choices.get(str(value), str(value))
    if isinstance(field, forms.DateField) and isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(localize(value))


def _comparison(form: forms.Form, stored: dict[str, Any]) -> list[dict[str, Any]]:
    """Field by field: what is stored now and what this person typed."""
    rows = []
    for name, field in form.fields.items():
        mine = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else form.data.get(name)
        theirs, yours = _display(field, stored.get(name)), _display(field, mine)
        rows.append({"label": field.label, "stored": theirs, "yours": yours, "differs": theirs != yours})
    return rows


def _station_initial(visit: ScreeningVisit, station: str, row: StationEvaluation | None) -> dict[str, Any]:
    if row is not None and row.data:
        return {**row.data, "note": row.note}
    if station == Station.SURGICAL and visit.patient.lahshal:
        diagnosis = visit.patient.diagnosis
        return {"lahshal": visit.patient.lahshal, "laterality": diagnosis.laterality if diagnosis else ""}
    return {"note": row.note} if row else {}


@role_required(roles.EDIT_CLINICAL)
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, mission_id: int, pk: int, station: str) -> HttpResponse:
    visit = _visit(request, mission_id, pk)
    station = _station(station)
    row = next((e for e in visit.evaluations.all() if e.station == station), None)
    form_class = STATION_FORMS[station]
    initial = _station_initial(visit, station, row)
    version = row.version if row else 0
    photo_form = None
    if station == Station.PHOTOS:
        last = visit.photos.order_by("-uploaded_at").first()  # the same guardian consents to the next photo
        photo_form = PhotoForm(prefix="photo", initial={"consent_by": last.consent_by if last else ""})
    conflict: list[dict[str, Any]] | None = None
    form: StationForm
    if request.method == "POST" and station == Station.PHOTOS and "upload" in request.POST:
        form = form_class(initial=initial)
        photo_form = PhotoForm(request.POST, request.FILES, prefix="photo")
        if photo_form.is_valid():
            try:
                services.add_photo(
                    visit=visit,
                    image=photo_form.cleaned_data["image"],
                    view=photo_form.cleaned_data["view"],
                    consent_by=photo_form.cleaned_data["consent_by"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                add_service_errors(photo_form, exc)
            else:
                messages.success(request, _("Photo saved."))
                return redirect(request.path)
    elif request.method == "POST":
        form = form_class(request.POST, initial=initial)
        version = _int(request.POST.get("version"))
        if form.is_valid():
            try:
                services.record_evaluation(
                    visit=visit,
                    station=station,
                    data=form.json_data(),
                    note=form.cleaned_data.get("note", ""),
                    expected_version=version,
                    acting_user=request.user,
                )
            except services.ConflictError as exc:
                current: StationEvaluation | None = exc.current
                conflict = _comparison(form, {**current.data, "note": current.note} if current else {})
                version = current.version if current else 0
                row = current
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(station)s saved for #%(n)s %(name)s.")
                    % {"station": station.label, "n": visit.queue_number, "name": visit.patient.full_name},
                )
                return redirect("screening:station", mission_id=visit.mission_id, station=station)
    else:
        form = form_class(initial=initial)
    _decimal_inputs(form)
    context = _child_context(request, visit)
    context.update(_stored_findings(visit))
    context.update(
        {
            "station": station,
            "form": form,
            "row": row,
            "version": version,
            "conflict": conflict,
            "photo_form": photo_form,
            "photos": list(visit.photos.all()) if station == Station.PHOTOS else None,
        }
    )
    status = 409 if conflict is not None else 200
    return render(request, "screening/stations/evaluate.html", context, status=status)


def _decimal_inputs(form: forms.Form) -> None:
    """Numbers are typed on a tablet: the numeric keypad, with a decimal point."""
    for field in form.fields.values():
        if isinstance(field, forms.IntegerField | forms.DecimalField):
            field.widget.attrs.setdefault("inputmode", "decimal")


# --- sending a child back ---------------------------------------------------------------------


@role_required(ROUTE_CHILDREN)
@require_POST
def send_back(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    visit = _visit(request, mission_id, pk)
    station = request.POST.get("station", "")
    try:
        services.send_back(
            visit=visit, station=station, reason=request.POST.get("reason", ""), acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("#%(n)s %(name)s is sent back to %(station)s.")
            % {"n": visit.queue_number, "name": visit.patient.full_name, "station": Station(station).label},
        )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(visit)


# --- photos -------------------------------------------------------------------------------------


@role_required(SEE_PHOTOS)
def photo(request: HttpRequest, mission_id: int, pk: int, photo_id: int, size: str) -> HttpResponse:
    """A photograph, streamed to those allowed to see the child and its photos; there is no
    public URL for it."""
    if size not in ("thumb", "full"):
        raise Http404
    visit = _visit(request, mission_id, pk)
    picture: Photo = get_object_or_404(Photo.objects.filter(visit=visit), pk=photo_id)
    file = picture.thumbnail if size == "thumb" and picture.thumbnail else picture.image
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return cast(HttpResponse, response)  # streamed; role_required types views as returning HttpResponse


# --- the decision -----------------------------------------------------------------------------


def _decision_initial(visit: ScreeningVisit, decision: Decision | None) -> dict[str, Any]:
    default_date = services.default_rescreen_date()
    if decision is not None:
        return {
            "outcome": decision.outcome,
            "procedures": [p.code for p in decision.procedures.all()],
            "estimated_minutes": decision.estimated_minutes,
            "priority": decision.priority,
            "deferral_code": decision.deferral_code,
            "deferral_note": decision.deferral_note,
            "rescreen_date": decision.rescreen_date or default_date,
            "referral": decision.referral,
            "referred_to": decision.referred_to,
            "override_reason": decision.override_reason,
        }
    surgical = _stored(visit, Station.SURGICAL)
    codes = list(surgical.get("procedures", []))
    initial: dict[str, Any] = {"procedures": codes, "rescreen_date": default_date, "priority": 3}
    catalog_sum = sum(Procedure.objects.filter(code__in=codes).values_list("planning_minutes", flat=True))
    if surgical.get("estimated_minutes") and surgical["estimated_minutes"] != catalog_sum:
        initial["estimated_minutes"] = surgical["estimated_minutes"]  # the surgeon's own estimate
    suggested = services.assess(visit).suggested_deferral
    if suggested:
        initial["deferral_code"] = suggested
        initial["referral"] = REFERRAL_FOR.get(DeferralCode(suggested), "")
    return initial


def _decision_stored(decision: Decision | None) -> dict[str, Any]:
    if decision is None:
        return {}
    values = {name: getattr(decision, name) for name in DecisionForm.base_fields if name != "procedures"}
    values["procedures"] = [p.code for p in decision.procedures.all()]
    return values


@role_required(roles.EDIT_CLINICAL)
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    visit = _visit(request, mission_id, pk)
    current = _decision_of(visit)
    version = current.version if current else 0
    conflict: list[dict[str, Any]] | None = None
    if request.method == "POST":
        form = DecisionForm(request.POST)
        version = _int(request.POST.get("version"))
        if form.is_valid():
            try:
                saved = services.record_decision(
                    visit=visit, data=form.cleaned_data, expected_version=version, acting_user=request.user
                )
            except services.ConflictError as exc:
                current = exc.current
                conflict = _comparison(form, _decision_stored(current))
                version = current.version if current else 0
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Decision saved for #%(n)s %(name)s: %(outcome)s.")
                    % {
                        "n": visit.queue_number,
                        "name": visit.patient.full_name,
                        "outcome": saved.get_outcome_display(),
                    },
                )
                return redirect(visit)
    else:
        form = DecisionForm(initial=_decision_initial(visit, current))
    _decimal_inputs(form)
    context = _child_context(request, visit)
    context.update(_stored_findings(visit))
    context.update(
        {
            "form": form,
            "decision": current,
            "version": version,
            "conflict": conflict,
        }
    )
    return render(request, "screening/decision.html", context, status=409 if conflict is not None else 200)


urlpatterns = [
    path("stations/", station_index, name="stations"),
    path("stations/<slug:station>/", station_queue, name="station"),
    path("visits/<int:pk>/", visit_detail, name="visit"),
    path("visits/<int:pk>/findings/", findings, name="findings"),
    path("visits/<int:pk>/send-back/", send_back, name="send_back"),
    path("visits/<int:pk>/decision/", decide, name="decision"),
    path("visits/<int:pk>/stations/<slug:station>/", evaluate, name="evaluate"),
    path("visits/<int:pk>/photos/<int:photo_id>/<slug:size>/", photo, name="photo"),
]
