"""/patients?q=: find a child by name (with or without diacritics), guardian phone or record number."""

from __future__ import annotations

from typing import Any

import pytest

from cleftmission.factories import GuardianFactory


def found(api: Any, query: str) -> set[str]:
    response = api.get("/patients", {"q": query})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["items"])
    return {child["full_name"] for child in body["items"]}


@pytest.mark.parametrize("query", ["nguyen van an", "Nguyễn Văn An", "NGUYEN VAN AN", "an nguyen"])
def test_a_name_with_or_without_diacritics_finds_the_child(
    coordinator: Any, child: Any, other_child: Any, api_as: Any, query: str
) -> None:
    assert found(api_as(coordinator), query) == {"Nguyễn Văn An"}


def test_a_word_must_start_a_word_of_the_name_so_an_does_not_find_lan(
    coordinator: Any, child: Any, other_child: Any, api_as: Any
) -> None:
    assert found(api_as(coordinator), "an") == {"Nguyễn Văn An"}


@pytest.mark.parametrize("query", ["0912345678", "0912 345 678", "+84 912 345 678", "5678"])
def test_a_guardian_s_phone_finds_the_child(
    coordinator: Any, child: Any, other_child: Any, api_as: Any, query: str
) -> None:
    GuardianFactory(patient=child, phone="+84912345678")
    GuardianFactory(patient=other_child, phone="+84987654321")
    assert found(api_as(coordinator), query) == {"Nguyễn Văn An"}


@pytest.mark.parametrize("query", ["{number}", "{lower}", "CM{digits}", "cm-{int}"])
def test_the_record_number_finds_the_child(
    coordinator: Any, child: Any, other_child: Any, api_as: Any, query: str
) -> None:
    number = child.record_number  # CM-9nnnnn
    digits = number.removeprefix("CM-")
    text = query.format(number=number, lower=number.lower(), digits=digits, int=int(digits))
    assert found(api_as(coordinator), text) == {"Nguyễn Văn An"}


def test_no_match_answers_an_empty_list(coordinator: Any, child: Any, api_as: Any) -> None:
    body = api_as(coordinator).get("/patients", {"q": "trần"}).json()
    assert body == {"items": [], "count": 0}


def test_a_clinician_s_search_never_finds_a_child_of_another_mission(
    clinician: Any, child: Any, other_child: Any, api_as: Any
) -> None:
    GuardianFactory(patient=other_child, phone="+84987654321")
    api = api_as(clinician)
    assert found(api, "pham thi lan") == set()
    assert found(api, "0987654321") == set()
    assert found(api, other_child.record_number) == set()


def test_a_viewer_cannot_find_a_child_by_a_guardian_s_phone(viewer: Any, child: Any, api_as: Any) -> None:
    # a viewer may not see contact details, so a phone number must not tell them whose it is
    GuardianFactory(patient=child, phone="+84912345678")
    api = api_as(viewer)
    assert found(api, "0912345678") == set()
    assert found(api, "nguyen van an") == {"Nguyễn Văn An"}
