"""The OR board: a day's cases per table, live, each a card with its next milestone as one big
button; stamping and taking back a milestone.

Everyone who may see the mission's screening reads the board (viewers without the children's
names); clinicians on the mission, coordinators and administrators record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cleftmission.core import roles
from cleftmission.core.roles import role_required
from cleftmission.core.text import is_htmx
from cleftmission.missions.models import Mission, OperatingTable
from cleftmission.scheduling.services import weights_kg
from cleftmission.scheduling.views import age_label
from cleftmission.screening import queries
from cleftmission.surgery import checklist, lateness, milestones, services
from cleftmission.surgery.forms import StampForm
from cleftmission.surgery.models import Milestone, SurgicalCase
from cleftmission.surgery.queries import cases_with_details

RECORD = roles.EDIT_CLINICAL
SEES_NAMES = roles.ANY_ROLE - {roles.Role.VIEWER}
REFRESH_SECONDS = 15
# The times a card shows against the plan.
ACTUAL = (milestones.IN_OR, milestones.INCISION, milestones.SURGERY_END)


# ---- finding the mission and the case -----------------------------------------------------


def case_of(request: HttpRequest, mission_id: int, pk: int) -> SurgicalCase:
    mission = queries.visible_mission(request.user, mission_id)
    return get_object_or_404(cases_with_details(), mission=mission, pk=pk)


def may_record(request: HttpRequest) -> bool:
    return roles.has(request.user, RECORD)


def child_name(case: SurgicalCase, show_names: bool) -> str:
    return case.visit.patient.full_name if show_names else f"#{case.visit.queue_number}"


# ---- the cards --------------------------------------------------------------------------------


@dataclass
class Card:
    case: SurgicalCase
    name: str
    age: str
    weight: str
    procedures: str
    stamps: dict[str, Milestone]
    signed: set[str]
    refusal: str = ""
    refusal_phase: str = ""  # the checklist phase the refused milestone waits for

    @property
    def cancelled(self) -> bool:
        return self.case.status == SurgicalCase.Status.CANCELLED

    @property
    def current(self) -> Milestone | None:
        done = [m for m in milestones.ORDER if m in self.stamps]
        return self.stamps[done[-1]] if done else None

    @property
    def next(self) -> str | None:
        return None if self.cancelled else milestones.next_milestone({k: v.at for k, v in self.stamps.items()})

    @property
    def next_label(self) -> str:
        return str(milestones.LABELS[self.next]) if self.next else ""

    @property
    def waits_for_phase(self) -> str:
        """The checklist phase the next milestone needs and that is not signed yet."""
        phase = milestones.NEEDS_PHASE.get(self.next or "")
        return phase if phase and phase not in self.signed else ""

    @property
    def waits_for_phase_label(self) -> str:
        return str(checklist.PHASE_LABELS[self.waits_for_phase]) if self.waits_for_phase else ""

    @property
    def refusal_phase_label(self) -> str:
        return str(checklist.PHASE_LABELS[self.refusal_phase]) if self.refusal_phase else ""

    @property
    def actual(self) -> list[tuple[str, dt.datetime | None]]:
        return [(str(milestones.SHORT[m]), self.stamps[m].at if m in self.stamps else None) for m in ACTUAL]

    @property
    def phases(self) -> list[tuple[str, str, bool]]:
        return [(p, str(checklist.PHASE_LABELS[p]), p in self.signed) for p in checklist.PHASES]

    @property
    def times(self) -> lateness.CaseTimes:
        return lateness.CaseTimes(
            planned_start=self.case.planned_start,
            planned_minutes=self.case.planned_minutes,
            in_or=self.stamps[milestones.IN_OR].at if milestones.IN_OR in self.stamps else None,
            ended=self.stamps[milestones.SURGERY_END].at if milestones.SURGERY_END in self.stamps else None,
            cancelled=self.cancelled,
        )


def weights(visits: list[Any]) -> dict[int, str]:
    """Each child's weight at screening, as the page's language writes numbers (6,86 in Vietnamese)."""
    found = {}
    for visit_id, text in weights_kg(visits).items():
        try:
            found[visit_id] = localize(Decimal(text))
        except InvalidOperation:
            found[visit_id] = text
    return found


def make_cards(cases: list[SurgicalCase], show_names: bool) -> list[Card]:
    weights_of = weights([c.visit for c in cases])
    cards = []
    for case in cases:
        patient = case.visit.patient
        cards.append(
            Card(
                case=case,
                name=child_name(case, show_names),
                age=age_label(*patient.age_on(case.day)),
                weight=weights_of.get(case.visit_id, ""),
                procedures=", ".join(str(p) for p in case.procedures.all()),
                stamps={m.kind: m for m in case.milestones.all()},
                signed={p.phase for p in case.checklist.all()},
            )
        )
    return cards


@dataclass
class Column:
    table: OperatingTable | None
    cards: list[Card] = field(default_factory=list)
    state: lateness.TableState | None = None
    finished_at: dt.datetime | None = None

    @property
    def key(self) -> str:
        return str(self.table.pk) if self.table else "none"

    @property
    def counted(self) -> int:
        return sum(1 for c in self.cards if not c.cancelled)


def make_columns(cards: list[Card], now: dt.datetime | None) -> list[Column]:
    columns: dict[int | None, Column] = {}
    for card in sorted(cards, key=lambda c: (c.case.table.name if c.case.table else "~", c.case.order)):
        columns.setdefault(card.case.table_id, Column(card.case.table)).cards.append(card)
    for column in columns.values():
        column.state = lateness.table_state([c.times for c in column.cards], now)
        if column.state is not None and column.state.finished:
            ends = [c.times.ended for c in column.cards if c.times.ended is not None]
            column.finished_at = max(ends) if ends else None
    return list(columns.values())


def day_cases(mission: Mission, day: dt.date) -> list[SurgicalCase]:
    return list(cases_with_details().filter(mission=mission, day=day).order_by("table__name", "order"))


def board_day(mission: Mission, asked: str | None, case_days: list[dt.date]) -> dt.date:
    """The day asked for; else today when it is an operating day; else the next operating
    day; else the first."""
    if asked:
        try:
            return dt.date.fromisoformat(asked)
        except ValueError:
            pass
    days = sorted(set(mission.operating_days) | set(case_days))
    today = timezone.localdate()
    if not days or today in days:
        return today
    return next((d for d in days if d > today), days[0])


def _now_for(day: dt.date) -> dt.datetime | None:
    """Lateness is told only for today's board."""
    return timezone.now() if day == timezone.localdate() else None


# ---- the board ----------------------------------------------------------------------------


@role_required(roles.ANY_ROLE)
def board(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = queries.visible_mission(request.user, mission_id)
    case_days = list(SurgicalCase.objects.filter(mission=mission).values_list("day", flat=True).distinct())
    day = board_day(mission, request.GET.get("day"), case_days)
    cards = make_cards(day_cases(mission, day), roles.has(request.user, SEES_NAMES))
    columns = make_columns(cards, _now_for(day))
    statuses = [c.case.status for c in cards]
    context = {
        "mission": mission,
        "day": day,
        "days": sorted(set(mission.operating_days) | set(case_days)),
        "today": timezone.localdate(),
        "columns": columns,
        "counts": {
            "planned": sum(s == SurgicalCase.Status.PLANNED for s in statuses),
            "under_way": sum(s == SurgicalCase.Status.UNDER_WAY for s in statuses),
            "operated": sum(s in (SurgicalCase.Status.OPERATED, SurgicalCase.Status.DISCHARGED) for s in statuses),
            "cancelled": sum(s == SurgicalCase.Status.CANCELLED for s in statuses),
        },
        "may_record": may_record(request),
        "now": timezone.now(),
        "refresh_seconds": REFRESH_SECONDS,
    }
    template = "surgery/_board.html" if is_htmx(request) else "surgery/board.html"
    return render(request, template, context)


def _card_response(
    request: HttpRequest, case: SurgicalCase, refusal: str = "", refusal_phase: str = ""
) -> HttpResponse:
    """The stamped card, and its table's header (out of band: the lateness may have changed)."""
    cases = [c for c in day_cases(case.mission, case.day) if c.table_id == case.table_id]
    cards = make_cards(cases, roles.has(request.user, SEES_NAMES))
    column = make_columns(cards, _now_for(case.day))[0]
    card = next(c for c in column.cards if c.case.pk == case.pk)
    card.refusal, card.refusal_phase = refusal, refusal_phase
    context = {"mission": case.mission, "card": card, "column": column, "may_record": may_record(request)}
    return render(request, "surgery/_card_stamped.html", context)


# ---- stamping -------------------------------------------------------------------------------


def _refusal_phase(case: SurgicalCase, milestone: str) -> str:
    phase = milestones.NEEDS_PHASE.get(milestone, "")
    return phase if phase and phase not in services.signed_phases(case) else ""


@role_required(RECORD)
@require_POST
def stamp(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    """Stamp a milestone: from a board card (now; the card comes back, with the refusal if
    there is one) or from the case page (at the time typed)."""
    case = case_of(request, mission_id, pk)
    form = StampForm(request.POST)
    refusal = refusal_phase = ""
    if form.is_valid():
        milestone = form.cleaned_data["milestone"]
        try:
            services.record_milestone(case=case, milestone=milestone, at=form.at(), acting_user=request.user)
        except ValidationError as exc:
            refusal = " ".join(exc.messages)
            refusal_phase = _refusal_phase(case, milestone)
    else:
        refusal = " ".join(
            f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
        )
    from_board = request.POST.get("view") == "card"
    if from_board and is_htmx(request):
        return _card_response(request, case, refusal, refusal_phase)
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(
            request,
            _("%(milestone)s recorded for %(child)s.")
            % {
                "milestone": milestones.LABELS[form.cleaned_data["milestone"]],
                "child": child_name(case, roles.has(request.user, SEES_NAMES)),
            },
        )
    if from_board:
        return redirect(f"{reverse('surgery:board', args=[mission_id])}?day={case.day.isoformat()}#case-{case.pk}")
    return redirect(f"{case.get_absolute_url()}#milestones")


@role_required(RECORD)
@require_POST
def undo(request: HttpRequest, mission_id: int, pk: int) -> HttpResponse:
    case = case_of(request, mission_id, pk)
    try:
        kind = services.undo_milestone(case=case, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(milestone)s” taken back.") % {"milestone": milestones.LABELS[kind]})
    return redirect(f"{case.get_absolute_url()}#milestones")
