"""A mission's team and the credentials behind it.

- `/missions/{id}/members`: who is on the team, their role on this mission, the days they are
  present and what the team checks say about each of them (a credential missing or expiring,
  another mission at the same dates, …). Adding, changing and removing members goes through
  the same services as the team page, so every change is audited on the mission.
- `/missions/{id}/team`: the team against the staffing template of its kind of mission (gaps
  and surplus), the size cap, the share of first-time and in-country volunteers, and the
  surgeons and anaesthesiologists present each day.
- `/missions/{id}/present`: who of some roles is present on each day of the mission: what the
  operating schedule reads.
- `/credentials`: the documents volunteers uploaded, to verify or reject (with a reason).

Viewers, coordinators and administrators read; coordinators and administrators change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from cleftmission.api.auth import allow, user_of
from cleftmission.api.common import MAX_ID, get_or_404, page, sent
from cleftmission.api.errors import django_validation_errors, invalid
from cleftmission.api.schemas import ERRORS, CredentialOut, InputSchema, PageParams
from cleftmission.core import roles
from cleftmission.missions.models import Mission
from cleftmission.volunteers import services, team_data, team_services
from cleftmission.volunteers.models import Credential, MissionMember, MissionRole, Volunteer
from cleftmission.volunteers.team import TABLE_ROLES, Problem, TeamReport

router = Router(tags=["team"])

ROLES = ", ".join(MissionRole.values)
VERIFICATIONS = ", ".join(Credential.Verification.values)
DECISIONS = (Credential.Verification.VERIFIED.value, Credential.Verification.REJECTED.value)


# ---- shapes -------------------------------------------------------------------------------


class VolunteerBrief(Schema):
    id: int
    name: str
    specialty: str
    origin: str


class ProblemOut(Schema):
    code: str = Field(description="What the check found, e.g. credential_missing, double_booked, gap")
    severity: str = Field(description="problem (to fix before the mission) or warning (worth a look)")
    message: str


class MemberOut(Schema):
    id: int
    volunteer: VolunteerBrief
    role: str = Field(description=ROLES)
    days: list[dt.date] = Field(description="The days present, in order")
    problems: list[ProblemOut]


class MemberList(Schema):
    items: list[MemberOut]
    count: int


class MemberIn(InputSchema):
    volunteer_id: int
    role: str = Field(description=ROLES)
    days: list[dt.date] = Field(description="The days present, each within the mission's dates", max_length=366)


class MemberPatch(InputSchema):
    role: str | None = Field(None, description=ROLES)
    days: list[dt.date] | None = Field(None, max_length=366)


class StaffingLineOut(Schema):
    role: str
    needed: int = Field(description="From the staffing template: per operating table × tables per day + fixed")
    on_team: int
    gap: int
    surplus: int


class DayCoverOut(Schema):
    day: dt.date
    tables: int
    surgeons: int
    anesthesiologists: int


class TeamOut(Schema):
    mission_id: int
    size: int
    cap: int
    first_timers: int
    first_timer_pct: float
    first_timers_min_pct: int
    first_timers_max_pct: int
    in_country: int
    in_country_pct: float
    staffing: list[StaffingLineOut] = Field(description="The template's roles in its order, then roles it lacks")
    days: list[DayCoverOut]
    problems: list[ProblemOut] = Field(description="The team's own problems: gaps, cap, balance, days short")
    problem_count: int = Field(description="Problems (not warnings) of the members and of the team")


class PresentOut(Schema):
    member_id: int
    volunteer_id: int
    name: str
    role: str


class PresentParams(Schema):
    roles: str = Field(",".join(TABLE_ROLES), description=f"Comma-separated roles ({ROLES})")


class CredentialReviewOut(CredentialOut):
    volunteer_name: str
    verification: str = Field(description=VERIFICATIONS)
    rejection_reason: str
    verified_by: str | None = Field(description="The username of who verified or rejected it")
    verified_at: dt.datetime | None
    document_url: str | None = Field(description="Where the document is served to those who may see it")

    @staticmethod
    def resolve_volunteer_name(obj: Credential) -> str:
        return obj.volunteer.full_name

    @staticmethod
    def resolve_verified_by(obj: Credential) -> str | None:
        return obj.verified_by.get_username() if obj.verified_by is not None else None

    @staticmethod
    def resolve_document_url(obj: Credential) -> str | None:
        if not obj.document:
            return None
        return reverse("volunteers:credential_document", args=[obj.volunteer_id, obj.pk])


class CredentialReviewList(Schema):
    items: list[CredentialReviewOut]
    count: int


class CredentialFilters(PageParams):
    verification: str | None = Field(None, description=VERIFICATIONS)
    volunteer: int | None = Field(None, description="Only this volunteer's credentials")


class VerificationIn(InputSchema):
    status: str = Field(description="verified or rejected")
    reason: str = Field("", max_length=300, description="Why the document is rejected (needed to reject)")


# ---- helpers ------------------------------------------------------------------------------


def _problems(problems: list[Problem]) -> list[dict[str, str]]:
    return [{"code": p.code, "severity": str(p.severity), "message": p.message} for p in problems]


def _member(member: MissionMember, report: TeamReport) -> dict[str, Any]:
    volunteer = member.volunteer
    return {
        "id": member.pk,
        "volunteer": {
            "id": volunteer.pk,
            "name": volunteer.full_name,
            "specialty": volunteer.specialty,
            "origin": volunteer.origin,
        },
        "role": member.role,
        "days": member.present_days,
        "problems": _problems(report.members.get(member.volunteer_id, [])),
    }


def _checked_member(mission: Mission, member_id: int) -> dict[str, Any]:
    """The member as the team checks see them now (their problems depend on the whole team)."""
    members, report = team_data.check_mission_team(mission)
    member = next(m for m in members if m.pk == member_id)
    return _member(member, report)


def _member_of(mission: Mission, member_id: int) -> MissionMember:
    return get_or_404(MissionMember.objects.filter(mission=mission).select_related("mission", "volunteer"), member_id)


def _credentials() -> QuerySet[Credential]:
    return Credential.objects.select_related("volunteer", "verified_by").order_by("id")


# ---- members ------------------------------------------------------------------------------


@router.get(
    "/missions/{int:mission_id}/members",
    response={200: MemberList, **ERRORS},
    summary="List a mission's team: each member's role, days present and problems",
    auth=allow(roles.SEE_VOLUNTEERS),
)
def list_members(request: HttpRequest, mission_id: int) -> Any:
    mission = get_or_404(Mission.objects.all(), mission_id)
    members, report = team_data.check_mission_team(mission)
    return {"items": [_member(m, report) for m in members], "count": len(members)}


@router.post(
    "/missions/{int:mission_id}/members",
    response={201: MemberOut, **ERRORS},
    summary="Add a volunteer to a mission's team, with their role and the days they are present",
    auth=allow(roles.MANAGE_PLANNING),
)
def add_member(request: HttpRequest, mission_id: int, payload: MemberIn) -> Any:
    user = user_of(request)
    mission = get_or_404(Mission.objects.all(), mission_id)
    volunteer = (
        Volunteer.objects.filter(pk=payload.volunteer_id).first() if 0 < payload.volunteer_id <= MAX_ID else None
    )
    if volunteer is None:
        raise invalid([{"field": "volunteer_id", "message": _("There is no volunteer with this id.")}])
    member = team_services.add_member(
        mission=mission, volunteer=volunteer, role=payload.role, days=payload.days, acting_user=user
    )
    return Status(201, _checked_member(mission, member.pk))


@router.patch(
    "/missions/{int:mission_id}/members/{int:member_id}",
    response={200: MemberOut, **ERRORS},
    summary="Change a member's role or days present",
    auth=allow(roles.MANAGE_PLANNING),
)
def update_member(request: HttpRequest, mission_id: int, member_id: int, payload: MemberPatch) -> Any:
    user = user_of(request)
    mission = get_or_404(Mission.objects.all(), mission_id)
    member = _member_of(mission, member_id)
    changes = sent(payload)
    nulls = [name for name, value in changes.items() if value is None]
    if nulls:
        raise invalid([{"field": name, "message": _("This field cannot be empty.")} for name in sorted(nulls)])
    team_services.update_member(
        member=member,
        role=changes.get("role", member.role),
        days=changes.get("days", member.days),
        acting_user=user,
    )
    return _checked_member(mission, member.pk)


@router.delete(
    "/missions/{int:mission_id}/members/{int:member_id}",
    response={204: None, **ERRORS},
    summary="Take a member off the team",
    auth=allow(roles.MANAGE_PLANNING),
)
def remove_member(request: HttpRequest, mission_id: int, member_id: int) -> Any:
    user = user_of(request)
    mission = get_or_404(Mission.objects.all(), mission_id)
    member = _member_of(mission, member_id)
    team_services.remove_member(member=member, acting_user=user)
    return Status(204, None)


# ---- the team as a whole ------------------------------------------------------------------


@router.get(
    "/missions/{int:mission_id}/team",
    response={200: TeamOut, **ERRORS},
    summary="The team against its staffing template: gaps, surplus, size cap, balance, cover each day",
    auth=allow(roles.SEE_VOLUNTEERS),
)
def team_report(request: HttpRequest, mission_id: int) -> Any:
    mission = get_or_404(Mission.objects.all(), mission_id)
    _members, report = team_data.check_mission_team(mission)
    surgeon, anesthesiologist = TABLE_ROLES
    return {
        "mission_id": mission.pk,
        "size": report.size,
        "cap": report.cap,
        "first_timers": report.first_timers,
        "first_timer_pct": round(report.first_timer_pct, 1),
        "first_timers_min_pct": mission.first_timers_min_pct,
        "first_timers_max_pct": mission.first_timers_max_pct,
        "in_country": report.in_country,
        "in_country_pct": round(report.in_country_pct, 1),
        "staffing": [
            {"role": s.role, "needed": s.needed, "on_team": s.on_team, "gap": s.gap, "surplus": s.surplus}
            for s in report.staffing
        ],
        "days": [
            {
                "day": cover.day,
                "tables": cover.tables,
                "surgeons": cover.present.get(surgeon, 0),
                "anesthesiologists": cover.present.get(anesthesiologist, 0),
            }
            for cover in report.days
        ],
        "problems": _problems(report.team_problems),
        "problem_count": report.problem_count,
    }


@router.get(
    "/missions/{int:mission_id}/present",
    response={200: dict[str, list[PresentOut]], **ERRORS},
    summary="Who of these roles is present on each day of the mission (what the operating schedule reads)",
    auth=allow(roles.SEE_VOLUNTEERS),
)
def present(request: HttpRequest, mission_id: int, params: Query[PresentParams]) -> Any:
    mission = get_or_404(Mission.objects.all(), mission_id)
    wanted = [role.strip() for role in params.roles.split(",") if role.strip()]
    unknown = [role for role in wanted if role not in MissionRole.values]
    if unknown or not wanted:
        message = _("Unknown role: %(roles)s. One or more of: %(all)s.") % {"roles": ", ".join(unknown), "all": ROLES}
        raise invalid([{"field": "roles", "message": message}])
    return {
        day.isoformat(): [
            {"member_id": m.pk, "volunteer_id": m.volunteer_id, "name": m.volunteer.full_name, "role": m.role}
            for m in members
        ]
        for day, members in team_data.present_on(mission, wanted).items()
    }


# ---- credential verification --------------------------------------------------------------


@router.get(
    "/credentials",
    response={200: CredentialReviewList, **ERRORS},
    summary="List credentials, e.g. the documents waiting for verification (verification=pending)",
    auth=allow(roles.SEE_VOLUNTEERS),
)
def list_credentials(request: HttpRequest, params: Query[CredentialFilters]) -> Any:
    credentials = _credentials()
    if params.verification is not None:
        if params.verification not in Credential.Verification.values:
            message = _("Unknown verification state; one of: %(s)s.") % {"s": VERIFICATIONS}
            raise invalid([{"field": "verification", "message": message}])
        credentials = credentials.filter(verification=params.verification)
    if params.volunteer is not None:
        credentials = credentials.filter(volunteer_id=params.volunteer)
    return page(credentials, params)


@router.get(
    "/credentials/{int:credential_id}",
    response={200: CredentialReviewOut, **ERRORS},
    summary="Get a credential with its verification",
    auth=allow(roles.SEE_VOLUNTEERS),
)
def get_credential(request: HttpRequest, credential_id: int) -> Any:
    return get_or_404(_credentials(), credential_id)


@router.post(
    "/credentials/{int:credential_id}/verification",
    response={200: CredentialReviewOut, **ERRORS},
    summary="Verify a credential's document, or reject it saying why",
    auth=allow(roles.MANAGE_PLANNING),
)
def verify_credential(request: HttpRequest, credential_id: int, payload: VerificationIn) -> Any:
    user = user_of(request)
    credential = get_or_404(_credentials(), credential_id)
    if payload.status not in DECISIONS:
        message = _("Say “verified” or “rejected”.")
        raise invalid([{"field": "status", "message": message}])
    if payload.status == Credential.Verification.VERIFIED:
        services.verify_credential(credential=credential, acting_user=user)
    else:
        try:
            services.reject_credential(credential=credential, reason=payload.reason, acting_user=user)
        except ValidationError as exc:
            errors = django_validation_errors(exc)
            raise invalid(
                [{**e, "field": "reason" if e["field"] == "rejection_reason" else e["field"]} for e in errors]
            ) from exc
    return _credentials().get(pk=credential.pk)
