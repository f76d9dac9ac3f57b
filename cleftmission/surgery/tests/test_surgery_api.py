"""/missions/{id}/cases and /cases/{id}: the operating day through the API (milestones, the
checklist, notes, complications, cancelling, discharge), each refusal naming its field, and
who may read and record."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from cleftmission.api.tests.conftest import ApiClient, fields_named
from cleftmission.core.models import AuditEntry
from cleftmission.core.roles import Role
from cleftmission.scheduling.models import Schedule
from cleftmission.scheduling.tests.conftest import Setup
from cleftmission.surgery import checklist, milestones, services
from cleftmission.surgery.models import Milestone, SurgicalCase
from cleftmission.surgery.tests.conftest import at
from cleftmission.surgery.tests.test_operating_day import SIGN_IN_ANSWERS, TIME_OUT_ANSWERS, walk_to
from cleftmission.surgery.tests.test_or_pages import on_mission


def put(api: ApiClient, path: str, data: Any) -> Any:
    return api.client.put("/api/v1" + path, json.dumps(data), content_type="application/json")


def delete(api: ApiClient, path: str) -> Any:
    return api.client.delete("/api/v1" + path)


@pytest.fixture
def nurse(setup: Setup) -> Any:
    return on_mission(setup, "hoa-nurse")


@pytest.fixture
def api(nurse: Any, api_as: Any) -> ApiClient:
    return api_as(nurse)


@pytest.fixture
def morning(case: SurgicalCase) -> Iterator[None]:
    with time_machine.travel(at(case, "09:00"), tick=False):
        yield


def stamp(api: ApiClient, case: SurgicalCase, milestone: str, hh_mm: str | None = None) -> Any:
    body: dict[str, Any] = {"milestone": milestone}
    if hh_mm:
        body["at"] = f"{case.day.isoformat()}T{hh_mm}"
    return api.post(f"/cases/{case.pk}/milestones", body)


# ---- reading -------------------------------------------------------------------------------


def test_a_day_s_cases_come_table_by_table_in_list_order_with_their_next_milestone(
    setup: Setup, case: SurgicalCase, api: ApiClient
) -> None:
    body = api.get(f"/missions/{setup.mission.pk}/cases", {"day": case.day.isoformat()}).json()
    day = SurgicalCase.objects.filter(mission=setup.mission, day=case.day).select_related("table", "visit__patient")
    assert body["count"] == day.count() >= 4
    assert [(c["table"], c["order"], c["child"]) for c in body["items"]] == [
        (c.table.name if c.table else None, c.order, c.visit.patient.full_name)
        for c in day.order_by("table__name", "order")
    ]
    first = next(c for c in body["items"] if c["id"] == case.pk)
    assert (first["next_milestone"], first["current_milestone"], first["procedures"]) == ("called", None, ["lip_uni"])
    assert first["planned_start"] == timezone.localtime(case.planned_start).isoformat()
    assert api.get(f"/missions/{setup.mission.pk}/cases").json()["count"] == 6


def test_one_case_carries_everything_recorded(
    setup: Setup, case: SurgicalCase, nurse: Any, api: ApiClient, morning: None
) -> None:
    walk_to(case, milestones.SURGERY_END, nurse)
    services.add_care_note(case=case, kind="recovery", text="Tỉnh", acting_user=nurse)
    body = api.get(f"/cases/{case.pk}").json()
    assert [m["milestone"] for m in body["milestones"]] == list(milestones.ORDER[:7])
    assert [p["phase"] for p in body["checklist"]] == ["sign_in", "time_out"]
    assert body["checklist"][0]["answers"] == SIGN_IN_ANSWERS
    assert (body["status"], body["next_milestone"], body["days_in_hospital"]) == ("operated", "recovery", 0)
    assert body["care_notes"][0]["text"] == "Tỉnh" and body["discharge"] is None
    assert body["milestones"][0]["recorded_by"] == "Hoa"


def test_a_viewer_reads_without_names_and_records_nothing(
    setup: Setup, case: SurgicalCase, viewer: Any, api_as: Any, morning: None
) -> None:
    api = api_as(viewer)
    items = api.get(f"/missions/{setup.mission.pk}/cases").json()["items"]
    assert all(c["child"].startswith("#") for c in items)
    assert api.get(f"/cases/{case.pk}").json()["child"] == f"#{case.visit.queue_number}"
    response = stamp(api, case, milestones.CALLED)
    assert response.status_code == 403 and fields_named(response) == set()
    assert not case.milestones.exists()


def test_a_registrar_on_the_mission_reads_and_may_not_record(
    setup: Setup, case: SurgicalCase, api_as: Any, morning: None
) -> None:
    api = api_as(on_mission(setup, "rita-desk", Role.REGISTRAR))
    assert api.get(f"/cases/{case.pk}").json()["child"] == "Lê An"
    assert stamp(api, case, milestones.CALLED).status_code == 403
    assert api.post(f"/cases/{case.pk}/care-notes", {"kind": "ward", "text": "x"}).status_code == 403


def test_a_clinician_of_another_mission_finds_neither_the_mission_s_cases_nor_a_case(
    setup: Setup, case: SurgicalCase, clinician: Any, api_as: Any, morning: None
) -> None:
    api = api_as(clinician)
    assert api.get(f"/missions/{setup.mission.pk}/cases").status_code == 404
    assert api.get(f"/cases/{case.pk}").status_code == 404
    assert stamp(api, case, milestones.CALLED).status_code == 404
    assert api.post(f"/cases/{case.pk}/cancel", {"reason": "FEVER"}).status_code == 404
    assert not case.milestones.exists() and SurgicalCase.objects.get(pk=case.pk).status == "planned"


# ---- milestones -----------------------------------------------------------------------------


def test_a_milestone_is_stamped_now_or_at_the_time_sent(
    case: SurgicalCase, nurse: Any, api: ApiClient, morning: None
) -> None:
    response = stamp(api, case, milestones.CALLED, "08:10")
    assert response.status_code == 201
    assert response.json()["at"].startswith(f"{case.day.isoformat()}T08:10:00+07:00")
    now = stamp(api, case, milestones.HOLDING)
    assert now.status_code == 201 and Milestone.objects.get(kind=milestones.HOLDING).at == at(case, "09:00")
    assert AuditEntry.objects.filter(action="create").exists()


def test_refused_milestones_name_the_field(case: SurgicalCase, nurse: Any, api: ApiClient, morning: None) -> None:
    out_of_order = stamp(api, case, milestones.HOLDING)
    assert out_of_order.status_code == 422 and fields_named(out_of_order) == {"milestone"}
    assert "Record “Called from the ward” before “In holding”." in out_of_order.json()["errors"][0]["message"]
    future = stamp(api, case, milestones.CALLED, "10:30")
    assert future.status_code == 422 and fields_named(future) == {"at"}
    unknown = stamp(api, case, "lunch")
    assert unknown.status_code == 422 and fields_named(unknown) == {"milestone"}
    garbled = api.post(f"/cases/{case.pk}/milestones", {"milestone": "called", "at": "yesterday"})
    assert garbled.status_code == 422 and fields_named(garbled) == {"at"}
    extra = api.post(f"/cases/{case.pk}/milestones", {"milestone": "called", "by": "me"})
    assert extra.status_code == 422 and fields_named(extra) == {"by"}

    assert stamp(api, case, milestones.CALLED, "08:00").status_code == 201
    twice = stamp(api, case, milestones.CALLED, "08:05")
    assert twice.status_code == 409 and fields_named(twice) == {"milestone"}
    earlier = api.post(f"/cases/{case.pk}/milestones", {"milestone": "holding", "at": f"{case.day}T07:50:00+07:00"})
    assert earlier.status_code == 422 and fields_named(earlier) == {"at"}

    for milestone, hh_mm in (("holding", "08:05"), ("identity_checked", "08:10")):
        stamp(api, case, milestone, hh_mm)
    no_sign_in = stamp(api, case, milestones.IN_OR, "08:20")
    assert no_sign_in.status_code == 422 and fields_named(no_sign_in) == {"milestone"}
    assert "Sign In" in no_sign_in.json()["errors"][0]["message"]
    assert case.milestones.count() == 3


def test_incision_waits_for_the_time_out(case: SurgicalCase, nurse: Any, api: ApiClient, morning: None) -> None:
    walk_to(case, milestones.ANESTHESIA_START, nurse)
    refused = stamp(api, case, milestones.INCISION)
    assert refused.status_code == 422 and "Time Out" in refused.json()["errors"][0]["message"]
    assert api.post(f"/cases/{case.pk}/checklist/time_out", {"answers": TIME_OUT_ANSWERS}).status_code == 201
    assert stamp(api, case, milestones.INCISION).status_code == 201


def test_undo_takes_back_the_last_milestone(case: SurgicalCase, nurse: Any, api: ApiClient, morning: None) -> None:
    nothing = delete(api, f"/cases/{case.pk}/milestones/last")
    assert nothing.status_code == 422 and fields_named(nothing) == {"milestone"}
    walk_to(case, milestones.HOLDING, nurse)
    response = delete(api, f"/cases/{case.pk}/milestones/last")
    assert response.status_code == 200
    assert response.json()["undone"] == "holding" and response.json()["case"]["next_milestone"] == "holding"


# ---- the checklist ----------------------------------------------------------------------------


def test_a_checklist_phase_names_each_unanswered_item_and_is_signed_once(
    case: SurgicalCase, nurse: Any, api: ApiClient
) -> None:
    url = f"/cases/{case.pk}/checklist/sign_in"
    partial = {k: v for k, v in SIGN_IN_ANSWERS.items() if k not in ("pulse_oximeter", "site_marked")}
    missing = api.post(url, {"answers": partial})
    assert missing.status_code == 422
    assert fields_named(missing) == {"answers.pulse_oximeter", "answers.site_marked"}
    risk = api.post(url, {"answers": {**SIGN_IN_ANSWERS, "known_allergy": "yes"}})
    assert fields_named(risk) == {"answers.known_allergy"}
    wrong = api.post(url, {"answers": {**SIGN_IN_ANSWERS, "pulse_oximeter": "maybe"}})
    assert fields_named(wrong) == {"answers.pulse_oximeter"}
    signed = api.post(
        url, {"answers": {**SIGN_IN_ANSWERS, "known_allergy": "yes"}, "notes": {"known_allergy": "Latex"}}
    )
    assert signed.status_code == 201 and signed.json()["signed_by"] == "Hoa"
    again = api.post(url, {"answers": SIGN_IN_ANSWERS})
    assert again.status_code == 409 and fields_named(again) == {"phase"}
    unknown = api.post(f"/cases/{case.pk}/checklist/lunch", {"answers": {}})
    assert unknown.status_code == 422 and fields_named(unknown) == {"phase"}
    early = api.post(f"/cases/{case.pk}/checklist/sign_out", {"answers": {}})
    assert early.status_code == 422 and fields_named(early) == {"phase"}  # the Time Out first


# ---- notes ---------------------------------------------------------------------------------


def test_the_anaesthesia_record_saved_meanwhile_answers_409_with_what_is_stored(
    case: SurgicalCase, nurse: Any, api: ApiClient
) -> None:
    url = f"/cases/{case.pk}/anesthesia-record"
    first = put(api, url, {"asa": 1, "airway": "ett", "agents": "sevoflurane", "version": None})
    assert first.status_code == 200 and first.json()["version"] == 1
    assert put(api, url, {"asa": 2, "version": 1}).json()["version"] == 2
    stale = put(api, url, {"asa": 3, "version": 1})
    assert stale.status_code == 409 and fields_named_conflict(stale) == {"version"}
    assert stale.json()["current"]["asa"] == 2 and stale.json()["current"]["version"] == 2
    bad = put(api, url, {"asa": 9, "airway": "tube"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"asa"}
    airway = put(api, url, {"airway": "tube"})
    assert airway.status_code == 422 and fields_named(airway) == {"airway"}


def fields_named_conflict(response: Any) -> set[str]:
    body = response.json()
    assert set(body) == {"detail", "errors", "current"}
    return {e["field"] for e in body["errors"]}


def test_the_operative_note_names_bad_procedures_and_people_and_catches_a_stale_version(
    setup: Setup, case: SurgicalCase, nurse: Any, api: ApiClient
) -> None:
    url = f"/cases/{case.pk}/operative-note"
    assert fields_named(put(api, url, {"procedures": []})) == {"procedures"}
    assert fields_named(put(api, url, {"procedures": ["lip_uni", "heart"]})) == {"procedures"}
    stranger = put(api, url, {"procedures": ["lip_uni"], "assistant_id": 10**6})
    assert fields_named(stranger) == {"assistant_id"}
    note = {"procedures": ["lip_uni"], "surgeon_id": case.surgeon_id, "technique": "Millard", "version": None}
    saved = put(api, url, note)
    assert case.surgeon is not None
    assert saved.status_code == 200 and saved.json()["surgeon"] == case.surgeon.full_name
    assert put(api, url, {**note, "version": 0}).status_code == 409


def test_care_notes_and_complications_name_bad_input(
    case: SurgicalCase, nurse: Any, api: ApiClient, morning: None
) -> None:
    notes = f"/cases/{case.pk}/care-notes"
    assert fields_named(api.post(notes, {"kind": "ward", "text": " "})) == {"text"}
    assert fields_named(api.post(notes, {"kind": "kitchen", "text": "x"})) == {"kind"}
    assert api.post(notes, {"kind": "ward", "text": "Bú tốt"}).status_code == 201
    url = f"/cases/{case.pk}/complications"
    day = case.day.isoformat()
    assert fields_named(api.post(url, {"kind": "flu", "occurred_on": day})) == {"kind"}
    assert fields_named(api.post(url, {"kind": "other", "occurred_on": day})) == {"note"}
    later = (case.day + dt.timedelta(days=3)).isoformat()
    assert fields_named(api.post(url, {"kind": "fistula", "occurred_on": later})) == {"occurred_on"}
    assert fields_named(api.post(url, {"kind": "fistula"})) == {"occurred_on"}
    made = api.post(url, {"kind": "fistula", "occurred_on": day, "note": "nhỏ"})
    assert made.status_code == 201 and made.json()["label"] == "Oronasal fistula"


# ---- cancelling and discharge --------------------------------------------------------------------


def test_cancelling_names_the_reason_then_answers_the_repaired_draft(
    setup: Setup, case: SurgicalCase, nurse: Any, api: ApiClient, morning: None
) -> None:
    url = f"/cases/{case.pk}/cancel"
    assert fields_named(api.post(url, {"reason": "BORED"})) == {"reason"}
    assert fields_named(api.post(url, {"reason": "OTHER"})) == {"note"}
    early = api.post(url, {"reason": "FEVER", "rescreen_date": case.day.isoformat()})
    assert fields_named(early) == {"rescreen_date"}
    done = api.post(url, {"reason": "FEVER", "note": "38,6 °C"})
    assert done.status_code == 200
    body = done.json()
    assert (body["case"]["status"], body["case"]["cancel_code"], body["case"]["next_milestone"]) == (
        "cancelled",
        "FEVER",
        None,
    )
    draft = Schedule.objects.get(mission=setup.mission, status="draft")
    assert (body["repaired_schedule_id"], body["repaired_schedule_number"]) == (draft.pk, draft.number)
    again = api.post(url, {"reason": "FEVER"})
    assert again.status_code == 409 and fields_named(again) == {"reason"}
    assert stamp(api, case, milestones.CALLED).status_code == 409


def test_discharge_plans_the_follow_ups_and_refuses_bad_input(case: SurgicalCase, nurse: Any, api: ApiClient) -> None:
    url = f"/cases/{case.pk}/discharge"
    with time_machine.travel(at(case, "14:00"), tick=False):
        early = api.post(url, {"date": case.day.isoformat(), "instructions_vi": "Ăn bằng thìa"})
        assert early.status_code == 422 and fields_named(early) == {"date"}  # before the end of surgery
        walk_to(case, milestones.WARD, nurse)
    tomorrow = case.day + dt.timedelta(days=1)
    with time_machine.travel(at(case, "10:00") + dt.timedelta(days=1), tick=False):
        assert fields_named(api.post(url, {"date": tomorrow.isoformat(), "instructions_vi": " "})) == {
            "instructions_vi"
        }
        future = api.post(url, {"date": (tomorrow + dt.timedelta(days=1)).isoformat(), "instructions_vi": "x"})
        assert fields_named(future) == {"date"}
        bad_plan = api.post(
            url,
            {
                "date": tomorrow.isoformat(),
                "instructions_vi": "x",
                "follow_ups": [
                    {"kind": "1w", "due_date": tomorrow.isoformat()},
                    {"kind": "2w", "due_date": "2027-01-01"},
                ],
            },
        )
        assert fields_named(bad_plan) == {"follow_ups.0.due_date", "follow_ups.1.kind"}
        done = api.post(
            url, {"date": tomorrow.isoformat(), "instructions_vi": "Ăn bằng thìa", "instructions_en": "Spoon-feed"}
        )
        assert done.status_code == 201
        body = done.json()
        assert body["status"] == "discharged" and body["days_in_hospital"] == 1
        assert [(f["kind"], f["due_date"]) for f in body["discharge"]["follow_ups"]] == [
            ("1w", (tomorrow + dt.timedelta(days=7)).isoformat()),
            ("3m", (tomorrow + dt.timedelta(days=91)).isoformat()),
            ("1y", (tomorrow + dt.timedelta(days=365)).isoformat()),
        ]
        again = api.post(url, {"date": tomorrow.isoformat(), "instructions_vi": "x"})
        assert again.status_code == 409 and fields_named(again) == {"date"}
    assert checklist.SIGN_OUT in services.signed_phases(case)
