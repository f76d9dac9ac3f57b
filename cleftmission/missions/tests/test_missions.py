"""Planning a mission: impossible dates and unknown hospitals are refused and save nothing;
a good mission and its clinical thresholds are kept; the list counts children and team right."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cleftmission.core.models import AuditEntry
from cleftmission.core.tests.helpers import assert_refused, form_data
from cleftmission.factories import (
    MissionFactory,
    MissionMemberFactory,
    OperatingTableFactory,
    PatientFactory,
    ScreeningVisitFactory,
    SiteFactory,
)
from cleftmission.missions.forms import MissionForm
from cleftmission.missions.models import Mission, OperatingTable, Site
from cleftmission.screening.models import ScreeningVisit


@pytest.fixture
def coordinator_client(as_user: Any, coordinator: Any) -> Client:
    client: Client = as_user(coordinator)
    return client


def new_mission(site: Any, **changes: Any) -> dict[str, Any]:
    """The new-mission form as a coordinator fills it in (thresholds left at their defaults)."""
    data = form_data(MissionForm())
    data.update(
        name="Đà Nẵng tháng 3",
        kind="international",
        site=site.pk,
        start_date="2027-03-08",
        end_date="2027-03-12",
        phase="planning",
    )
    data.update(changes)
    return data


def edit_data(client: Client, mission: Mission, **changes: Any) -> dict[str, Any]:
    data = form_data(client.get(f"/missions/{mission.pk}/edit/").context["form"])
    data.update(changes)
    return data


def stored(mission: Mission) -> dict[str, Any]:
    return {f.name: getattr(Mission.objects.get(pk=mission.pk), f.name) for f in Mission._meta.concrete_fields}


# Refused


def test_a_mission_whose_last_day_is_before_its_first_is_refused_and_nothing_is_saved(
    coordinator_client: Client,
) -> None:
    site: Any = SiteFactory()
    response = coordinator_client.post(
        "/missions/new/", new_mission(site, start_date="2027-03-08", end_date="2027-03-07")
    )
    assert_refused(response, "end_date")
    assert not Mission.objects.exists()
    assert not AuditEntry.objects.exists()


def test_moving_the_last_day_before_the_first_is_refused_and_the_mission_is_unchanged(
    coordinator_client: Client, mission: Mission
) -> None:
    before = stored(mission)
    data = edit_data(coordinator_client, mission, end_date="2026-12-06", name="Renamed", min_haemoglobin="9.0")
    assert_refused(coordinator_client.post(f"/missions/{mission.pk}/edit/", data), "end_date")
    assert stored(mission) == before
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("site_id", ["999999", "not-a-number"])
def test_a_mission_at_an_unknown_hospital_is_refused_and_nothing_is_saved(
    coordinator_client: Client, site_id: str
) -> None:
    data = new_mission(SiteFactory())
    data["site"] = site_id
    assert_refused(coordinator_client.post("/missions/new/", data), "site")
    assert not Mission.objects.exists()


def test_moving_a_mission_to_an_unknown_hospital_is_refused_and_it_stays_where_it_was(
    coordinator_client: Client, mission: Mission
) -> None:
    before = stored(mission)
    data = edit_data(coordinator_client, mission, site="999999")
    assert_refused(coordinator_client.post(f"/missions/{mission.pk}/edit/", data), "site")
    assert stored(mission) == before


def test_a_mission_longer_than_60_days_is_refused(coordinator_client: Client) -> None:
    data = new_mission(SiteFactory(), start_date="2027-03-01", end_date="2027-05-01")
    assert_refused(coordinator_client.post("/missions/new/", data), "end_date")
    assert not Mission.objects.exists()


def test_an_operating_day_that_ends_before_it_starts_is_refused(coordinator_client: Client) -> None:
    data = new_mission(SiteFactory(), day_start="14:00", day_end="08:00")
    assert_refused(coordinator_client.post("/missions/new/", data), "day_end")
    assert not Mission.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("min_haemoglobin", "4.9"),
        ("min_haemoglobin", "10.25"),
        ("lip_min_weight_kg", "abc"),
        ("max_asa_accepted", "6"),
        ("nutrition_defer_z", "0.5"),
        ("tables_per_day", "0"),
    ],
)
def test_a_threshold_out_of_range_is_refused_and_the_mission_is_unchanged(
    coordinator_client: Client, mission: Mission, field: str, value: str
) -> None:
    before = stored(mission)
    data = edit_data(coordinator_client, mission, **{field: value})
    assert_refused(coordinator_client.post(f"/missions/{mission.pk}/edit/", data), field)
    assert stored(mission) == before


def test_a_nutrition_warning_below_the_deferral_line_is_refused(coordinator_client: Client, mission: Mission) -> None:
    data = edit_data(coordinator_client, mission, nutrition_defer_z="-2.0", nutrition_warn_z="-2.5")
    assert_refused(coordinator_client.post(f"/missions/{mission.pk}/edit/", data), "nutrition_warn_z")
    assert stored(mission)["nutrition_warn_z"] == Decimal("-1.0")


# Accepted


def test_a_coordinator_plans_a_mission_that_opens_on_its_page(coordinator_client: Client) -> None:
    site: Any = SiteFactory(name="Bệnh viện Đà Nẵng")
    response = coordinator_client.post("/missions/new/", new_mission(site))
    mission = Mission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/missions/{mission.pk}/"
    assert (mission.name, mission.kind, mission.site, mission.phase) == (
        "Đà Nẵng tháng 3",
        "international",
        site,
        "planning",
    )
    assert (mission.start_date, mission.end_date, mission.days) == (dt.date(2027, 3, 8), dt.date(2027, 3, 12), 5)
    assert mission.min_haemoglobin == Decimal("10.0")  # the DOMAIN.md default
    page = coordinator_client.get(response["Location"])
    assert "Đà Nẵng tháng 3" in page.content.decode()


def test_editing_the_thresholds_of_a_mission_persists_them(coordinator_client: Client, mission: Mission) -> None:
    data = edit_data(
        coordinator_client,
        mission,
        lip_min_age_weeks="2",
        lip_min_weight_kg="4.0",
        palate_min_age_months="9",
        palate_min_weight_kg="9.0",
        min_haemoglobin="9.5",
        nutrition_defer_z="-3.0",
        nutrition_warn_z="-2.0",
        fever_c="38.5",
        max_asa_accepted="3",
    )
    assert coordinator_client.post(f"/missions/{mission.pk}/edit/", data).status_code == 302
    mission.refresh_from_db()
    assert [getattr(mission, f) for f in Mission.THRESHOLD_FIELDS] == [
        2,
        Decimal("4.0"),
        9,
        Decimal("9.0"),
        Decimal("9.5"),
        Decimal("-3.0"),
        Decimal("-2.0"),
        Decimal("38.5"),
        3,
    ]
    shown = dict(coordinator_client.get(f"/missions/{mission.pk}/").context["threshold_fields"])
    assert {field.name: value for field, value in shown.items()}["min_haemoglobin"] == Decimal("9.5")


def test_thresholds_of_one_mission_do_not_change_another(
    coordinator_client: Client, mission: Mission, other_mission: Mission
) -> None:
    data = edit_data(coordinator_client, mission, min_haemoglobin="9.0")
    assert coordinator_client.post(f"/missions/{mission.pk}/edit/", data).status_code == 302
    other_mission.refresh_from_db()
    assert other_mission.min_haemoglobin == Decimal("10.0")


def test_a_coordinator_adds_a_hospital_with_its_operating_tables(coordinator_client: Client) -> None:
    data = {
        "name": "Bệnh viện Nhi Trung ương",
        "city": "Hà Nội",
        "ward_beds": "40",
        "tables-TOTAL_FORMS": "2",
        "tables-INITIAL_FORMS": "0",
        "tables-MIN_NUM_FORMS": "0",
        "tables-MAX_NUM_FORMS": "30",
        "tables-0-name": "Phòng mổ 1",
        "tables-0-active": "on",
        "tables-1-name": "",
        "tables-1-active": "on",  # the empty row's box comes ticked, as in the browser
    }
    assert coordinator_client.post("/sites/new/", data).status_code == 302
    site = Site.objects.get()
    assert [(t.name, t.active) for t in site.tables.all()] == [("Phòng mổ 1", True)]


def test_a_hospital_with_two_tables_of_the_same_name_is_refused_and_nothing_is_saved(
    coordinator_client: Client,
) -> None:
    site: Any = SiteFactory(name="Bệnh viện A")
    OperatingTableFactory(site=site, name="Phòng mổ 1")
    url = f"/sites/{site.pk}/edit/"
    page = coordinator_client.get(url)
    data = form_data(page.context["form"], page.context["tables"])
    data.update({"name": "Bệnh viện B", "tables-1-name": "Phòng mổ 1", "tables-1-active": "on"})
    response = coordinator_client.post(url, data)
    assert response.status_code == 200
    assert response.context["tables"].non_form_errors() or any(f.errors for f in response.context["tables"].forms)
    site.refresh_from_db()
    assert site.name == "Bệnh viện A"
    assert OperatingTable.objects.count() == 1


# The mission list


def test_the_mission_list_counts_children_seen_operated_and_team_without_multiplying(
    coordinator_client: Client, mission: Mission
) -> None:
    for outcome in ("registered", "accepted", "operated"):
        ScreeningVisitFactory(mission=mission, patient=PatientFactory(), outcome=outcome)
    MissionMemberFactory(mission=mission)
    MissionMemberFactory(mission=mission)
    response = coordinator_client.get("/missions/")
    row = next(m for m in response.context["missions"] if m.pk == mission.pk)
    assert (row.evaluated, row.operated, row.team) == (3, 1, 2)
    assert ScreeningVisit.objects.filter(mission=mission).count() == 3


def test_the_mission_list_filters_by_kind_phase_and_hospital(coordinator_client: Client) -> None:
    site: Any = SiteFactory()
    MissionFactory(name="Quốc tế", kind="international", phase="screening", site=site)
    MissionFactory(name="Trong nước", kind="local", phase="planning")

    def names(**params: str) -> set[str]:
        return {m.name for m in coordinator_client.get("/missions/", params).context["missions"]}

    assert names(kind="international") == {"Quốc tế"}
    assert names(phase="planning") == {"Trong nước"}
    assert names(site=str(site.pk)) == {"Quốc tế"}
    assert names(kind="nonsense") == {"Quốc tế", "Trong nước"}
