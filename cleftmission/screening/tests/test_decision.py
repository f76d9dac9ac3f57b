"""The decision: accepted (procedures, minutes, priority), deferred (reason code, re-screen
date, referral) or referred (where); an override of a failing rule needs its reason and is
audited; the visit's outcome follows the decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cleftmission.core.models import AuditEntry
from cleftmission.screening import services
from cleftmission.screening.models import Decision, Procedure, ScreeningVisit, Station
from cleftmission.screening.tests.station_helpers import (
    ANESTHESIA,
    SURGICAL,
    VITALS,
    decision_url,
    in_english,
    record,
    visit_of,
)


@pytest.fixture
def visit(child: Any, mission: Any, clinician: Any) -> ScreeningVisit:
    """A child of a year and a half, fit for a lip repair: every rule passes."""
    visit = visit_of(child, mission)
    record(visit, Station.VITALS, clinician, VITALS)
    record(visit, Station.PEDIATRIC, clinician, {"history": "", "findings": ""})
    record(visit, Station.ANESTHESIA, clinician, ANESTHESIA)
    record(visit, Station.SURGICAL, clinician, SURGICAL)
    return visit


def post(client: Any, visit: ScreeningVisit, **data: Any) -> Any:
    return client.post(decision_url(visit), {"version": "0", **data})


def in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_accepting_a_fit_child_saves_the_decision_and_the_visit_follows(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    response = post(as_user(clinician), visit, outcome="accepted", procedures=["lip_uni", "revision"])

    assert response.status_code == 302
    assert response["Location"] == visit.get_absolute_url()
    decision = Decision.objects.get(visit=visit)
    assert decision.estimated_minutes == 90 + 60  # the catalog's planning minutes
    assert decision.priority == 3
    assert decision.failing_rules == [] and decision.override_reason == ""
    assert (decision.decided_by, decision.version) == (clinician, 1)
    stored = ScreeningVisit.objects.get(pk=visit.pk)
    assert (stored.outcome, stored.procedure) == ("accepted", "lip_uni, revision")
    assert stored.decided_at == decision.decided_at


def test_the_decision_form_opens_with_the_surgeons_plan_and_a_rescreen_date_in_90_days(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    form = as_user(clinician).get(decision_url(visit)).context["form"]
    assert form["procedures"].value() == ["lip_uni"]
    assert form["rescreen_date"].value() == timezone.localdate() + dt.timedelta(days=90)
    assert services.default_rescreen_date(dt.date(2026, 12, 7)) == dt.date(2027, 3, 7)


def test_the_form_suggests_the_deferral_code_and_referral_of_the_failing_rule(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    record(visit, Station.VITALS, clinician, {**VITALS, "weight_kg": "6.0"})  # z far below −2
    form = as_user(clinician).get(decision_url(visit)).context["form"]
    assert (form["deferral_code"].value(), form["referral"].value()) == ("MALNUTRITION", "nutrition")


def test_a_surgeons_own_estimate_is_kept_and_the_catalog_sum_is_the_default(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    client = as_user(clinician)
    assert client.get(decision_url(visit)).context["form"]["estimated_minutes"].value() is None
    record(visit, Station.SURGICAL, clinician, {**SURGICAL, "estimated_minutes": "150"})
    assert client.get(decision_url(visit)).context["form"]["estimated_minutes"].value() == 150
    post(client, visit, outcome="accepted", procedures=["lip_uni"], estimated_minutes="150")
    assert Decision.objects.get(visit=visit).estimated_minutes == 150


def test_accepting_against_a_failing_rule_without_a_reason_is_refused_on_the_override_field(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    record(visit, Station.VITALS, clinician, {**VITALS, "haemoglobin": "9.9"})
    audit_before = AuditEntry.objects.count()

    response = post(in_english(as_user(clinician)), visit, outcome="accepted", procedures=["lip_uni"])

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["override_reason"]
    assert "Haemoglobin" in errors["override_reason"][0]
    assert 'id="id_override_reason_error"' in response.content.decode()
    assert not Decision.objects.filter(visit=visit).exists()
    assert ScreeningVisit.objects.get(pk=visit.pk).outcome == "registered"
    assert AuditEntry.objects.count() == audit_before


def test_accepting_against_a_failing_rule_keeps_the_reason_and_the_rules_in_the_audit_trail(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    record(visit, Station.VITALS, clinician, {**VITALS, "haemoglobin": "9.9"})
    reason = "Hb 9.9 ổn định, mổ môi ngắn, bác sĩ gây mê đồng ý"

    response = post(as_user(clinician), visit, outcome="accepted", procedures=["lip_uni"], override_reason=reason)

    assert response.status_code == 302
    decision = Decision.objects.get(visit=visit)
    assert (decision.override_reason, decision.failing_rules) == (reason, ["haemoglobin"])
    entry = AuditEntry.objects.filter(model="screening.decision").get()
    assert entry.actor == clinician
    assert entry.changes["override_reason"] == [None, reason]
    assert entry.changes["failing_rules"] == [None, ["haemoglobin"]]
    assert entry.changes["procedures"] == [[], ["lip_uni"]]


def test_an_override_reason_given_when_nothing_fails_is_not_kept(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    post(as_user(clinician), visit, outcome="accepted", procedures=["lip_uni"], override_reason="just in case")
    assert Decision.objects.get(visit=visit).override_reason == ""


def test_an_asa_3_child_accepted_by_the_anaesthesiologist_needs_no_override(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    client = as_user(clinician)
    record(visit, Station.ANESTHESIA, clinician, {"asa": "3", "airway": "normal"})
    assert post(client, visit, outcome="accepted", procedures=["lip_uni"]).status_code == 200
    record(visit, Station.ANESTHESIA, clinician, {"asa": "3", "airway": "normal", "accepts_higher_asa": "on"})
    assert post(client, visit, outcome="accepted", procedures=["lip_uni"]).status_code == 302
    assert Decision.objects.get(visit=visit).failing_rules == []


def test_the_rules_are_those_of_the_procedures_accepted(as_user: Any, clinician: Any, visit: ScreeningVisit) -> None:
    """A child of ten months is old enough for a lip repair but too young for a palate repair:
    accepting the palate needs an override, the lip does not."""
    visit.patient.date_of_birth = timezone.localdate() - dt.timedelta(days=300)
    visit.patient.save(update_fields=["date_of_birth"])
    client = as_user(clinician)
    assert post(client, visit, outcome="accepted", procedures=["palate"]).context["form"].errors["override_reason"]
    assert post(client, visit, outcome="accepted", procedures=["lip_uni"]).status_code == 302


def test_accepting_needs_the_procedures(as_user: Any, clinician: Any, visit: ScreeningVisit) -> None:
    response = post(as_user(clinician), visit, outcome="accepted")
    assert list(response.context["form"].errors) == ["procedures"]
    assert not Decision.objects.filter(visit=visit).exists()


def test_deferring_needs_a_reason_code_and_a_rescreen_date(as_user: Any, clinician: Any, visit: ScreeningVisit) -> None:
    response = post(as_user(clinician), visit, outcome="deferred", rescreen_date="")
    assert set(response.context["form"].errors) == {"deferral_code", "rescreen_date"}
    assert not Decision.objects.filter(visit=visit).exists()


def test_deferring_for_another_reason_needs_it_described(as_user: Any, clinician: Any, visit: ScreeningVisit) -> None:
    response = post(as_user(clinician), visit, outcome="deferred", deferral_code="OTHER", rescreen_date=in_days(90))
    assert list(response.context["form"].errors) == ["deferral_note"]


def test_a_rescreen_date_in_the_past_is_refused(as_user: Any, clinician: Any, visit: ScreeningVisit) -> None:
    response = post(as_user(clinician), visit, outcome="deferred", deferral_code="FEVER", rescreen_date=in_days(-1))
    assert list(response.context["form"].errors) == ["rescreen_date"]
    assert not Decision.objects.filter(visit=visit).exists()


def test_a_deferral_keeps_its_code_date_and_referral_and_the_visit_is_deferred(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    response = post(
        as_user(clinician),
        visit,
        outcome="deferred",
        deferral_code="MALNUTRITION",
        rescreen_date=in_days(90),
        referral="nutrition",
        procedures=["lip_uni"],
        priority="1",
    )
    assert response.status_code == 302
    decision = Decision.objects.get(visit=visit)
    assert (decision.deferral_code, decision.referral) == ("MALNUTRITION", "nutrition")
    assert decision.rescreen_date == timezone.localdate() + dt.timedelta(days=90)
    assert (decision.priority, decision.estimated_minutes, list(decision.procedures.all())) == (None, None, [])
    assert ScreeningVisit.objects.get(pk=visit.pk).outcome == "deferred"


def test_referring_needs_where(as_user: Any, clinician: Any, visit: ScreeningVisit) -> None:
    client = as_user(clinician)
    assert list(post(client, visit, outcome="referred").context["form"].errors) == ["referred_to"]
    assert (
        post(client, visit, outcome="referred", referred_to="Bệnh viện Tim Hà Nội", referral="cardiology").status_code
        == 302
    )
    assert ScreeningVisit.objects.get(pk=visit.pk).outcome == "referred"


def test_changing_the_decision_moves_the_visit_with_it_and_audits_the_change(
    as_user: Any, clinician: Any, visit: ScreeningVisit
) -> None:
    client = as_user(clinician)
    post(client, visit, outcome="accepted", procedures=["lip_uni"])
    response = client.post(
        decision_url(visit),
        {"version": "1", "outcome": "deferred", "deferral_code": "URI", "rescreen_date": in_days(30)},
    )
    assert response.status_code == 302
    decision = Decision.objects.get(visit=visit)
    assert (decision.outcome, decision.version, list(decision.procedures.all())) == ("deferred", 2, [])
    stored = ScreeningVisit.objects.get(pk=visit.pk)
    assert (stored.outcome, stored.procedure) == ("deferred", "")
    change = AuditEntry.objects.filter(model="screening.decision").order_by("at").last()
    assert change is not None
    assert change.changes["outcome"] == ["accepted", "deferred"]
    assert change.changes["procedures"] == [["lip_uni"], []]


def test_the_service_refuses_a_decision_missing_what_its_outcome_needs(clinician: Any, visit: ScreeningVisit) -> None:
    """The API saves through the same service: it cannot store less than the form asks."""
    cases: list[tuple[dict[str, Any], str]] = [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "accepted", "procedures": []}, "procedures"),
        ({"outcome": "deferred", "rescreen_date": timezone.localdate() + dt.timedelta(days=9)}, "deferral_code"),
        ({"outcome": "deferred", "deferral_code": "FEVER"}, "rescreen_date"),
        ({"outcome": "referred", "referred_to": " "}, "referred_to"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.record_decision(visit=visit, data=data, acting_user=clinician)
        assert field in refused.value.message_dict, data
    assert not Decision.objects.filter(visit=visit).exists()


def test_the_service_checks_the_rules_against_what_is_stored_now_not_a_stale_copy(
    clinician: Any, visit: ScreeningVisit
) -> None:
    """A visit read (with its evaluations) before someone recorded a low Hb still cannot be
    accepted without the override."""
    stale = ScreeningVisit.objects.prefetch_related("evaluations").get(pk=visit.pk)
    list(stale.evaluations.all())
    record(visit, Station.VITALS, clinician, {**VITALS, "haemoglobin": "8.0"})
    lip = list(Procedure.objects.filter(code="lip_uni"))
    with pytest.raises(ValidationError) as refused:
        services.record_decision(visit=stale, data={"outcome": "accepted", "procedures": lip}, acting_user=clinician)
    assert "override_reason" in refused.value.message_dict


def test_the_second_of_two_people_deciding_is_told_and_keeps_what_they_chose(
    as_user: Any, clinician: Any, coordinator: Any, visit: ScreeningVisit
) -> None:
    first, second = as_user(clinician), in_english(as_user(coordinator))
    assert first.get(decision_url(visit)).context["version"] == 0
    assert second.get(decision_url(visit)).context["version"] == 0
    assert post(first, visit, outcome="accepted", procedures=["lip_uni"]).status_code == 302

    response = post(second, visit, outcome="referred", referred_to="Bệnh viện Nhi Trung ương")

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this record while you were editing it." in page
    assert response.context["form"]["referred_to"].value() == "Bệnh viện Nhi Trung ương"
    assert response.context["version"] == 1
    outcome_row = next(
        r for r in response.context["conflict"] if r["label"] == response.context["form"].fields["outcome"].label
    )
    assert outcome_row["differs"]
    assert Decision.objects.get(visit=visit).outcome == "accepted"

    again = second.post(
        decision_url(visit), {"version": "1", "outcome": "referred", "referred_to": "Bệnh viện Nhi Trung ương"}
    )
    assert again.status_code == 302
    assert Decision.objects.get(visit=visit).outcome == "referred"
    assert ScreeningVisit.objects.get(pk=visit.pk).outcome == "referred"
