"""The team solver, pure: literal candidates in, assignments out. It fills the template when
the pool can, never beyond a role's need or the size cap, keeps the first-timer share within
its bounds (or says it could not), prefers in-country volunteers only when asked, and gives
the same team for the same input."""

from __future__ import annotations

import random
from collections import Counter

from cleftmission.volunteers.team_solver import Candidate, TeamRequest, TeamSolution, greedy, solve

ROLE_SPECIALTY = {
    "plastic_surgeon": "plastic_surgeon",
    "anesthesiologist": "anesthesiologist",
    "or_nurse": "nurse",
    "recovery_nurse": "nurse",
    "ward_nurse": "nurse",
    "interpreter": "interpreter",
}


def person(
    volunteer_id: int,
    specialty: str,
    *,
    origin: str = "international",
    first_timer: bool = False,
    experience: int = 3,
    margin: int | None = 400,
) -> Candidate:
    return Candidate(
        volunteer_id=volunteer_id,
        specialty=specialty,
        origin=origin,
        first_timer=first_timer,
        experience=0 if first_timer else experience,
        credential_margin=margin,
    )


def request(need: dict[str, int], candidates: list[Candidate], **kwargs: object) -> TeamRequest:
    return TeamRequest(open_need=need, role_specialty=ROLE_SPECIALTY, candidates=candidates, **kwargs)  # type: ignore[arg-type]


def roles(solution: TeamSolution) -> Counter[str]:
    return Counter(solution.assignments.values())


def a_pool(n: int = 30) -> list[Candidate]:
    rng = random.Random(4)
    specialties = ["plastic_surgeon", "anesthesiologist", "nurse", "nurse", "nurse", "interpreter"]
    return [
        person(
            i,
            specialties[i % len(specialties)],
            origin=rng.choice(["in_country", "regional", "international"]),
            first_timer=rng.random() < 0.3,
            experience=rng.randint(1, 30),
            margin=rng.choice([None, 5, 90, 800]),
        )
        for i in range(1, n + 1)
    ]


NEED = {
    "plastic_surgeon": 3,
    "anesthesiologist": 3,
    "or_nurse": 4,
    "recovery_nurse": 2,
    "ward_nurse": 2,
    "interpreter": 2,
}


def test_it_fills_the_template_when_the_pool_can() -> None:
    solution = solve(request(NEED, a_pool(), first_timers_min_pct=10, first_timers_max_pct=40))
    assert roles(solution) == NEED
    assert solution.unfilled == {}
    assert solution.balance_met
    assert solution.status == "optimal"


def test_each_volunteer_takes_a_role_their_specialty_fills_and_only_one() -> None:
    pool = {c.volunteer_id: c for c in a_pool()}
    solution = solve(request(NEED, list(pool.values())))
    for volunteer_id, role in solution.assignments.items():
        assert ROLE_SPECIALTY[role] == pool[volunteer_id].specialty


def test_it_never_proposes_more_than_a_role_needs() -> None:
    need = {"plastic_surgeon": 1, "or_nurse": 0, "ward_nurse": 2}
    solution = solve(request(need, a_pool()))
    assert roles(solution) == {"plastic_surgeon": 1, "ward_nurse": 2}


def test_it_never_goes_over_the_cap_and_fills_the_tables_first() -> None:
    solution = solve(request(NEED, a_pool(), team_size=10, cap=15))
    assert solution.size == 15
    assert len(solution.assignments) == 5
    assert roles(solution)["plastic_surgeon"] == 3 and roles(solution)["anesthesiologist"] == 2
    assert sum(solution.unfilled.values()) == sum(NEED.values()) - 5


def test_a_team_at_its_cap_gets_no_proposal() -> None:
    solution = solve(request(NEED, a_pool(), team_size=60, cap=60))
    assert solution.assignments == {}
    assert solution.unfilled == NEED


def test_it_reports_what_it_could_not_fill() -> None:
    pool = [person(1, "plastic_surgeon"), person(2, "nurse"), person(3, "nurse")]
    solution = solve(request({"plastic_surgeon": 2, "anesthesiologist": 1, "ward_nurse": 2}, pool))
    assert roles(solution) == {"plastic_surgeon": 1, "ward_nurse": 2}
    assert solution.unfilled == {"plastic_surgeon": 1, "anesthesiologist": 1}


def test_it_keeps_the_first_timer_share_within_the_bounds() -> None:
    pool = [person(i, "nurse", first_timer=i > 10, experience=20 - i) for i in range(1, 21)]
    for low, high in [(0, 0), (25, 50), (50, 75), (100, 100)]:
        solution = solve(request({"ward_nurse": 4}, pool, first_timers_min_pct=low, first_timers_max_pct=high))
        first_timers = sum(1 for v in solution.assignments if v > 10)
        assert low * 4 <= 100 * first_timers <= high * 4, (low, high)
        assert solution.balance_met
        assert solution.first_timers == first_timers


def test_the_balance_counts_the_team_already_there() -> None:
    pool = [person(i, "nurse", first_timer=i > 5) for i in range(1, 11)]
    # Six members already, none new: two first-timers of the eight make 25 %.
    solution = solve(
        request(
            {"ward_nurse": 2}, pool, team_size=6, team_first_timers=0, first_timers_min_pct=25, first_timers_max_pct=40
        )
    )
    assert set(solution.assignments) <= {6, 7, 8, 9, 10}
    assert solution.first_timers == 2 and solution.size == 8


def test_filling_the_template_comes_before_the_balance_and_the_miss_is_reported() -> None:
    # Only first-timers can fill the nurses' places, and at most 20 % may be new.
    pool = [person(1, "plastic_surgeon"), *(person(i, "nurse", first_timer=True) for i in range(2, 6))]
    solution = solve(
        request({"plastic_surgeon": 1, "ward_nurse": 4}, pool, first_timers_min_pct=0, first_timers_max_pct=20)
    )
    assert roles(solution) == {"plastic_surgeon": 1, "ward_nurse": 4}
    assert not solution.balance_met


def test_a_loop_filling_role_by_role_breaks_the_balance_the_solver_keeps() -> None:
    # Roles in order, the first candidates first: the two seasoned nurses listed first take
    # the ward, and the team of three has no first-timer although a third of it may be new.
    # Taking the first-time nurse instead keeps the balance with the same places filled.
    pool = [
        person(1, "plastic_surgeon"),
        person(2, "nurse", experience=12),
        person(3, "nurse", experience=8),
        person(4, "nurse", first_timer=True),
    ]
    need = {"plastic_surgeon": 1, "ward_nurse": 2}
    bounds = {"first_timers_min_pct": 30, "first_timers_max_pct": 40}
    by_hand = greedy(request(need, pool, **bounds))
    assert by_hand.filled == 3 and not by_hand.balance_met
    solution = solve(request(need, pool, **bounds))
    assert solution.filled == 3 and solution.balance_met
    assert solution.assignments == {1: "plastic_surgeon", 2: "ward_nurse", 4: "ward_nurse"}


def test_a_loop_filling_in_template_order_spends_the_cap_the_solver_keeps_for_the_tables() -> None:
    pool = [person(1, "nurse"), person(2, "nurse"), person(3, "anesthesiologist")]
    need = {"ward_nurse": 2, "anesthesiologist": 1}
    assert greedy(request(need, pool, cap=2)).unfilled == {"anesthesiologist": 1}
    assert solve(request(need, pool, cap=2)).unfilled == {"ward_nurse": 1}


def test_it_prefers_in_country_volunteers_only_when_asked() -> None:
    pool = [
        person(1, "plastic_surgeon", origin="international", experience=15),
        person(2, "plastic_surgeon", origin="in_country", experience=2),
        person(3, "plastic_surgeon", origin="regional", experience=9),
    ]
    need = {"plastic_surgeon": 1}
    assert solve(request(need, pool)).assignments == {1: "plastic_surgeon"}
    assert solve(request(need, pool, prefer_in_country=True)).assignments == {2: "plastic_surgeon"}


def test_among_equals_it_prefers_credentials_that_outlast_the_mission() -> None:
    pool = [
        person(1, "anesthesiologist", margin=10),
        person(2, "anesthesiologist", margin=None),
        person(3, "anesthesiologist", margin=200),
    ]
    assert solve(request({"anesthesiologist": 2}, pool)).assignments == {2: "anesthesiologist", 3: "anesthesiologist"}


def test_the_same_input_gives_the_same_team_whatever_the_order_of_the_candidates() -> None:
    pool = a_pool(60)
    first = solve(request(NEED, pool, first_timers_min_pct=20, first_timers_max_pct=30))
    for seed in range(3):
        shuffled = pool[:]
        random.Random(seed).shuffle(shuffled)
        again = solve(request(NEED, shuffled, first_timers_min_pct=20, first_timers_max_pct=30))
        assert again.assignments == first.assignments


def test_no_candidate_means_every_role_is_reported() -> None:
    solution = solve(request({"plastic_surgeon": 2, "interpreter": 1}, []))
    assert solution.assignments == {}
    assert solution.unfilled == {"plastic_surgeon": 2, "interpreter": 1}
    assert solution.status == "trivial"
