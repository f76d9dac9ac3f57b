"""The team checks, pure (cleftmission.volunteers.team): literal facts in, problems out. Each
check at its boundaries: credentials (missing, waiting, rejected, expired, ending the day
before the last day or on it, expiring soon after, not yet valid), double booking, days
outside the mission, unavailable days, role against specialty, the staffing template with
its gaps and surplus, the tables' daily cover, the size cap and the team's balance."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from django.utils import translation

from cleftmission.volunteers.team import (
    CredentialFacts,
    MemberFacts,
    MissionFacts,
    OtherMission,
    Period,
    Rules,
    Severity,
    StaffingLine,
    check_team,
    credential_problems,
    member_problems,
)

FIRST_DAY, LAST_DAY = dt.date(2026, 12, 7), dt.date(2026, 12, 11)
DAYS = tuple(FIRST_DAY + dt.timedelta(days=i) for i in range(5))
MISSION = MissionFacts(
    start=FIRST_DAY,
    end=LAST_DAY,
    kind="international",
    tables_per_day=2,
    team_size_cap=10,
    first_timers_min_pct=10,
    first_timers_max_pct=40,
    warning_days=60,
)
RULES = Rules(
    required={"plastic_surgeon": frozenset({"licence", "bls"}), "nurse": frozenset({"nursing_licence"})},
    needs={"plastic_surgeon": (1, 0), "anesthesiologist": (1, 0), "or_nurse": (2, 0), "ward_nurse": (0, 2)},
    role_specialty={
        "plastic_surgeon": "plastic_surgeon",
        "anesthesiologist": "anesthesiologist",
        "or_nurse": "nurse",
        "ward_nurse": "nurse",
        "interpreter": "interpreter",
    },
    labels={"licence": "Medical licence", "bls": "BLS", "plastic_surgeon": "Plastic surgeon", "nurse": "Nurse"},
)


def licence(**kwargs: Any) -> CredentialFacts:
    values: dict[str, Any] = {"kind": "licence", "valid_from": dt.date(2020, 1, 1), "valid_to": dt.date(2030, 1, 1)}
    values.update(kwargs)
    return CredentialFacts(**values)


BLS = CredentialFacts("bls", dt.date(2025, 1, 1), dt.date(2028, 1, 1))


def codes(problems: list[Any]) -> list[str]:
    return [p.code for p in problems]


def surgeon_with(*credentials: CredentialFacts) -> list[Any]:
    return credential_problems(MISSION, "plastic_surgeon", (*credentials, BLS), RULES)


# Credentials


def test_credentials_valid_well_past_the_mission_raise_nothing() -> None:
    assert surgeon_with(licence()) == []
    assert surgeon_with(licence(valid_to=None, valid_from=None)) == []


def test_a_specialty_with_no_required_credential_raises_nothing() -> None:
    assert credential_problems(MISSION, "interpreter", (), RULES) == []


def test_a_missing_credential_is_a_problem_named_by_its_kind() -> None:
    with translation.override("en"):
        (problem,) = credential_problems(MISSION, "plastic_surgeon", (BLS,), RULES)
    assert (problem.code, problem.severity, problem.message) == (
        "credential_missing",
        Severity.PROBLEM,
        "Medical licence missing",
    )


def test_a_credential_waiting_for_verification_does_not_count_yet() -> None:
    assert codes(surgeon_with(licence(verification="pending"))) == ["credential_unverified"]


def test_a_rejected_credential_says_why() -> None:
    with translation.override("en"):
        (problem,) = surgeon_with(licence(verification="rejected", rejection_reason="illegible scan"))
    assert problem.code == "credential_rejected"
    assert problem.severity is Severity.PROBLEM
    assert "illegible scan" in problem.message


def test_a_rejected_credential_sent_again_waits_for_verification() -> None:
    resent = licence(verification="pending")
    assert codes(surgeon_with(licence(verification="rejected", rejection_reason="blurred"), resent)) == [
        "credential_unverified"
    ]


def test_a_credential_rejected_twice_is_still_rejected() -> None:
    twice = (
        licence(verification="rejected", rejection_reason="blurred"),
        licence(verification="rejected", rejection_reason="expired scan"),
    )
    assert codes(surgeon_with(*twice)) == ["credential_rejected"]


def test_of_several_credentials_of_one_kind_the_best_verified_one_counts() -> None:
    old = licence(valid_to=dt.date(2025, 1, 1))
    assert surgeon_with(old, licence()) == []
    assert surgeon_with(licence(verification="rejected", rejection_reason="x"), licence()) == []


@pytest.mark.parametrize(
    ("valid_to", "code", "severity"),
    [
        (FIRST_DAY - dt.timedelta(days=1), "credential_expired", Severity.PROBLEM),
        (FIRST_DAY, "credential_ends_during_mission", Severity.PROBLEM),
        (LAST_DAY - dt.timedelta(days=1), "credential_ends_during_mission", Severity.PROBLEM),
        (LAST_DAY, "credential_expiring", Severity.WARNING),
        (LAST_DAY + dt.timedelta(days=60), "credential_expiring", Severity.WARNING),
        (LAST_DAY + dt.timedelta(days=61), None, None),
    ],
    ids=[
        "ended-the-day-before-the-first-day",
        "ends-on-the-first-day",
        "ends-the-day-before-the-last-day",
        "ends-on-the-last-day",
        "ends-60-days-after",
        "ends-61-days-after",
    ],
)
def test_a_credential_must_be_valid_until_the_last_day(
    valid_to: dt.date, code: str | None, severity: Severity | None
) -> None:
    problems = surgeon_with(licence(valid_to=valid_to))
    assert [(p.code, p.severity) for p in problems] == ([(code, severity)] if code else [])


def test_the_expiry_message_gives_the_day() -> None:
    with translation.override("en"):
        (problem,) = surgeon_with(licence(valid_to=LAST_DAY - dt.timedelta(days=1)))
    assert problem.message == "Medical licence expires on 10 Dec 2026, before the mission ends"


def test_a_credential_starting_after_the_first_day_is_not_yet_valid() -> None:
    assert codes(surgeon_with(licence(valid_from=FIRST_DAY + dt.timedelta(days=1)))) == ["credential_not_yet_valid"]
    assert surgeon_with(licence(valid_from=FIRST_DAY)) == []


# One member


def member(**kwargs: Any) -> MemberFacts:
    values: dict[str, Any] = {
        "volunteer_id": 1,
        "name": "Trần Minh",
        "specialty": "nurse",
        "origin": "in_country",
        "role": "ward_nurse",
        "days": DAYS,
        "credentials": (CredentialFacts("nursing_licence", None, None),),
    }
    values.update(kwargs)
    return MemberFacts(**values)


def test_a_member_with_everything_in_order_has_no_problem() -> None:
    assert member_problems(MISSION, member(), RULES) == []


def test_a_volunteer_on_an_overlapping_mission_is_double_booked() -> None:
    other = OtherMission("Đà Nẵng tháng 12", LAST_DAY, LAST_DAY + dt.timedelta(days=5))
    with translation.override("en"):
        (problem,) = member_problems(MISSION, member(other_missions=(other,)), RULES)
    assert (problem.code, problem.severity) == ("double_booked", Severity.PROBLEM)
    assert problem.message == "Also on Đà Nẵng tháng 12 (11 Dec 2026 – 16 Dec 2026)"


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ((FIRST_DAY, LAST_DAY), []),
        ((FIRST_DAY - dt.timedelta(days=1), FIRST_DAY), ["days_outside_mission"]),
        ((LAST_DAY + dt.timedelta(days=1),), ["days_outside_mission"]),
        ((), ["no_days"]),
    ],
    ids=["first-and-last-day", "the-day-before", "the-day-after", "no-day"],
)
def test_days_present_must_be_within_the_mission(days: tuple[dt.date, ...], expected: list[str]) -> None:
    assert codes(member_problems(MISSION, member(days=days), RULES)) == expected


def test_a_member_present_on_a_day_they_said_they_are_unavailable() -> None:
    away = Period(LAST_DAY, LAST_DAY + dt.timedelta(days=3), "wedding")
    with translation.override("en"):
        (problem,) = member_problems(MISSION, member(unavailable=(away,)), RULES)
    assert problem.code == "unavailable"
    assert "(wedding)" in problem.message
    # Not present that day: no clash.
    assert member_problems(MISSION, member(days=DAYS[:-1], unavailable=(away,)), RULES) == []


def test_a_role_the_specialty_does_not_fill_is_a_warning() -> None:
    with translation.override("en"):
        (problem,) = member_problems(MISSION, member(role="plastic_surgeon"), RULES)
    assert (problem.code, problem.severity) == ("role_not_specialty", Severity.WARNING)
    assert problem.message == "Serves as Plastic surgeon but is a Nurse"
    assert member_problems(MISSION, member(role="or_nurse"), RULES) == []


# The team (credentials aside: checked above)

TEAM_RULES = replace(RULES, required={})


def team_of(*roles: str, first_timers: int = 0, in_country: int = 0, days: tuple[dt.date, ...] = DAYS) -> list[Any]:
    return [
        member(
            volunteer_id=i,
            role=role,
            specialty=TEAM_RULES.role_specialty.get(role, role),
            credentials=(),
            first_timer=i < first_timers,
            origin="in_country" if i < in_country else "international",
            days=days,
        )
        for i, role in enumerate(roles)
    ]


FULL = ("plastic_surgeon",) * 2 + ("anesthesiologist",) * 2 + ("or_nurse",) * 4 + ("ward_nurse",) * 2


def test_the_template_is_counted_per_table_with_gaps_and_surplus() -> None:
    report = check_team(
        MISSION,
        team_of("plastic_surgeon", "or_nurse", "ward_nurse", "ward_nurse", "ward_nurse", "interpreter"),
        TEAM_RULES,
    )
    assert report.staffing == [
        StaffingLine("plastic_surgeon", 2, 1),
        StaffingLine("anesthesiologist", 2, 0),
        StaffingLine("or_nurse", 4, 1),
        StaffingLine("ward_nurse", 2, 3),
        StaffingLine("interpreter", 0, 1),  # not in the template: listed after it, all surplus
    ]
    assert [(line.role, line.gap) for line in report.gaps] == [
        ("plastic_surgeon", 1),
        ("anesthesiologist", 2),
        ("or_nurse", 3),
    ]
    assert [(line.role, line.surplus) for line in report.surpluses] == [("ward_nurse", 1), ("interpreter", 1)]
    with translation.override("en"):
        gap = check_team(MISSION, team_of("plastic_surgeon"), TEAM_RULES).team_problems
    assert "Plastic surgeon: 1 missing (1 of 2)" in [p.message for p in gap]


def test_more_tables_need_more_of_the_per_table_roles() -> None:
    bigger = replace(MISSION, tables_per_day=3)
    lines = {line.role: line.needed for line in check_team(bigger, [], TEAM_RULES).staffing}
    assert lines == {"plastic_surgeon": 3, "anesthesiologist": 3, "or_nurse": 6, "ward_nurse": 2}


def test_a_full_team_has_no_gap_and_no_day_short() -> None:
    report = check_team(MISSION, team_of(*FULL, first_timers=2), TEAM_RULES)
    assert report.gaps == [] and report.surpluses == []
    assert report.team_problems == []
    assert all(cover.short == {} for cover in report.days)


def test_a_day_with_fewer_surgeons_than_tables_is_short() -> None:
    members = team_of(*FULL, first_timers=2)
    members[0] = replace(members[0], days=DAYS[1:])  # a surgeon arrives a day late
    report = check_team(MISSION, members, TEAM_RULES)
    assert report.days[0].short == {"plastic_surgeon": 1}
    assert all(cover.short == {} for cover in report.days[1:])
    (problem,) = report.team_problems
    assert (problem.code, problem.severity) == ("day_short", Severity.WARNING)


def test_a_day_short_is_not_repeated_when_the_template_already_shows_the_gap() -> None:
    report = check_team(MISSION, team_of(*FULL[1:], first_timers=2), TEAM_RULES)  # one surgeon in all
    assert codes(report.team_problems) == ["gap"]
    assert all(cover.short == {"plastic_surgeon": 1} for cover in report.days)


def test_a_team_over_its_cap_is_a_problem_and_at_its_cap_is_not() -> None:
    at_cap = check_team(MISSION, team_of(*FULL, first_timers=2), TEAM_RULES)
    assert at_cap.size == at_cap.cap == 10 and "over_cap" not in codes(at_cap.team_problems)
    over = check_team(MISSION, team_of(*FULL, "interpreter", first_timers=2), TEAM_RULES)
    assert "over_cap" in codes(over.team_problems)


@pytest.mark.parametrize(
    ("first_timers", "expected"),
    [(0, "too_few_first_timers"), (1, None), (4, None), (5, "too_many_first_timers")],
    ids=["0-of-10", "10-percent", "40-percent", "50-percent"],
)
def test_the_first_timer_share_must_be_within_the_bounds(first_timers: int, expected: str | None) -> None:
    report = check_team(MISSION, team_of(*FULL, first_timers=first_timers), TEAM_RULES)
    assert report.first_timers == first_timers
    assert report.first_timer_pct == 10 * first_timers
    balance = [p for p in report.team_problems if p.code.endswith("first_timers")]
    assert codes(balance) == ([expected] if expected else [])
    assert all(p.severity is Severity.WARNING for p in balance)


def test_the_first_timer_message_gives_the_share_and_the_bound() -> None:
    with translation.override("en"):
        report = check_team(MISSION, team_of(*FULL, first_timers=5), TEAM_RULES)
    assert "First-time volunteers are 50% of the team, above 40%" in [p.message for p in report.team_problems]


def test_an_empty_team_has_no_balance_to_check() -> None:
    report = check_team(MISSION, [], TEAM_RULES)
    assert report.first_timer_pct == 0.0 and report.in_country_pct == 0.0
    assert not [p for p in report.team_problems if p.code.endswith("first_timers")]


def test_the_in_country_share_is_shown_beside_the_balance() -> None:
    report = check_team(MISSION, team_of(*FULL, first_timers=2, in_country=3), TEAM_RULES)
    assert (report.in_country, report.in_country_pct) == (3, 30.0)


def test_the_problem_count_counts_problems_not_warnings() -> None:
    members = team_of(*FULL, first_timers=5)  # a warning for the balance
    members[0] = replace(members[0], days=())  # a problem: no day
    members[1] = replace(members[1], specialty="nurse")  # a warning: role
    report = check_team(MISSION, members, TEAM_RULES)
    assert report.problem_count == 1
    assert codes(report.members[members[0].volunteer_id]) == ["no_days"]
