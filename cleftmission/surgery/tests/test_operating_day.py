"""An operating day through the services: cases from the published schedule, milestones in
their order, the WHO checklist's rules, cancelling on the day, discharge and follow-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from cleftmission.followup.models import FollowUpVisit
from cleftmission.scheduling.models import Schedule
from cleftmission.scheduling.tests.conftest import Setup
from cleftmission.screening.models import Decision
from cleftmission.surgery import checklist, milestones, services
from cleftmission.surgery.models import Milestone, SurgicalCase
from cleftmission.surgery.tests.conftest import at

SIGN_IN_ANSWERS = {
    "identity_site_procedure_consent": "yes",
    "site_marked": "yes",
    "anaesthesia_check": "yes",
    "pulse_oximeter": "yes",
    "known_allergy": "no",
    "difficult_airway": "no",
    "blood_loss_risk": "no",
}
TIME_OUT_ANSWERS = {item.code: "yes" for item in checklist.ITEMS[checklist.TIME_OUT]}
SIGN_OUT_ANSWERS = {
    "procedure_recorded": "yes",
    "counts_correct": "yes",
    "specimen_labelled": "na",
    "equipment_problems": "no",
    "recovery_concerns": "no",
}


def stamp(case: SurgicalCase, milestone: str, hh_mm: str, user: Any) -> Milestone:
    return services.record_milestone(case=case, milestone=milestone, at=at(case, hh_mm), acting_user=user)


def walk_to(case: SurgicalCase, last: str, user: Any) -> None:
    """Stamp every milestone up to `last`, signing each checklist phase when it is needed."""
    clock = dt.datetime(2000, 1, 1, 8, 0)
    for milestone in milestones.ORDER[: milestones.ORDER.index(last) + 1]:
        phase = milestones.NEEDS_PHASE.get(milestone)
        if phase == checklist.SIGN_IN:
            services.sign_phase(case=case, phase=phase, answers=SIGN_IN_ANSWERS, acting_user=user)
        elif phase == checklist.TIME_OUT:
            services.sign_phase(case=case, phase=phase, answers=TIME_OUT_ANSWERS, acting_user=user)
        elif phase == checklist.SIGN_OUT:
            services.sign_phase(case=case, phase=phase, answers=SIGN_OUT_ANSWERS, acting_user=user)
        stamp(case, milestone, clock.strftime("%H:%M"), user)
        clock += dt.timedelta(minutes=10)


@pytest.fixture
def afternoon(case: SurgicalCase) -> Any:
    with time_machine.travel(at(case, "14:00"), tick=False):
        yield


def test_publishing_gives_each_scheduled_child_a_planned_case(setup: Setup, published: Schedule) -> None:
    cases = SurgicalCase.objects.filter(mission=setup.mission)
    assert cases.count() == 6
    for case in cases:
        row = published.cases.get(visit=case.visit)
        assert (case.day, case.table_id, case.surgeon_id, case.planned_minutes) == (
            row.day,
            row.table_id,
            row.surgeon_id,
            row.minutes,
        )
        assert case.status == SurgicalCase.Status.PLANNED and case.procedures.exists()


def test_milestones_are_refused_out_of_order_twice_or_in_the_future(
    case: SurgicalCase, clinician: Any, afternoon: None
) -> None:
    with pytest.raises(ValidationError) as refused:
        stamp(case, milestones.HOLDING, "08:00", clinician)
    assert "milestone" in refused.value.message_dict  # "called" first
    stamp(case, milestones.CALLED, "08:00", clinician)
    with pytest.raises(ValidationError) as twice:
        stamp(case, milestones.CALLED, "08:05", clinician)
    assert "milestone" in twice.value.message_dict
    with pytest.raises(ValidationError) as earlier:
        stamp(case, milestones.HOLDING, "07:55", clinician)
    assert "at" in earlier.value.message_dict
    with pytest.raises(ValidationError) as future:
        stamp(case, milestones.HOLDING, "15:00", clinician)
    assert "at" in future.value.message_dict
    assert list(case.milestones.values_list("kind", flat=True)) == [milestones.CALLED]


@translation.override("en")
def test_incision_waits_for_the_time_out_and_in_or_for_the_sign_in(
    case: SurgicalCase, clinician: Any, afternoon: None
) -> None:
    walk_to(case, milestones.IDENTITY_CHECKED, clinician)
    with pytest.raises(ValidationError) as no_sign_in:
        stamp(case, milestones.IN_OR, "09:00", clinician)
    assert "Sign In" in no_sign_in.value.message_dict["milestone"][0]
    services.sign_phase(case=case, phase=checklist.SIGN_IN, answers=SIGN_IN_ANSWERS, acting_user=clinician)
    stamp(case, milestones.IN_OR, "09:00", clinician)
    stamp(case, milestones.ANESTHESIA_START, "09:05", clinician)
    with pytest.raises(ValidationError) as no_time_out:
        stamp(case, milestones.INCISION, "09:20", clinician)
    assert "Time Out" in no_time_out.value.message_dict["milestone"][0]
    case.refresh_from_db()
    assert case.status == SurgicalCase.Status.UNDER_WAY


def test_a_checklist_phase_is_not_signed_with_an_item_unanswered_twice_or_out_of_turn(
    case: SurgicalCase, clinician: Any
) -> None:
    with pytest.raises(ValidationError) as out_of_turn:
        services.sign_phase(case=case, phase=checklist.TIME_OUT, answers=TIME_OUT_ANSWERS, acting_user=clinician)
    assert "phase" in out_of_turn.value.message_dict
    unanswered = {k: v for k, v in SIGN_IN_ANSWERS.items() if k != "pulse_oximeter"}
    with pytest.raises(ValidationError) as missing:
        services.sign_phase(case=case, phase=checklist.SIGN_IN, answers=unanswered, acting_user=clinician)
    assert set(missing.value.message_dict) == {"pulse_oximeter"}
    allergy = {**SIGN_IN_ANSWERS, "known_allergy": "yes"}
    with pytest.raises(ValidationError) as no_note:
        services.sign_phase(case=case, phase=checklist.SIGN_IN, answers=allergy, acting_user=clinician)
    assert set(no_note.value.message_dict) == {"known_allergy"}
    services.sign_phase(
        case=case,
        phase=checklist.SIGN_IN,
        answers=allergy,
        notes={"known_allergy": "Dị ứng penicillin: dùng clindamycin"},
        acting_user=clinician,
    )
    with pytest.raises(ValidationError) as again:
        services.sign_phase(case=case, phase=checklist.SIGN_IN, answers=SIGN_IN_ANSWERS, acting_user=clinician)
    assert "phase" in again.value.message_dict
    assert case.checklist.get().signed_by == clinician


def test_the_checklist_has_the_who_nineteen_items() -> None:
    assert checklist.item_count() == 19
    assert checklist.problems(checklist.SIGN_OUT, SIGN_OUT_ANSWERS) == {}
    with translation.override("en"):
        wrong = checklist.problems(checklist.SIGN_OUT, {**SIGN_OUT_ANSWERS, "procedure_recorded": "na"})
    assert wrong == {"procedure_recorded": "Not an answer this item takes."}


def test_a_whole_day_ends_with_the_child_operated_then_discharged_with_follow_ups(
    case: SurgicalCase, clinician: Any, afternoon: None
) -> None:
    walk_to(case, milestones.WARD, clinician)
    case.refresh_from_db()
    assert case.status == SurgicalCase.Status.OPERATED
    assert case.visit.outcome == "operated"
    with time_machine.travel(at(case, "14:00") + dt.timedelta(days=1), tick=False):
        discharge = services.record_discharge(
            case=case,
            date=case.day + dt.timedelta(days=1),
            instructions_vi="Cho bé bú bằng thìa trong 2 tuần.",
            instructions_en="Spoon-feed for 2 weeks.",
            acting_user=clinician,
        )
        assert services.days_in_hospital(case) == 1
    case.refresh_from_db()
    assert case.status == SurgicalCase.Status.DISCHARGED
    due = list(FollowUpVisit.objects.filter(case=case).values_list("kind", "due_date"))
    assert due == [
        ("1w", discharge.date + dt.timedelta(days=7)),
        ("3m", discharge.date + dt.timedelta(days=91)),
        ("1y", discharge.date + dt.timedelta(days=365)),
    ]


def test_undo_takes_back_only_the_last_milestone(case: SurgicalCase, clinician: Any, afternoon: None) -> None:
    walk_to(case, milestones.IDENTITY_CHECKED, clinician)
    assert services.undo_milestone(case=case, acting_user=clinician) == milestones.IDENTITY_CHECKED
    assert services.next_stamp(case) == milestones.IDENTITY_CHECKED


def test_cancelling_on_the_day_defers_the_child_and_offers_the_repaired_schedule(
    setup: Setup, case: SurgicalCase, clinician: Any, afternoon: None
) -> None:
    draft = services.cancel_case(case=case, code="FEVER", note="38.5 °C", acting_user=clinician)
    case.refresh_from_db()
    assert (case.status, case.cancel_code) == (SurgicalCase.Status.CANCELLED, "FEVER")
    decision = Decision.objects.get(visit=case.visit)
    assert (decision.outcome, decision.deferral_code) == ("deferred", "FEVER")
    assert decision.rescreen_date == case.day + dt.timedelta(days=30)
    assert draft is not None and draft.status == Schedule.Status.DRAFT
    assert draft.cases.get(visit=case.visit).cancel_code == "FEVER"
    with pytest.raises(ValidationError):
        stamp(case, milestones.CALLED, "13:00", clinician)


def test_a_case_under_way_cannot_be_cancelled(case: SurgicalCase, clinician: Any, afternoon: None) -> None:
    walk_to(case, milestones.INCISION, clinician)
    with pytest.raises(ValidationError) as refused:
        services.cancel_case(case=case, code="OTHER", note="thiết bị hỏng", acting_user=clinician)
    assert "cancel_code" in refused.value.message_dict


def test_discharged_is_stamped_only_by_recording_the_discharge(
    case: SurgicalCase, clinician: Any, afternoon: None
) -> None:
    walk_to(case, milestones.WARD, clinician)
    with pytest.raises(ValidationError) as refused:
        stamp(case, milestones.DISCHARGED, "13:00", clinician)
    assert "milestone" in refused.value.message_dict
    assert not FollowUpVisit.objects.filter(case=case).exists()
