"""The screening board: counts, waiting children per station, wait times, the page that
polls itself, and who may see it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cleftmission.core.models import AuditEntry
from cleftmission.factories import MissionMemberFactory, PatientFactory, ScreeningVisitFactory, VolunteerFactory
from cleftmission.screening import queries, services
from cleftmission.screening.models import Procedure, ScreeningVisit, Station, StationEvaluation

VITALS = {"weight_kg": "8.0", "length_cm": "72", "temperature_c": "36.8", "spo2": "98", "haemoglobin": "11.5"}
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


def _visit(mission: Any, given_name: str, minutes_ago: int = 0, now: dt.datetime = NOW) -> Any:
    patient = PatientFactory(family_name="Trần", middle_name="Thị", given_name=given_name)
    return ScreeningVisitFactory(
        patient=patient, mission=mission, registered_at=now - dt.timedelta(minutes=minutes_ago)
    )


def _done(visit: Any, *stations: str) -> None:
    for station in stations:
        StationEvaluation.objects.create(visit=visit, station=station, data={})


@pytest.fixture
def screening_day(mission: Any, coordinator: Any) -> dict[str, Any]:
    """Five children: two with vitals done, one sent back to vitals, one accepted, one deferred
    (through the services, as the stations and the decision page save them)."""
    a, b, c, d, e = (_visit(mission, name) for name in ("An", "Bình", "Chi", "Dũng", "Em"))
    for visit in (a, b, c):
        services.record_evaluation(visit=visit, station=Station.VITALS, data=VITALS, acting_user=coordinator)
    services.send_back(visit=c, station=Station.VITALS, reason="Hb to be measured again", acting_user=coordinator)
    services.record_decision(
        visit=d,
        data={"outcome": "accepted", "procedures": [Procedure.objects.get(code="lip_uni")]},
        acting_user=coordinator,
    )
    services.record_decision(
        visit=e,
        data={
            "outcome": "deferred",
            "deferral_code": "URI",
            "rescreen_date": timezone.localdate() + dt.timedelta(days=90),
        },
        acting_user=coordinator,
    )
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_the_board_counts_a_hand_built_screening_day_exactly(mission: Any, screening_day: dict[str, Any]) -> None:
    counts = queries.board_counts(mission)
    assert counts.registered == 5
    assert counts.undecided == 3
    assert counts.waiting == {
        "vitals": 1,  # the child sent back
        "pediatric": 3,
        "anesthesia": 3,
        "surgical": 3,
        "dental": 3,
        "speech": 3,
        "photos": 3,
    }
    assert counts.sent_back == {s: (1 if s == "vitals" else 0) for s in Station.values}
    assert counts.decided == {"accepted": 1, "deferred": 1, "referred": 0, "operated": 0}
    assert counts.decided_total == 2


def test_the_children_waiting_for_a_station_are_the_undecided_ones_not_done_there_in_queue_order(
    mission: Any, screening_day: dict[str, Any]
) -> None:
    day = screening_day
    assert list(queries.waiting_for(mission, Station.VITALS)) == [day["c"]]
    assert list(queries.waiting_for(mission, Station.PEDIATRIC)) == [day["a"], day["b"], day["c"]]


def test_the_counts_of_another_mission_are_not_on_the_board(
    mission: Any, other_mission: Any, screening_day: dict[str, Any]
) -> None:
    _visit(other_mission, "Khác")
    assert queries.board_counts(mission).registered == 5
    assert queries.board_counts(other_mission).registered == 1
    assert queries.board_counts(other_mission).waiting["vitals"] == 1


def test_the_board_counts_take_two_queries_however_many_children(mission: Any, django_assert_num_queries: Any) -> None:
    for i in range(12):
        visit = _visit(mission, f"Con {i}")
        _done(visit, *Station.values[: i % 4])
    with django_assert_num_queries(2):
        queries.board_counts(mission)
    with django_assert_num_queries(3):
        waits = queries.wait_times(mission, now=NOW)
    assert len(waits.longest) == queries.LONGEST_WAITS


def test_the_longest_waits_come_first_with_the_station_each_child_waits_for(mission: Any) -> None:
    soon = _visit(mission, "Sớm", minutes_ago=30)
    _done(soon, Station.VITALS)
    longest = _visit(mission, "Lâu", minutes_ago=95)
    _done(longest, *Station.values)  # every station done: waits for the decision
    middle = _visit(mission, "Giữa", minutes_ago=60)
    _done(middle, Station.VITALS, Station.PEDIATRIC)
    StationEvaluation.objects.create(visit=middle, station=Station.ANESTHESIA, status="sent_back")
    decided = _visit(mission, "Đã quyết", minutes_ago=300)
    ScreeningVisit.objects.filter(pk=decided.pk).update(outcome=ScreeningVisit.Outcome.DEFERRED)

    waits = queries.wait_times(mission, now=NOW)
    assert [(w.full_name, w.minutes, w.station) for w in waits.longest] == [
        ("Trần Thị Lâu", 95, None),
        ("Trần Thị Giữa", 60, "anesthesia"),
        ("Trần Thị Sớm", 30, "pediatric"),
    ]
    assert waits.median_minutes == 60
    assert waits.waiting == 3


def test_a_child_sent_back_waits_for_that_station_before_the_next_one_not_done() -> None:
    def ev(station: str, status: str = "done") -> StationEvaluation:
        return StationEvaluation(station=station, status=status)

    assert queries.next_station([]) == Station.VITALS
    assert queries.next_station([ev("vitals"), ev("pediatric")]) == Station.ANESTHESIA
    assert queries.next_station([ev("vitals", "sent_back"), ev("pediatric")]) == Station.VITALS
    assert queries.next_station([ev(s) for s in Station.values]) is None


def test_no_waiting_child_gives_no_median(mission: Any) -> None:
    waits = queries.wait_times(mission, now=NOW)
    assert (waits.waiting, waits.median_minutes, waits.longest) == (0, None, [])


# ---- the page -----------------------------------------------------------------------------


def _board_url(mission: Any) -> str:
    return f"/missions/{mission.pk}/screening/board/"


def test_the_board_page_shows_the_counts_and_polls_itself_every_ten_seconds(
    as_user: Any, coordinator: Any, mission: Any, screening_day: dict[str, Any]
) -> None:
    response = as_user(coordinator).get(_board_url(mission))
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["screening/board/board.html", "base.html"]
    page = response.content.decode()
    assert f'hx-get="{_board_url(mission)}"' in page
    assert 'hx-trigger="every 10s"' in page
    assert response.context["counts"] == queries.board_counts(mission)
    assert "Trần Thị An" in page  # a longest wait, by name


def test_an_htmx_request_gets_the_board_partial_alone(
    as_user: Any, coordinator: Any, mission: Any, screening_day: dict[str, Any]
) -> None:
    response = as_user(coordinator).get(_board_url(mission), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.templates[0].name == "screening/board/_board.html"
    assert {t.name for t in response.templates} == {"screening/board/_board.html", "screening/board/_duration.html"}
    page = response.content.decode()
    assert "<html" not in page and "hx-trigger" not in page
    assert response.context["counts"].registered == 5


def test_a_viewer_sees_the_counts_but_no_child_s_name(
    as_user: Any, viewer: Any, mission: Any, screening_day: dict[str, Any]
) -> None:
    response = as_user(viewer).get(_board_url(mission))
    assert response.status_code == 200
    assert response.context["counts"].registered == 5
    page = response.content.decode()
    assert "Trần Thị" not in page
    assert response.context["longest"], "the waits are shown, by queue number"


def test_a_clinician_sees_the_board_of_their_mission_and_not_of_another(
    as_user: Any, clinician: Any, mission: Any, other_mission: Any
) -> None:
    client = as_user(clinician)
    assert client.get(_board_url(mission)).status_code == 200
    assert client.get(_board_url(other_mission)).status_code == 403
    assert client.get(_board_url(other_mission), headers={"HX-Request": "true"}).status_code == 403


def test_a_registrar_on_another_mission_is_refused_its_board(
    as_user: Any, mission: Any, other_mission: Any, registrar: Any
) -> None:
    assert as_user(registrar).get(_board_url(other_mission)).status_code == 403


def test_a_user_without_a_role_is_refused_and_a_stranger_is_sent_to_log_in(
    as_user: Any, outsider: Any, mission: Any, client: Any
) -> None:
    assert as_user(outsider).get(_board_url(mission)).status_code == 403
    response = client.get(_board_url(mission))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_mission_has_no_board(as_user: Any, coordinator: Any) -> None:
    assert as_user(coordinator).get("/missions/999999/screening/board/").status_code == 404


def test_a_clinician_added_to_a_mission_later_sees_its_board(as_user: Any, clinician: Any, other_mission: Any) -> None:
    MissionMemberFactory(mission=other_mission, volunteer=VolunteerFactory(user=None))
    assert as_user(clinician).get(_board_url(other_mission)).status_code == 403
    MissionMemberFactory(mission=other_mission, volunteer=clinician.volunteer)
    assert as_user(clinician).get(_board_url(other_mission)).status_code == 200


def test_reading_the_board_writes_nothing(
    as_user: Any, coordinator: Any, mission: Any, screening_day: dict[str, Any]
) -> None:
    before = AuditEntry.objects.count()
    as_user(coordinator).get(_board_url(mission), headers={"HX-Request": "true"})
    assert AuditEntry.objects.count() == before
