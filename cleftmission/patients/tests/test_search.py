"""Finding a child on /children/: by name with or without diacritics, by guardian phone, by
record number; and never a child the user may not see."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from django.test import Client

from cleftmission.factories import GuardianFactory, PatientFactory, ScreeningVisitFactory


def found(client: Client, query: str) -> set[str]:
    response = client.get("/children/", {"q": query})
    assert response.status_code == 200
    return {patient.full_name for patient in response.context["page"]}


@pytest.fixture
def coordinator_client(coordinator: Any, as_user: Any) -> Client:
    client: Client = as_user(coordinator)
    return client


@pytest.mark.parametrize("query", ["nguyen van an", "Nguyễn Văn An", "NGUYEN VAN AN", "an nguyen", "  Nguyen   An "])
def test_a_child_is_found_by_name_with_or_without_diacritics_case_or_order(
    coordinator_client: Client, child: Any, other_child: Any, query: str
) -> None:
    assert found(coordinator_client, query) == {"Nguyễn Văn An"}


def test_a_name_typed_with_decomposed_diacritics_finds_the_child(coordinator_client: Client, child: Any) -> None:
    assert found(coordinator_client, unicodedata.normalize("NFD", "Nguyễn Văn An")) == {"Nguyễn Văn An"}


def test_a_word_matches_only_the_start_of_a_name_so_an_does_not_find_lan(
    coordinator_client: Client, child: Any, other_child: Any
) -> None:
    assert found(coordinator_client, "an") == {"Nguyễn Văn An"}
    assert found(coordinator_client, "lan") == {"Phạm Thị Lan"}


def test_the_start_of_a_word_is_enough(coordinator_client: Client, child: Any, other_child: Any) -> None:
    assert found(coordinator_client, "ngu") == {"Nguyễn Văn An"}
    assert found(coordinator_client, "pha la") == {"Phạm Thị Lan"}


def test_every_word_typed_must_match(coordinator_client: Client, child: Any, other_child: Any) -> None:
    assert found(coordinator_client, "nguyen lan") == set()


def test_d_with_stroke_is_found_by_typing_a_plain_d(coordinator_client: Client) -> None:
    PatientFactory(family_name="Đỗ", middle_name="Thị", given_name="Đào")
    PatientFactory(family_name="Trần", middle_name="", given_name="Bảo")
    assert found(coordinator_client, "do thi dao") == {"Đỗ Thị Đào"}
    assert found(coordinator_client, "DAO") == {"Đỗ Thị Đào"}
    assert found(coordinator_client, "đỗ") == {"Đỗ Thị Đào"}


@pytest.mark.parametrize(
    "query",
    ["0912345678", "0912 345 678", "+84912345678", "+84 912 345 678", "84912345678", "0912.345.678", "0912-345-678"],
)
def test_a_child_is_found_by_the_guardian_phone_in_any_usual_form(
    coordinator_client: Client, child: Any, other_child: Any, query: str
) -> None:
    GuardianFactory(patient=child, phone="+84912345678")
    GuardianFactory(patient=other_child, phone="+84987654321")
    assert found(coordinator_client, query) == {"Nguyễn Văn An"}


def test_the_last_digits_of_a_phone_find_the_child(coordinator_client: Client, child: Any, other_child: Any) -> None:
    GuardianFactory(patient=child, phone="+84912345678")
    GuardianFactory(patient=other_child, phone="+84987654321")
    assert found(coordinator_client, "345678") == {"Nguyễn Văn An"}


def test_a_phone_that_belongs_to_nobody_finds_nobody(coordinator_client: Client, child: Any) -> None:
    GuardianFactory(patient=child, phone="+84912345678")
    assert found(coordinator_client, "0912345679") == set()


@pytest.mark.parametrize("query", ["CM-000123", "cm-000123", "cm123", "CM 123", " CM-123 "])
def test_a_child_is_found_by_record_number_with_or_without_dash_and_zeros(
    coordinator_client: Client, query: str
) -> None:
    PatientFactory(record_number="CM-000123", family_name="Lê", middle_name="", given_name="Minh")
    PatientFactory(record_number="CM-001234", family_name="Võ", middle_name="", given_name="Tâm")
    assert found(coordinator_client, query) == {"Lê Minh"}


def test_an_empty_search_lists_every_child_the_user_may_see(
    coordinator_client: Client, child: Any, other_child: Any
) -> None:
    assert found(coordinator_client, "") == {"Nguyễn Văn An", "Phạm Thị Lan"}


@pytest.mark.parametrize("persona", ["clinician", "registrar"])
def test_search_never_finds_a_child_of_another_mission(
    request: pytest.FixtureRequest, as_user: Any, child: Any, other_child: Any, persona: str
) -> None:
    GuardianFactory(patient=other_child, phone="+84987654321")
    client = as_user(request.getfixturevalue(persona))
    assert found(client, "Phạm Thị Lan") == set()
    assert found(client, "lan") == set()
    assert found(client, "0987654321") == set()
    assert found(client, other_child.record_number) == set()
    assert found(client, "") == {"Nguyễn Văn An"}


def test_a_child_seen_at_my_mission_and_another_is_found_once(
    as_user: Any, clinician: Any, child: Any, other_mission: Any
) -> None:
    ScreeningVisitFactory(patient=child, mission=other_mission)
    response = as_user(clinician).get("/children/", {"q": "nguyen"})
    assert [p.full_name for p in response.context["page"]] == ["Nguyễn Văn An"]


def test_a_user_with_no_role_finds_nothing(as_user: Any, outsider: Any, child: Any) -> None:
    assert as_user(outsider).get("/children/", {"q": "nguyen"}).status_code == 403


def test_a_viewer_cannot_find_a_child_by_guardian_phone(as_user: Any, viewer: Any, child: Any) -> None:
    """Viewers see no contact details, so a phone number must not tell them whose it is."""
    GuardianFactory(patient=child, phone="+84912345678")
    client = as_user(viewer)
    assert found(client, "0912345678") == set()
    assert found(client, "nguyen van an") == {"Nguyễn Văn An"}
