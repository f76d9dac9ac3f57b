"""A mission's team: the roster against the staffing template with every check, adding and
editing members, "propose a team", and the printed and exported roster.

Coordinators and viewers read (viewers without contact details); coordinators change. Every
write goes through team_services / team_propose, as the API's do."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from cleftmission.core import roles
from cleftmission.core.exports import csv_response, spreadsheet_cell
from cleftmission.core.forms import add_service_errors
from cleftmission.core.roles import role_required
from cleftmission.core.search import name_words_match
from cleftmission.core.text import is_htmx
from cleftmission.missions.models import Mission
from cleftmission.volunteers import team_data, team_propose, team_services
from cleftmission.volunteers.forms import AcceptProposalForm, MemberForm, day_label
from cleftmission.volunteers.models import MissionMember, MissionRole, TeamProposal, Volunteer, mission_days, role_rank
from cleftmission.volunteers.team import TABLE_ROLES, Problem, Severity, TeamReport

# The volunteer picker lists at most this many matches; typing more of a name narrows it.
PICKER_LIMIT = 30


def _mission(mission_id: int) -> Mission:
    return get_object_or_404(Mission.objects.select_related("site"), pk=mission_id)


def _roster_url(mission: Mission, anchor: str = "") -> str:
    return reverse("team:roster", args=[mission.pk]) + (f"#{anchor}" if anchor else "")


def days_text(days: list[dt.date], mission: Mission) -> str:
    """The days present as a reader scans them: "every day", or runs of days ("8 Dec – 10 Dec, 12 Dec")."""
    if not days:
        return "—"
    if days == mission_days(mission):
        return _("every day")
    runs: list[list[dt.date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == dt.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    short = [date_format(run[0], "MONTH_DAY_FORMAT") for run in runs]
    return ", ".join(
        first if len(run) == 1 else f"{first} – {date_format(run[-1], 'MONTH_DAY_FORMAT')}"
        for first, run in zip(short, runs, strict=True)
    )


@dataclass(frozen=True)
class Row:
    member: MissionMember
    days: str
    problems: list[Problem]

    @property
    def problem_count(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.PROBLEM)


def _groups(mission: Mission, members: list[MissionMember], report: TeamReport) -> list[tuple[str, list[Row]]]:
    """The roster grouped by role, in the template's order (members come sorted so)."""
    return [
        (
            _role_label(role),
            [Row(m, days_text(m.present_days, mission), report.members.get(m.volunteer_id, [])) for m in group],
        )
        for role, group in itertools.groupby(members, key=lambda m: m.role)
    ]


def _role_label(role: str) -> str:
    return str(MissionRole(role).label) if role in MissionRole.values else role


# ---- the team page ------------------------------------------------------------------------


@role_required(roles.SEE_VOLUNTEERS)
def roster(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = _mission(mission_id)
    members, report = team_data.check_mission_team(mission)
    surgeon, anesthesiologist = TABLE_ROLES
    proposals = list(
        TeamProposal.objects.filter(mission=mission, status=TeamProposal.Status.PENDING).select_related("volunteer")
    )
    proposals.sort(key=lambda p: (role_rank(p.role), p.volunteer.search_name))
    can_edit = roles.has(request.user, roles.MANAGE_PLANNING)
    first_timer_share_ok = (
        not report.size or mission.first_timers_min_pct <= report.first_timer_pct <= mission.first_timers_max_pct
    )
    groups = _groups(mission, members, report)
    return render(
        request,
        "volunteers/team.html",
        {
            "mission": mission,
            "report": report,
            "groups": groups,
            "flagged": [(label, row) for label, rows in groups for row in rows if row.problems],
            "staffing": [(_role_label(line.role), line) for line in report.staffing],
            "cover": [
                {
                    "day": cover.day,
                    "tables": cover.tables,
                    "surgeons": cover.present.get(surgeon, 0),
                    "anesthesiologists": cover.present.get(anesthesiologist, 0),
                    "short": bool(cover.short),
                }
                for cover in report.days
            ],
            "team_problems": report.team_problems,
            "first_timer_share_ok": first_timer_share_ok,
            "proposals": [(p, days_text(sorted(dt.date.fromisoformat(d) for d in p.days), mission)) for p in proposals],
            "unfilled": team_propose.unfilled_roles(mission),
            "can_edit": can_edit,
            "show_contacts": roles.has(request.user, roles.SEE_CONTACTS),
            "role_choices": MissionRole.choices,
            "day_choices": [(day.isoformat(), day_label(day)) for day in mission_days(mission)],
        },
    )


# ---- adding, changing and removing members --------------------------------------------------


def _on_team(mission: Mission) -> Exists:
    return Exists(MissionMember.objects.filter(mission=mission, volunteer=OuterRef("pk")))


def _picker(mission: Mission, q: str, specialty: str) -> tuple[list[tuple[Volunteer, bool]], bool]:
    """The volunteers the picker offers for this search: those not on the team first, by name.
    Returns (volunteer, on the team already) pairs and whether there are more matches."""
    volunteers = Volunteer.objects.annotate(on_team=_on_team(mission))
    if q:
        volunteers = volunteers.filter(name_words_match(q))
    if specialty in Volunteer.Specialty.values:
        volunteers = volunteers.filter(specialty=specialty)
    found = list(volunteers.order_by("on_team", "search_name", "pk")[: PICKER_LIMIT + 1])
    return [(v, bool(v.on_team)) for v in found[:PICKER_LIMIT]], len(found) > PICKER_LIMIT


@role_required(roles.MANAGE_PLANNING)
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = _mission(mission_id)
    source = request.POST if request.method == "POST" else request.GET
    q = source.get("q", "").strip()[:100]
    specialty = source.get("specialty", "")
    choices, more = _picker(mission, q, specialty)
    picker = {"choices": choices, "more": more, "limit": PICKER_LIMIT, "q": q, "specialty": specialty}
    if request.method == "GET" and is_htmx(request):
        return render(request, "volunteers/_volunteer_choices.html", {"mission": mission, **picker, "chosen": None})
    form = MemberForm(request.POST if request.method == "POST" else None, mission=mission, adding=True)
    if request.method == "POST" and form.is_valid():
        volunteer = form.cleaned_data["volunteer"]
        try:
            team_services.add_member(
                mission=mission,
                volunteer=volunteer,
                role=form.chosen_role(),
                days=form.cleaned_data["days"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is on the team.") % {"name": volunteer.full_name})
            return redirect(_roster_url(mission))
    chosen = form["volunteer"].value()
    if chosen and str(chosen).isdigit() and not any(str(v.pk) == str(chosen) for v, _on in choices):
        # Keep the volunteer chosen before a refusal in view, whatever the search shows.
        kept = Volunteer.objects.filter(pk=int(chosen)).annotate(on_team=_on_team(mission)).first()
        if kept is not None:
            picker["choices"] = [(kept, bool(kept.on_team)), *choices]
    return render(
        request,
        "volunteers/team_member_form.html",
        {
            "mission": mission,
            "form": form,
            "member": None,
            "specialties": Volunteer.Specialty.choices,
            "chosen": str(chosen or ""),
            **picker,
        },
    )


def _member_of(mission: Mission, pk: int) -> MissionMember:
    return get_object_or_404(MissionMember.objects.select_related("volunteer", "mission"), pk=pk, mission=mission)


@role_required(roles.MANAGE_PLANNING)
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    mission = _mission(mission_id)
    member = _member_of(mission, pk)
    form = MemberForm(
        request.POST if request.method == "POST" else None,
        mission=mission,
        adding=False,
        initial={"role": member.role, "days": list(member.days)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            team_services.update_member(
                member=member, role=form.cleaned_data["role"], days=form.cleaned_data["days"], acting_user=request.user
            )
        except ValidationError as exc:
            member.refresh_from_db()
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s's role and days saved.") % {"name": member.volunteer.full_name})
            return redirect(_roster_url(mission))
    _members, report = team_data.check_mission_team(mission)
    return render(
        request,
        "volunteers/team_member_form.html",
        {"mission": mission, "form": form, "member": member, "problems": report.members.get(member.volunteer_id, [])},
    )


@role_required(roles.MANAGE_PLANNING)
@require_POST
def member_remove(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    mission = _mission(mission_id)
    member = _member_of(mission, pk)
    team_services.remove_member(member=member, acting_user=request.user)
    messages.success(request, _("%(name)s is off the team.") % {"name": member.volunteer.full_name})
    return redirect(_roster_url(mission))


# ---- proposals --------------------------------------------------------------------------------


@role_required(roles.MANAGE_PLANNING)
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, mission_id: int) -> HttpResponse:
    """GET says what proposing does; POST asks the solver and lists its proposals on the team page."""
    mission = _mission(mission_id)
    if request.method == "POST":
        run = team_propose.propose_team(mission=mission, acting_user=request.user)
        n = len(run.proposals)
        if n:
            messages.success(
                request,
                ngettext(
                    "%(n)s volunteer proposed: accept, change or reject each below.",
                    "%(n)s volunteers proposed: accept, change or reject each below.",
                    n,
                )
                % {"n": n},
            )
        else:
            messages.error(request, _("No volunteer could be proposed. Why each open role stays open is below."))
        if not run.balance_met:
            messages.error(
                request, _("With these proposals the share of first-time volunteers is outside the mission's bounds.")
            )
        return redirect(_roster_url(mission, "proposals"))
    _members, report = team_data.check_mission_team(mission)
    pending = TeamProposal.objects.filter(mission=mission, status=TeamProposal.Status.PENDING).count()
    return render(
        request,
        "volunteers/team_propose.html",
        {
            "mission": mission,
            "gaps": [(_role_label(line.role), line) for line in report.gaps],
            "report": report,
            "pending": pending,
        },
    )


def _open_proposal(request: HttpRequest, mission: Mission, pk: int) -> TeamProposal | None:
    """The proposal, or None (with a message) when it was replaced by a new run or decided."""
    proposal = TeamProposal.objects.filter(mission=mission, pk=pk).select_related("volunteer", "mission").first()
    if proposal is None or proposal.status != TeamProposal.Status.PENDING:
        messages.error(request, _("This proposal is no longer open: it was decided, or the team was proposed again."))
        return None
    return proposal


def _refusal(exc: ValidationError, labels: dict[str, str]) -> str:
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    return " ".join(
        f"{labels.get(field, '')}: {message}" if field in labels else message
        for field, messages_ in exc.message_dict.items()
        for message in messages_
    )


@role_required(roles.MANAGE_PLANNING)
@require_POST
def proposal_accept(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    mission = _mission(mission_id)
    proposal = _open_proposal(request, mission, pk)
    if proposal is None:
        return redirect(_roster_url(mission, "proposals"))
    form = AcceptProposalForm(request.POST, mission=mission)
    labels = {name: str(field.label) for name, field in form.fields.items() if field.label}
    labels["volunteer"] = proposal.volunteer.full_name
    if not form.is_valid():
        refusal = ValidationError({name: errors for name, errors in form.errors.items()})
        messages.error(request, _refusal(refusal, labels))
        return redirect(_roster_url(mission, "proposals"))
    edited = form.cleaned_data["edited"]
    try:
        team_propose.accept_proposal(
            proposal=proposal,
            acting_user=request.user,
            role=(form.cleaned_data["role"] or proposal.role) if edited else None,
            days=form.cleaned_data["days"] if edited else None,
        )
    except ValidationError as exc:
        messages.error(
            request,
            _("%(name)s was not added. %(why)s") % {"name": proposal.volunteer.full_name, "why": _refusal(exc, labels)},
        )
        return redirect(_roster_url(mission, "proposals"))
    messages.success(request, _("%(name)s is on the team.") % {"name": proposal.volunteer.full_name})
    return redirect(_roster_url(mission, "proposals"))


@role_required(roles.MANAGE_PLANNING)
@require_POST
def proposal_reject(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    mission = _mission(mission_id)
    proposal = _open_proposal(request, mission, pk)
    if proposal is not None:
        team_propose.reject_proposal(proposal=proposal, acting_user=request.user)
        messages.success(
            request,
            _("%(name)s will not be proposed for this mission again.") % {"name": proposal.volunteer.full_name},
        )
    return redirect(_roster_url(mission, "proposals"))


# ---- the printed and exported roster --------------------------------------------------------


@role_required(roles.SEE_VOLUNTEERS)
def roster_print(request: HttpRequest, mission_id: int) -> HttpResponse:
    """One page for the hospital's notice board: who, in which role, which days. No contact
    details and no problems: the notice board is public."""
    mission = _mission(mission_id)
    members = team_data.team_members(mission)
    groups = [
        (_role_label(role), [(m, days_text(m.present_days, mission)) for m in group])
        for role, group in itertools.groupby(members, key=lambda m: m.role)
    ]
    return render(request, "volunteers/team_print.html", {"mission": mission, "groups": groups, "size": len(members)})


def _export_rows(request: HttpRequest, mission: Mission) -> tuple[list[str], list[list[str]]]:
    """The roster as a table: a header and one row per member. Contact details only for the
    roles that may see them (never a viewer)."""
    members, report = team_data.check_mission_team(mission)
    contacts = roles.has(request.user, roles.SEE_CONTACTS)
    header = [
        _("Name"),
        _("Specialty"),
        _("Role on this mission"),
        _("Origin"),
        _("Country"),
        _("Days present"),
        _("Languages"),
        _("Problems"),
    ]
    if contacts:
        header += [_("E-mail"), _("Phone")]
    rows = []
    for m in members:
        volunteer = m.volunteer
        row = [
            volunteer.full_name,
            volunteer.get_specialty_display(),
            m.get_role_display(),
            volunteer.get_origin_display(),
            volunteer.country,
            ", ".join(date_format(day, "SHORT_DATE_FORMAT") for day in m.present_days),
            volunteer.languages,
            "; ".join(p.message for p in report.members.get(m.volunteer_id, [])),
        ]
        if contacts:
            row += [volunteer.email, volunteer.phone]
        rows.append([spreadsheet_cell(str(value)) for value in row])
    return [str(h) for h in header], rows


def _filename(mission: Mission, suffix: str) -> str:
    return f"team-{mission.pk}-{mission.start_date.isoformat()}.{suffix}"


@role_required(roles.SEE_VOLUNTEERS)
def roster_csv(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = _mission(mission_id)
    header, rows = _export_rows(request, mission)
    return csv_response(_filename(mission, "csv"), header, rows)


@role_required(roles.SEE_VOLUNTEERS)
def roster_xlsx(request: HttpRequest, mission_id: int) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    mission = _mission(mission_id)
    header, rows = _export_rows(request, mission)
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = _("Team")[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for i, column in enumerate(zip(header, *rows, strict=True)):
        width = min(max(len(value) for value in column) + 2, 60)
        sheet.column_dimensions[sheet.cell(row=1, column=i + 1).column_letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(mission, "xlsx")}"'
    return response
