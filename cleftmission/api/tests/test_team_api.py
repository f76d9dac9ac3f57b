"""/missions/{id}/members, /missions/{id}/team, /missions/{id}/present and /credentials:
a mission's team, its checks, who the operating schedule can count on each day, and the
verification of credential documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile

from cleftmission.api.tests.conftest import ApiClient, fields_named
from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.factories import CredentialFactory, MissionFactory, MissionMemberFactory, VolunteerFactory
from cleftmission.volunteers.models import Credential, MissionMember

# The `mission` persona runs from Monday 7 to Friday 11 December 2026, four tables a day.
DAYS = ["2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11"]
PHYSICIAN = ["licence", "specialty_diploma", "board_certification", "bls", "pals"]


def delete(api: ApiClient, path: str) -> Any:
    return api.client.delete("/api/v1" + path)


def credentialed(specialty: str = "plastic_surgeon", **fields: Any) -> Any:
    """A volunteer holding every credential their specialty needs, valid well past December 2026."""
    volunteer: Any = VolunteerFactory(specialty=specialty, **fields)
    for kind in PHYSICIAN:
        CredentialFactory(volunteer=volunteer, kind=kind, valid_to=dt.date(2030, 1, 1))
    return volunteer


def nobody_changed_the_team(mission: Any, before: int) -> None:
    assert MissionMember.objects.filter(mission=mission).count() == before
    assert not AuditEntry.objects.exists()


# ---- reading the team ---------------------------------------------------------------------


def test_a_viewer_lists_the_team_with_each_member_s_days_and_problems(viewer: Any, mission: Any, api_as: Any) -> None:
    ready = credentialed(family_name="Lê", given_name="Hùng", prior_missions=2)
    MissionMemberFactory(mission=mission, volunteer=ready)
    lacking: Any = VolunteerFactory(family_name="Ngô", given_name="Lan", specialty="anesthesiologist")
    CredentialFactory(volunteer=lacking, kind="bls", valid_to=dt.date(2026, 12, 9))
    MissionMemberFactory(mission=mission, volunteer=lacking, days=DAYS[1:3])

    response = api_as(viewer).get(f"/missions/{mission.pk}/members")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    surgeon, anesthesiologist = body["items"]  # the template's order: surgeons first
    assert surgeon["volunteer"] == {
        "id": ready.pk,
        "name": "Lê Hùng",
        "specialty": "plastic_surgeon",
        "origin": "in_country",
    }
    assert (surgeon["role"], surgeon["days"], surgeon["problems"]) == ("plastic_surgeon", DAYS, [])
    assert anesthesiologist["days"] == DAYS[1:3]
    codes = {p["code"] for p in anesthesiologist["problems"]}
    assert {"credential_missing", "credential_ends_during_mission"} <= codes
    assert all(p["severity"] == "problem" and p["message"] for p in anesthesiologist["problems"])
    assert any("BLS expires on 09 Dec 2026" in p["message"] for p in anesthesiologist["problems"])


def test_a_member_on_another_mission_at_the_same_dates_is_shown_double_booked(
    coordinator: Any, mission: Any, api_as: Any
) -> None:
    volunteer = credentialed()
    MissionMemberFactory(mission=mission, volunteer=volunteer)
    elsewhere: Any = MissionFactory(
        name="Huế tháng 12", start_date=dt.date(2026, 12, 10), end_date=dt.date(2026, 12, 13)
    )
    MissionMemberFactory(mission=elsewhere, volunteer=volunteer)
    [member] = api_as(coordinator).get(f"/missions/{mission.pk}/members").json()["items"]
    assert [p["code"] for p in member["problems"]] == ["double_booked"]
    assert "Huế tháng 12" in member["problems"][0]["message"]


def test_the_team_report_gives_the_template_s_lines_the_balance_and_each_day_s_cover(
    coordinator: Any, mission: Any, api_as: Any
) -> None:
    for n in range(4):
        MissionMemberFactory(mission=mission, volunteer=credentialed(prior_missions=n))  # one first-timer
    late = credentialed(specialty="anesthesiologist", origin="international", prior_missions=1)
    MissionMemberFactory(mission=mission, volunteer=late, days=DAYS[1:])

    response = api_as(coordinator).get(f"/missions/{mission.pk}/team")

    assert response.status_code == 200
    report = response.json()
    assert (report["mission_id"], report["size"], report["cap"]) == (mission.pk, 5, 60)
    assert (report["first_timers"], report["first_timer_pct"]) == (1, 20.0)
    assert (report["first_timers_min_pct"], report["first_timers_max_pct"]) == (10, 40)
    assert (report["in_country"], report["in_country_pct"]) == (4, 80.0)
    lines = {line["role"]: line for line in report["staffing"]}
    assert lines["plastic_surgeon"] == {"role": "plastic_surgeon", "needed": 4, "on_team": 4, "gap": 0, "surplus": 0}
    assert lines["anesthesiologist"] == {"role": "anesthesiologist", "needed": 4, "on_team": 1, "gap": 3, "surplus": 0}
    assert lines["or_nurse"]["gap"] == 8
    assert report["days"][0] == {"day": "2026-12-07", "tables": 4, "surgeons": 4, "anesthesiologists": 0}
    assert report["days"][1] == {"day": "2026-12-08", "tables": 4, "surgeons": 4, "anesthesiologists": 1}
    assert len(report["days"]) == 5
    gaps = [p for p in report["problems"] if p["code"] == "gap"]
    assert any(p["message"] == "Anesthesiologist: 3 missing (1 of 4)" for p in gaps)
    assert report["problem_count"] == len(gaps)  # every member is credentialed and free


def test_the_schedule_reads_the_surgeons_and_anesthesiologists_present_each_day(
    viewer: Any, mission: Any, api_as: Any
) -> None:
    surgeon: Any = MissionMemberFactory(mission=mission, volunteer=credentialed(family_name="Lê", given_name="Hùng"))
    late: Any = MissionMemberFactory(
        mission=mission, volunteer=credentialed(specialty="anesthesiologist", family_name="Mai", given_name="An")
    )
    late.days = DAYS[2:]
    late.save()
    nurse: Any = MissionMemberFactory(mission=mission, volunteer=VolunteerFactory(specialty="nurse"))

    api = api_as(viewer)
    response = api.get(f"/missions/{mission.pk}/present")

    assert response.status_code == 200
    present = response.json()
    assert list(present) == DAYS
    assert present["2026-12-07"] == [
        {"member_id": surgeon.pk, "volunteer_id": surgeon.volunteer_id, "name": "Lê Hùng", "role": "plastic_surgeon"}
    ]
    assert [p["member_id"] for p in present["2026-12-09"]] == [surgeon.pk, late.pk]
    nurses = api.get(f"/missions/{mission.pk}/present", {"roles": "or_nurse"}).json()
    assert all([p["member_id"] for p in day] == [nurse.pk] for day in nurses.values())


def test_the_schedule_s_roles_must_be_roles_on_a_team(viewer: Any, mission: Any, api_as: Any) -> None:
    response = api_as(viewer).get(f"/missions/{mission.pk}/present", {"roles": "plastic_surgeon,surgeon"})
    assert response.status_code == 422
    assert fields_named(response) == {"roles"}
    assert "surgeon" in response.json()["errors"][0]["message"]


def test_the_team_of_an_unknown_mission_is_404(coordinator: Any, api_as: Any) -> None:
    api = api_as(coordinator)
    for path in ("/missions/999999/members", "/missions/999999/team", "/missions/999999/present"):
        response = api.get(path)
        assert response.status_code == 404
        assert fields_named(response) == set()
    assert api.post("/missions/999999/members", {"volunteer_id": 1, "role": "dentist", "days": []}).status_code == 404


# ---- changing the team --------------------------------------------------------------------


def test_a_coordinator_adds_a_member_and_it_is_audited_on_the_mission(
    coordinator: Any, mission: Any, api_as: Any
) -> None:
    volunteer: Any = VolunteerFactory(specialty="nurse", family_name="Phan", given_name="Thu")

    response = api_as(coordinator).post(
        f"/missions/{mission.pk}/members",
        {"volunteer_id": volunteer.pk, "role": "recovery_nurse", "days": ["2026-12-09", "2026-12-08"]},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    member = MissionMember.objects.get(mission=mission, volunteer=volunteer)
    assert (body["id"], body["role"], body["days"]) == (member.pk, "recovery_nurse", ["2026-12-08", "2026-12-09"])
    assert (member.role, member.days) == ("recovery_nurse", ["2026-12-08", "2026-12-09"])
    assert body["volunteer"]["name"] == "Phan Thu"
    assert {p["code"] for p in body["problems"]} == {"credential_missing"}  # no nursing licence, BLS, PALS
    [entry] = audit.trail(mission)
    assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, coordinator)


def test_an_unknown_volunteer_is_refused_naming_volunteer_id(coordinator: Any, mission: Any, api_as: Any) -> None:
    api = api_as(coordinator)
    for volunteer_id in (999999, 0, 2**70):
        response = api.post(
            f"/missions/{mission.pk}/members", {"volunteer_id": volunteer_id, "role": "dentist", "days": DAYS}
        )
        assert response.status_code == 422, volunteer_id
        assert fields_named(response) == {"volunteer_id"}
    nobody_changed_the_team(mission, 0)


def test_a_volunteer_already_on_the_team_is_refused_naming_volunteer(
    coordinator: Any, mission: Any, api_as: Any
) -> None:
    member: Any = MissionMemberFactory(mission=mission)
    response = api_as(coordinator).post(
        f"/missions/{mission.pk}/members",
        {"volunteer_id": member.volunteer_id, "role": "plastic_surgeon", "days": DAYS},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "volunteer", "message": "This volunteer is already on the team."}]
    nobody_changed_the_team(mission, 1)


@pytest.mark.parametrize(
    "days",
    [["2026-12-06"], ["2026-12-11", "2026-12-12"], []],
    ids=["before the mission", "after the mission", "no day at all"],
)
def test_days_present_outside_the_mission_or_none_are_refused_naming_days(
    coordinator: Any, mission: Any, api_as: Any, days: list[str]
) -> None:
    volunteer: Any = VolunteerFactory()
    response = api_as(coordinator).post(
        f"/missions/{mission.pk}/members", {"volunteer_id": volunteer.pk, "role": "plastic_surgeon", "days": days}
    )
    assert response.status_code == 422
    assert fields_named(response) == {"days"}
    nobody_changed_the_team(mission, 0)


def test_a_day_that_is_not_a_date_is_refused_naming_it(coordinator: Any, mission: Any, api_as: Any) -> None:
    volunteer: Any = VolunteerFactory()
    response = api_as(coordinator).post(
        f"/missions/{mission.pk}/members",
        {"volunteer_id": volunteer.pk, "role": "plastic_surgeon", "days": ["2026-12-07", "08/12/2026"]},
    )
    assert response.status_code == 422
    assert fields_named(response) == {"days.1"}
    nobody_changed_the_team(mission, 0)


def test_a_role_that_is_not_a_team_role_is_refused_naming_role(coordinator: Any, mission: Any, api_as: Any) -> None:
    volunteer: Any = VolunteerFactory(specialty="nurse")
    response = api_as(coordinator).post(
        f"/missions/{mission.pk}/members", {"volunteer_id": volunteer.pk, "role": "nurse", "days": DAYS}
    )
    assert response.status_code == 422
    assert fields_named(response) == {"role"}
    nobody_changed_the_team(mission, 0)


def test_a_team_at_its_cap_takes_nobody_more(coordinator: Any, api_as: Any) -> None:
    mission: Any = MissionFactory(team_size_cap=2)
    MissionMemberFactory.create_batch(2, mission=mission)
    volunteer: Any = VolunteerFactory()
    response = api_as(coordinator).post(
        f"/missions/{mission.pk}/members", {"volunteer_id": volunteer.pk, "role": "plastic_surgeon", "days": DAYS}
    )
    assert response.status_code == 422
    assert fields_named(response) == {"volunteer"}
    assert "size cap of 2" in response.json()["errors"][0]["message"]
    nobody_changed_the_team(mission, 2)


def test_a_body_that_is_not_json_or_has_unknown_fields_is_refused(coordinator: Any, mission: Any, api_as: Any) -> None:
    api = api_as(coordinator)
    path = f"/api/v1/missions/{mission.pk}/members"
    response = api.client.post(path, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert fields_named(response) == set()
    volunteer: Any = VolunteerFactory()
    response = api.post(
        f"/missions/{mission.pk}/members",
        {"volunteer_id": volunteer.pk, "role": "plastic_surgeon", "days": DAYS, "lead": True},
    )
    assert response.status_code == 422
    assert fields_named(response) == {"lead"}
    nobody_changed_the_team(mission, 0)


def test_a_coordinator_changes_a_member_s_role_and_days_and_it_is_audited(
    coordinator: Any, mission: Any, api_as: Any
) -> None:
    member: Any = MissionMemberFactory(mission=mission, volunteer=VolunteerFactory(specialty="nurse"))
    api = api_as(coordinator)

    response = api.patch(f"/missions/{mission.pk}/members/{member.pk}", {"role": "ward_nurse"})
    assert response.status_code == 200, response.content
    assert (response.json()["role"], response.json()["days"]) == ("ward_nurse", DAYS)

    response = api.patch(f"/missions/{mission.pk}/members/{member.pk}", {"days": ["2026-12-10", "2026-12-11"]})
    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.role, member.days) == ("ward_nurse", ["2026-12-10", "2026-12-11"])
    entries = list(audit.trail(mission).order_by("id"))
    assert [e.changes for e in entries] == [
        {"role": ["or_nurse", "ward_nurse"]},
        {"days": [DAYS, ["2026-12-10", "2026-12-11"]]},
    ]
    assert {e.actor for e in entries} == {coordinator}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"days": ["2026-12-12"]}, "days"),
        ({"days": []}, "days"),
        ({"days": None}, "days"),
        ({"role": "surgeon"}, "role"),
        ({"role": None}, "role"),
        ({"volunteer_id": 3}, "volunteer_id"),
    ],
)
def test_a_bad_change_to_a_member_changes_nothing(
    coordinator: Any, mission: Any, api_as: Any, change: dict[str, Any], field: str
) -> None:
    member: Any = MissionMemberFactory(mission=mission)
    response = api_as(coordinator).patch(f"/missions/{mission.pk}/members/{member.pk}", change)
    assert response.status_code == 422
    assert fields_named(response) == {field}
    member.refresh_from_db()
    assert (member.role, member.days) == ("plastic_surgeon", DAYS)
    nobody_changed_the_team(mission, 1)


def test_a_coordinator_removes_a_member_and_it_is_audited(coordinator: Any, mission: Any, api_as: Any) -> None:
    member: Any = MissionMemberFactory(mission=mission)
    response = delete(api_as(coordinator), f"/missions/{mission.pk}/members/{member.pk}")
    assert response.status_code == 204
    assert response.content == b""
    assert not MissionMember.objects.exists()
    [entry] = audit.trail(mission)
    assert (entry.action, entry.actor) == (AuditEntry.Action.DELETE, coordinator)


def test_a_member_is_changed_only_under_their_own_mission(
    coordinator: Any, mission: Any, other_mission: Any, api_as: Any
) -> None:
    member: Any = MissionMemberFactory(mission=other_mission)
    api = api_as(coordinator)
    assert api.patch(f"/missions/{mission.pk}/members/{member.pk}", {"role": "dentist"}).status_code == 404
    assert delete(api, f"/missions/{mission.pk}/members/{member.pk}").status_code == 404
    assert delete(api, f"/missions/{mission.pk}/members/999999").status_code == 404
    member.refresh_from_db()
    assert member.role == "plastic_surgeon"
    assert not AuditEntry.objects.exists()


def test_an_administrator_changes_the_team_too(admin_user: Any, mission: Any, api_as: Any) -> None:
    volunteer: Any = VolunteerFactory()
    response = api_as(admin_user).post(
        f"/missions/{mission.pk}/members", {"volunteer_id": volunteer.pk, "role": "plastic_surgeon", "days": DAYS}
    )
    assert response.status_code == 201


# ---- who may --------------------------------------------------------------------------------


def test_clinicians_registrars_and_volunteers_may_not_read_the_team_or_the_credentials(
    clinician: Any, registrar: Any, volunteer_user: Any, outsider: Any, mission: Any, api_as: Any
) -> None:
    credential: Any = CredentialFactory()
    paths = [
        f"/missions/{mission.pk}/members",
        f"/missions/{mission.pk}/team",
        f"/missions/{mission.pk}/present",
        "/credentials",
        f"/credentials/{credential.pk}",
    ]
    for user in (clinician, registrar, volunteer_user, outsider):
        api = api_as(user)
        for path in paths:
            response = api.get(path)
            assert response.status_code == 403, (user.username, path)
            assert fields_named(response) == set()


def test_only_coordinators_and_administrators_change_the_team(
    viewer: Any, clinician: Any, registrar: Any, volunteer_user: Any, mission: Any, api_as: Any
) -> None:
    member = MissionMember.objects.get(volunteer__user=volunteer_user)
    volunteer: Any = VolunteerFactory()
    credential: Any = CredentialFactory(verification=Credential.Verification.PENDING)
    for user in (viewer, clinician, registrar, volunteer_user):
        api = api_as(user)
        body = {"volunteer_id": volunteer.pk, "role": "plastic_surgeon", "days": DAYS}
        assert api.post(f"/missions/{mission.pk}/members", body).status_code == 403
        assert api.patch(f"/missions/{mission.pk}/members/{member.pk}", {"role": "or_nurse"}).status_code == 403
        assert delete(api, f"/missions/{mission.pk}/members/{member.pk}").status_code == 403
        response = api.post(f"/credentials/{credential.pk}/verification", {"status": "verified"})
        assert response.status_code == 403
    member.refresh_from_db()
    assert member.role == "ward_nurse"
    assert MissionMember.objects.filter(mission=mission).count() == 3  # the clinician, the registrar, the nurse
    credential.refresh_from_db()
    assert credential.verification == Credential.Verification.PENDING
    assert not AuditEntry.objects.exists()


def test_a_caller_without_a_token_is_asked_for_one(mission: Any) -> None:
    member: Any = MissionMemberFactory(mission=mission)
    api = ApiClient()
    for response in (
        api.get(f"/missions/{mission.pk}/members"),
        api.get(f"/missions/{mission.pk}/team"),
        api.get(f"/missions/{mission.pk}/present"),
        api.get("/credentials"),
        api.post(f"/missions/{mission.pk}/members", {"volunteer_id": 1, "role": "dentist", "days": DAYS}),
        api.patch(f"/missions/{mission.pk}/members/{member.pk}", {"role": "dentist"}),
        delete(api, f"/missions/{mission.pk}/members/{member.pk}"),
        api.post("/credentials/1/verification", {"status": "verified"}),
    ):
        assert response.status_code == 401
        assert fields_named(response) == set()
    assert MissionMember.objects.get().role == "plastic_surgeon"


def test_a_coordinator_s_browser_session_reads_but_does_not_change_the_team(
    coordinator: Any, mission: Any, as_user: Any
) -> None:
    member: Any = MissionMemberFactory(mission=mission)
    client = as_user(coordinator)
    assert client.get(f"/api/v1/missions/{mission.pk}/members").status_code == 200
    response = client.delete(f"/api/v1/missions/{mission.pk}/members/{member.pk}")
    assert response.status_code == 401
    assert MissionMember.objects.filter(pk=member.pk).exists()


# ---- credentials and their verification -----------------------------------------------------


def pending(**fields: Any) -> Any:
    credential: Any = CredentialFactory(verification=Credential.Verification.PENDING, **fields)
    credential.document.save("scan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return credential


def test_the_documents_waiting_for_verification_are_listed_one_page_at_a_time(viewer: Any, api_as: Any) -> None:
    volunteer: Any = VolunteerFactory(family_name="Đỗ", given_name="Hà")
    waiting = [pending(volunteer=volunteer, kind=kind) for kind in ("bls", "pals", "licence")]
    CredentialFactory(volunteer=volunteer, kind="passport")  # verified
    api = api_as(viewer)

    response = api.get("/credentials", {"verification": "pending", "limit": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [c["id"] for c in body["items"]] == [waiting[0].pk, waiting[1].pk]
    first = body["items"][0]
    assert (first["volunteer"], first["volunteer_name"], first["kind"]) == (volunteer.pk, "Đỗ Hà", "bls")
    assert (first["verification"], first["rejection_reason"], first["verified_by"]) == ("pending", "", None)
    assert first["document_url"] == f"/volunteers/{volunteer.pk}/credentials/{waiting[0].pk}/document/"
    rest = api.get("/credentials", {"verification": "pending", "limit": 2, "offset": 2}).json()
    assert [c["id"] for c in rest["items"]] == [waiting[2].pk]
    assert api.get("/credentials").json()["count"] == 4
    assert api.get("/credentials", {"volunteer": volunteer.pk, "verification": "verified"}).json()["count"] == 1


def test_an_unknown_verification_state_is_refused_naming_it(viewer: Any, api_as: Any) -> None:
    response = api_as(viewer).get("/credentials", {"verification": "waiting"})
    assert response.status_code == 422
    assert fields_named(response) == {"verification"}


def test_one_credential_is_read_with_its_verification(viewer: Any, api_as: Any) -> None:
    credential: Any = CredentialFactory(
        kind="pals", verification=Credential.Verification.REJECTED, rejection_reason="The scan is unreadable."
    )
    api = api_as(viewer)
    body = api.get(f"/credentials/{credential.pk}").json()
    assert (body["kind"], body["verification"], body["rejection_reason"]) == (
        "pals",
        "rejected",
        "The scan is unreadable.",
    )
    assert body["document_url"] is None
    assert api.get("/credentials/999999").status_code == 404


def test_a_coordinator_verifies_a_document(coordinator: Any, api_as: Any) -> None:
    credential = pending(kind="bls")
    response = api_as(coordinator).post(f"/credentials/{credential.pk}/verification", {"status": "verified"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["verification"], body["verified_by"]) == ("verified", coordinator.username)
    assert body["verified_at"]
    credential.refresh_from_db()
    assert (credential.verification, credential.verified_by) == (Credential.Verification.VERIFIED, coordinator)
    assert AuditEntry.objects.filter(actor=coordinator).exists()


def test_a_coordinator_rejects_a_document_saying_why(coordinator: Any, api_as: Any) -> None:
    credential = pending(kind="pals")
    response = api_as(coordinator).post(
        f"/credentials/{credential.pk}/verification", {"status": "rejected", "reason": "The certificate has expired."}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["verification"], response.json()["rejection_reason"]) == (
        "rejected",
        "The certificate has expired.",
    )
    credential.refresh_from_db()
    assert (credential.verification, credential.rejection_reason) == (
        Credential.Verification.REJECTED,
        "The certificate has expired.",
    )
    assert AuditEntry.objects.filter(actor=coordinator).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_without_a_reason_is_refused_naming_reason(coordinator: Any, api_as: Any, reason: str) -> None:
    credential = pending(kind="pals")
    response = api_as(coordinator).post(
        f"/credentials/{credential.pk}/verification", {"status": "rejected", "reason": reason}
    )
    assert response.status_code == 422
    assert fields_named(response) == {"reason"}
    credential.refresh_from_db()
    assert (credential.verification, credential.rejection_reason) == (Credential.Verification.PENDING, "")
    assert not AuditEntry.objects.exists()


def test_a_verification_that_is_neither_verified_nor_rejected_is_refused_naming_status(
    coordinator: Any, api_as: Any
) -> None:
    credential = pending(kind="pals")
    api = api_as(coordinator)
    for body in ({"status": "pending"}, {"status": "ok"}, {}):
        response = api.post(f"/credentials/{credential.pk}/verification", body)
        assert response.status_code == 422, body
        assert fields_named(response) == {"status"}
    assert api.post("/credentials/999999/verification", {"status": "verified"}).status_code == 404
    credential.refresh_from_db()
    assert credential.verification == Credential.Verification.PENDING
    assert not AuditEntry.objects.exists()
