"""The dashboard and volunteers: a volunteer without a role lands on their own page; the
coordinators see how many documents wait for verification beside the expiring credentials."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cleftmission.factories import CredentialFactory


def test_a_volunteer_without_a_role_is_sent_to_their_own_page(as_user: Any, volunteer_user: Any) -> None:
    response = as_user(volunteer_user).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/me/"


def test_a_login_with_neither_a_role_nor_a_volunteer_record_is_refused(as_user: Any, outsider: Any) -> None:
    assert as_user(outsider).get("/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_clinician_who_is_also_a_volunteer_gets_the_dashboard_and_a_link_to_their_page(
    as_user: Any, clinician: Any
) -> None:
    response = as_user(clinician).get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/me/"' in page
    assert "/volunteers/documents/" not in page


@pytest.mark.parametrize("persona", ["coordinator", "admin_user"])
def test_coordinators_see_how_many_documents_wait_for_verification(
    request: pytest.FixtureRequest, as_user: Any, persona: str
) -> None:
    client = as_user(request.getfixturevalue(persona))
    CredentialFactory.create_batch(3, verification="pending")
    CredentialFactory(verification="rejected", rejection_reason="Blurred")
    CredentialFactory()
    response = client.get("/")
    assert response.context["pending_documents"] == 3
    page = response.content.decode()
    assert '<span class="n">3</span><a href="/volunteers/documents/">' in page


def test_the_expiring_credentials_stay_beside_the_count(as_user: Any, coordinator: Any) -> None:
    soon: Any = CredentialFactory(valid_to=timezone.localdate() + dt.timedelta(days=20))
    response = as_user(coordinator).get("/")
    assert list(response.context["expiring"]) == [soon]
    assert soon.volunteer.full_name in response.content.decode()


def test_a_viewer_sees_the_expiring_credentials_but_not_the_verification_queue(as_user: Any, viewer: Any) -> None:
    CredentialFactory(verification="pending")
    response = as_user(viewer).get("/")
    assert response.status_code == 200
    assert "pending_documents" not in response.context
    assert "/volunteers/documents/" not in response.content.decode()
