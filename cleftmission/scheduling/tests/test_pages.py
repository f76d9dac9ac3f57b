"""The schedule board, the case panel and the day list, as each role sees them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from django.utils import translation

from cleftmission.scheduling.models import Schedule
from cleftmission.scheduling.services import cost_parts
from cleftmission.scheduling.tests.conftest import OPERATING_DAYS, Setup


def board_url(setup: Setup) -> str:
    return f"/missions/{setup.mission.pk}/schedule/"


def built(client: Client, setup: Setup) -> Schedule:
    response = client.post(board_url(setup) + "build/")
    assert response.status_code == 302
    return Schedule.objects.get(mission=setup.mission, status="draft")


def published(client: Client, setup: Setup) -> Schedule:
    """Build the schedule and publish it, through the board, as the coordinator does."""
    schedule = built(client, setup)
    assert client.post(f"{board_url(setup)}{schedule.pk}/publish/").status_code == 302
    return schedule


def test_a_coordinator_builds_the_schedule_and_sees_each_child_on_its_table_and_day(
    setup: Setup, coordinator: Any, as_user: Any
) -> None:
    client = as_user(coordinator)
    assert "Chưa có lịch mổ." in client.get(board_url(setup), headers={"accept-language": "vi"}).content.decode()
    schedule = built(client, setup)
    page = client.get(board_url(setup), headers={"accept-language": "en"}).content.decode()
    for name in ("Lê An", "Lê Bảo", "Lê Cúc", "Lê Dũng", "Lê Em", "Lê Giang", "Bàn 1", "Bàn 2", "Trần Bình"):
        assert name in page
    assert "6</strong> of 6 children operated" in page
    assert f"Version {schedule.number}" in page and "Publish" in page
    row = schedule.cases.get(visit=setup.visit("An"))
    assert f'id="case-{row.pk}"' in page


def test_htmx_build_answers_a_redirect_to_the_board(setup: Setup, coordinator: Any, as_user: Any) -> None:
    response = as_user(coordinator).post(board_url(setup) + "build/", headers={"hx-request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == board_url(setup)


def test_the_day_list_prints_each_table_youngest_first(setup: Setup, coordinator: Any, as_user: Any) -> None:
    client = as_user(coordinator)
    schedule = built(client, setup)
    day = OPERATING_DAYS[0]
    page = client.get(f"{board_url(setup)}day/{day.isoformat()}/?version={schedule.number}").content.decode()
    rows = schedule.cases.filter(day=day).select_related("visit__patient", "table").order_by("table__name", "start")
    assert rows.exists()
    positions = [page.index(r.visit.patient.full_name) for r in rows]
    assert positions == sorted(positions)  # each table's list in its order, table after table
    assert client.get(f"{board_url(setup)}day/2026-12-07/").status_code == 404  # a screening day


def test_a_viewer_sees_the_board_without_names_or_changes(
    setup: Setup, coordinator: Any, viewer: Any, as_user: Any
) -> None:
    built(as_user(coordinator), setup)
    page = as_user(viewer).get(board_url(setup)).content.decode()
    assert "Lê An" not in page and "#1" in page
    assert "build/" not in page and "Publish" not in page


def test_a_clinician_not_on_the_mission_is_refused(setup: Setup, clinician: Any, as_user: Any) -> None:
    assert as_user(clinician).get(board_url(setup)).status_code == 403


def test_a_refused_move_comes_back_on_the_panel_with_the_broken_rule(
    setup: Setup, coordinator: Any, as_user: Any
) -> None:
    client = as_user(coordinator)
    schedule = built(client, setup)
    row = schedule.cases.get(visit=setup.visit("An"))
    away = setup.surgeons[1]
    response = client.post(
        f"{board_url(setup)}cases/{row.pk}/change/",
        {"action": "move", "day": OPERATING_DAYS[1].isoformat(), "table": setup.tables[0].pk, "surgeon": away.pk},
        headers={"hx-request": "true", "accept-language": "en"},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode() and "Đỗ Châu is not present" in response.content.decode()
    row.refresh_from_db()
    assert row.day != OPERATING_DAYS[1] or row.surgeon_id != away.pk


def test_cancelling_from_the_panel_needs_a_reason_then_repairs_into_a_draft(
    setup: Setup, coordinator: Any, as_user: Any
) -> None:
    client = as_user(coordinator)
    schedule = published(client, setup)
    row = schedule.cases.get(visit=setup.visit("Cúc"))
    url = f"{board_url(setup)}cases/{row.pk}/change/"
    missing = client.post(url, {"action": "cancel", "cancel_code": ""}, headers={"accept-language": "en"})
    assert missing.status_code == 200 and "This field is required." in missing.content.decode()
    assert not Schedule.objects.filter(status="draft").exists()
    done = client.post(url, {"action": "cancel", "cancel_code": "NO_SHOW"})
    assert done.status_code == 302
    draft = Schedule.objects.get(status="draft")
    assert draft.cases.get(visit=setup.visit("Cúc")).cancel_code == "NO_SHOW"
    assert "Did not come" in client.get(board_url(setup), headers={"accept-language": "en"}).content.decode()


def test_the_board_reads_a_schedule_in_a_fixed_number_of_queries(setup: Setup, coordinator: Any, as_user: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cleftmission.scheduling.tests.conftest import accept

    client = as_user(coordinator)
    client.post(board_url(setup) + "build/")
    with CaptureQueriesContext(connection) as six:
        assert client.get(board_url(setup)).status_code == 200
    for n in range(7, 19):
        accept(setup.mission, f"Thêm {n}", setup.visit("An").patient.date_of_birth, "revision", n)
    client.post(board_url(setup) + "build/")
    with CaptureQueriesContext(connection) as eighteen:
        assert client.get(board_url(setup)).status_code == 200
    assert Schedule.objects.get(mission=setup.mission, status="draft").cases.count() == 18
    assert len(eighteen.captured_queries) == len(six.captured_queries) <= 30


def test_on_an_operating_day_the_repair_forms_offer_only_today_and_later(
    setup: Setup, coordinator: Any, as_user: Any
) -> None:
    client = as_user(coordinator)
    schedule = published(client, setup)
    second_day_at_ten = dt.datetime.combine(OPERATING_DAYS[1], dt.time(10, 0), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(second_day_at_ten, tick=False):
        page = client.get(board_url(setup), headers={"accept-language": "en"}).content.decode()
        passed = OPERATING_DAYS[0].isoformat()
        for event in ("table_closed", "surgeon_absent"):
            form = page.split(f'value="{event}">', 1)[1].split("</form>", 1)[0]
            assert f'value="{OPERATING_DAYS[1].isoformat()}"' in form
            assert f'value="{passed}"' not in form
        refused = client.post(
            f"{board_url(setup)}{schedule.pk}/repair/",
            {"event": "surgeon_absent", "surgeon": str(setup.surgeons[0].pk), "day": passed},
            headers={"accept-language": "en"},
            follow=True,
        )
    assert refused.status_code == 200
    assert f"Day: Select a valid choice. {passed} is not one of the available choices." in refused.content.decode()
    assert not Schedule.objects.filter(status="draft").exists()


def test_the_board_says_what_the_cost_counts_and_the_parts_add_up_to_it(
    setup: Setup, coordinator: Any, as_user: Any
) -> None:
    client = as_user(coordinator)
    schedule = built(client, setup)
    page = client.get(board_url(setup), headers={"accept-language": "en"}).content.decode()
    line = page[page.index("What the cost counts:") :].split("</p>")[0]
    parts = line.removeprefix("What the cost counts:").split(".")[0].split("·")
    points = [int(part.split(" for ")[0]) for part in parts]
    assert schedule.objective and sum(points) == schedule.objective
    assert f"{schedule.cost['open_table']} for {schedule.cost['open_table'] // 30} tables opened for a day" in line
    vietnamese = client.get(board_url(setup), headers={"accept-language": "vi"}).content.decode()
    assert "Chi phí gồm:" in vietnamese and "lượt mở bàn mổ trong ngày" in vietnamese


def test_each_part_of_the_cost_is_told_with_what_it_counts(setup: Setup, coordinator: Any, as_user: Any) -> None:
    schedule = built(as_user(coordinator), setup)
    schedule.cost = {"unscheduled": 450, "delay": 15, "open_table": 60, "surgeon_transfer": 10}
    with translation.override("en"):
        parts = cost_parts(schedule, 2)
    assert parts == [
        "450 for 2 children not operated",
        "15 for 3 days of waiting past the first possible day",
        "60 for 2 tables opened for a day",
        "10 for 1 time a surgeon changes tables in a day",
    ]
    schedule.cost = {"unscheduled": 0, "delay": 0, "open_table": 30, "surgeon_transfer": 0}
    with translation.override("en"):
        assert cost_parts(schedule, 0) == ["30 for 1 table opened for a day"]
