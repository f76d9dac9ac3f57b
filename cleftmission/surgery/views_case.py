"""A case's page: the child, the milestones with who and when, the WHO checklist's three
phases, the operative note, the anaesthesia record, recovery and ward notes, complications,
the discharge with its follow-up plan, and cancelling on the day; the checklist and the
family's discharge sheet to print.

Each form posts to its own address: saved, it returns to the case page; refused, the case
page comes back with the form and its errors on the fields named. The operative note and the
anaesthesia record carry the version read: saved over by someone else meanwhile, both
versions are shown side by side (409) and nothing is lost."""

from __future__ import annotations

from typing import Any, cast

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cleftmission.core import roles
from cleftmission.core.forms import add_service_errors
from cleftmission.core.roles import role_required
from cleftmission.followup.models import FollowUpVisit
from cleftmission.scheduling.models import Schedule
from cleftmission.surgery import checklist, forms, milestones, services, views
from cleftmission.surgery.models import (
    AnesthesiaRecord,
    CareNote,
    ChecklistPhase,
    Discharge,
    OperativeNote,
    SurgicalCase,
)

RECORD = views.RECORD


def _one(case: SurgicalCase, name: str) -> Any:
    """A one-to-one row of the case, or None."""
    try:
        return getattr(case, name)
    except (OperativeNote.DoesNotExist, AnesthesiaRecord.DoesNotExist, Discharge.DoesNotExist):
        return None


def _age(case: SurgicalCase) -> str:
    years, months = case.visit.patient.age_on(case.day)
    if years < 1:
        return _("%(n)s months") % {"n": months}
    return _("%(y)s y %(m)s m") % {"y": years, "m": months}


def allergy_text(signed: dict[str, ChecklistPhase]) -> str:
    """What the Sign In recorded about allergies (the anaesthetist asks there)."""
    sign_in = signed.get(checklist.SIGN_IN)
    if sign_in is None:
        return _("Not asked yet: the Sign In asks.")
    if sign_in.answers.get("known_allergy") == checklist.YES:
        return sign_in.notes.get("known_allergy") or _("Known allergy")
    return _("No known allergy")


def _phase_rows(phase: ChecklistPhase) -> list[dict[str, Any]]:
    return [
        {
            "item": item,
            "answer": checklist.ANSWER_LABELS.get(phase.answers.get(item.code, ""), "—"),
            "value": phase.answers.get(item.code, ""),
            "risk": item.is_risk and phase.answers.get(item.code) == checklist.YES,
            "note": phase.notes.get(item.code, ""),
        }
        for item in checklist.ITEMS[phase.phase]
    ]


def _timeline(case: SurgicalCase, stamps: dict[str, Any]) -> list[dict[str, Any]]:
    upcoming = milestones.next_milestone({k: v.at for k, v in stamps.items()})
    return [
        {"code": m, "label": milestones.LABELS[m], "stamp": stamps.get(m), "next": m == upcoming}
        for m in milestones.ORDER
    ]


def _display(field: django_forms.Field, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(field, django_forms.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, django_forms.ModelMultipleChoiceField):
        return ", ".join(str(v) for v in value)
    if isinstance(field, django_forms.ModelChoiceField):
        return str(value)
    if isinstance(field, django_forms.ChoiceField):
        choices = {str(k): str(v) for k, v in cast(Any, field).choices}
        return choices.get(str(value), str(value))
    return str(value)


def _comparison(form: django_forms.Form, stored: dict[str, Any]) -> list[dict[str, Any]]:
    """Field by field: what is stored now, and what this person typed."""
    rows = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        theirs, yours = _display(field, stored.get(name)), _display(field, form.cleaned_data.get(name))
        rows.append({"label": field.label, "stored": theirs, "yours": yours, "differs": theirs != yours})
    return rows


def _note_values(note: OperativeNote) -> dict[str, Any]:
    return {
        "procedures": list(note.procedures.all()),
        "surgeon": note.surgeon,
        "assistant": note.assistant,
        "technique": note.technique,
        "findings": note.findings,
    }


def _record_values(record: AnesthesiaRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in forms.AnesthesiaForm.FIELDS}


def _operative_initial(case: SurgicalCase, note: OperativeNote | None) -> dict[str, Any]:
    if note is None:
        return {"procedures": list(case.procedures.all()), "surgeon": case.surgeon, "version": 0}
    return {**_note_values(note), "version": note.version}


def _anesthesia_initial(record: AnesthesiaRecord | None) -> dict[str, Any]:
    if record is None:
        return {"version": 0}
    return {**_record_values(record), "version": record.version}


def case_page(
    request: HttpRequest,
    case: SurgicalCase,
    sent: dict[str, Any] | None = None,
    *,
    focus: str = "",
    status: int = 200,
) -> HttpResponse:
    """The case page; `sent` holds the bound forms coming back with their errors."""
    sent = sent or {}
    show_names = roles.has(request.user, views.SEES_NAMES)
    stamps = {m.kind: m for m in case.milestones.all()}
    signed = {p.phase: p for p in case.checklist.all()}
    codes = {p.code for p in case.procedures.all()}
    note = _one(case, "operative_note")
    record = _one(case, "anesthesia_record")
    discharge = _one(case, "discharge")
    cancelled = case.status == SurgicalCase.Status.CANCELLED
    next_phase = next((p for p in checklist.PHASES if p not in signed), None)
    phases: list[dict[str, Any]] = []
    for phase in checklist.PHASES:
        row = signed.get(phase)
        phases.append(
            {
                "code": phase,
                "label": checklist.PHASE_LABELS[phase],
                "when": checklist.PHASE_WHEN[phase],
                "signed": row,
                "rows": _phase_rows(row) if row else None,
                "form": sent.get(f"phase_{phase}") or (forms.PhaseForm(phase=phase) if phase == next_phase else None),
                "waits_for": services.PHASE_BEFORE.get(phase) if row is None and phase != next_phase else None,
            }
        )
    for p in phases:
        if p["waits_for"]:
            p["waits_for_label"] = checklist.PHASE_LABELS[p["waits_for"]]
    # the discharge form, once the surgery has ended (or when it comes back refused)
    may_discharge = discharge is None and not cancelled and (milestones.SURGERY_END in stamps or "discharge" in sent)
    last = max(stamps.values(), key=lambda m: (m.at, m.pk)) if stamps else None
    upcoming = milestones.next_milestone({k: v.at for k, v in stamps.items()})
    now = timezone.localtime()
    context: dict[str, Any] = {
        "mission": case.mission,
        "case": case,
        "patient": case.visit.patient,
        "name": views.child_name(case, show_names),
        "show_names": show_names,
        "age": _age(case),
        "weight": views.weights([case.visit]).get(case.visit_id, ""),
        "procedures": list(case.procedures.all()),
        "allergy": allergy_text(signed),
        "timeline": _timeline(case, stamps),
        "last": last,
        "upcoming": upcoming,
        "upcoming_label": milestones.LABELS[upcoming] if upcoming else "",
        "stamp_form": sent.get("stamp")
        or forms.StampForm(initial={"milestone": upcoming, "time": now.strftime("%H:%M"), "date": now.date()}),
        "phases": phases,
        "operative_note": note,
        "anesthesia_record": record,
        "care_notes": list(case.care_notes.select_related("recorded_by")),
        "complications": list(case.complications.select_related("recorded_by")),
        "days_in_hospital": services.days_in_hospital(case),
        "discharge": discharge,
        "follow_ups": list(FollowUpVisit.objects.filter(case=case)) if discharge else [],
        "cancelled": cancelled,
        "may_cancel": not cancelled and milestones.INCISION not in stamps,
        "may_discharge": may_discharge,
        "draft": Schedule.objects.filter(mission=case.mission, status=Schedule.Status.DRAFT).first()
        if cancelled
        else None,
        "may_record": views.may_record(request),
        "focus": focus,
        "conflict": sent.get("conflict"),
        "conflict_of": sent.get("conflict_of", ""),
        "conflict_row": sent.get("conflict_row"),
    }
    if context["may_record"]:
        context.update(
            {
                "operative_form": sent.get("operative")
                or forms.OperativeNoteForm(initial=_operative_initial(case, note), case=case),
                "anesthesia_form": sent.get("anesthesia") or forms.AnesthesiaForm(initial=_anesthesia_initial(record)),
                "care_form": sent.get("care")
                or forms.CareNoteForm(
                    initial={
                        "kind": CareNote.Kind.WARD if milestones.WARD in stamps else CareNote.Kind.RECOVERY,
                    }
                ),
                "complication_form": sent.get("complication")
                or forms.ComplicationForm(initial={"occurred_on": timezone.localdate()}),
                "discharge_form": sent.get("discharge")
                or forms.DischargeForm(initial=forms.discharge_initial(case, codes)),
                "cancel_form": sent.get("cancel")
                or forms.CancelForm(initial={"rescreen_date": case.day + services.RESCREEN_AFTER_CANCELLATION}),
            }
        )
    return render(request, "surgery/case.html", context, status=status)


def _back(case: SurgicalCase, section: str) -> HttpResponse:
    return redirect(f"{case.get_absolute_url()}#{section}")


# ---- the pages --------------------------------------------------------------------------------


@role_required(roles.ANY_ROLE)
def case(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    return case_page(request, views.case_of(request, mission_id, pk))


@role_required(RECORD)
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, mission_id: int, pk: int, phase: str) -> HttpResponse:
    """Sign a phase of the checklist: refused with each unanswered item named on it."""
    if phase not in checklist.PHASES:
        raise Http404
    case = views.case_of(request, mission_id, pk)
    if request.method == "GET":
        return case_page(request, case, focus=f"phase-{phase}")
    form = forms.PhaseForm(request.POST, phase=phase)
    if form.is_valid():
        try:
            services.sign_phase(
                case=case, phase=phase, answers=form.answers(), notes=form.notes(), acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(phase)s signed.") % {"phase": checklist.PHASE_LABELS[phase]})
            return _back(case, "checklist")
    return case_page(request, case, {f"phase_{phase}": form}, focus=f"phase-{phase}")


@role_required(RECORD)
@require_http_methods(["GET", "POST"])
def operative_note(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    case = views.case_of(request, mission_id, pk)
    if request.method == "GET":
        return case_page(request, case, focus="operative-note")
    form = forms.OperativeNoteForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.save_operative_note(
                case=case,
                procedures=data["procedures"],
                technique=data["technique"],
                surgeon=data["surgeon"],
                assistant=data["assistant"],
                findings=data["findings"],
                version=data["version"],
                acting_user=request.user,
            )
        except services.ConflictError as exc:
            current: OperativeNote = exc.current
            sent = {
                "operative": _with_version(form, current.version, case=case),
                "conflict": _comparison(form, _note_values(current)),
                "conflict_of": "operative-note",
                "conflict_row": current,
            }
            return case_page(request, case, sent, focus="operative-note", status=409)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Operative note saved."))
            return _back(case, "operative-note")
    return case_page(request, case, {"operative": form}, focus="operative-note")


def _with_version(form: django_forms.Form, version: int, **kwargs: Any) -> Any:
    """The same form, what was typed kept, now carrying the version stored: saving again keeps it."""
    data = cast(QueryDict, form.data).copy()
    data["version"] = str(version)
    return type(form)(data, **kwargs)


@role_required(RECORD)
@require_http_methods(["GET", "POST"])
def anesthesia(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    case = views.case_of(request, mission_id, pk)
    if request.method == "GET":
        return case_page(request, case, focus="anaesthesia")
    form = forms.AnesthesiaForm(request.POST)
    if form.is_valid():
        try:
            services.save_anesthesia_record(
                case=case,
                data=form.data_for_service(),
                version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except services.ConflictError as exc:
            current: AnesthesiaRecord = exc.current
            sent = {
                "anesthesia": _with_version(form, current.version),
                "conflict": _comparison(form, _record_values(current)),
                "conflict_of": "anaesthesia",
                "conflict_row": current,
            }
            return case_page(request, case, sent, focus="anaesthesia", status=409)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Anaesthesia record saved."))
            return _back(case, "anaesthesia")
    return case_page(request, case, {"anesthesia": form}, focus="anaesthesia")


@role_required(RECORD)
@require_http_methods(["GET", "POST"])
def care_note(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    case = views.case_of(request, mission_id, pk)
    if request.method == "GET":
        return case_page(request, case, focus="care-notes")
    form = forms.CareNoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_care_note(
                case=case, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"], acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Note added."))
            return _back(case, "care-notes")
    return case_page(request, case, {"care": form}, focus="care-notes")


@role_required(RECORD)
@require_http_methods(["GET", "POST"])
def complication(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    case = views.case_of(request, mission_id, pk)
    if request.method == "GET":
        return case_page(request, case, focus="complications")
    form = forms.ComplicationForm(request.POST)
    if form.is_valid():
        try:
            services.record_complication(
                case=case,
                kind=form.cleaned_data["kind"],
                occurred_on=form.cleaned_data["occurred_on"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Complication recorded."))
            return _back(case, "complications")
    return case_page(request, case, {"complication": form}, focus="complications")


@role_required(RECORD)
@require_http_methods(["GET", "POST"])
def discharge(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    case = views.case_of(request, mission_id, pk)
    if request.method == "GET":
        return case_page(request, case, focus="discharge")
    form = forms.DischargeForm(request.POST)
    if form.is_valid():
        try:
            services.record_discharge(
                case=case,
                date=form.cleaned_data["date"],
                instructions_vi=form.cleaned_data["instructions_vi"],
                instructions_en=form.cleaned_data["instructions_en"],
                follow_ups=form.follow_ups(),
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Discharge recorded: the sheet for the family is ready to print."))
            return _back(case, "discharge")
    return case_page(request, case, {"discharge": form}, focus="discharge")


@role_required(RECORD)
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    case = views.case_of(request, mission_id, pk)
    if request.method == "GET":
        return case_page(request, case, focus="cancel")
    form = forms.CancelForm(request.POST)
    if form.is_valid():
        try:
            repaired = services.cancel_case(
                case=case,
                code=form.cleaned_data["cancel_code"],
                note=form.cleaned_data["cancel_note"],
                rescreen_date=form.cleaned_data["rescreen_date"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if repaired is not None:
                messages.success(
                    request,
                    _(
                        "Case cancelled; the child is back on the deferred list. "
                        "The repaired schedule waits as draft %(n)s on the Schedule page."
                    )
                    % {"n": repaired.number},
                )
            else:
                messages.success(request, _("Case cancelled; the child is back on the deferred list."))
            return _back(case, "cancel")
    return case_page(request, case, {"cancel": form}, focus="cancel")


# ---- printed -------------------------------------------------------------------------------


@role_required(roles.ANY_ROLE)
def checklist_print(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    case = views.case_of(request, mission_id, pk)
    signed = {p.phase: p for p in case.checklist.all()}
    phases = [
        {
            "label": checklist.PHASE_LABELS[phase],
            "when": checklist.PHASE_WHEN[phase],
            "signed": signed.get(phase),
            "rows": _phase_rows(signed[phase])
            if phase in signed
            else [{"item": item, "answer": "", "value": "", "note": ""} for item in checklist.ITEMS[phase]],
            "answers": [checklist.ANSWER_LABELS[a] for a in (checklist.YES, checklist.NO, checklist.NOT_APPLICABLE)],
        }
        for phase in checklist.PHASES
    ]
    show_names = roles.has(request.user, views.SEES_NAMES)
    context = {
        "mission": case.mission,
        "case": case,
        "name": views.child_name(case, show_names),
        "show_names": show_names,
        "age": _age(case),
        "procedures": list(case.procedures.all()),
        "phases": phases,
        "now": timezone.now(),
    }
    return render(request, "surgery/checklist_print.html", context)


@role_required(roles.ANY_ROLE)
def discharge_print(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    """The family's sheet, in Vietnamese and in English whatever the page's language."""
    case = views.case_of(request, mission_id, pk)
    discharge = _one(case, "discharge")
    stamps = {m.kind: m for m in case.milestones.all()}
    show_names = roles.has(request.user, views.SEES_NAMES)
    context = {
        "mission": case.mission,
        "case": case,
        "patient": case.visit.patient,
        "name": views.child_name(case, show_names),
        "show_names": show_names,
        "procedures": list(case.procedures.all()),
        "operated_on": timezone.localtime(stamps[milestones.INCISION].at).date()
        if milestones.INCISION in stamps
        else case.day,
        "discharge": discharge,
        "follow_ups": list(FollowUpVisit.objects.filter(case=case)) if discharge else [],
        "sheet_languages": ["vi", "en"],
    }
    return render(request, "surgery/discharge_print.html", context)


urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/", case, name="case"),
    path("cases/<int:pk>/checklist/print/", checklist_print, name="checklist_print"),
    path("cases/<int:pk>/checklist/<slug:phase>/", sign, name="sign"),
    path("cases/<int:pk>/operative-note/", operative_note, name="operative_note"),
    path("cases/<int:pk>/anaesthesia/", anesthesia, name="anesthesia"),
    path("cases/<int:pk>/care-notes/", care_note, name="care_note"),
    path("cases/<int:pk>/complications/", complication, name="complication"),
    path("cases/<int:pk>/discharge/", discharge, name="discharge"),
    path("cases/<int:pk>/discharge/print/", discharge_print, name="discharge_print"),
    path("cases/<int:pk>/cancel/", cancel, name="cancel"),
]
