"""List pages stay fast as they grow (a fixed number of queries, whatever the rows), and
search-as-you-type gets only the rows back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cleftmission.factories import (
    CredentialFactory,
    GuardianFactory,
    MissionFactory,
    MissionMemberFactory,
    PatientFactory,
    ScreeningVisitFactory,
    VolunteerFactory,
)


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_children(n: int, mission: Any) -> None:
    for _ in range(n):
        child: Any = PatientFactory()
        GuardianFactory(patient=child)
        ScreeningVisitFactory(patient=child, mission=mission)


def add_missions(n: int, mission: Any) -> None:
    for _ in range(n):
        other: Any = MissionFactory()
        ScreeningVisitFactory(mission=other)
        MissionMemberFactory(mission=other)


def add_volunteers(n: int, mission: Any) -> None:
    today = timezone.localdate()
    for _ in range(n):
        volunteer: Any = VolunteerFactory()
        CredentialFactory(volunteer=volunteer, valid_to=today - dt.timedelta(days=3))
        CredentialFactory(volunteer=volunteer, kind="bls", valid_to=today + dt.timedelta(days=20))
        MissionMemberFactory(mission=mission, volunteer=volunteer)


LISTS: dict[str, tuple[str, Callable[[int, Any], None]]] = {
    "children": ("/children/", add_children),
    "children-search": ("/children/?q=nguyen", add_children),
    "missions": ("/missions/", add_missions),
    "hospitals": ("/sites/", add_missions),
    "volunteers": ("/volunteers/", add_volunteers),
    "credential-expiries": ("/volunteers/credentials/", add_volunteers),
    "dashboard": ("/", add_volunteers),
}


# Clinicians see their own mission's children (a different query) but no volunteers.
CASES = [("coordinator", page) for page in LISTS] + [
    ("clinician", page) for page in LISTS if page not in {"volunteers", "credential-expiries"}
]


@pytest.mark.parametrize(("persona", "page"), CASES)
def test_a_list_page_runs_the_same_number_of_queries_for_5_rows_as_for_30(
    request: pytest.FixtureRequest, as_user: Any, mission: Any, persona: str, page: str
) -> None:
    url, add_rows = LISTS[page]
    client = as_user(request.getfixturevalue(persona))
    add_rows(5, mission)
    with_5 = queries_for(client, url)
    add_rows(25, mission)
    with_30 = queries_for(client, url)
    assert with_30 == with_5, f"{url}: {with_5} queries for 5 rows, {with_30} for 30"


def test_the_children_list_shows_30_rows_when_there_are_30(as_user: Any, coordinator: Any, mission: Any) -> None:
    """Guard the query-count test: the rows it counts really are on the page."""
    add_children(30, mission)
    assert len(as_user(coordinator).get("/children/").context["page"]) == 30


def test_search_as_you_type_on_the_children_list_returns_only_the_rows(
    as_user: Any, coordinator: Any, child: Any, other_child: Any
) -> None:
    response = as_user(coordinator).get("/children/", {"q": "nguyen"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert "<nav" not in fragment
    assert "Nguyễn Văn An" in fragment
    assert "Phạm Thị Lan" not in fragment
    assert child.record_number in fragment


def test_the_children_list_without_htmx_is_a_whole_page(as_user: Any, coordinator: Any, child: Any) -> None:
    page = as_user(coordinator).get("/children/", {"q": "nguyen"}).content.decode()
    assert "<html" in page
    assert "Nguyễn Văn An" in page


def test_search_as_you_type_still_shows_only_the_users_children(
    as_user: Any, registrar: Any, child: Any, other_child: Any
) -> None:
    response = as_user(registrar).get("/children/", {"q": "lan"}, headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert "Phạm Thị Lan" not in response.content.decode()


def test_search_as_you_type_is_refused_to_a_user_without_a_role(as_user: Any, outsider: Any, child: Any) -> None:
    response = as_user(outsider).get("/children/", {"q": "nguyen"}, headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert "Nguyễn" not in response.content.decode()


def test_search_as_you_type_on_the_volunteer_list_returns_only_the_rows(as_user: Any, coordinator: Any) -> None:
    VolunteerFactory(family_name="Đặng", given_name="Thu")
    VolunteerFactory(family_name="Lý", given_name="Hà")
    response = as_user(coordinator).get("/volunteers/", {"q": "dang"}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert "Đặng Thu" in fragment
    assert "Lý Hà" not in fragment
