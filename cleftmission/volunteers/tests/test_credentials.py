"""Volunteers' credentials: where each stands against today and a mission's dates, the
refusal of impossible dates, and the lists that tell a coordinator whom to chase."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cleftmission.core.models import AuditEntry
from cleftmission.core.tests.helpers import assert_refused, form_data
from cleftmission.factories import CredentialFactory, MissionFactory, MissionMemberFactory, VolunteerFactory
from cleftmission.missions.models import Mission
from cleftmission.volunteers.models import Credential

Status = Credential.Status
TODAY = dt.date(2026, 10, 1)
FIRST_DAY, LAST_DAY = dt.date(2026, 12, 7), dt.date(2026, 12, 11)
MISSION = Mission(name="Hà Nội tháng 12", start_date=FIRST_DAY, end_date=LAST_DAY)


def credential(valid_to: dt.date | None, valid_from: dt.date | None = dt.date(2020, 1, 1)) -> Credential:
    return Credential(kind=Credential.Kind.LICENCE, valid_from=valid_from, valid_to=valid_to)


# Credential.status, at the exact boundaries (pure: no database)


@pytest.mark.parametrize(
    ("valid_to", "expected"),
    [
        (TODAY - dt.timedelta(days=1), Status.EXPIRED),
        (TODAY, Status.EXPIRING),
        (TODAY + dt.timedelta(days=60), Status.EXPIRING),
        (TODAY + dt.timedelta(days=61), Status.VALID),
        (None, Status.VALID),
    ],
    ids=["ended-yesterday", "ends-today", "ends-in-60-days", "ends-in-61-days", "never-ends"],
)
def test_status_today_is_expired_expiring_within_60_days_or_valid(valid_to: dt.date | None, expected: str) -> None:
    assert credential(valid_to).status(TODAY) == expected


@pytest.mark.parametrize(
    ("valid_to", "expected"),
    [
        (TODAY - dt.timedelta(days=1), Status.EXPIRED),
        (TODAY, Status.ENDS_DURING_MISSION),
        (FIRST_DAY - dt.timedelta(days=1), Status.ENDS_DURING_MISSION),
        (LAST_DAY - dt.timedelta(days=1), Status.ENDS_DURING_MISSION),
        (LAST_DAY, Status.EXPIRING),
        (LAST_DAY + dt.timedelta(days=60), Status.EXPIRING),
        (LAST_DAY + dt.timedelta(days=61), Status.VALID),
        (None, Status.VALID),
    ],
    ids=[
        "ended-yesterday",
        "ends-today",
        "ends-the-day-before-the-mission",
        "ends-the-day-before-the-last-day",
        "ends-on-the-last-day",
        "ends-60-days-after-the-mission",
        "ends-61-days-after-the-mission",
        "never-ends",
    ],
)
def test_status_for_a_mission_is_measured_against_its_last_day(valid_to: dt.date | None, expected: str) -> None:
    assert credential(valid_to).status(TODAY, MISSION) == expected


def test_a_credential_starting_after_the_first_day_is_not_yet_valid_for_the_mission() -> None:
    far = dt.date(2030, 1, 1)
    assert credential(far, valid_from=FIRST_DAY + dt.timedelta(days=1)).status(TODAY, MISSION) == Status.NOT_YET_VALID
    assert credential(far, valid_from=FIRST_DAY).status(TODAY, MISSION) == Status.VALID


# Refusing impossible dates


@pytest.fixture
def coordinator_client(as_user: Any, coordinator: Any) -> Client:
    client: Client = as_user(coordinator)
    return client


def test_a_credential_that_ends_before_it_starts_is_refused_and_nothing_is_saved(coordinator_client: Client) -> None:
    volunteer: Any = VolunteerFactory()
    data = {"kind": "bls", "valid_from": "2026-05-01", "valid_to": "2026-04-30"}
    response = coordinator_client.post(f"/volunteers/{volunteer.pk}/credentials/new/", data)
    assert_refused(response, "valid_to")
    assert not Credential.objects.exists()
    assert not AuditEntry.objects.exists()


def test_changing_a_credential_to_end_before_it_starts_is_refused_and_it_stays_as_it_was(
    coordinator_client: Client,
) -> None:
    saved: Any = CredentialFactory(valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2027, 1, 1), number="GP-1")
    url = f"/volunteers/{saved.volunteer.pk}/credentials/{saved.pk}/edit/"
    data = form_data(coordinator_client.get(url).context["form"])
    data.update(valid_to="2024-12-31", number="GP-2")
    assert_refused(coordinator_client.post(url, data), "valid_to")
    saved.refresh_from_db()
    assert (saved.valid_from, saved.valid_to, saved.number) == (dt.date(2025, 1, 1), dt.date(2027, 1, 1), "GP-1")
    assert not AuditEntry.objects.exists()


def test_a_credential_valid_for_a_single_day_or_without_end_is_accepted(coordinator_client: Client) -> None:
    volunteer: Any = VolunteerFactory()
    url = f"/volunteers/{volunteer.pk}/credentials/new/"
    one_day = {"kind": "bls", "valid_from": "2026-05-01", "valid_to": "2026-05-01"}
    assert coordinator_client.post(url, one_day).status_code == 302
    assert coordinator_client.post(url, {"kind": "passport", "valid_from": "2026-05-01"}).status_code == 302
    assert volunteer.credentials.count() == 2


def test_a_credential_of_an_unknown_kind_is_refused(coordinator_client: Client) -> None:
    volunteer: Any = VolunteerFactory()
    response = coordinator_client.post(f"/volunteers/{volunteer.pk}/credentials/new/", {"kind": "wizard"})
    assert_refused(response, "kind")
    assert not Credential.objects.exists()


# The lists that say whom to chase (they use the real today)


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def team() -> dict[str, Any]:
    """Volunteers named after where their licence stands today."""
    people = {}
    for name, valid_to in [
        ("Hết hạn", days(-1)),  # expired yesterday
        ("Hôm nay", days(0)),  # expires today
        ("Sắp hết", days(10)),
        ("Sáu mươi", days(60)),
        ("Sáu mốt", days(61)),
        ("Còn lâu", days(400)),
    ]:
        people[name] = VolunteerFactory(family_name="Đinh", given_name=name)
        CredentialFactory(volunteer=people[name], valid_from=days(-1000), valid_to=valid_to)
    people["Không có"] = VolunteerFactory(family_name="Đinh", given_name="Không có")
    return people


def listed(client: Client, url: str, **params: str) -> set[str]:
    response = client.get(url, params)
    assert response.status_code == 200
    page = response.content.decode()
    names = {row[0].given_name for row in response.context["rows"]}
    assert all(name in page for name in names)
    return names


def test_the_volunteer_list_filters_those_with_an_expired_credential(
    coordinator_client: Client, team: dict[str, Any]
) -> None:
    assert listed(coordinator_client, "/volunteers/", credentials="expired") == {"Hết hạn"}


def test_the_volunteer_list_filters_those_with_a_credential_expiring_within_60_days(
    coordinator_client: Client, team: dict[str, Any]
) -> None:
    expiring = {"Hôm nay", "Sắp hết", "Sáu mươi"}
    assert listed(coordinator_client, "/volunteers/", credentials="expiring") == expiring


def test_the_volunteer_list_without_a_filter_lists_everyone_with_their_counts(
    coordinator_client: Client, team: dict[str, Any]
) -> None:
    response = coordinator_client.get("/volunteers/")
    counts = {v.given_name: (expired, expiring) for v, expired, expiring in response.context["rows"]}
    assert counts == {
        "Hết hạn": (1, 0),
        "Hôm nay": (0, 1),
        "Sắp hết": (0, 1),
        "Sáu mươi": (0, 1),
        "Sáu mốt": (0, 0),
        "Còn lâu": (0, 0),
        "Không có": (0, 0),
    }


def test_a_volunteer_with_one_expired_and_one_valid_credential_is_listed_as_expired(
    coordinator_client: Client,
) -> None:
    volunteer: Any = VolunteerFactory(given_name="Hai giấy")
    CredentialFactory(volunteer=volunteer, kind="bls", valid_to=days(-30))
    CredentialFactory(volunteer=volunteer, kind="licence", valid_to=days(900))
    assert listed(coordinator_client, "/volunteers/", credentials="expired") == {"Hai giấy"}
    assert listed(coordinator_client, "/volunteers/", credentials="expiring") == set()


def test_the_expiry_page_for_a_mission_lists_its_team_members_whose_credentials_fail_it(
    coordinator_client: Client,
) -> None:
    mission: Any = MissionFactory(start_date=days(30), end_date=days(34))
    end = mission.end_date
    outcome = {}
    for name, valid_to in [
        ("Đã hết", days(-200)),
        ("Giữa chừng", end - dt.timedelta(days=1)),
        ("Ngày cuối", end),
        ("Sau sáu mươi", end + dt.timedelta(days=60)),
        ("Đủ hạn", end + dt.timedelta(days=61)),
    ]:
        volunteer: Any = VolunteerFactory(given_name=name)
        MissionMemberFactory(mission=mission, volunteer=volunteer)
        CredentialFactory(volunteer=volunteer, valid_from=days(-1000), valid_to=valid_to)
        outcome[name] = volunteer
    CredentialFactory(volunteer=VolunteerFactory(given_name="Không đi"), valid_to=days(-1))  # not on the team

    response = coordinator_client.get("/volunteers/credentials/", {"mission": str(mission.pk)})
    assert response.context["mission"] == mission
    statuses = {c.volunteer.given_name: status for c, status in response.context["rows"]}
    assert statuses == {
        "Đã hết": Status.EXPIRED,
        "Giữa chừng": Status.ENDS_DURING_MISSION,
        "Ngày cuối": Status.EXPIRING,
        "Sau sáu mươi": Status.EXPIRING,
    }
    page = response.content.decode()
    assert "Giữa chừng" in page
    assert "Không đi" not in page
    assert "Đủ hạn" not in page


def test_the_expiry_page_without_a_mission_lists_expired_and_expiring_credentials_of_everyone(
    coordinator_client: Client, team: dict[str, Any]
) -> None:
    response = coordinator_client.get("/volunteers/credentials/")
    assert response.context["mission"] is None
    statuses = {c.volunteer.given_name: status for c, status in response.context["rows"]}
    assert statuses == {
        "Hết hạn": Status.EXPIRED,
        "Hôm nay": Status.EXPIRING,
        "Sắp hết": Status.EXPIRING,
        "Sáu mươi": Status.EXPIRING,
    }


def test_the_mission_page_warns_of_team_credentials_that_do_not_cover_the_mission(
    coordinator_client: Client, as_user: Any, registrar: Any
) -> None:
    mission: Any = MissionFactory(start_date=days(30), end_date=days(34))
    short: Any = VolunteerFactory(given_name="Ngắn hạn")
    MissionMemberFactory(mission=mission, volunteer=short)
    CredentialFactory(volunteer=short, valid_to=mission.end_date - dt.timedelta(days=1))
    fine: Any = VolunteerFactory(given_name="Dài hạn")
    MissionMemberFactory(mission=mission, volunteer=fine)
    CredentialFactory(volunteer=fine, valid_to=days(900))

    problems = coordinator_client.get(f"/missions/{mission.pk}/").context["credential_problems"]
    assert [(c.volunteer.given_name, status) for c, status in problems] == [("Ngắn hạn", Status.ENDS_DURING_MISSION)]
    # Registrars do not see volunteers' credentials.
    assert as_user(registrar).get(f"/missions/{mission.pk}/").context["credential_problems"] == []
