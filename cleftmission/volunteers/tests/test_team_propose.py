"""Propose a team from the registry: it fills the template when the registry can, never
proposes a volunteer who cannot serve the whole mission, says what it could not fill and
why, and the coordinator's accept and reject go through the team's own checks, audited."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cleftmission.core.models import AuditEntry
from cleftmission.factories import (
    CredentialFactory,
    MissionFactory,
    MissionMemberFactory,
    TeamProposalFactory,
    UnavailabilityFactory,
    VolunteerFactory,
)
from cleftmission.missions.models import Mission
from cleftmission.volunteers.models import (
    MissionMember,
    RequiredCredential,
    StaffingNeed,
    TeamProposal,
    Volunteer,
    every_day,
)
from cleftmission.volunteers.team_propose import (
    Unfilled,
    accept_proposal,
    propose_team,
    reject_proposal,
    unfilled_roles,
)

FIRST_DAY, LAST_DAY = dt.date(2026, 12, 7), dt.date(2026, 12, 11)
# Two tables: two surgeons, two anaesthesiologists and two ward nurses.
TEMPLATE = {"plastic_surgeon": (1, 0), "anesthesiologist": (1, 0), "ward_nurse": (0, 2)}


@pytest.fixture
def mission(db: None) -> Mission:
    StaffingNeed.objects.filter(mission_kind="local").delete()
    for role, (per_table, fixed) in TEMPLATE.items():
        StaffingNeed.objects.create(mission_kind="local", role=role, per_table=per_table, fixed=fixed)
    mission = MissionFactory(
        name="Huế tháng 12",
        kind="local",
        start_date=FIRST_DAY,
        end_date=LAST_DAY,
        tables_per_day=2,
        first_timers_min_pct=0,
        first_timers_max_pct=100,
    )
    return cast(Mission, mission)


def volunteer(specialty: str = "plastic_surgeon", *, until: dt.date = dt.date(2030, 1, 1), **kwargs: Any) -> Volunteer:
    """A volunteer holding every credential their specialty requires, verified, valid until `until`."""
    person = cast(Volunteer, VolunteerFactory(specialty=specialty, **kwargs))
    for kind in RequiredCredential.objects.filter(specialty=specialty).values_list("kind", flat=True):
        CredentialFactory(volunteer=person, kind=kind, valid_to=until)
    return person


def registry_that_can_fill(mission: Mission) -> list[Volunteer]:
    return [
        *(volunteer("plastic_surgeon") for _ in range(3)),
        *(volunteer("anesthesiologist") for _ in range(3)),
        *(volunteer("nurse") for _ in range(3)),
    ]


def roles(proposals: list[TeamProposal]) -> Counter[str]:
    return Counter(p.role for p in proposals)


def test_the_proposal_fills_the_template_from_a_registry_that_can(mission: Mission, coordinator: Any) -> None:
    registry_that_can_fill(mission)
    run = propose_team(mission=mission, acting_user=coordinator)
    assert roles(run.proposals) == {"plastic_surgeon": 2, "anesthesiologist": 2, "ward_nurse": 2}
    assert run.unfilled == []
    assert run.balance_met
    stored = TeamProposal.objects.filter(mission=mission, status=TeamProposal.Status.PENDING)
    assert stored.count() == 6
    assert all(p.days == every_day(mission) for p in stored)
    created = AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, actor=coordinator)
    assert created.count() == 6


def test_each_proposal_says_why_the_volunteer_was_chosen(mission: Mission, coordinator: Any) -> None:
    StaffingNeed.objects.filter(mission_kind="local").exclude(role="plastic_surgeon").delete()
    mission.tables_per_day = 1
    mission.save()
    volunteer("plastic_surgeon", until=dt.date(2027, 3, 31), origin="in_country", prior_missions=5)
    with translation.override("en"):
        run = propose_team(mission=mission, acting_user=coordinator)
    assert run.proposals[0].reasons == ["in-country", "5 missions", "credentials valid until 31 Mar 2027"]


def test_a_first_time_volunteer_is_said_to_be_on_their_first_mission(mission: Mission, coordinator: Any) -> None:
    StaffingNeed.objects.filter(mission_kind="local").exclude(role="ward_nurse").delete()
    volunteer("nurse", origin="international")
    veteran = volunteer("nurse", origin="international")
    MissionMemberFactory(
        volunteer=veteran, mission=MissionFactory(start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 3, 5))
    )
    with translation.override("en"):
        run = propose_team(mission=mission, acting_user=coordinator)
    reasons = {p.volunteer_id: p.reasons[0] for p in run.proposals}
    assert reasons[veteran.pk] == "1 mission"
    assert sorted(reasons.values()) == ["1 mission", "first mission"]


def double_booked(mission: Mission, person: Volunteer) -> None:
    other = MissionFactory(start_date=LAST_DAY, end_date=LAST_DAY + dt.timedelta(days=4))
    MissionMemberFactory(mission=other, volunteer=person)


def expired(mission: Mission, person: Volunteer) -> None:
    person.credentials.filter(kind="bls").update(valid_to=FIRST_DAY - dt.timedelta(days=1))


def ends_before_the_last_day(mission: Mission, person: Volunteer) -> None:
    person.credentials.filter(kind="pals").update(valid_to=LAST_DAY - dt.timedelta(days=1))


def unverified(mission: Mission, person: Volunteer) -> None:
    person.credentials.filter(kind="licence").update(verification="pending")


def missing(mission: Mission, person: Volunteer) -> None:
    person.credentials.filter(kind="board_certification").delete()


def unavailable(mission: Mission, person: Volunteer) -> None:
    UnavailabilityFactory(volunteer=person, first_day=LAST_DAY, last_day=LAST_DAY + dt.timedelta(days=30))


def rejected_earlier(mission: Mission, person: Volunteer) -> None:
    TeamProposalFactory(mission=mission, volunteer=person, status=TeamProposal.Status.REJECTED)


@pytest.mark.parametrize(
    ("situation", "why"),
    [
        (double_booked, "1 on an overlapping mission"),
        (expired, "1 with credentials not valid for the whole mission"),
        (ends_before_the_last_day, "1 with credentials not valid for the whole mission"),
        (missing, "1 with credentials not valid for the whole mission"),
        (unverified, "1 with credentials waiting for verification"),
        (unavailable, "1 unavailable during the mission"),
        (rejected_earlier, "1 turned down for this mission"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_volunteer_who_cannot_serve_the_whole_mission_is_never_proposed_and_the_gap_says_why(
    mission: Mission, coordinator: Any, situation: Any, why: str
) -> None:
    StaffingNeed.objects.filter(mission_kind="local").exclude(role="plastic_surgeon").delete()
    mission.prefer_in_country = True
    mission.save()
    other = volunteer("plastic_surgeon", origin="international")
    best = volunteer("plastic_surgeon", origin="in_country", prior_missions=9)  # the first choice, but for this
    situation(mission, best)
    with translation.override("en"):
        run = propose_team(mission=mission, acting_user=coordinator)
    assert [p.volunteer_id for p in run.proposals] == [other.pk]
    assert run.unfilled == [Unfilled("plastic_surgeon", 1, f"2 more in the registry: 1 proposed, {why}.")]


def test_a_mission_or_an_absence_ending_the_day_before_does_not_keep_a_volunteer_out(
    mission: Mission, coordinator: Any
) -> None:
    StaffingNeed.objects.filter(mission_kind="local").exclude(role="plastic_surgeon").delete()
    back_from_a_mission, back_from_leave = volunteer("plastic_surgeon"), volunteer("plastic_surgeon")
    earlier = MissionFactory(start_date=FIRST_DAY - dt.timedelta(days=5), end_date=FIRST_DAY - dt.timedelta(days=1))
    MissionMemberFactory(mission=earlier, volunteer=back_from_a_mission)
    UnavailabilityFactory(
        volunteer=back_from_leave, first_day=dt.date(2026, 11, 1), last_day=FIRST_DAY - dt.timedelta(days=1)
    )
    run = propose_team(mission=mission, acting_user=coordinator)
    assert {p.volunteer_id for p in run.proposals} == {back_from_a_mission.pk, back_from_leave.pk}


def test_it_says_what_it_could_not_fill_and_why(mission: Mission, coordinator: Any) -> None:
    mission.tables_per_day = 1
    mission.save()
    StaffingNeed.objects.create(mission_kind="local", role="dentist", fixed=1)
    volunteer("plastic_surgeon")
    volunteer("nurse")
    volunteer("nurse")
    # Five anaesthesiologists, none of whom can come.
    for _ in range(2):
        double_booked(mission, volunteer("anesthesiologist"))
    for _ in range(2):
        expired(mission, volunteer("anesthesiologist"))
    unavailable(mission, volunteer("anesthesiologist"))
    with translation.override("en"):
        run = propose_team(mission=mission, acting_user=coordinator)
        messages = [u.message for u in run.unfilled]
    assert roles(run.proposals) == {"plastic_surgeon": 1, "ward_nurse": 2}
    assert run.unfilled == [
        Unfilled(
            "anesthesiologist",
            1,
            "5 more in the registry: 2 on overlapping missions, 2 with credentials not valid for the whole mission, "
            "1 unavailable during the mission.",
        ),
        Unfilled("dentist", 1, "No volunteer of this specialty in the registry."),
    ]
    assert messages[0].startswith("Anesthesiologist: 1 missing. 5 more in the registry")


def test_a_role_the_team_fills_already_is_not_proposed_again(mission: Mission, coordinator: Any) -> None:
    registry_that_can_fill(mission)
    on_team = volunteer("anesthesiologist")
    MissionMemberFactory(mission=mission, volunteer=on_team, role="anesthesiologist")
    run = propose_team(mission=mission, acting_user=coordinator)
    assert roles(run.proposals) == {"plastic_surgeon": 2, "anesthesiologist": 1, "ward_nurse": 2}
    assert on_team.pk not in {p.volunteer_id for p in run.proposals}


def test_the_proposal_stops_at_the_size_cap_and_says_so(mission: Mission, coordinator: Any) -> None:
    registry_that_can_fill(mission)
    mission.team_size_cap = 4
    mission.save()
    with translation.override("en"):
        run = propose_team(mission=mission, acting_user=coordinator)
    # Surgeons and anaesthesiologists first: the tables cannot run without them.
    assert roles(run.proposals) == {"plastic_surgeon": 2, "anesthesiologist": 2}
    assert run.unfilled == [
        Unfilled("ward_nurse", 2, "3 more in the registry: 3 left out by the team size cap of 4."),
    ]


def test_the_proposal_prefers_in_country_volunteers_when_the_mission_asks(mission: Mission, coordinator: Any) -> None:
    mission.tables_per_day = 1
    mission.save()
    veteran = volunteer("plastic_surgeon", origin="international", prior_missions=12)
    local = volunteer("plastic_surgeon", origin="in_country", prior_missions=1)
    chosen = {p.volunteer_id for p in propose_team(mission=mission, acting_user=coordinator).proposals}
    assert veteran.pk in chosen and local.pk not in chosen
    mission.prefer_in_country = True
    mission.save()
    chosen = {p.volunteer_id for p in propose_team(mission=mission, acting_user=coordinator).proposals}
    assert local.pk in chosen and veteran.pk not in chosen


def test_the_proposal_keeps_the_first_timer_share_within_bounds(mission: Mission, coordinator: Any) -> None:
    StaffingNeed.objects.filter(mission_kind="local").update(per_table=0, fixed=0)
    StaffingNeed.objects.filter(mission_kind="local", role="ward_nurse").update(fixed=4)
    mission.first_timers_min_pct, mission.first_timers_max_pct = 25, 50
    mission.save()
    seasoned = [volunteer("nurse", prior_missions=10 - i) for i in range(4)]
    new = [volunteer("nurse") for _ in range(4)]
    run = propose_team(mission=mission, acting_user=coordinator)
    chosen = {p.volunteer_id for p in run.proposals}
    assert len(chosen) == 4
    first_timers = len(chosen & {v.pk for v in new})
    assert 1 <= first_timers <= 2
    assert run.balance_met
    assert {v.pk for v in seasoned[:2]} <= chosen  # the most experienced take the other places


def test_proposing_again_replaces_the_pending_proposals_and_keeps_the_rejected_out(
    mission: Mission, coordinator: Any
) -> None:
    registry_that_can_fill(mission)
    first = propose_team(mission=mission, acting_user=coordinator)
    turned_down = first.proposals[0]
    reject_proposal(proposal=turned_down, acting_user=coordinator)
    second = propose_team(mission=mission, acting_user=coordinator)
    assert turned_down.volunteer_id not in {p.volunteer_id for p in second.proposals}
    assert roles(second.proposals) == {"plastic_surgeon": 2, "anesthesiologist": 2, "ward_nurse": 2}
    assert set(TeamProposal.objects.filter(mission=mission).values_list("status", flat=True)) == {
        "pending",
        "rejected",
    }
    assert TeamProposal.objects.filter(mission=mission).count() == 7
    assert not TeamProposal.objects.filter(pk__in=[p.pk for p in first.proposals[1:]]).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETE).count() == 5


def test_the_open_roles_count_the_pending_proposals(mission: Mission, coordinator: Any) -> None:
    registry_that_can_fill(mission)
    run = propose_team(mission=mission, acting_user=coordinator)
    assert unfilled_roles(mission) == []
    anaesthetist = next(p for p in run.proposals if p.role == "anesthesiologist")
    reject_proposal(proposal=anaesthetist, acting_user=coordinator)
    with translation.override("en"):
        (gap,) = unfilled_roles(mission)
    assert (gap.role, gap.missing) == ("anesthesiologist", 1)
    assert (
        gap.reason == "3 more in the registry: 1 proposed, 1 turned down for this mission, 1 available: propose again."
    )


def test_accepting_a_proposal_puts_the_volunteer_on_the_team_audited(mission: Mission, coordinator: Any) -> None:
    registry_that_can_fill(mission)
    proposal = next(
        p for p in propose_team(mission=mission, acting_user=coordinator).proposals if p.role == "ward_nurse"
    )
    member = accept_proposal(proposal=proposal, acting_user=coordinator)
    assert (member.volunteer_id, member.role, member.days) == (proposal.volunteer_id, "ward_nurse", every_day(mission))
    proposal.refresh_from_db()
    assert proposal.status == TeamProposal.Status.ACCEPTED
    assert proposal.decided_by == coordinator
    assert proposal.decided_at is not None
    on_mission = AuditEntry.objects.filter(object_id=str(mission.pk), actor=coordinator)
    assert on_mission.filter(model="volunteers.missionmember", action=AuditEntry.Action.CREATE).count() == 1
    assert on_mission.get(model="volunteers.teamproposal", action=AuditEntry.Action.UPDATE).changes["status"] == [
        "pending",
        "accepted",
    ]


def test_the_coordinator_may_change_the_role_and_days_when_accepting(mission: Mission, coordinator: Any) -> None:
    registry_that_can_fill(mission)
    proposal = next(
        p for p in propose_team(mission=mission, acting_user=coordinator).proposals if p.role == "ward_nurse"
    )
    days = [FIRST_DAY, FIRST_DAY + dt.timedelta(days=1)]
    member = accept_proposal(proposal=proposal, acting_user=coordinator, role="recovery_nurse", days=days)
    assert (member.role, member.days) == ("recovery_nurse", ["2026-12-07", "2026-12-08"])
    proposal.refresh_from_db()
    assert (proposal.role, proposal.days) == ("recovery_nurse", ["2026-12-07", "2026-12-08"])


def test_accepting_is_refused_when_the_proposals_days_are_no_longer_within_the_mission(
    mission: Mission, coordinator: Any
) -> None:
    registry_that_can_fill(mission)
    proposal = propose_team(mission=mission, acting_user=coordinator).proposals[0]
    mission.end_date = LAST_DAY - dt.timedelta(days=2)  # the mission was shortened since
    mission.save()
    with pytest.raises(ValidationError) as refused:
        accept_proposal(proposal=proposal, acting_user=coordinator)
    assert "days" in refused.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == TeamProposal.Status.PENDING
    assert not MissionMember.objects.filter(mission=mission).exists()


def test_accepting_is_refused_naming_the_volunteer_when_the_team_is_at_its_cap(
    mission: Mission, coordinator: Any
) -> None:
    registry_that_can_fill(mission)
    proposals = propose_team(mission=mission, acting_user=coordinator).proposals
    mission.team_size_cap = 1  # lowered since the proposal
    mission.save()
    accept_proposal(proposal=proposals[0], acting_user=coordinator)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        accept_proposal(proposal=proposals[1], acting_user=coordinator)
    assert "size cap of 1" in refused.value.message_dict["volunteer"][0]
    proposals[1].refresh_from_db()
    assert proposals[1].status == TeamProposal.Status.PENDING
    assert list(MissionMember.objects.filter(mission=mission).values_list("volunteer_id", flat=True)) == [
        proposals[0].volunteer_id
    ]


def test_a_decided_proposal_cannot_be_decided_again(mission: Mission, coordinator: Any) -> None:
    registry_that_can_fill(mission)
    proposal = propose_team(mission=mission, acting_user=coordinator).proposals[0]
    reject_proposal(proposal=proposal, acting_user=coordinator)
    with pytest.raises(ValidationError) as refused:
        accept_proposal(proposal=proposal, acting_user=coordinator)
    assert "status" in refused.value.message_dict
    assert not MissionMember.objects.filter(mission=mission).exists()


def test_rejecting_a_proposal_is_audited(mission: Mission, coordinator: Any) -> None:
    registry_that_can_fill(mission)
    proposal = propose_team(mission=mission, acting_user=coordinator).proposals[0]
    reject_proposal(proposal=proposal, acting_user=coordinator)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (TeamProposal.Status.REJECTED, coordinator)
    change = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE)
    assert change.changes["status"] == ["pending", "rejected"]


def test_the_number_of_queries_does_not_grow_with_the_registry(mission: Mission, coordinator: Any) -> None:
    registry_that_can_fill(mission)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            propose_team(mission=mission, acting_user=coordinator)
        return len(captured)

    queries()  # the first run has no pending proposals to replace
    small = queries()
    for i in range(30):  # more of every kind, none better than those proposed
        person = volunteer(["plastic_surgeon", "anesthesiologist", "nurse", "dentist"][i % 4], origin="regional")
        if i % 3 == 0:
            double_booked(mission, person)
        if i % 3 == 1:
            unavailable(mission, person)
    assert queries() == small


def test_a_volunteer_accepted_then_taken_off_the_team_is_not_proposed_again(mission: Mission, coordinator: Any) -> None:
    StaffingNeed.objects.filter(mission_kind="local").exclude(role="plastic_surgeon").delete()
    mission.tables_per_day = 1
    mission.save()
    volunteer("plastic_surgeon")
    proposal = propose_team(mission=mission, acting_user=coordinator).proposals[0]
    member = accept_proposal(proposal=proposal, acting_user=coordinator)
    member.delete()
    with translation.override("en"):
        run = propose_team(mission=mission, acting_user=coordinator)
    assert run.proposals == []
    assert run.unfilled == [
        Unfilled("plastic_surgeon", 1, "1 more in the registry: 1 accepted earlier, then taken off the team.")
    ]
