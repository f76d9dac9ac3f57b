"""/missions/{id}/schedules, /schedules/{id}: building, reading, moving, repairing and
publishing a schedule through the API, and who may do what."""

from __future__ import annotations

from typing import Any

from cleftmission.api.tests.conftest import fields_named
from cleftmission.core.models import AuditEntry
from cleftmission.factories import MissionMemberFactory
from cleftmission.scheduling import solver
from cleftmission.scheduling.models import Schedule
from cleftmission.scheduling.tests.conftest import OPERATING_DAYS, Setup


def build(api: Any, setup: Setup) -> Any:
    response = api.post(f"/missions/{setup.mission.pk}/schedules", {"time_limit": 5})
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_coordinator_builds_reads_and_publishes_a_schedule(setup: Setup, coordinator: Any, api_as: Any) -> None:
    api = api_as(coordinator)
    built = build(api, setup)
    assert built["status"] == "draft" and built["number"] == 1
    assert built["days"] == [d.isoformat() for d in OPERATING_DAYS]
    assert built["bound"] <= built["objective"]
    assert len(built["cases"]) == 6 and all(c["day"] and c["start"] for c in built["cases"])
    assert {c["child"] for c in built["cases"]} >= {"Lê An", "Lê Bảo"}

    problem = api.get(f"/schedules/{built['id']}/problem").json()
    solution = {
        "assignments": [
            {
                "case": f"V{c['visit_id']}",
                "day": built["days"].index(c["day"]),
                "table": f"T{c['table_id']}",
                "surgeon": f"S{c['surgeon_id']}",
                "anesthetist": f"A{c['anesthetist_id']}" if c["anesthetist_id"] else None,
                "start": c["start_minute"],
                "end": c["start_minute"] + c["minutes"],
            }
            for c in built["cases"]
        ],
        "unscheduled": [],
    }
    assert solver.check(problem, solution)["violations"] == []  # the API's cases are the schedule

    assert api.post(f"/schedules/{built['id']}/publish", {}).json()["status"] == "published"
    current = api.get(f"/missions/{setup.mission.pk}/schedule", {"published": "true"}).json()
    assert current["id"] == built["id"]


def test_a_viewer_reads_the_schedule_without_names_and_may_not_build(
    setup: Setup, coordinator: Any, viewer: Any, api_as: Any
) -> None:
    build(api_as(coordinator), setup)
    api = api_as(viewer)
    cases = api.get(f"/missions/{setup.mission.pk}/schedule").json()["cases"]
    assert all(c["child"].startswith("#") for c in cases)
    assert api.post(f"/missions/{setup.mission.pk}/schedules", {}).status_code == 403
    assert Schedule.objects.count() == 1


def test_a_clinician_of_another_mission_does_not_find_the_schedule(
    setup: Setup, coordinator: Any, clinician: Any, api_as: Any
) -> None:
    built = build(api_as(coordinator), setup)
    api = api_as(clinician)  # on the `mission` persona's mission, not this one
    assert api.get(f"/missions/{setup.mission.pk}/schedule").status_code == 404
    assert api.get(f"/schedules/{built['id']}").status_code == 404
    MissionMemberFactory(mission=setup.mission, volunteer=clinician.volunteer)
    assert api.get(f"/schedules/{built['id']}").status_code == 200


def test_a_move_breaking_a_rule_is_refused_naming_it_and_a_good_move_is_saved(
    setup: Setup, coordinator: Any, api_as: Any
) -> None:
    api = api_as(coordinator)
    built = build(api, setup)
    case = next(c for c in built["cases"] if c["child"] == "Lê An")
    away = setup.surgeons[1]
    audit_before = AuditEntry.objects.count()
    refused = api.patch(
        f"/schedules/{built['id']}/cases/{case['id']}",
        {"day": OPERATING_DAYS[1].isoformat(), "table_id": setup.tables[0].pk, "surgeon_id": away.pk},
    )
    assert refused.status_code == 422 and fields_named(refused) == {"case"}
    assert AuditEntry.objects.count() == audit_before

    moved = api.patch(
        f"/schedules/{built['id']}/cases/{case['id']}",
        {"day": OPERATING_DAYS[3].isoformat(), "table_id": setup.tables[1].pk, "surgeon_id": setup.surgeons[0].pk},
    )
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["day"], moved.json()["table_id"]) == (OPERATING_DAYS[3].isoformat(), setup.tables[1].pk)
    locked = api.patch(f"/schedules/{built['id']}/cases/{case['id']}", {"locked": True})
    assert locked.json()["locked"] is True

    bad_table = api.patch(f"/schedules/{built['id']}/cases/{case['id']}", {"table_id": 999999})
    assert bad_table.status_code == 422 and fields_named(bad_table) == {"table"}


def test_repairs_answer_a_draft_and_bad_events_name_their_field(setup: Setup, coordinator: Any, api_as: Any) -> None:
    api = api_as(coordinator)
    built = build(api, setup)
    api.post(f"/schedules/{built['id']}/publish", {})
    case = built["cases"][0]

    for events, field in (
        ([{"type": "cancel", "case_id": 999999, "reason": "FEVER"}], "events.0.case_id"),
        ([{"type": "cancel", "case_id": case["id"], "reason": "HEADACHE"}], "events.0.reason"),
        ([{"type": "surgeon_absent", "surgeon_id": setup.surgeons[0].pk, "day": "2026-12-07"}], "events.0.day"),
        ([{"type": "add_case", "visit_id": case["visit_id"]}], "events.0.visit_id"),
        ([{"type": "flood"}], "events.0.type"),
        ([], "events"),
    ):
        response = api.post(f"/schedules/{built['id']}/repair", {"events": events})
        assert response.status_code == 422, (events, response.json())
        assert field in fields_named(response), (events, response.json())
    assert Schedule.objects.count() == 1

    repaired = api.post(
        f"/schedules/{built['id']}/repair",
        {
            "events": [
                {"type": "cancel", "case_id": case["id"], "reason": "URI", "note": "ho, sổ mũi"},
                {"type": "surgeon_absent", "surgeon_id": setup.surgeons[0].pk, "day": OPERATING_DAYS[2].isoformat()},
            ]
        },
    )
    assert repaired.status_code == 201, repaired.json()
    body = repaired.json()
    assert body["status"] == "draft" and body["kind"] == "repaired" and body["changes"] >= 0
    cancelled = next(c for c in body["cases"] if c["visit_id"] == case["visit_id"])
    assert (cancelled["cancel_code"], cancelled["day"]) == ("URI", None)
    third_day = OPERATING_DAYS[2].isoformat()
    assert not [c for c in body["cases"] if c["surgeon_id"] == setup.surgeons[0].pk and c["day"] == third_day]
