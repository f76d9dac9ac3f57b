"""The OR board and a case's page, as each role uses them on the operating day: stamping from
the board, refusals on the card, a table running late, the checklist form, two nurses on one
case, notes, complications, discharge and its printed sheet, cancelling on the day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cleftmission.core.roles import Role, set_role
from cleftmission.factories import MissionMemberFactory, UserFactory, VolunteerFactory
from cleftmission.followup.models import FollowUpVisit
from cleftmission.scheduling.models import Schedule
from cleftmission.scheduling.tests.conftest import Setup
from cleftmission.surgery import checklist, milestones, services
from cleftmission.surgery.models import AnesthesiaRecord, ChecklistPhase, Milestone, SurgicalCase
from cleftmission.surgery.tests.conftest import at
from cleftmission.surgery.tests.test_operating_day import SIGN_IN_ANSWERS, walk_to

EN = {"accept-language": "en"}
HTMX = {"accept-language": "en", "hx-request": "true"}


def on_mission(setup: Setup, username: str, role: Role = Role.CLINICIAN) -> Any:
    """A user on the operating mission's team (the personas' clinician is on another mission)."""
    user: Any = UserFactory(username=username, first_name=username.split("-")[0].capitalize())
    set_role(user, role)
    MissionMemberFactory(mission=setup.mission, volunteer=VolunteerFactory(user=user), role="or_nurse")
    return user


@pytest.fixture
def nurse(setup: Setup) -> Any:
    return on_mission(setup, "hoa-nurse")


@pytest.fixture
def other_nurse(setup: Setup) -> Any:
    return on_mission(setup, "lan-nurse")


@pytest.fixture
def morning(case: SurgicalCase) -> Iterator[None]:
    """08:35 on the first operating day: the lists started at 08:00."""
    with time_machine.travel(at(case, "08:35"), tick=False):
        yield


def board_url(setup: Setup, day: dt.date | None = None) -> str:
    url = f"/missions/{setup.mission.pk}/or/"
    return f"{url}?day={day.isoformat()}" if day else url


def case_url(case: SurgicalCase, rest: str = "") -> str:
    return f"/missions/{case.mission_id}/or/cases/{case.pk}/{rest}"


def stamp_from_board(client: Client, case: SurgicalCase, milestone: str) -> Any:
    return client.post(case_url(case, "stamp/"), {"milestone": milestone, "view": "card"}, headers=HTMX)


def page(client: Client, url: str) -> str:
    response = client.get(url, headers=EN)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# ---- the board ------------------------------------------------------------------------------


def lists(case: SurgicalCase) -> list[list[SurgicalCase]]:
    """The lists of the case's day, table by table, as the published schedule made them."""
    cases = SurgicalCase.objects.filter(mission_id=case.mission_id, day=case.day).select_related("visit__patient")
    tables: dict[int | None, list[SurgicalCase]] = {}
    for c in cases.order_by("table__name", "order"):
        tables.setdefault(c.table_id, []).append(c)
    return list(tables.values())


def header(html: str, table_id: int | None) -> str:
    start = html.rindex("<header", 0, html.index(f'id="table-{table_id}-head"'))
    return html[start : html.index("</header>", start)]


def test_the_board_shows_each_table_s_cases_in_order_with_the_next_milestone(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any, morning: None
) -> None:
    html = page(as_user(nurse), board_url(setup))  # today is the case's operating day
    day = lists(case)
    assert len(day) == 2
    names = [c.visit.patient.full_name for table in day for c in table]
    positions = [html.index(f'id="table-{table[0].table_id}-head"') for table in day]
    positions += [html.index(name) for name in names]
    assert positions[:2] == sorted(positions[:2])  # the tables in order
    assert positions[2:] == sorted(positions[2:])  # each table's list in order, table after table
    assert positions[1] < html.index(day[1][0].visit.patient.full_name)
    assert html.count("Called from the ward</button>") == len(names)
    assert "08:00–" in html and 'hx-trigger="every 15s"' in html
    others = SurgicalCase.objects.filter(mission=setup.mission).exclude(day=case.day).select_related("visit__patient")
    assert others and not any(c.visit.patient.full_name in html for c in others)
    later = page(as_user(nurse), board_url(setup, others[0].day))
    assert others[0].visit.patient.full_name in later and case.visit.patient.full_name not in later


def test_the_board_reads_a_day_in_the_same_queries_however_many_cases_it_has(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any, morning: None
) -> None:
    client = as_user(nurse)
    walk_to_at(lists(case)[1][0], milestones.INCISION, nurse, start="08:00")
    counts = []
    for day in (case.day, case.day + dt.timedelta(days=1)):  # four cases, then two
        client.get(board_url(setup, day), headers=HTMX)  # warm the session and the role
        with CaptureQueriesContext(connection) as queries:
            client.get(board_url(setup, day), headers=HTMX)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_board_opens_on_the_next_operating_day_before_the_mission(
    setup: Setup, published: Any, coordinator: Any, as_user: Any
) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        response = as_user(coordinator).get(board_url(setup), headers=EN)
    assert response.context["day"] == dt.date(2026, 12, 8)


def test_a_nurse_stamps_from_the_board_and_the_card_comes_back_with_the_next_milestone(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any, morning: None
) -> None:
    response = stamp_from_board(as_user(nurse), case, milestones.CALLED)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="case-{case.pk}"' in html and "In holding</button>" in html
    assert 'hx-swap-oob="true"' in html  # the table's header, late or not, comes with it
    stamp = Milestone.objects.get(case=case)
    assert (stamp.kind, stamp.recorded_by, stamp.at) == (milestones.CALLED, nurse, at(case, "08:35"))


def test_stamping_without_javascript_returns_to_the_board(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any, morning: None
) -> None:
    response = as_user(nurse).post(case_url(case, "stamp/"), {"milestone": milestones.CALLED, "view": "card"})
    assert response.status_code == 302
    assert response["Location"] == f"{board_url(setup, case.day)}#case-{case.pk}"
    assert case.milestones.count() == 1


def test_incision_before_the_time_out_is_refused_on_the_card_with_a_link_to_the_checklist(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any, morning: None
) -> None:
    walk_to_at(case, milestones.ANESTHESIA_START, nurse, start="08:00")
    html = stamp_from_board(as_user(nurse), case, milestones.INCISION).content.decode()
    assert "Sign the checklist&#x27;s Time Out before “Incision”." in html
    assert f'href="{case_url(case)}#phase-time_out"' in html
    assert not case.milestones.filter(kind=milestones.INCISION).exists()


def test_a_table_running_late_says_so_in_words(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any, morning: None
) -> None:
    late, started = (table[0] for table in lists(case))  # both lists start at 08:00
    walk_to_at(started, milestones.IN_OR, nurse, start="08:00")  # in the OR at 08:03
    html = page(as_user(nurse), board_url(setup))
    head = header(html, late.table_id)  # its first child is not in the OR at 08:35
    assert "running 35 min late" in head and "or-table-head late" in head
    head = header(html, started.table_id)
    assert "on time" in head and "late" not in head


def walk_to_at(case: SurgicalCase, last: str, user: Any, start: str) -> None:
    """Stamp every milestone up to `last`, a minute apart from `start`, signing what is needed."""
    hours, minutes = map(int, start.split(":"))
    clock = dt.datetime(2000, 1, 1, hours, minutes)
    answers = {
        checklist.SIGN_IN: SIGN_IN_ANSWERS,
        checklist.TIME_OUT: {i.code: "yes" for i in checklist.ITEMS[checklist.TIME_OUT]},
        checklist.SIGN_OUT: {i.code: ("no" if i.is_risk else "yes") for i in checklist.ITEMS[checklist.SIGN_OUT]},
    }
    for milestone in milestones.ORDER[: milestones.ORDER.index(last) + 1]:
        phase = milestones.NEEDS_PHASE.get(milestone)
        if phase is not None:
            services.sign_phase(case=case, phase=phase, answers=answers[phase], acting_user=user)
        services.record_milestone(
            case=case, milestone=milestone, at=at(case, clock.strftime("%H:%M")), acting_user=user
        )
        clock += dt.timedelta(minutes=1)


def test_a_viewer_reads_the_board_and_a_case_without_names_or_buttons(
    setup: Setup, case: SurgicalCase, viewer: Any, as_user: Any, morning: None
) -> None:
    client = as_user(viewer)
    html = page(client, board_url(setup))
    assert "Lê An" not in html and f"#{case.visit.queue_number}" in html
    assert "<button" not in html.split("<main", 1)[1]
    html = page(client, case_url(case))
    assert "Lê An" not in html and case.visit.patient.record_number not in html
    assert "stamp/" not in html and 'action="' not in html.split("<main", 1)[1]
    assert stamp_from_board(client, case, milestones.CALLED).status_code == 403


def test_a_registrar_on_the_mission_reads_and_may_not_record(
    setup: Setup, case: SurgicalCase, as_user: Any, morning: None
) -> None:
    client = as_user(on_mission(setup, "rita-desk", Role.REGISTRAR))
    assert "Lê An" in page(client, board_url(setup))
    assert "Called from the ward</button>" not in page(client, board_url(setup))
    assert stamp_from_board(client, case, milestones.CALLED).status_code == 403
    assert client.post(case_url(case, "checklist/sign_in/"), SIGN_IN_ANSWERS).status_code == 403
    assert not case.milestones.exists() and not case.checklist.exists()


def test_a_clinician_of_another_mission_is_refused(
    setup: Setup, case: SurgicalCase, clinician: Any, as_user: Any, morning: None
) -> None:
    client = as_user(clinician)  # on the personas' mission, not this one
    assert client.get(board_url(setup)).status_code == 403
    assert client.get(case_url(case)).status_code == 403
    assert stamp_from_board(client, case, milestones.CALLED).status_code == 403
    assert client.post(case_url(case, "checklist/sign_in/"), SIGN_IN_ANSWERS).status_code == 403
    assert client.post(case_url(case, "cancel/"), {"cancel_code": "FEVER"}).status_code == 403
    assert not case.milestones.exists() and case.status == SurgicalCase.Status.PLANNED


def test_an_htmx_poll_after_the_session_ended_sends_the_page_to_the_login(setup: Setup, published: Any) -> None:
    response = Client().get(board_url(setup), headers={"hx-request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/login/")


# ---- two nurses on one case ---------------------------------------------------------------


def test_two_nurses_stamping_in_turn_keep_both_stamps_and_a_stale_tap_stamps_nothing_twice(
    setup: Setup, case: SurgicalCase, nurse: Any, other_nurse: Any, as_user: Any, morning: None
) -> None:
    first, second = as_user(nurse), as_user(other_nurse)
    assert stamp_from_board(first, case, milestones.CALLED).status_code == 200
    # The second nurse's board still showed "Called": her tap is refused, and her card catches up.
    stale = stamp_from_board(second, case, milestones.CALLED).content.decode()
    assert "is already recorded" in stale and "In holding</button>" in stale
    stamp_from_board(second, case, milestones.HOLDING)
    stamps = list(case.milestones.order_by("at", "pk").values_list("kind", "recorded_by"))
    assert stamps == [(milestones.CALLED, nurse.pk), (milestones.HOLDING, other_nurse.pk)]


# ---- the case page ----------------------------------------------------------------------------


def test_back_on_the_ward_the_board_leads_to_the_discharge_form_not_a_bare_stamp(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any
) -> None:
    with time_machine.travel(at(case, "14:00"), tick=False):
        walk_to(case, milestones.WARD, nurse)
        html = page(as_user(nurse), board_url(setup))
    card = html[html.index(f'id="case-{case.pk}"') :]
    card = card[: card.index("</article>")]
    assert f'href="{case_url(case)}#discharge"' in card and "Discharge the child" in card
    assert "stamp/" not in card


def test_the_case_page_stamps_at_a_typed_time_and_takes_back_the_last(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any, morning: None
) -> None:
    client = as_user(nurse)
    html = page(client, case_url(case))
    assert "Record “Called from the ward”" in html and "Not asked yet" in html
    response = client.post(case_url(case, "stamp/"), {"milestone": milestones.CALLED, "time": "08:10"})
    assert response.status_code == 302 and response["Location"].endswith("#milestones")
    assert case.milestones.get().at == at(case, "08:10")
    future = client.post(case_url(case, "stamp/"), {"milestone": milestones.HOLDING, "time": "09:30"}, headers=EN)
    assert "The time is in the future." in page(client, case_url(case))  # the refusal, as a message
    assert future.status_code == 302 and case.milestones.count() == 1
    client.post(case_url(case, "undo/"))
    assert not case.milestones.exists()


def test_the_checklist_form_refuses_an_unanswered_item_and_names_it(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any, morning: None
) -> None:
    client = as_user(nurse)
    unanswered = {k: v for k, v in SIGN_IN_ANSWERS.items() if k != "pulse_oximeter"}
    response = client.post(case_url(case, "checklist/sign_in/"), unanswered, headers=EN)
    assert response.status_code == 200
    form = response.context["phases"][0]["form"]
    assert set(form.errors) == {"pulse_oximeter"}
    assert "Answer this item." in response.content.decode()
    assert not ChecklistPhase.objects.exists()

    allergy = {**SIGN_IN_ANSWERS, "known_allergy": "yes", "known_allergy_note": "Penicillin: clindamycin ready"}
    response = client.post(case_url(case, "checklist/sign_in/"), allergy)
    assert response.status_code == 302
    signed = ChecklistPhase.objects.get(case=case)
    assert (signed.phase, signed.signed_by, signed.notes) == (
        "sign_in",
        nurse,
        {"known_allergy": "Penicillin: clindamycin ready"},
    )
    html = page(client, case_url(case))
    assert "Penicillin: clindamycin ready" in html  # the child's allergies, from the Sign In
    assert "Signed by Hoa" in html


def test_the_printed_checklist_shows_each_phase_with_who_signed(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any, morning: None
) -> None:
    services.sign_phase(case=case, phase=checklist.SIGN_IN, answers=SIGN_IN_ANSWERS, acting_user=nurse)
    html = page(as_user(nurse), case_url(case, "checklist/print/"))
    assert "Lê An" in html and "Pulse oximeter on the patient and functioning" in html
    assert "Signed by Hoa" in html and html.count("Not signed.") == 2


def test_an_anaesthesia_record_saved_meanwhile_shows_both_versions_and_loses_nothing(
    setup: Setup, case: SurgicalCase, nurse: Any, other_nurse: Any, as_user: Any, morning: None
) -> None:
    client = as_user(nurse)
    page(client, case_url(case))  # read with no record yet: version 0
    services.save_anesthesia_record(case=case, data={"asa": 1, "agents": "sevoflurane"}, acting_user=other_nurse)
    mine = {"version": "0", "asa": "2", "airway": "ett", "agents": "sevoflurane, fentanyl"}
    response = client.post(case_url(case, "anaesthesia/"), mine, headers=EN)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this record while you were editing it." in html
    assert "ASA II" in html and "sevoflurane, fentanyl" in html  # yours next to theirs
    assert AnesthesiaRecord.objects.get(case=case).agents == "sevoflurane"
    again = client.post(case_url(case, "anaesthesia/"), {**mine, "version": "1"})
    assert again.status_code == 302
    record = AnesthesiaRecord.objects.get(case=case)
    assert (record.asa, record.agents, record.version) == (2, "sevoflurane, fentanyl", 2)


def test_the_operative_note_care_notes_and_a_complication(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any, morning: None
) -> None:
    client = as_user(nurse)
    missing = client.post(case_url(case, "operative-note/"), {"version": "0", "technique": "Millard"}, headers=EN)
    assert missing.status_code == 200 and "Choose the procedures done." in missing.content.decode()
    lip = case.procedures.get()
    response = client.post(
        case_url(case, "operative-note/"),
        {
            "version": "0",
            "procedures": [lip.pk],
            "surgeon": case.surgeon_id,
            "technique": "Millard rotation-advancement",
        },
    )
    assert response.status_code == 302 and case.operative_note.technique == "Millard rotation-advancement"

    assert client.post(case_url(case, "care-notes/"), {"kind": "recovery", "text": "  "}).status_code == 200
    client.post(case_url(case, "care-notes/"), {"kind": "recovery", "text": "Tỉnh, SpO2 99%"})
    assert case.care_notes.get().text == "Tỉnh, SpO2 99%"

    bad = client.post(case_url(case, "complications/"), {"kind": "other", "occurred_on": "08/12/2026"}, headers=EN)
    assert bad.status_code == 200 and "Say what happened" in bad.content.decode()
    client.post(case_url(case, "complications/"), {"kind": "fistula", "occurred_on": "08/12/2026", "note": "nhỏ"})
    assert case.complications.get().kind == "fistula"
    assert "Oronasal fistula" in page(client, case_url(case))


def test_discharge_with_defaults_for_a_lip_repair_and_the_family_sheet_in_both_languages(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any
) -> None:
    with time_machine.travel(at(case, "14:00"), tick=False):
        walk_to(case, milestones.WARD, nurse)
    with time_machine.travel(at(case, "10:00") + dt.timedelta(days=1), tick=False):
        client = as_user(nurse)
        form = client.get(case_url(case), headers=EN).context["discharge_form"]
        initial = {name: form[name].value() for name in form.fields}
        assert "spoon" in initial["instructions_en"] and "thìa" in initial["instructions_vi"]  # a lip repair
        assert initial["follow_up_1w"] == case.day + dt.timedelta(days=8)
        data = {k: v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v for k, v in initial.items()}
        assert client.post(case_url(case, "discharge/"), data).status_code == 302
        sheet = page(client, case_url(case, "discharge/print/"))
    case.refresh_from_db()
    assert case.status == SurgicalCase.Status.DISCHARGED
    assert FollowUpVisit.objects.filter(case=case).count() == 3
    for text in ("Giấy ra viện", "Discharge sheet", "Cho bé ăn bằng thìa", "Feed with a spoon", "Lê An"):
        assert text in sheet, text
    assert "Tái khám" in sheet or "tái khám" in sheet.lower()
    assert (case.day + dt.timedelta(days=8)).strftime("%d/%m/%Y") in sheet


def test_a_palate_repair_gets_the_palate_instructions(setup: Setup, published: Any, nurse: Any, as_user: Any) -> None:
    palate = SurgicalCase.objects.get(visit=setup.visit("Bảo"))
    with time_machine.travel(at(palate, "14:00"), tick=False):
        walk_to(palate, milestones.SURGERY_END, nurse)
        form = as_user(nurse).get(case_url(palate), headers=EN).context["discharge_form"]
    assert "3 weeks" in form["instructions_en"].value() and "3 tuần" in form["instructions_vi"].value()


def test_a_discharge_before_the_end_of_surgery_is_not_offered(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any, morning: None
) -> None:
    client = as_user(nurse)
    assert "The discharge is recorded after the end of surgery." in page(client, case_url(case))
    response = client.post(case_url(case, "discharge/"), {"date": "08/12/2026", "instructions_vi": "x"}, headers=EN)
    assert (
        response.status_code == 200 and "Record the end of surgery before the discharge." in response.content.decode()
    )
    assert "No discharge recorded yet" in page(client, case_url(case, "discharge/print/"))


def test_cancelling_on_the_day_needs_a_reason_then_points_to_the_repaired_draft(
    setup: Setup, case: SurgicalCase, nurse: Any, as_user: Any, morning: None
) -> None:
    client = as_user(nurse)
    missing = client.post(case_url(case, "cancel/"), {"cancel_code": ""}, headers=EN)
    assert missing.status_code == 200 and "This field is required." in missing.content.decode()
    other = client.post(case_url(case, "cancel/"), {"cancel_code": "OTHER"}, headers=EN)
    assert "Say why, for the reason “Other”." in other.content.decode()
    done = client.post(case_url(case, "cancel/"), {"cancel_code": "FEVER", "cancel_note": "38,6 °C"})
    assert done.status_code == 302
    draft = Schedule.objects.get(mission=setup.mission, status=Schedule.Status.DRAFT)
    html = page(client, case_url(case))
    assert f"waits as draft {draft.number}" in html and f'href="/missions/{setup.mission.pk}/schedule/"' in html
    board = page(client, board_url(setup))
    assert "Fever · 38,6 °C" in board and "status-cancelled" in board
