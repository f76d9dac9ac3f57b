"""Recording a follow-up visit's outcome and planning a visit by hand, through the services:
every refusal names its field, a stale version never overwrites, every write is audited on
the child's mission."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cleftmission.core import audit
from cleftmission.followup import services
from cleftmission.followup.models import FollowUpVisit
from cleftmission.followup.tests.conftest import TODAY, case_of, week_visit
from cleftmission.scheduling.tests.conftest import Setup
from cleftmission.surgery.models import SurgicalCase

FINDINGS = {
    "status": "seen",
    "seen_on": dt.date(2027, 1, 18),
    "weight_kg": Decimal("8.40"),
    "wound_healed": True,
    "fistula": False,
    "velopharyngeal_competence": 1,
    "consonants_correct_pct": 72,
    "intelligibility": "mild",
    "photos_taken": True,
    "notes": "Sẹo đẹp.",
}


def refused(visit: FollowUpVisit, user: Any, **changes: Any) -> set[str]:
    with pytest.raises(ValidationError) as error:
        services.record_outcome(visit=visit, changes=changes, expected_version=visit.version, acting_user=user)
    return set(error.value.message_dict)


def test_a_seen_visit_keeps_its_findings_who_recorded_them_and_is_audited_on_the_mission(
    discharged: SurgicalCase, clinician: Any, today: dt.date
) -> None:
    visit = week_visit(discharged)
    saved = services.record_outcome(visit=visit, changes=FINDINGS, expected_version=1, acting_user=clinician)
    saved.refresh_from_db()
    assert (saved.status, saved.seen_on, saved.weight_kg, saved.velopharyngeal_competence) == (
        "seen",
        dt.date(2027, 1, 18),
        Decimal("8.40"),
        1,
    )
    assert (saved.version, saved.recorded_by) == (2, clinician)
    entry = audit.trail(discharged.mission).first()
    assert entry is not None and entry.model == "followup.followupvisit"
    assert entry.changes["status"] == ["planned", "seen"] and entry.actor == clinician


def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    discharged: SurgicalCase, clinician: Any, today: dt.date
) -> None:
    visit = week_visit(discharged)
    assert refused(visit, clinician, status="seen", seen_on=TODAY + dt.timedelta(days=1)) == {"seen_on"}
    assert refused(visit, clinician, status="seen", seen_on=discharged.day - dt.timedelta(days=1)) == {"seen_on"}
    assert refused(visit, clinician, status="seen") == {"seen_on"}
    seen = {"status": "seen", "seen_on": TODAY}
    assert refused(visit, clinician, **seen, velopharyngeal_competence=3) == {"velopharyngeal_competence"}
    assert refused(visit, clinician, **seen, consonants_correct_pct=101) == {"consonants_correct_pct"}
    assert refused(visit, clinician, **seen, weight_kg=Decimal("200")) == {"weight_kg"}
    assert refused(visit, clinician, **seen, weight_kg="heavy") == {"weight_kg"}
    assert refused(visit, clinician, **seen, intelligibility="loud") == {"intelligibility"}
    assert refused(visit, clinician, status="gone") == {"status"}
    assert refused(visit, clinician, colour="blue") == {"colour"}
    visit.refresh_from_db()
    assert (visit.status, visit.version, visit.seen_on) == ("planned", 1, None)


def test_two_people_recording_the_same_visit_never_lose_each_other_s_entries(
    discharged: SurgicalCase, clinician: Any, coordinator: Any, today: dt.date
) -> None:
    visit = week_visit(discharged)
    services.record_outcome(visit=visit, changes=FINDINGS, expected_version=1, acting_user=clinician)
    with pytest.raises(services.ConflictError) as conflict:
        services.record_outcome(
            visit=visit,
            changes={"status": "missed", "notes": "Không liên lạc được"},
            expected_version=1,
            acting_user=coordinator,
        )
    assert conflict.value.current.version == 2 and conflict.value.current.notes == "Sẹo đẹp."
    visit.refresh_from_db()
    assert (visit.status, visit.notes, visit.recorded_by) == ("seen", "Sẹo đẹp.", clinician)


def test_a_missed_visit_keeps_its_note_and_records_no_findings(
    discharged: SurgicalCase, clinician: Any, today: dt.date
) -> None:
    visit = week_visit(discharged)
    assert refused(visit, clinician, status="missed", fistula=True) == {"fistula"}
    assert refused(visit, clinician, status="missed", seen_on=TODAY) == {"seen_on"}
    missed = services.record_outcome(
        visit=visit, changes={"status": "missed", "notes": "Gia đình chuyển nhà"}, expected_version=1, acting_user=None
    )
    assert (missed.status, missed.notes) == ("missed", "Gia đình chuyển nhà")


def test_a_date_seen_alone_makes_a_planned_visit_seen_and_a_later_change_keeps_the_rest(
    discharged: SurgicalCase, clinician: Any, today: dt.date
) -> None:
    visit = week_visit(discharged)
    seen = services.record_outcome(visit=visit, changes={"seen_on": TODAY}, expected_version=1, acting_user=clinician)
    assert seen.status == "seen"
    again = services.record_outcome(visit=visit, changes={"fistula": True}, expected_version=2, acting_user=clinician)
    assert (again.status, again.seen_on, again.fistula, again.version) == ("seen", TODAY, True, 3)


def test_a_visit_planned_by_hand_is_audited_and_refused_twice_before_the_operation_or_unoperated(
    setup: Setup, discharged: SurgicalCase, clinician: Any, today: dt.date
) -> None:
    due = TODAY + dt.timedelta(days=10)
    visit = services.plan_visit(
        case=discharged, kind="other", due_date=due, notes="Kiểm tra lỗ rò", acting_user=clinician
    )
    assert (visit.status, visit.due_date, visit.notes) == ("planned", due, "Kiểm tra lỗ rò")
    assert audit.trail(discharged.mission).filter(model="followup.followupvisit", action="create").exists()

    def plan_refused(case: SurgicalCase, **kwargs: Any) -> set[str]:
        values = {"kind": "other", "due_date": due, **kwargs}
        with pytest.raises(ValidationError) as error:
            services.plan_visit(case=case, acting_user=clinician, **values)
        return set(error.value.message_dict)

    assert plan_refused(discharged) == {"due_date"}  # the same visit again
    assert plan_refused(discharged, due_date=discharged.day - dt.timedelta(days=1)) == {"due_date"}
    assert plan_refused(discharged, due_date=dt.date(2060, 1, 1)) == {"due_date"}
    assert plan_refused(discharged, kind="2y") == {"kind"}
    not_operated = case_of(setup, "Bảo")
    assert plan_refused(not_operated) == {"case"}
    assert FollowUpVisit.objects.filter(case=discharged).count() == 4
