"""/volunteers: the people on mission teams."""

from __future__ import annotations

from typing import Any

from cleftmission.api.tests.conftest import fields_named
from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.factories import VolunteerFactory
from cleftmission.volunteers.models import Volunteer


def new_volunteer(**changes: Any) -> dict[str, Any]:
    return {
        "family_name": "Đỗ",
        "given_name": "Thị Hương",
        "specialty": "anesthesiologist",
        "origin": "in_country",
        **changes,
    }


def test_the_list_answers_items_and_count(viewer: Any, api_as: Any) -> None:
    VolunteerFactory(family_name="Bùi", given_name="Lan")
    VolunteerFactory(family_name="Anderson", given_name="Kate", origin="international")
    body = api_as(viewer).get("/volunteers").json()
    assert body["count"] == 2
    assert [v["full_name"] for v in body["items"]] == ["Anderson Kate", "Bùi Lan"]


def test_the_list_searches_names_without_diacritics_and_filters(coordinator: Any, api_as: Any) -> None:
    VolunteerFactory(family_name="Đặng", given_name="Văn Hùng", specialty="nurse")
    VolunteerFactory(family_name="Đặng", given_name="Thu", specialty="dentist")
    api = api_as(coordinator)
    assert [v["given_name"] for v in api.get("/volunteers", {"q": "dang hung"}).json()["items"]] == ["Văn Hùng"]
    assert [v["given_name"] for v in api.get("/volunteers", {"specialty": "dentist"}).json()["items"]] == ["Thu"]


def test_a_volunteer_is_read_with_contact_fields(viewer: Any, api_as: Any) -> None:
    volunteer: Any = VolunteerFactory(email="huong@example.org", phone="+84912345678")
    response = api_as(viewer).get(f"/volunteers/{volunteer.pk}")
    assert response.status_code == 200
    assert response.json()["email"] == "huong@example.org"


def test_clinicians_and_registrars_do_not_see_volunteers(clinician: Any, registrar: Any, api_as: Any) -> None:
    volunteer: Any = VolunteerFactory()
    for user in (clinician, registrar):
        api = api_as(user)
        assert api.get("/volunteers").status_code == 403
        assert api.get(f"/volunteers/{volunteer.pk}").status_code == 403


def test_a_coordinator_adds_a_volunteer_whose_phone_is_stored_dialable_and_it_is_audited(
    coordinator: Any, api_as: Any
) -> None:
    response = api_as(coordinator).post("/volunteers", new_volunteer(phone="0912 345 678"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "+84912345678"
    volunteer = Volunteer.objects.get(pk=body["id"])
    assert volunteer.search_name == "do thi huong"
    [entry] = audit.trail(volunteer)
    assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, coordinator)


def test_a_volunteer_with_a_phone_that_is_not_a_phone_is_refused(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).post("/volunteers", new_volunteer(phone="12"))
    assert response.status_code == 422
    assert fields_named(response) == {"phone"}
    assert not Volunteer.objects.exists()


def test_a_volunteer_with_an_unknown_specialty_or_a_bad_email_is_refused(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).post("/volunteers", new_volunteer(specialty="wizard", email="not-an-email"))
    assert response.status_code == 422
    assert fields_named(response) == {"specialty", "email"}
    assert not Volunteer.objects.exists()


def test_a_volunteer_missing_a_required_field_is_refused_naming_it(coordinator: Any, api_as: Any) -> None:
    data = new_volunteer()
    del data["origin"]
    response = api_as(coordinator).post("/volunteers", data)
    assert response.status_code == 422
    assert fields_named(response) == {"origin"}


def test_patch_changes_only_the_fields_sent_and_is_audited(coordinator: Any, api_as: Any) -> None:
    volunteer: Any = VolunteerFactory(family_name="Trần", given_name="Minh", languages="vi")
    response = api_as(coordinator).patch(f"/volunteers/{volunteer.pk}", {"languages": "vi, en"})
    assert response.status_code == 200
    volunteer.refresh_from_db()
    assert (volunteer.full_name, volunteer.languages) == ("Trần Minh", "vi, en")
    [entry] = audit.trail(volunteer)
    assert entry.changes == {"languages": ["vi", "vi, en"]}


def test_only_planners_change_volunteers(viewer: Any, clinician: Any, api_as: Any) -> None:
    volunteer: Any = VolunteerFactory(given_name="Minh")
    for user in (viewer, clinician):
        api = api_as(user)
        assert api.post("/volunteers", new_volunteer()).status_code == 403
        assert api.patch(f"/volunteers/{volunteer.pk}", {"given_name": "Nam"}).status_code == 403
    volunteer.refresh_from_db()
    assert volunteer.given_name == "Minh"
    assert not AuditEntry.objects.exists()
