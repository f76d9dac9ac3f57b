"""The API describes itself (OpenAPI) and its docs page loads nothing from another host."""

from __future__ import annotations

import json
import re

from django.contrib.staticfiles import finders
from django.test import Client


def test_the_openapi_document_loads_and_lists_every_resource(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "CleftMission API"
    paths = set(schema["paths"])
    assert {
        "/api/v1/sites",
        "/api/v1/sites/{site_id}",
        "/api/v1/sites/{site_id}/tables",
        "/api/v1/sites/{site_id}/tables/{table_id}",
        "/api/v1/missions",
        "/api/v1/missions/{mission_id}",
        "/api/v1/volunteers",
        "/api/v1/volunteers/{volunteer_id}",
        "/api/v1/volunteers/{volunteer_id}/credentials",
        "/api/v1/volunteers/{volunteer_id}/credentials/{credential_id}",
        "/api/v1/patients",
        "/api/v1/patients/{patient_id}",
        "/api/v1/patients/{patient_id}/guardians",
        "/api/v1/patients/{patient_id}/guardians/{guardian_id}",
    } <= paths
    assert set(schema["paths"]["/api/v1/patients/{patient_id}"]) == {"get", "patch"}
    assert schema["components"]["securitySchemes"]
    # the catch-all that answers 404 in the error shape is not an endpoint
    assert not any("rest" in path for path in paths)


def test_the_docs_page_loads_no_script_or_stylesheet_from_another_host(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert urls, "the page should load Swagger UI's own files"
    assert not [url for url in urls if re.match(r"^(https?:)?//", url)]
    assert "cdn" not in html.lower()


def test_the_docs_page_points_at_this_api_s_openapi_document(db: None) -> None:
    html = Client().get("/api/v1/docs").content.decode()
    assert "/api/v1/openapi.json" in html


def test_the_docs_page_does_not_ask_swagger_s_online_validator_for_a_badge(db: None) -> None:
    html = Client().get("/api/v1/docs").content.decode()
    settings = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert settings["validatorUrl"] is None


def test_the_swagger_files_the_docs_page_needs_are_installed_with_the_app() -> None:
    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(name), name
