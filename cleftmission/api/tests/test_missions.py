"""/missions: planning a mission and the clinical thresholds in force on it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cleftmission.api.tests.conftest import fields_named
from cleftmission.core import audit
from cleftmission.core.models import AuditEntry
from cleftmission.factories import MissionFactory, SiteFactory
from cleftmission.missions.models import Mission


def new_mission(at: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "name": "Huế tháng 3",
        "kind": "international",
        "site": at.pk,
        "start_date": "2027-03-08",
        "end_date": "2027-03-12",
    }
    return {**data, **changes}


def test_the_list_answers_items_and_count_newest_first(viewer: Any, api_as: Any) -> None:
    MissionFactory(name="Older", start_date="2026-01-05", end_date="2026-01-09")
    MissionFactory(name="Newer", start_date="2026-06-01", end_date="2026-06-05")
    body = api_as(viewer).get("/missions").json()
    assert body["count"] == 2
    assert [m["name"] for m in body["items"]] == ["Newer", "Older"]


def test_the_list_filters_by_kind_phase_and_site(coordinator: Any, api_as: Any) -> None:
    site: Any = SiteFactory()
    MissionFactory(name="Here", site=site, kind=Mission.Kind.INTERNATIONAL, phase=Mission.Phase.SCREENING)
    MissionFactory(name="Elsewhere", kind=Mission.Kind.INTERNATIONAL, phase=Mission.Phase.SCREENING)
    MissionFactory(name="Local", site=site)
    api = api_as(coordinator)
    assert {m["name"] for m in api.get("/missions", {"site": site.pk}).json()["items"]} == {"Here", "Local"}
    assert {m["name"] for m in api.get("/missions", {"kind": "international"}).json()["items"]} == {
        "Here",
        "Elsewhere",
    }
    assert api.get("/missions", {"phase": "screening", "site": site.pk}).json()["count"] == 1


def test_a_mission_shows_its_site_and_its_clinical_thresholds(clinician: Any, mission: Any, api_as: Any) -> None:
    response = api_as(clinician).get(f"/missions/{mission.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["site"] == mission.site_id
    assert body["site_name"] == mission.site.name
    for field in Mission.THRESHOLD_FIELDS:
        assert field in body
    assert Decimal(body["lip_min_weight_kg"]) == Decimal("4.5")
    assert body["max_asa_accepted"] == 2
    assert body["day_start"] == "08:00:00"


def test_an_unknown_mission_is_404(coordinator: Any, api_as: Any) -> None:
    assert api_as(coordinator).get("/missions/424242").status_code == 404


def test_a_coordinator_plans_a_mission_and_the_defaults_fill_what_is_not_sent(coordinator: Any, api_as: Any) -> None:
    site: Any = SiteFactory()
    response = api_as(coordinator).post("/missions", new_mission(site, min_haemoglobin=9.5))
    assert response.status_code == 201, response.content
    mission = Mission.objects.get(pk=response.json()["id"])
    assert mission.site == site
    assert mission.phase == Mission.Phase.PLANNING
    assert mission.tables_per_day == 4
    assert mission.min_haemoglobin == Decimal("9.5")
    assert mission.lip_min_weight_kg == Decimal("4.5")
    [entry] = audit.trail(mission)
    assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, coordinator)


def test_a_mission_at_an_unknown_site_is_refused_naming_site_and_nothing_is_saved(
    coordinator: Any, api_as: Any
) -> None:
    site: Any = SiteFactory()
    response = api_as(coordinator).post("/missions", new_mission(site, site=site.pk + 1000))
    assert response.status_code == 422
    assert fields_named(response) == {"site"}
    assert not Mission.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_date": "2027-03-01"}, "end_date"),
        ({"end_date": "2027-06-01"}, "end_date"),
        ({"day_start": "17:00", "day_end": "08:00"}, "day_end"),
        ({"nutrition_warn_z": -3, "nutrition_defer_z": -2}, "nutrition_warn_z"),
        ({"fever_c": 41}, "fever_c"),
        ({"kind": "galactic"}, "kind"),
        ({"tables_per_day": 0}, "tables_per_day"),
    ],
)
def test_a_mission_that_breaks_the_web_form_s_rules_is_refused_naming_the_field(
    coordinator: Any, api_as: Any, changes: dict[str, Any], field: str
) -> None:
    site: Any = SiteFactory()
    response = api_as(coordinator).post("/missions", new_mission(site, **changes))
    assert response.status_code == 422
    assert field in fields_named(response)
    assert not Mission.objects.exists()


def test_the_messages_are_the_web_form_s_own(coordinator: Any, api_as: Any) -> None:
    site: Any = SiteFactory()
    response = api_as(coordinator).post("/missions", new_mission(site, end_date="2027-03-01"))
    assert response.json()["errors"] == [
        {"field": "end_date", "message": "The last day cannot be before the first day."}
    ]


def test_patch_changes_a_threshold_only_and_is_audited(coordinator: Any, mission: Any, api_as: Any) -> None:
    response = api_as(coordinator).patch(f"/missions/{mission.pk}", {"palate_min_weight_kg": "10.0"})
    assert response.status_code == 200, response.content
    mission.refresh_from_db()
    assert mission.palate_min_weight_kg == Decimal("10.0")
    assert mission.name == "Hà Nội tháng 12"
    [entry] = audit.trail(mission)
    assert entry.changes == {"palate_min_weight_kg": ["9.5", "10.0"]}
    assert entry.actor == coordinator


def test_a_patch_that_makes_the_mission_invalid_changes_nothing(coordinator: Any, mission: Any, api_as: Any) -> None:
    response = api_as(coordinator).patch(f"/missions/{mission.pk}", {"name": "Renamed", "end_date": "2026-01-01"})
    assert response.status_code == 422
    assert fields_named(response) == {"end_date"}
    mission.refresh_from_db()
    assert mission.name == "Hà Nội tháng 12"
    assert not audit.trail(mission).exists()


def test_a_patch_may_move_the_mission_to_another_site_but_not_to_an_unknown_one(
    coordinator: Any, mission: Any, api_as: Any
) -> None:
    api = api_as(coordinator)
    other: Any = SiteFactory()
    assert api.patch(f"/missions/{mission.pk}", {"site": 10**6}).status_code == 422
    assert api.patch(f"/missions/{mission.pk}", {"site": other.pk}).json()["site"] == other.pk


def test_only_planners_plan_missions(clinician: Any, registrar: Any, viewer: Any, mission: Any, api_as: Any) -> None:
    for user in (clinician, registrar, viewer):
        api = api_as(user)
        response = api.post("/missions", new_mission(mission.site))
        assert response.status_code == 403
        assert fields_named(response) == set()
        assert api.patch(f"/missions/{mission.pk}", {"fever_c": "39.0"}).status_code == 403
    assert Mission.objects.count() == 1
    mission.refresh_from_db()
    assert mission.fever_c == Decimal("38.0")


def test_the_list_costs_the_same_queries_for_many_missions(
    viewer: Any, api_as: Any, django_assert_num_queries: Any
) -> None:
    for _ in range(20):
        MissionFactory()
    api = api_as(viewer)
    # the token, the role, the page with its sites, the count
    with django_assert_num_queries(4):
        assert api.get("/missions").json()["count"] == 20
