"""The operating schedule's pages: the board (days × tables), building, moving and locking
cases, repairs, publishing, and the day's list per table printed for the OR door.

Everyone who may see the mission's screening may read the board and the day lists (viewers
without the children's names); coordinators and administrators change the schedule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from cleftmission.core import roles
from cleftmission.core.forms import add_service_errors
from cleftmission.core.roles import role_required
from cleftmission.core.text import is_htmx
from cleftmission.missions.models import Mission, OperatingTable
from cleftmission.scheduling import forms, services
from cleftmission.scheduling.models import Schedule, ScheduledCase
from cleftmission.screening import queries
from cleftmission.screening.models import Procedure
from cleftmission.volunteers.models import Volunteer

CHANGE_SCHEDULE = roles.MANAGE_PLANNING
SEES_NAMES = roles.ANY_ROLE - {roles.Role.VIEWER}


def _schedule(mission: Mission, version: str | int | None) -> Schedule | None:
    if version:
        try:
            return get_object_or_404(Schedule, mission=mission, number=int(version))
        except ValueError as exc:
            raise Http404 from exc
    return services.current_schedule(mission)


def age_label(years: int, months: int) -> str:
    if years < 2:
        return _("%(n)s mo") % {"n": years * 12 + months}
    return _("%(n)s y") % {"n": years}


@dataclass
class Card:
    row: ScheduledCase
    name: str
    age: str
    weight: str
    procedure: str
    surgeon: str
    anesthetist: str
    starts: str
    ends: str
    moved_from: str | None  # where it was on the published schedule, when it moved
    why_not: str = ""


@dataclass
class Column:
    table: OperatingTable
    cards: list[Card]
    used: int  # minutes of cases and turnovers
    minutes: int  # the table's minutes that day

    @property
    def load_pct(self) -> int:
        return round(100 * self.used / self.minutes) if self.minutes else 0


@dataclass
class Day:
    date: dt.date
    columns: list[Column]

    @property
    def cases(self) -> int:
        return sum(len(c.cards) for c in self.columns)


def _lookups(schedule: Schedule) -> tuple[dict[int, OperatingTable], dict[int, Volunteer], dict[str, str]]:
    ids = [services.id_of(t["id"]) for t in schedule.problem.get("tables", [])]
    tables = OperatingTable.objects.in_bulk([i for i in ids if i is not None])
    procedures = {p.code: str(p) for p in Procedure.objects.all()}
    return tables, services.volunteers_by_id(schedule), procedures


def _cards(
    schedule: Schedule,
    rows: list[ScheduledCase],
    show_names: bool,
    people: dict[int, Volunteer],
    procedures: dict[str, str],
) -> dict[int, Card]:
    mission = schedule.mission
    weights = services.weights_kg([r.visit for r in rows])
    moved = services.moved_since_published(schedule, rows)
    first = schedule.operating_days[0] if schedule.days else mission.start_date
    cards = {}
    for row in rows:
        patient = row.visit.patient
        where_before = None
        if row.visit_id in moved:
            old = moved[row.visit_id]
            if old is None or old.day is None:
                where_before = _("not on the published schedule")
            else:
                table = old.table.name if old.table else ""
                where_before = f"{old.day:%d/%m} · {table} · {services.clock_time(mission, old.start)}"
        surgeon = people.get(row.surgeon_id or 0)
        anesthetist = people.get(row.anesthetist_id or 0)
        cards[row.pk] = Card(
            row=row,
            name=patient.full_name if show_names else f"#{row.visit.queue_number}",
            age=age_label(*patient.age_on(row.day or first)),
            weight=weights.get(row.visit_id, ""),
            procedure=procedures.get(row.procedure, row.procedure),
            surgeon=surgeon.full_name if surgeon else "",
            anesthetist=anesthetist.full_name if anesthetist else "",
            starts=services.clock_time(mission, row.start),
            ends=services.clock_time(mission, row.end),
            moved_from=where_before,
            why_not=why_not(row) if row.day is None and not row.cancel_code else "",
        )
    return cards


def _days(
    schedule: Schedule, rows: list[ScheduledCase], cards: dict[int, Card], tables: dict[int, OperatingTable]
) -> list[Day]:
    table_minutes = {services.id_of(t["id"]): t["minutes"] for t in schedule.problem.get("tables", [])}
    turnover = int(schedule.problem.get("turnover", 0))
    days = []
    for index, date in enumerate(schedule.operating_days):
        columns = []
        for table_id, minutes in table_minutes.items():
            if table_id not in tables:
                continue
            on = sorted(
                (r for r in rows if r.day == date and r.table_id == table_id and not r.cancel_code),
                key=lambda r: r.start or 0,
            )
            used = sum(r.minutes for r in on) + turnover * max(0, len(on) - 1)
            columns.append(Column(tables[table_id], [cards[r.pk] for r in on], used, minutes[index]))
        days.append(Day(date, columns))
    return days


# Why a child is not operated, by the solver's reason code, in the reader's language.
WHY_NOT = {
    "by_hand": _lazy("Taken off the schedule by hand."),
    "days_passed": _lazy("The days it could be operated have passed."),
    "no_surgeon_for_procedure": _lazy("No surgeon on the team does this procedure."),
    "no_surgeon_present": _lazy("No surgeon who can do it is present on the days it could be operated."),
    "no_surgeon_minutes": _lazy("No surgeon who can do it has that many minutes on one day."),
    "no_table_open": _lazy("No table is open on the days its surgeon is present."),
    "too_long": _lazy("It is longer than any operating day."),
    "no_anesthetist": _lazy("No anaesthesiologist is present long enough on the days it could be operated."),
    "no_room": _lazy("No room: every table is full on the days it could be operated."),
    "no_surgeon_time": _lazy("Its surgeons are fully booked on the days it could be operated."),
    "low_priority": _lazy("Less urgent than the children operated: operating it would cost more than leaving it."),
    "no_slot": _lazy(
        "No time left: the surgeons, the anaesthesiologists or the youngest-first order leave no gap long enough."
    ),
}


def why_not(row: ScheduledCase) -> str:
    message = WHY_NOT.get(row.unscheduled_code)
    if message is not None:
        return str(message)
    if row.unscheduled_reason and translation.get_language() == "en":
        return row.unscheduled_reason
    return _("Leaving it out costs less than the changes operating it would need.")


SOLVER_STATUS = {
    "optimal": pgettext_lazy("schedule", "optimal"),
    "feasible": pgettext_lazy("schedule", "feasible"),
    "infeasible": pgettext_lazy("schedule", "infeasible"),
    "unknown": pgettext_lazy("schedule", "no answer in time"),
}


def _rows(schedule: Schedule) -> list[ScheduledCase]:
    return list(schedule.cases.select_related("visit__patient", "table"))


@role_required(roles.ANY_ROLE)
def board(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = queries.visible_mission(request.user, mission_id)
    schedule = _schedule(mission, request.GET.get("version"))
    can_change = roles.has(request.user, CHANGE_SCHEDULE)
    context: dict[str, Any] = {"mission": mission, "schedule": schedule, "can_change": can_change}
    context["versions"] = list(Schedule.objects.filter(mission=mission).select_related("created_by")[:20])
    if schedule is not None:
        rows = _rows(schedule)
        tables, people, procedures = _lookups(schedule)
        cards = _cards(schedule, rows, roles.has(request.user, SEES_NAMES), people, procedures)
        operated = [r for r in rows if r.scheduled]
        unscheduled = [cards[r.pk] for r in rows if r.day is None and not r.cancel_code]
        context.update(
            {
                "days": _days(schedule, rows, cards, tables),
                "unscheduled": unscheduled,
                "cost_parts": services.cost_parts(schedule, len(unscheduled)),
                "cancelled": [cards[r.pk] for r in rows if r.cancel_code],
                "operated": len(operated),
                "moved": sum(1 for c in cards.values() if c.moved_from),
                "published": services.published_schedule(mission),
                "editable": can_change and schedule.status != Schedule.Status.REPLACED,
                "summary": services.summary(schedule, rows, show_names=roles.has(request.user, SEES_NAMES)),
                "solver_status": SOLVER_STATUS.get(schedule.solver_status, schedule.solver_status),
            }
        )
        if context["editable"]:
            context["table_closed_form"] = forms.TableClosedForm(schedule=schedule, tables=tables, people=people)
            context["surgeon_absent_form"] = forms.SurgeonAbsentForm(schedule=schedule, tables=tables, people=people)
            newly = services.children_not_on(schedule)
            context["add_form"] = forms.AddChildrenForm(visits=newly) if newly else None
    return render(request, "scheduling/board.html", context)


@role_required(CHANGE_SCHEDULE)
@require_POST
def build(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = queries.visible_mission(request.user, mission_id)
    try:
        schedule = services.build_schedule(mission=mission, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Schedule %(n)s built: %(operated)s of %(cases)s children operated.")
            % {
                "n": schedule.number,
                "operated": schedule.cases.filter(day__isnull=False).count(),
                "cases": len(schedule.problem.get("cases", [])),
            },
        )
    return _back_to_board(request, mission)


def _back_to_board(request: HttpRequest, mission: Mission) -> HttpResponse:
    url = reverse("scheduling:board", args=[mission.pk])
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _schedule_of(request: HttpRequest, mission_id: int, pk: int) -> Schedule:
    mission = queries.visible_mission(request.user, mission_id)
    return get_object_or_404(Schedule.objects.select_related("mission"), mission=mission, pk=pk)


@role_required(CHANGE_SCHEDULE)
@require_POST
def publish(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    schedule = _schedule_of(request, mission_id, pk)
    try:
        services.publish_schedule(schedule=schedule, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Schedule %(n)s published.") % {"n": schedule.number})
    return _back_to_board(request, schedule.mission)


@role_required(CHANGE_SCHEDULE)
@require_POST
def discard(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    schedule = _schedule_of(request, mission_id, pk)
    try:
        services.discard_draft(schedule=schedule, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Draft %(n)s discarded.") % {"n": schedule.number})
    return _back_to_board(request, schedule.mission)


def _case(request: HttpRequest, mission_id: int, pk: int) -> ScheduledCase:
    mission = queries.visible_mission(request.user, mission_id)
    return get_object_or_404(
        ScheduledCase.objects.select_related("schedule__mission", "visit__patient", "table"),
        schedule__mission=mission,
        pk=pk,
    )


def _case_page(request: HttpRequest, row: ScheduledCase, forms_sent: dict[str, Any] | None = None) -> HttpResponse:
    schedule = row.schedule
    tables, people, procedures = _lookups(schedule)
    initial = {"day": row.day.isoformat() if row.day else None, "table": row.table_id, "surgeon": row.surgeon_id}
    context = {
        "mission": schedule.mission,
        "schedule": schedule,
        "card": _cards(schedule, [row], roles.has(request.user, SEES_NAMES), people, procedures)[row.pk],
        "can_change": roles.has(request.user, CHANGE_SCHEDULE) and schedule.status != Schedule.Status.REPLACED,
        "move_form": forms.MoveForm(initial=initial, schedule=schedule, tables=tables, people=people),
        "cancel_form": forms.CancelForm(),
        "duration_form": forms.DurationForm(initial={"minutes": row.minutes}),
        **(forms_sent or {}),
    }
    template = "scheduling/_case.html" if is_htmx(request) else "scheduling/case.html"
    return render(request, template, context)


@role_required(roles.ANY_ROLE)
def case(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    """A case's panel: where it is, and (for coordinators) move, lock, overrun and cancel."""
    return _case_page(request, _case(request, mission_id, pk))


@role_required(CHANGE_SCHEDULE)
@require_POST
def change(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    """The case panel's forms. A refused move comes back on the panel with the broken rules
    named; everything else returns to the board."""
    row = _case(request, mission_id, pk)
    schedule = row.schedule
    action = request.POST.get("action")
    try:
        if action == "move":
            tables, people, _procedures = _lookups(schedule)
            form = forms.MoveForm(request.POST, schedule=schedule, tables=tables, people=people)
            if form.is_valid():
                move = services.Move(
                    day=form.cleaned_data["day"],
                    table_id=form.cleaned_data["table"],
                    surgeon_id=form.cleaned_data["surgeon"],
                )
                try:
                    services.move_case(case=row, move=move, acting_user=request.user)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Case moved."))
                    return _back_to_board(request, schedule.mission)
            return _case_page(request, row, {"move_form": form})
        if action == "unschedule":
            services.move_case(case=row, move=services.Move(day=None), acting_user=request.user)
            messages.success(request, _("Case taken off the schedule."))
        elif action in ("lock", "unlock"):
            services.set_locked(case=row, locked=action == "lock", acting_user=request.user)
            messages.success(request, _("Case locked in place.") if action == "lock" else _("Case unlocked."))
        elif action == "cancel":
            cancel_form = forms.CancelForm(request.POST)
            if not cancel_form.is_valid():
                return _case_page(request, row, {"cancel_form": cancel_form})
            event = services.Event(
                type="cancel",
                case=row,
                cancel_code=cancel_form.cleaned_data["cancel_code"],
                cancel_note=cancel_form.cleaned_data["cancel_note"],
            )
            repaired = services.repair(schedule=schedule, events=[event], acting_user=request.user)
            messages.success(request, _repaired_message(repaired))
        elif action == "duration":
            duration_form = forms.DurationForm(request.POST)
            if not duration_form.is_valid():
                return _case_page(request, row, {"duration_form": duration_form})
            event = services.Event(type="duration", case=row, minutes=duration_form.cleaned_data["minutes"])
            repaired = services.repair(schedule=schedule, events=[event], acting_user=request.user)
            messages.success(request, _repaired_message(repaired))
        else:
            messages.error(request, _("Say what changed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back_to_board(request, schedule.mission)


def _repaired_message(repaired: Schedule) -> str:
    return _("Repaired as draft %(n)s: %(moved)s published cases moved. Look, then publish.") % {
        "n": repaired.number,
        "moved": repaired.changes,
    }


@role_required(CHANGE_SCHEDULE)
@require_POST
def repair(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    """The board's repairs that are not about one case: a table closed, a surgeon absent,
    children accepted since the schedule was made."""
    schedule = _schedule_of(request, mission_id, pk)
    tables, people, _procedures = _lookups(schedule)
    kind = request.POST.get("event")
    events: list[services.Event] = []
    form: Any = None
    if kind == "table_closed":
        form = forms.TableClosedForm(request.POST, schedule=schedule, tables=tables, people=people)
        if form.is_valid():
            events = [
                services.Event(
                    type="table_closed",
                    table_id=form.cleaned_data["table"],
                    day=form.cleaned_data["day"],
                    from_minute=form.from_minute(),
                )
            ]
    elif kind == "surgeon_absent":
        form = forms.SurgeonAbsentForm(request.POST, schedule=schedule, tables=tables, people=people)
        if form.is_valid():
            events = [
                services.Event(
                    type="surgeon_absent", surgeon_id=form.cleaned_data["surgeon"], day=form.cleaned_data["day"]
                )
            ]
    elif kind == "add_case":
        form = forms.AddChildrenForm(request.POST, visits=services.children_not_on(schedule))
        if form.is_valid():
            events = [services.Event(type="add_case", visit=v) for v in form.cleaned_data["visits"]]
    else:
        messages.error(request, _("Say what changed."))
        return _back_to_board(request, schedule.mission)
    if form is not None and not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return _back_to_board(request, schedule.mission)
    try:
        repaired = services.repair(schedule=schedule, events=events, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _repaired_message(repaired))
    return _back_to_board(request, schedule.mission)


@role_required(roles.ANY_ROLE)
def day_list(request: HttpRequest, mission_id: int, day: str) -> HttpResponse:
    """The day's list per table, one table a printed page, for the OR door: the published
    schedule (or the version asked for)."""
    mission = queries.visible_mission(request.user, mission_id)
    version = request.GET.get("version")
    schedule = _schedule(mission, version) if version else services.published_schedule(mission)
    if schedule is None:
        schedule = services.current_schedule(mission)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError as exc:
        raise Http404 from exc
    if schedule is None or date not in schedule.operating_days:
        raise Http404
    rows = [r for r in _rows(schedule) if r.day == date and not r.cancel_code]
    tables, people, procedures = _lookups(schedule)
    cards = _cards(schedule, rows, roles.has(request.user, SEES_NAMES), people, procedures)
    days = _days(schedule, rows, cards, tables)
    return render(
        request,
        "scheduling/day_list.html",
        {"mission": mission, "schedule": schedule, "day": days[schedule.operating_days.index(date)]},
    )


urlpatterns: list[URLPattern] = [
    path("", board, name="board"),
    path("build/", build, name="build"),
    path("<int:pk>/publish/", publish, name="publish"),
    path("<int:pk>/discard/", discard, name="discard"),
    path("<int:pk>/repair/", repair, name="repair"),
    path("cases/<int:pk>/", case, name="case"),
    path("cases/<int:pk>/change/", change, name="change"),
    path("day/<str:day>/", day_list, name="day"),
]
