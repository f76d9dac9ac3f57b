"""The audit trail: every change made through the web pages says who, what, old and new;
saving without a change writes nothing; only coordinators and administrators read it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.core.tests.helpers import form_data, guardian_rows
from cleftmission.factories import CredentialFactory, GuardianFactory, VolunteerFactory
from cleftmission.patients.models import Guardian, Patient
from cleftmission.volunteers.models import Credential, Volunteer


def changes_by_model(instance: Any) -> dict[tuple[str, str], dict[str, list[Any]]]:
    """The record's trail as {(action, object_repr): changes}."""
    return {(e.action, e.object_repr): e.changes for e in audit.trail(instance)}


def open_and_save(client: Client, url: str, **changes: Any) -> Any:
    """Open the edit page, change some fields (or none) and save, as a user would."""
    page = client.get(url)
    assert page.status_code == 200
    forms = [page.context["form"]]
    if page.context.get("guardians") is not None:
        forms.append(page.context["guardians"])
    data = form_data(*forms)
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return response


def test_registering_a_child_records_the_child_guardian_and_visit_with_the_registrar_as_actor(
    as_user: Any, registrar: Any, mission: Any
) -> None:
    data = {
        "mission": mission.pk,
        "family_name": "Vũ",
        "given_name": "Hải",
        "sex": "M",
        "date_of_birth": "2025-01-15",
        "province": "Hà Nội",
        **guardian_rows({"name": "Vũ Thị Mai", "relation": "mother", "phone": "0912 345 678"}),
    }
    assert as_user(registrar).post("/children/new/", data).status_code == 302
    child = Patient.objects.get(given_name="Hải")

    entries = list(audit.trail(child))
    assert len(entries) == 3
    assert {e.actor for e in entries} == {registrar}
    assert {e.action for e in entries} == {AuditEntry.Action.CREATE}
    trail = changes_by_model(child)
    created = trail[("create", "Vũ Hải")]
    assert created["family_name"] == [None, "Vũ"]
    assert created["date_of_birth"] == [None, "2025-01-15"]
    assert created["record_number"] == [None, child.record_number]
    # A guardian reads "name (relation)", the relation in the page's language.
    guardian = next(changes for (_, name), changes in trail.items() if name.startswith("Vũ Thị Mai"))
    assert guardian["phone"] == [None, "+84912345678"]
    assert guardian["name"] == [None, "Vũ Thị Mai"]


def test_editing_a_child_and_guardian_records_only_the_changed_fields_with_old_and_new_values(
    as_user: Any, coordinator: Any, child: Any
) -> None:
    guardian: Any = GuardianFactory(patient=child, name="Lê Thị Hoa", phone="+84912345678")
    open_and_save(
        as_user(coordinator),
        f"/children/{child.pk}/edit/",
        given_name="Ân",
        lahshal="LAHSHAL",
        **{"guardians-0-phone": "0987 654 321"},
    )
    entries = list(audit.trail(child))
    assert len(entries) == 2
    assert all(e.action == AuditEntry.Action.UPDATE and e.actor == coordinator for e in entries)
    by_kind = {e.object_repr.startswith("Lê Thị Hoa"): e.changes for e in entries}
    assert by_kind[False] == {"given_name": ["An", "Ân"], "lahshal": ["L......", "LAHSHAL"]}
    assert by_kind[True] == {"phone": ["+84912345678", "+84987654321"]}
    guardian.refresh_from_db()
    assert guardian.phone == "+84987654321"


def test_removing_a_guardian_records_what_was_removed(as_user: Any, coordinator: Any, child: Any) -> None:
    GuardianFactory(patient=child, name="Lê Thị Hoa", phone="+84912345678")
    open_and_save(as_user(coordinator), f"/children/{child.pk}/edit/", **{"guardians-0-DELETE": "on"})
    assert not Guardian.objects.filter(patient=child).exists()
    (entry,) = audit.trail(child)
    assert (entry.action, entry.actor) == (AuditEntry.Action.DELETE, coordinator)
    assert entry.changes["phone"] == ["+84912345678", None]


@pytest.mark.parametrize("persona", ["coordinator", "registrar", "clinician"])
def test_saving_a_child_without_a_change_writes_nothing(
    request: pytest.FixtureRequest, as_user: Any, child: Any, persona: str
) -> None:
    GuardianFactory(patient=child, phone="+84912345678")
    before = AuditEntry.objects.count()
    open_and_save(as_user(request.getfixturevalue(persona)), f"/children/{child.pk}/edit/")
    assert AuditEntry.objects.count() == before


def test_typing_the_same_guardian_phone_in_another_form_writes_nothing(
    as_user: Any, coordinator: Any, child: Any
) -> None:
    GuardianFactory(patient=child, phone="+84912345678")
    before = AuditEntry.objects.count()
    open_and_save(as_user(coordinator), f"/children/{child.pk}/edit/", **{"guardians-0-phone": "0912 345 678"})
    assert AuditEntry.objects.count() == before


def test_creating_and_editing_a_volunteer_records_actor_and_values(as_user: Any, coordinator: Any) -> None:
    client = as_user(coordinator)
    data = {"family_name": "Hoàng", "given_name": "Yến", "specialty": "nurse", "origin": "in_country",
            "phone": "0901 234 567"}  # fmt: skip
    assert client.post("/volunteers/new/", data).status_code == 302
    volunteer = Volunteer.objects.get(given_name="Yến")
    (created,) = audit.trail(volunteer)
    assert (created.action, created.actor) == (AuditEntry.Action.CREATE, coordinator)
    assert created.changes["phone"] == [None, "+84901234567"]
    assert created.changes["specialty"] == [None, "nurse"]

    open_and_save(client, f"/volunteers/{volunteer.pk}/edit/", specialty="anesthesiologist")
    updated = audit.trail(volunteer).first()
    assert updated is not None
    assert (updated.action, updated.actor) == (AuditEntry.Action.UPDATE, coordinator)
    assert updated.changes == {"specialty": ["nurse", "anesthesiologist"]}


def test_saving_a_volunteer_without_a_change_writes_nothing(as_user: Any, coordinator: Any) -> None:
    volunteer: Any = VolunteerFactory(phone="+84901234567", email="yen@example.org")
    open_and_save(as_user(coordinator), f"/volunteers/{volunteer.pk}/edit/")
    assert not AuditEntry.objects.exists()


def test_a_credential_added_changed_and_removed_is_on_the_volunteers_trail(as_user: Any, coordinator: Any) -> None:
    client = as_user(coordinator)
    volunteer: Any = VolunteerFactory()
    data = {"kind": "bls", "number": "BLS-1", "issuer": "AHA", "valid_from": "2025-01-01", "valid_to": "2027-01-01"}
    assert client.post(f"/volunteers/{volunteer.pk}/credentials/new/", data).status_code == 302
    credential = Credential.objects.get(volunteer=volunteer)
    (created,) = audit.trail(volunteer)
    assert (created.action, created.actor) == (AuditEntry.Action.CREATE, coordinator)
    assert created.changes["valid_to"] == [None, "2027-01-01"]
    assert created.changes["kind"] == [None, "bls"]

    open_and_save(client, f"/volunteers/{volunteer.pk}/credentials/{credential.pk}/edit/", valid_to="2028-06-30")
    updated = audit.trail(volunteer).first()
    assert updated is not None
    assert updated.changes == {"valid_to": ["2027-01-01", "2028-06-30"]}

    response = client.post(f"/volunteers/{volunteer.pk}/credentials/{credential.pk}/delete/")
    assert response.status_code == 302
    removed = audit.trail(volunteer).first()
    assert removed is not None
    assert (removed.action, removed.actor) == (AuditEntry.Action.DELETE, coordinator)
    assert removed.changes["number"] == ["BLS-1", None]
    assert audit.trail(volunteer).count() == 3


def test_saving_a_credential_without_a_change_writes_nothing(as_user: Any, coordinator: Any) -> None:
    credential: Any = CredentialFactory(valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2027, 1, 1))
    open_and_save(as_user(coordinator), f"/volunteers/{credential.volunteer.pk}/credentials/{credential.pk}/edit/")
    assert not AuditEntry.objects.exists()


def test_saving_a_mission_without_a_change_writes_nothing(as_user: Any, coordinator: Any, mission: Any) -> None:
    open_and_save(as_user(coordinator), f"/missions/{mission.pk}/edit/")
    assert not AuditEntry.objects.exists()


def test_editing_a_mission_threshold_records_old_and_new(as_user: Any, coordinator: Any, mission: Any) -> None:
    open_and_save(as_user(coordinator), f"/missions/{mission.pk}/edit/", min_haemoglobin="9.5")
    (entry,) = audit.trail(mission)
    assert entry.changes == {"min_haemoglobin": ["10.0", "9.5"]}


@pytest.fixture
def changed_child(as_user: Any, coordinator: Any, child: Any) -> Any:
    """A child whose name the coordinator corrected from "Bích" to "An"."""
    Patient.objects.filter(pk=child.pk).update(given_name="Bích")
    open_and_save(as_user(coordinator), f"/children/{child.pk}/edit/", given_name="An")
    return child


@pytest.mark.parametrize("persona", ["coordinator", "admin_user"])
def test_coordinators_and_administrators_read_the_trail_on_the_childs_page(
    request: pytest.FixtureRequest, as_user: Any, changed_child: Any, persona: str
) -> None:
    response = as_user(request.getfixturevalue(persona)).get(f"/children/{changed_child.pk}/")
    assert [e.changes for e in response.context["trail"]] == [{"given_name": ["Bích", "An"]}]
    page = response.content.decode()
    assert "Bích" in page
    assert "cora-coordinator" in page


@pytest.mark.parametrize("persona", ["clinician", "registrar", "viewer"])
def test_the_trail_is_hidden_from_clinicians_registrars_and_viewers(
    request: pytest.FixtureRequest, as_user: Any, changed_child: Any, persona: str
) -> None:
    response = as_user(request.getfixturevalue(persona)).get(f"/children/{changed_child.pk}/")
    assert response.status_code == 200
    assert response.context["trail"] is None
    page = response.content.decode()
    assert "Bích" not in page
    assert "cora-coordinator" not in page


def test_the_volunteer_and_mission_trails_are_shown_to_coordinators_and_hidden_from_viewers(
    as_user: Any, coordinator: Any, viewer: Any, mission: Any
) -> None:
    volunteer: Any = VolunteerFactory(specialty="nurse")
    open_and_save(as_user(coordinator), f"/volunteers/{volunteer.pk}/edit/", specialty="dentist")
    open_and_save(as_user(coordinator), f"/missions/{mission.pk}/edit/", notes="Mang thêm găng tay")
    for url in (f"/volunteers/{volunteer.pk}/", f"/missions/{mission.pk}/"):
        assert len(as_user(coordinator).get(url).context["trail"]) == 1, url
        response = as_user(viewer).get(url)
        assert response.context["trail"] is None, url
        assert "cora-coordinator" not in response.content.decode(), url
