"""An API client per persona, authenticated with a real bearer token."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cleftmission.core.models import ApiToken


class ApiClient:
    """Speaks JSON to /api/v1 with `Authorization: Bearer <token>`, in English."""

    def __init__(self, key: str | None = None) -> None:
        headers: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if key is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        self.client = Client(**headers)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get("/api/v1" + path, params or {})

    def post(self, path: str, data: Any) -> Any:
        return self.client.post("/api/v1" + path, json.dumps(data), content_type="application/json")

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch("/api/v1" + path, json.dumps(data), content_type="application/json")


@pytest.fixture
def api_as() -> Callable[[Any], ApiClient]:
    def make(user: Any) -> ApiClient:
        _, key = ApiToken.issue(user)
        return ApiClient(key)

    return make


def fields_named(response: Any) -> set[str]:
    """The fields an error answer names (and a check that it has the one error shape)."""
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    return {error["field"] for error in body["errors"]}
