"""/volunteers/{id}/credentials: licences, certifications and their validity."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cleftmission.api.tests.conftest import fields_named
from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.factories import CredentialFactory, VolunteerFactory
from cleftmission.volunteers.models import Credential


def test_a_volunteer_s_credentials_are_listed_with_their_status(viewer: Any, api_as: Any) -> None:
    volunteer: Any = VolunteerFactory()
    today = timezone.localdate()
    CredentialFactory(volunteer=volunteer, kind="bls", valid_to=today - dt.timedelta(days=1))
    CredentialFactory(volunteer=volunteer, kind="licence", valid_to=today + dt.timedelta(days=400))
    CredentialFactory(kind="pals")  # someone else's
    body = api_as(viewer).get(f"/volunteers/{volunteer.pk}/credentials").json()
    assert body["count"] == 2
    assert {(c["kind"], c["status"]) for c in body["items"]} == {("bls", "expired"), ("licence", "valid")}
    assert all(c["volunteer"] == volunteer.pk for c in body["items"])


def test_one_credential_is_read_under_its_volunteer_only(viewer: Any, api_as: Any) -> None:
    credential: Any = CredentialFactory(number="BYT-1234")
    other: Any = VolunteerFactory()
    api = api_as(viewer)
    response = api.get(f"/volunteers/{credential.volunteer_id}/credentials/{credential.pk}")
    assert response.status_code == 200
    assert response.json()["number"] == "BYT-1234"
    assert api.get(f"/volunteers/{other.pk}/credentials/{credential.pk}").status_code == 404


def test_a_coordinator_records_a_credential_and_it_is_audited_on_the_volunteer(coordinator: Any, api_as: Any) -> None:
    volunteer: Any = VolunteerFactory()
    response = api_as(coordinator).post(
        f"/volunteers/{volunteer.pk}/credentials",
        {"kind": "pals", "issuer": "AHA", "valid_from": "2025-01-01", "valid_to": "2027-01-01"},
    )
    assert response.status_code == 201, response.content
    credential = Credential.objects.get(pk=response.json()["id"])
    assert (credential.volunteer, credential.issuer, credential.valid_to) == (volunteer, "AHA", dt.date(2027, 1, 1))
    [entry] = audit.trail(volunteer)
    assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, coordinator)


def test_a_credential_that_ends_before_it_starts_is_refused_naming_valid_to(coordinator: Any, api_as: Any) -> None:
    volunteer: Any = VolunteerFactory()
    response = api_as(coordinator).post(
        f"/volunteers/{volunteer.pk}/credentials",
        {"kind": "bls", "valid_from": "2026-05-01", "valid_to": "2026-04-30"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "valid_to", "message": "A credential cannot end before it starts."}]
    assert not Credential.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_patch_that_moves_the_end_before_the_start_changes_nothing(coordinator: Any, api_as: Any) -> None:
    credential: Any = CredentialFactory(valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2030, 1, 1))
    response = api_as(coordinator).patch(
        f"/volunteers/{credential.volunteer_id}/credentials/{credential.pk}", {"valid_to": "2019-12-31"}
    )
    assert response.status_code == 422
    assert fields_named(response) == {"valid_to"}
    credential.refresh_from_db()
    assert credential.valid_to == dt.date(2030, 1, 1)


def test_a_credential_with_a_date_that_is_not_a_date_is_refused_naming_it(coordinator: Any, api_as: Any) -> None:
    volunteer: Any = VolunteerFactory()
    response = api_as(coordinator).post(
        f"/volunteers/{volunteer.pk}/credentials", {"kind": "bls", "valid_to": "31/12/2026"}
    )
    assert response.status_code == 422
    assert fields_named(response) == {"valid_to"}
    assert not Credential.objects.exists()


def test_a_patch_renews_a_credential_and_is_audited(coordinator: Any, api_as: Any) -> None:
    credential: Any = CredentialFactory(valid_to=dt.date(2030, 1, 1))
    response = api_as(coordinator).patch(
        f"/volunteers/{credential.volunteer_id}/credentials/{credential.pk}", {"valid_to": "2032-01-01"}
    )
    assert response.status_code == 200
    assert response.json()["valid_to"] == "2032-01-01"
    [entry] = audit.trail(credential.volunteer)
    assert entry.changes == {"valid_to": ["2030-01-01", "2032-01-01"]}


def test_credentials_of_an_unknown_volunteer_are_404(coordinator: Any, api_as: Any) -> None:
    api = api_as(coordinator)
    assert api.get("/volunteers/999999/credentials").status_code == 404
    assert api.post("/volunteers/999999/credentials", {"kind": "bls"}).status_code == 404


def test_only_planners_record_credentials(viewer: Any, registrar: Any, api_as: Any) -> None:
    credential: Any = CredentialFactory(number="A1")
    for user in (viewer, registrar):
        api = api_as(user)
        assert api.post(f"/volunteers/{credential.volunteer_id}/credentials", {"kind": "bls"}).status_code == 403
        path = f"/volunteers/{credential.volunteer_id}/credentials/{credential.pk}"
        assert api.patch(path, {"number": "B2"}).status_code == 403
    assert Credential.objects.get().number == "A1"
