"""The screening board: live counts for a wall screen, refreshed by htmx polling."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from cleftmission.core import roles
from cleftmission.core.roles import role_required
from cleftmission.core.text import is_htmx
from cleftmission.screening import queries
from cleftmission.screening.models import ScreeningVisit, Station

# Viewers read counts, not children: the board shows them no names.
SEES_NAMES = roles.ANY_ROLE - {roles.Role.VIEWER}
REFRESH_SECONDS = 10


def _hours_minutes(minutes: int | None) -> tuple[int, int] | None:
    """A wait read at a glance: 95 minutes shows as 1 h 35, not 95."""
    return None if minutes is None else divmod(minutes, 60)


@role_required(roles.ANY_ROLE)
def board(request: HttpRequest, mission_id: int) -> HttpResponse:
    mission = queries.visible_mission(request.user, mission_id)
    now = timezone.now()
    counts = queries.board_counts(mission)
    labels = dict(Station.choices)
    outcome_labels = dict(ScreeningVisit.Outcome.choices)
    waits = queries.wait_times(mission, now=now)
    context = {
        "mission": mission,
        "counts": counts,
        "stations": [(s, labels[s], counts.waiting[s], counts.sent_back[s]) for s in Station.values],
        "decided": [(o, outcome_labels[o], n) for o, n in counts.decided.items()],
        "waits": waits,
        "median": _hours_minutes(waits.median_minutes),
        "longest": [(w, labels[w.station] if w.station else None, _hours_minutes(w.minutes)) for w in waits.longest],
        "show_names": roles.has(request.user, SEES_NAMES),
        "now": now,
        "refresh_seconds": REFRESH_SECONDS,
    }
    template = "screening/board/_board.html" if is_htmx(request) else "screening/board/board.html"
    return render(request, template, context)


urlpatterns: list[URLPattern] = [
    path("board/", board, name="board"),
]
