"""Every error has one shape, names the field at fault, and saves nothing."""

from __future__ import annotations

from typing import Any

from cleftmission.api.tests.conftest import fields_named
from cleftmission.missions.models import Site
from cleftmission.patients.models import Patient


def test_a_body_that_is_not_json_is_400_in_the_error_shape(coordinator: Any, api_as: Any) -> None:
    api = api_as(coordinator)
    response = api.client.post("/api/v1/sites", "{name: oops", content_type="application/json")
    assert response.status_code == 400
    assert fields_named(response) == set()
    assert not Site.objects.exists()


def test_a_missing_body_is_refused(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).client.post("/api/v1/sites", content_type="application/json")
    assert response.status_code == 422
    assert fields_named(response) == {"name", "city"}


def test_values_of_the_wrong_type_are_refused_naming_each_field(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).post(
        "/patients",
        {
            "family_name": 42,
            "given_name": "An",
            "sex": "M",
            "date_of_birth": "first of May",
            "province": "Huế",
            "guardians": [{"name": "Hoa", "relation": "mother", "phone": 912345678}],
        },
    )
    assert response.status_code == 422
    assert fields_named(response) == {"family_name", "date_of_birth", "guardians.0.phone"}
    assert not Patient.objects.exists()


def test_an_unknown_field_is_refused_rather_than_ignored(coordinator: Any, child: Any, api_as: Any) -> None:
    response = api_as(coordinator).patch(f"/patients/{child.pk}", {"lahsal": "LAHSHAL"})
    assert response.status_code == 422
    assert fields_named(response) == {"lahsal"}


def test_a_read_only_field_is_refused(coordinator: Any, child: Any, api_as: Any) -> None:
    response = api_as(coordinator).patch(f"/patients/{child.pk}", {"record_number": "CM-000001"})
    assert response.status_code == 422
    assert fields_named(response) == {"record_number"}
    child.refresh_from_db()
    assert child.record_number != "CM-000001"


def test_a_bad_query_parameter_is_named(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).get("/patients", {"offset": -1})
    assert response.status_code == 422
    assert fields_named(response) == {"offset"}


def test_an_id_too_large_for_the_database_is_404_not_a_crash(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).get(f"/patients/{10**30}")
    assert response.status_code == 404
    assert fields_named(response) == set()


def test_an_unknown_site_id_too_large_for_the_database_is_refused_naming_site(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).post(
        "/missions",
        {"name": "X", "kind": "local", "site": 10**30, "start_date": "2027-01-04", "end_date": "2027-01-08"},
    )
    assert response.status_code == 422
    assert fields_named(response) == {"site"}


def test_messages_follow_the_requested_language(coordinator: Any, api_as: Any) -> None:
    api = api_as(coordinator)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    response = api.post("/sites", {"name": "Bệnh viện", "city": ""})
    assert response.status_code == 422
    assert response["Content-Language"] == "vi"
