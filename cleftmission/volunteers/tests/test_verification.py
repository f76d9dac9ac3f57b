"""Coordinators verify the documents volunteers upload: a queue of those waiting (the
longest-waiting first), and a decision per credential: verified, or rejected saying why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cleftmission.core.models import AuditEntry
from cleftmission.core.tests.helpers import assert_refused
from cleftmission.factories import CredentialFactory, VolunteerFactory
from cleftmission.volunteers import services
from cleftmission.volunteers.models import Credential

PENDING = Credential.Verification.PENDING


@pytest.fixture
def coordinator_client(as_user: Any, coordinator: Any) -> Client:
    client: Client = as_user(coordinator)
    return client


def waiting(given_name: str, **fields: Any) -> Any:
    return CredentialFactory(
        volunteer=VolunteerFactory(given_name=given_name),
        verification=PENDING,
        document=SimpleUploadedFile("scan.pdf", b"%PDF-1.4 synthetic", "application/pdf"),
        **fields,
    )


def verify_url(credential: Any) -> str:
    return f"/volunteers/{credential.volunteer_id}/credentials/{credential.pk}/verify/"


def test_the_queue_lists_the_credentials_waiting_the_longest_first_with_their_document(
    coordinator_client: Client,
) -> None:
    first = waiting("Thứ nhất", kind="bls", valid_to=dt.date(2028, 3, 1))
    second = waiting("Thứ hai", kind="pals")
    CredentialFactory(volunteer=VolunteerFactory(given_name="Đã xong"))  # verified
    CredentialFactory(volunteer=VolunteerFactory(given_name="Bị trả"), verification="rejected", rejection_reason="x")

    response = coordinator_client.get("/volunteers/documents/")
    assert response.status_code == 200
    assert [c for c, _ in response.context["rows"]] == [first, second]
    page = response.content.decode()
    assert "Thứ nhất" in page and "Thứ hai" in page
    assert "Đã xong" not in page and "Bị trả" not in page
    assert "01/03/2028" in page
    assert f'href="/volunteers/{first.volunteer_id}/credentials/{first.pk}/document/"' in page
    assert f'href="{verify_url(first)}"' in page


def test_the_decision_page_shows_the_credential_and_its_document(coordinator_client: Client) -> None:
    credential = waiting("Mai", number="GP-12")
    response = coordinator_client.get(verify_url(credential))
    assert response.status_code == 200
    page = response.content.decode()
    assert "GP-12" in page and "Mai" in page
    assert f"/credentials/{credential.pk}/document/" in page


def test_a_coordinator_verifies_a_credential(coordinator_client: Client, coordinator: Any) -> None:
    credential = waiting("Mai")
    response = coordinator_client.post(verify_url(credential), {"action": "verify"})
    assert response.status_code == 302
    assert response["Location"] == "/volunteers/documents/"
    credential.refresh_from_db()
    assert credential.verification == Credential.Verification.VERIFIED
    assert credential.verified_by == coordinator
    assert credential.verified_at is not None
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.object_id, entry.changes["verification"]) == (
        coordinator,
        str(credential.volunteer_id),
        ["pending", "verified"],
    )
    assert coordinator_client.get("/volunteers/documents/").context["rows"] == []


def test_a_coordinator_rejects_a_credential_saying_why_and_the_volunteer_reads_it(
    coordinator_client: Client, coordinator: Any, as_user: Any, volunteer_user: Any
) -> None:
    credential = waiting("Mai")
    credential.volunteer = volunteer_user.volunteer
    credential.save()
    response = coordinator_client.post(
        verify_url(credential), {"action": "reject", "rejection_reason": "The scan is cut off"}
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert (credential.verification, credential.rejection_reason, credential.verified_by) == (
        "rejected",
        "The scan is cut off",
        coordinator,
    )
    assert AuditEntry.objects.get().changes["rejection_reason"] == ["", "The scan is cut off"]
    assert "The scan is cut off" in as_user(volunteer_user).get("/me/").content.decode()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_without_a_reason_is_refused_naming_the_reason(coordinator_client: Client, reason: str) -> None:
    credential = waiting("Mai")
    response = coordinator_client.post(verify_url(credential), {"action": "reject", "rejection_reason": reason})
    assert_refused(response, "rejection_reason")
    credential.refresh_from_db()
    assert credential.verification == PENDING
    assert not AuditEntry.objects.exists()


def test_a_decision_that_is_neither_is_refused_naming_it(coordinator_client: Client) -> None:
    credential = waiting("Mai")
    assert_refused(coordinator_client.post(verify_url(credential), {"action": "maybe"}), "action")
    assert_refused(coordinator_client.post(verify_url(credential), {}), "action")
    credential.refresh_from_db()
    assert credential.verification == PENDING


def test_the_services_refuse_a_blank_reason_and_verifying_clears_an_old_one(coordinator: Any) -> None:
    credential = waiting("Mai")
    with pytest.raises(ValidationError) as refused:
        services.reject_credential(credential=credential, reason=" ", acting_user=coordinator)
    assert "rejection_reason" in refused.value.message_dict
    services.reject_credential(credential=credential, reason="Wrong person", acting_user=coordinator)
    services.verify_credential(credential=credential, acting_user=coordinator)
    credential.refresh_from_db()
    assert (credential.verification, credential.rejection_reason) == ("verified", "")


def test_a_credential_a_coordinator_records_is_verified_by_them(coordinator_client: Client, coordinator: Any) -> None:
    volunteer: Any = VolunteerFactory()
    response = coordinator_client.post(
        f"/volunteers/{volunteer.pk}/credentials/new/", {"kind": "bls", "valid_to": "01/01/2028"}
    )
    assert response.status_code == 302
    credential = Credential.objects.get(volunteer=volunteer)
    assert (credential.verification, credential.verified_by) == ("verified", coordinator)


def test_a_coordinator_correcting_a_waiting_credential_verifies_it(
    coordinator_client: Client, coordinator: Any
) -> None:
    credential = waiting("Mai", number="typo")
    url = f"/volunteers/{credential.volunteer_id}/credentials/{credential.pk}/edit/"
    response = coordinator_client.post(
        url, {"kind": "licence", "number": "GP-1", "valid_from": "01/01/2020", "valid_to": "01/01/2030"}
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert (credential.number, credential.verification, credential.verified_by) == ("GP-1", "verified", coordinator)
    assert credential.document  # the volunteer's document is kept


def test_the_volunteer_page_shows_each_credentials_verification_and_document_to_a_coordinator(
    coordinator_client: Client, as_user: Any, viewer: Any
) -> None:
    credential = waiting("Mai")
    page = coordinator_client.get(f"/volunteers/{credential.volunteer_id}/").content.decode()
    assert "/document/" in page and verify_url(credential) in page
    page = as_user(viewer).get(f"/volunteers/{credential.volunteer_id}/").content.decode()
    assert "/document/" not in page and verify_url(credential) not in page


@pytest.mark.parametrize("persona", ["viewer", "clinician", "registrar", "volunteer_user", "outsider"])
def test_only_coordinators_see_the_queue_and_decide(request: pytest.FixtureRequest, as_user: Any, persona: str) -> None:
    client = as_user(request.getfixturevalue(persona))
    credential = waiting("Mai")
    assert client.get("/volunteers/documents/").status_code == 403
    assert client.get(verify_url(credential)).status_code == 403
    assert client.post(verify_url(credential), {"action": "verify"}).status_code == 403
    credential.refresh_from_db()
    assert credential.verification == PENDING
    assert not AuditEntry.objects.exists()


def test_a_volunteer_cannot_verify_their_own_credential(as_user: Any, volunteer_user: Any) -> None:
    credential = waiting("Mai")
    credential.volunteer = volunteer_user.volunteer
    credential.save()
    client = as_user(volunteer_user)
    assert client.post(verify_url(credential), {"action": "verify"}).status_code == 403
    credential.refresh_from_db()
    assert credential.verification == PENDING
