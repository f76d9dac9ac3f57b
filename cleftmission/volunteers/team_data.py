"""The team checks' facts, read from the database in a fixed number of queries: the mission,
its members (with credentials, overlapping missions, unavailability and whether it is their
first mission) and the rules in force (required credentials, the staffing template)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q

from cleftmission.missions.models import Mission
from cleftmission.volunteers import team
from cleftmission.volunteers.models import (
    ROLE_SPECIALTY,
    Credential,
    MissionMember,
    MissionRole,
    RequiredCredential,
    StaffingNeed,
    Unavailability,
    Volunteer,
    role_rank,
)


def mission_facts(mission: Mission) -> team.MissionFacts:
    return team.MissionFacts(
        start=mission.start_date,
        end=mission.end_date,
        kind=mission.kind,
        tables_per_day=mission.tables_per_day,
        team_size_cap=mission.team_size_cap,
        first_timers_min_pct=mission.first_timers_min_pct,
        first_timers_max_pct=mission.first_timers_max_pct,
        prefer_in_country=mission.prefer_in_country,
        warning_days=settings.CREDENTIAL_WARNING_DAYS,
    )


def rules_for(mission_kind: str) -> team.Rules:
    required: dict[str, set[str]] = defaultdict(set)
    for specialty, kind in RequiredCredential.objects.values_list("specialty", "kind"):
        required[specialty].add(kind)
    # The template in the order of MissionRole (surgeons first), as the team page lists it.
    needs_by_role = {
        role: (per_table, fixed)
        for role, per_table, fixed in StaffingNeed.objects.filter(mission_kind=mission_kind).values_list(
            "role", "per_table", "fixed"
        )
    }
    needs = {role: needs_by_role[role] for role in MissionRole.values if role in needs_by_role}
    labels = {
        **dict(Credential.Kind.choices),
        **dict(Volunteer.Specialty.choices),
        **dict(MissionRole.choices),
    }
    return team.Rules(
        required={specialty: frozenset(kinds) for specialty, kinds in required.items()},
        needs=needs,
        role_specialty=ROLE_SPECIALTY,
        labels={value: str(label) for value, label in labels.items()},
    )


def volunteer_facts(
    mission: Mission, volunteer_ids: Iterable[int]
) -> tuple[
    dict[int, tuple[team.CredentialFacts, ...]],
    dict[int, tuple[team.OtherMission, ...]],
    dict[int, tuple[team.Period, ...]],
    set[int],
]:
    """For these volunteers: their credentials, their other missions overlapping this one,
    their unavailable periods touching it, and which of them served before this mission."""
    ids = list(volunteer_ids)
    credentials: dict[int, list[team.CredentialFacts]] = defaultdict(list)
    for row in Credential.objects.filter(volunteer_id__in=ids).values(
        "volunteer_id", "kind", "valid_from", "valid_to", "verification", "rejection_reason"
    ):
        credentials[row["volunteer_id"]].append(
            team.CredentialFacts(
                kind=row["kind"],
                valid_from=row["valid_from"],
                valid_to=row["valid_to"],
                verification=row["verification"],
                rejection_reason=row["rejection_reason"],
            )
        )
    overlapping: dict[int, list[team.OtherMission]] = defaultdict(list)
    for volunteer_id, name, start, end in (
        MissionMember.objects.filter(
            volunteer_id__in=ids, mission__start_date__lte=mission.end_date, mission__end_date__gte=mission.start_date
        )
        .exclude(mission=mission)
        .values_list("volunteer_id", "mission__name", "mission__start_date", "mission__end_date")
        .order_by("mission__start_date")
    ):
        overlapping[volunteer_id].append(team.OtherMission(name=name, start=start, end=end))
    unavailable: dict[int, list[team.Period]] = defaultdict(list)
    for period in Unavailability.objects.filter(
        volunteer_id__in=ids, first_day__lte=mission.end_date, last_day__gte=mission.start_date
    ):
        unavailable[period.volunteer_id].append(team.Period(period.first_day, period.last_day, period.reason))
    experienced = set(
        Volunteer.objects.filter(pk__in=ids)
        .filter(Q(prior_missions__gt=0) | Q(memberships__mission__start_date__lt=mission.start_date))
        .values_list("pk", flat=True)
    )
    return (
        {k: tuple(v) for k, v in credentials.items()},
        {k: tuple(v) for k, v in overlapping.items()},
        {k: tuple(v) for k, v in unavailable.items()},
        experienced,
    )


def _days(values: list[str]) -> tuple[dt.date, ...]:
    return tuple(sorted(dt.date.fromisoformat(day) for day in values))


def member_facts(mission: Mission, members: list[MissionMember]) -> list[team.MemberFacts]:
    credentials, overlapping, unavailable, experienced = volunteer_facts(mission, [m.volunteer_id for m in members])
    return [
        team.MemberFacts(
            member_id=member.pk,
            volunteer_id=member.volunteer_id,
            name=member.volunteer.full_name,
            specialty=member.volunteer.specialty,
            origin=member.volunteer.origin,
            role=member.role,
            days=_days(member.days),
            credentials=credentials.get(member.volunteer_id, ()),
            first_timer=member.volunteer_id not in experienced,
            other_missions=overlapping.get(member.volunteer_id, ()),
            unavailable=unavailable.get(member.volunteer_id, ()),
        )
        for member in members
    ]


def team_members(mission: Mission) -> list[MissionMember]:
    """The team in the template's order (surgeons first), then by name."""
    members = list(MissionMember.objects.filter(mission=mission).select_related("volunteer"))
    members.sort(key=lambda m: (role_rank(m.role), m.volunteer.search_name))
    return members


def check_mission_team(mission: Mission) -> tuple[list[MissionMember], team.TeamReport]:
    """The members and the report the team page, the roster and the API show."""
    members = team_members(mission)
    report = team.check_team(mission_facts(mission), member_facts(mission, members), rules_for(mission.kind))
    return members, report


def present_on(mission: Mission, roles: Iterable[str] = team.TABLE_ROLES) -> dict[dt.date, list[MissionMember]]:
    """Who of these roles is present on each day of the mission: what the operating
    schedule reads (surgeons and anaesthesiologists by default)."""
    wanted = set(roles)
    members = [m for m in team_members(mission) if m.role in wanted]
    return {
        day: [m for m in members if day.isoformat() in m.days]
        for day in (mission.start_date + dt.timedelta(days=i) for i in range(mission.days))
    }
