"""/missions: missions, their planning and the clinical thresholds in force on each."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Status

from cleftmission.api.auth import allow, user_of
from cleftmission.api.common import checked, filled_form, get_or_404, page, sent
from cleftmission.api.schemas import ERRORS, MissionIn, MissionList, MissionOut, MissionPatch, PageParams
from cleftmission.core import roles
from cleftmission.missions import services
from cleftmission.missions.forms import MissionForm
from cleftmission.missions.models import Mission

router = Router(tags=["missions"])


class MissionFilters(PageParams):
    kind: str | None = Field(None, description=", ".join(Mission.Kind.values))
    phase: str | None = Field(None, description=", ".join(Mission.Phase.values))
    site: int | None = Field(None, description="Only the missions at this partner hospital")


def _missions() -> QuerySet[Mission]:
    return Mission.objects.select_related("site").order_by("-start_date", "-id")


@router.get(
    "", response={200: MissionList, **ERRORS}, summary="List missions, newest first", auth=allow(roles.ANY_ROLE)
)
def list_missions(request: HttpRequest, params: Query[MissionFilters]) -> Any:
    missions = _missions()
    if params.kind:
        missions = missions.filter(kind=params.kind)
    if params.phase:
        missions = missions.filter(phase=params.phase)
    if params.site is not None:
        missions = missions.filter(site_id=params.site)
    return page(missions, params)


@router.get(
    "/{int:mission_id}", response={200: MissionOut, **ERRORS}, summary="Get a mission", auth=allow(roles.ANY_ROLE)
)
def get_mission(request: HttpRequest, mission_id: int) -> Any:
    return get_or_404(_missions(), mission_id)


@router.post("", response={201: MissionOut, **ERRORS}, summary="Plan a mission", auth=allow(roles.MANAGE_PLANNING))
def create_mission(request: HttpRequest, payload: MissionIn) -> Any:
    user = user_of(request)
    form = checked(filled_form(MissionForm, instance=Mission(), changes=sent(payload)))
    saved = services.save_mission(mission=form.instance, acting_user=user)
    return Status(201, _missions().get(pk=saved.pk))


@router.patch(
    "/{int:mission_id}",
    response={200: MissionOut, **ERRORS},
    summary="Change a mission or its clinical thresholds",
    auth=allow(roles.MANAGE_PLANNING),
)
def update_mission(request: HttpRequest, mission_id: int, payload: MissionPatch) -> Any:
    user = user_of(request)
    mission = get_or_404(Mission.objects.all(), mission_id)
    form = checked(filled_form(MissionForm, instance=mission, changes=sent(payload)))
    services.save_mission(mission=form.instance, acting_user=user)
    return _missions().get(pk=mission.pk)
