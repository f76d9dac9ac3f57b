"""The demo's upcoming international mission has a full team with a few realistic problems to
fix: an expiring certificate, a double booking and a missing anaesthesiologist; documents
wait for verification; a volunteer logs in to their own page.

The demo is loaded once for the module (inside a transaction rolled back at the end, its
documents in a temporary folder) and each test runs in a savepoint on top of it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from cleftmission.core.roles import role_of
from cleftmission.missions.models import Mission
from cleftmission.volunteers import team, team_data
from cleftmission.volunteers.models import (
    ROLE_SPECIALTY,
    Credential,
    MissionMember,
    StaffingNeed,
    Volunteer,
    mission_days,
)


@pytest.fixture(scope="module")
def demo_media(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    media = tmp_path_factory.mktemp("demo-media")
    with override_settings(MEDIA_ROOT=str(media)), django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield media
        transaction.set_rollback(True)


@pytest.fixture
def upcoming(demo_media: Path, db: None, settings: Any) -> Mission:
    settings.MEDIA_ROOT = str(demo_media)
    return Mission.objects.get(kind=Mission.Kind.INTERNATIONAL, phase=Mission.Phase.PLANNING)


def checked(mission: Mission) -> tuple[list[MissionMember], team.TeamReport]:
    return team_data.check_mission_team(mission)


def problems_by_member(members: list[MissionMember], report: team.TeamReport) -> dict[MissionMember, list[str]]:
    return {
        m: [p.code for p in report.members[m.volunteer_id] if p.severity is team.Severity.PROBLEM]
        for m in members
        if any(p.severity is team.Severity.PROBLEM for p in report.members[m.volunteer_id])
    }


def test_the_team_fills_the_international_template_but_for_one_anesthesiologist(upcoming: Mission) -> None:
    _members, report = checked(upcoming)
    template = {
        need.role: need.needed(upcoming.tables_per_day)
        for need in StaffingNeed.objects.filter(mission_kind=Mission.Kind.INTERNATIONAL)
    }
    assert {line.role: line.needed for line in report.staffing} == template
    on_team = {line.role: line.on_team for line in report.staffing}
    assert on_team == {**template, "anesthesiologist": template["anesthesiologist"] - 1}
    assert report.size == sum(template.values()) - 1 <= upcoming.team_size_cap
    assert {"or_nurse", "recovery_nurse", "ward_nurse", "student", "student_sponsor"} <= set(on_team)


def test_the_team_shows_exactly_the_planted_problems(upcoming: Mission) -> None:
    members, report = checked(upcoming)
    flagged = problems_by_member(members, report)
    assert sorted(codes for codes in flagged.values()) == [["credential_ends_during_mission"], ["double_booked"]]
    [gap] = [p for p in report.team_problems if p.severity is team.Severity.PROBLEM]
    assert gap.code == "gap"
    assert [(line.role, line.gap) for line in report.gaps] == [("anesthesiologist", 1)]
    assert report.surpluses == []
    assert report.problem_count == 3
    # Worth a look, not to fix: the surgeon arriving on the second day leaves the first day short.
    warnings = [p for problems in report.members.values() for p in problems if p.severity is team.Severity.WARNING]
    assert warnings == []
    assert {p.code for p in report.team_problems if p.severity is team.Severity.WARNING} <= {"day_short"}


def test_the_expiring_certificate_is_a_bls_ending_during_the_mission_with_its_renewal_waiting(
    upcoming: Mission,
) -> None:
    members, report = checked(upcoming)
    [member] = [
        m for m, codes in problems_by_member(members, report).items() if codes == ["credential_ends_during_mission"]
    ]
    [problem] = report.members[member.volunteer_id]
    assert problem.message.startswith("BLS")
    bls = Credential.objects.filter(volunteer=member.volunteer, kind="bls")
    old = bls.get(verification=Credential.Verification.VERIFIED)
    assert old.valid_to is not None and upcoming.start_date <= old.valid_to < upcoming.end_date
    renewal = bls.get(verification=Credential.Verification.PENDING)
    assert renewal.valid_to is not None and renewal.valid_to > upcoming.end_date
    assert renewal.document.read(5) == b"%PDF-"


def test_the_double_booked_member_is_also_on_a_local_mission_at_overlapping_dates(upcoming: Mission) -> None:
    members, report = checked(upcoming)
    [member] = [m for m, codes in problems_by_member(members, report).items() if codes == ["double_booked"]]
    [other] = (
        MissionMember.objects.filter(volunteer=member.volunteer)
        .exclude(mission=upcoming)
        .filter(mission__start_date__lte=upcoming.end_date, mission__end_date__gte=upcoming.start_date)
    )
    assert other.mission.kind == Mission.Kind.LOCAL
    assert other.mission.phase == Mission.Phase.PLANNING
    assert member.volunteer.origin == Volunteer.Origin.IN_COUNTRY
    # Nobody else on the team is booked elsewhere at those dates.
    overlapping = MissionMember.objects.filter(
        volunteer__memberships__mission=upcoming,
        mission__start_date__lte=upcoming.end_date,
        mission__end_date__gte=upcoming.start_date,
    ).exclude(mission=upcoming)
    assert list(overlapping) == [other]


def test_the_registry_holds_a_free_credentialed_anesthesiologist_to_fill_the_gap(upcoming: Mission) -> None:
    on_team = set(upcoming.members.values_list("volunteer_id", flat=True))
    candidates = list(Volunteer.objects.filter(specialty="anesthesiologist").exclude(pk__in=on_team))
    credentials, overlapping, unavailable, _experienced = team_data.volunteer_facts(
        upcoming, [v.pk for v in candidates]
    )
    facts = team_data.mission_facts(upcoming)
    rules = team_data.rules_for(upcoming.kind)
    free = [
        v
        for v in candidates
        if v.pk not in overlapping
        and v.pk not in unavailable
        and not team.credential_problems(facts, v.specialty, credentials.get(v.pk, ()), rules)
    ]
    assert free


def test_most_members_are_there_every_day_one_surgeon_arrives_late_one_interpreter_leaves_early(
    upcoming: Mission,
) -> None:
    every = [day.isoformat() for day in mission_days(upcoming)]
    members = list(upcoming.members.all())
    partial = {m.role: m.days for m in members if m.days != every}
    assert partial == {"plastic_surgeon": every[1:], "interpreter": every[:3]}
    for member in members:
        assert ROLE_SPECIALTY[member.role] == member.volunteer.specialty


def test_the_share_of_first_time_volunteers_is_within_the_mission_s_bounds(upcoming: Mission) -> None:
    _members, report = checked(upcoming)
    assert report.first_timers > 0
    assert upcoming.first_timers_min_pct <= report.first_timer_pct <= upcoming.first_timers_max_pct
    assert 0 < report.in_country < report.size
    assert Volunteer.objects.filter(prior_missions__gt=0).exists()


def test_documents_wait_for_verification_and_one_was_rejected_with_a_reason(upcoming: Mission) -> None:
    waiting = Credential.objects.filter(verification=Credential.Verification.PENDING)
    assert waiting.count() >= 3
    for credential in waiting:
        assert credential.document.name.startswith(f"credentials/{credential.volunteer_id}/")
        with credential.document.open("rb") as scan:
            assert scan.read().startswith(b"%PDF-1.4")
    [rejected] = Credential.objects.filter(verification=Credential.Verification.REJECTED)
    assert rejected.rejection_reason
    assert rejected.document
    assert rejected.verified_by is not None and role_of(rejected.verified_by) is not None
    # the queue is not made of the upcoming team's documents, but for the planted renewal
    on_team = waiting.filter(volunteer__memberships__mission=upcoming)
    assert [c.kind for c in on_team] == ["bls"]


def test_the_credentials_keep_their_statuses_against_the_mission(upcoming: Mission) -> None:
    today = dt.date.today()
    statuses = Counter(
        c.status(today, upcoming)
        for c in Credential.objects.filter(
            volunteer__memberships__mission=upcoming, verification=Credential.Verification.VERIFIED
        )
    )
    assert statuses[Credential.Status.ENDS_DURING_MISSION] == 1
    assert statuses[Credential.Status.EXPIRED] >= 1  # an old certificate, since renewed


def test_the_volunteer_login_has_no_role_and_belongs_to_the_nurse_with_the_expiring_certificate(
    upcoming: Mission,
) -> None:
    user = authenticate(username="volunteer", password="demo")
    assert user is not None
    assert role_of(user) is None
    assert not user.is_staff and not user.is_superuser
    volunteer = Volunteer.objects.get(user=user)
    assert (user.first_name, user.last_name) == (volunteer.given_name, volunteer.family_name)
    member = upcoming.members.get(volunteer=volunteer)
    assert member.role in ("ward_nurse", "recovery_nurse", "or_nurse")
    assert volunteer.credentials.filter(verification=Credential.Verification.PENDING, document__gt="").exists()


def test_the_volunteer_sees_their_own_page(upcoming: Mission) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(get_user_model().objects.get(username="volunteer"))
    response = client.get("/me/")
    assert response.status_code == 200
    page = response.content.decode()
    assert upcoming.name in page
    assert "BLS" in page
