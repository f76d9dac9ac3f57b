"""Who may call the API at all: bearer tokens, and the browser's session for reading."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cleftmission.api.tests.conftest import ApiClient, fields_named
from cleftmission.core.models import ApiToken
from cleftmission.missions.models import Site


def test_a_request_without_a_token_gets_401_in_the_error_shape(db: None) -> None:
    response = ApiClient().get("/missions")
    assert response.status_code == 401
    assert fields_named(response) == set()
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_nobody_was_issued_gets_401(db: None) -> None:
    response = ApiClient("not-a-real-token").get("/missions")
    assert response.status_code == 401
    assert "token" in response.json()["detail"].lower()


def test_a_revoked_token_gets_401(coordinator: Any) -> None:
    token, key = ApiToken.issue(coordinator)
    token.revoked_at = timezone.now()
    token.save()
    assert ApiClient(key).get("/missions").status_code == 401


def test_the_token_of_a_deactivated_user_gets_401(coordinator: Any) -> None:
    _, key = ApiToken.issue(coordinator)
    coordinator.is_active = False
    coordinator.save()
    assert ApiClient(key).get("/missions").status_code == 401


@pytest.mark.parametrize("header", ["Token abc", "Bearer", "Basic dXNlcjpwdw=="])
def test_an_authorization_header_that_is_not_a_bearer_token_gets_401(db: None, header: str) -> None:
    response = Client().get("/api/v1/missions", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert fields_named(response) == set()


def test_a_valid_token_is_accepted(coordinator: Any, mission: Any, api_as: Any) -> None:
    response = api_as(coordinator).get("/missions")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_token_issued_by_the_management_command_works(coordinator: Any, mission: Any) -> None:
    out = StringIO()
    call_command("issue_token", coordinator.username, stdout=out)
    assert ApiClient(out.getvalue().strip()).get("/missions").status_code == 200


def test_a_logged_in_browser_may_read_with_its_session(coordinator: Any, mission: Any, as_user: Any) -> None:
    response = as_user(coordinator).get("/api/v1/missions")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_logged_in_browser_may_not_change_anything_without_a_token(coordinator: Any, as_user: Any) -> None:
    response = as_user(coordinator).post(
        "/api/v1/sites", {"name": "Bệnh viện Nhi", "city": "Huế"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Site.objects.filter(name="Bệnh viện Nhi").exists()


def test_a_user_without_a_role_is_refused_everywhere(outsider: Any, child: Any, api_as: Any) -> None:
    api = api_as(outsider)
    for path in ("/sites", "/missions", "/volunteers", "/patients", f"/patients/{child.pk}"):
        response = api.get(path)
        assert response.status_code == 403, path
        assert fields_named(response) == set()


def test_an_unknown_path_answers_404_in_the_error_shape(coordinator: Any, api_as: Any) -> None:
    api = api_as(coordinator)
    for path in ("/nothing-here", "/patients/not-a-number", "/sites/1/nothing"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert fields_named(response) == set()
