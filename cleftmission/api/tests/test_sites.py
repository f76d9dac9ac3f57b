"""/sites: partner hospitals and their operating tables."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from cleftmission.api.tests.conftest import fields_named
from cleftmission.core.models import AuditEntry
from cleftmission.factories import OperatingTableFactory, SiteFactory
from cleftmission.missions.models import OperatingTable, Site


def trail_of(obj: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)))


def test_the_list_answers_items_and_count(coordinator: Any, api_as: Any) -> None:
    site: Any = SiteFactory(name="Bệnh viện Việt Đức")
    OperatingTableFactory(site=site, name="Bàn 1")
    SiteFactory(name="Bệnh viện Nhi Trung ương")
    body = api_as(coordinator).get("/sites").json()
    assert body["count"] == 2
    assert [s["name"] for s in body["items"]] == ["Bệnh viện Nhi Trung ương", "Bệnh viện Việt Đức"]
    assert body["items"][1]["tables"] == [{"id": site.tables.get().pk, "name": "Bàn 1", "active": True}]


def test_limit_and_offset_page_through_the_list_and_count_is_the_total(coordinator: Any, api_as: Any) -> None:
    for i in range(5):
        SiteFactory(name=f"Bệnh viện {i}")
    body = api_as(coordinator).get("/sites", {"limit": 2, "offset": 2}).json()
    assert body["count"] == 5
    assert [s["name"] for s in body["items"]] == ["Bệnh viện 2", "Bệnh viện 3"]


def test_a_limit_above_200_is_refused_naming_limit(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).get("/sites", {"limit": 201})
    assert response.status_code == 422
    assert fields_named(response) == {"limit"}


def test_the_default_limit_is_50(coordinator: Any, api_as: Any) -> None:
    Site.objects.bulk_create([Site(name=f"Bệnh viện {i:02d}", city="Huế") for i in range(55)])
    body = api_as(coordinator).get("/sites").json()
    assert body["count"] == 55
    assert len(body["items"]) == 50


def test_any_role_may_read_a_site(viewer: Any, api_as: Any) -> None:
    site: Any = SiteFactory(name="Bệnh viện Chợ Rẫy", city="TP.HCM")
    response = api_as(viewer).get(f"/sites/{site.pk}")
    assert response.status_code == 200
    assert response.json()["city"] == "TP.HCM"


def test_an_unknown_site_is_404(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).get("/sites/999999")
    assert response.status_code == 404
    assert fields_named(response) == set()


def test_a_coordinator_adds_a_site_with_its_tables_and_each_is_audited(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).post(
        "/sites",
        {
            "name": "Bệnh viện Đà Nẵng",
            "city": "Đà Nẵng",
            "ward_beds": 30,
            "tables": [{"name": "Bàn A"}, {"name": "Bàn B", "active": False}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    site = Site.objects.get(pk=body["id"])
    assert (site.city, site.ward_beds, site.address) == ("Đà Nẵng", 30, "")
    assert [(t["name"], t["active"]) for t in body["tables"]] == [("Bàn A", True), ("Bàn B", False)]
    trail = trail_of(site)
    assert {e.object_repr for e in trail} == {
        "Bệnh viện Đà Nẵng",
        "Bệnh viện Đà Nẵng · Bàn A",
        "Bệnh viện Đà Nẵng · Bàn B",
    }
    assert all(e.action == AuditEntry.Action.CREATE and e.actor == coordinator for e in trail)


def test_a_site_with_two_tables_of_the_same_name_is_refused_and_nothing_is_saved(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).post(
        "/sites", {"name": "Bệnh viện Huế", "city": "Huế", "tables": [{"name": "Bàn 1"}, {"name": "Bàn 1"}]}
    )
    assert response.status_code == 422
    assert fields_named(response) & {"tables", "tables.1", "tables.1.name"}
    assert not Site.objects.exists()
    assert not OperatingTable.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_site_without_a_city_is_refused_with_the_web_form_s_message(coordinator: Any, api_as: Any) -> None:
    response = api_as(coordinator).post("/sites", {"name": "Bệnh viện Huế", "city": ""})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "city", "message": "This field is required."}]
    assert not Site.objects.exists()


def test_a_second_site_with_the_same_name_is_refused(coordinator: Any, api_as: Any) -> None:
    SiteFactory(name="Bệnh viện Huế")
    response = api_as(coordinator).post("/sites", {"name": "Bệnh viện Huế", "city": "Huế"})
    assert response.status_code == 422
    assert fields_named(response) == {"name"}
    assert Site.objects.count() == 1


def test_patch_changes_only_the_fields_sent_and_is_audited(coordinator: Any, api_as: Any) -> None:
    site: Any = SiteFactory(name="Bệnh viện Huế", city="Huế", ward_beds=40)
    response = api_as(coordinator).patch(f"/sites/{site.pk}", {"ward_beds": 55})
    assert response.status_code == 200
    site.refresh_from_db()
    assert (site.name, site.city, site.ward_beds) == ("Bệnh viện Huế", "Huế", 55)
    [entry] = trail_of(site)
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes == {"ward_beds": [40, 55]}
    assert entry.actor == coordinator


def test_a_patch_with_a_bad_value_changes_nothing(coordinator: Any, api_as: Any) -> None:
    site: Any = SiteFactory(name="Bệnh viện Huế", ward_beds=40)
    response = api_as(coordinator).patch(f"/sites/{site.pk}", {"ward_beds": 5000, "city": "Hội An"})
    assert response.status_code == 422
    assert fields_named(response) == {"ward_beds"}
    site.refresh_from_db()
    assert (site.ward_beds, site.city) == (40, "Hà Nội")
    assert not trail_of(site)


def test_a_table_is_added_and_renamed_under_its_site(coordinator: Any, api_as: Any) -> None:
    site: Any = SiteFactory()
    api = api_as(coordinator)
    response = api.post(f"/sites/{site.pk}/tables", {"name": "Bàn 3"})
    assert response.status_code == 201
    table_id = response.json()["id"]
    response = api.patch(f"/sites/{site.pk}/tables/{table_id}", {"active": False})
    assert response.status_code == 200
    assert response.json() == {"id": table_id, "name": "Bàn 3", "active": False}
    assert [e.action for e in reversed(trail_of(site))] == [AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE]


def test_a_table_name_already_used_at_the_site_is_refused_naming_name(coordinator: Any, api_as: Any) -> None:
    site: Any = SiteFactory()
    OperatingTableFactory(site=site, name="Bàn 1")
    other: Any = OperatingTableFactory(site=site, name="Bàn 2")
    api = api_as(coordinator)
    response = api.post(f"/sites/{site.pk}/tables", {"name": "Bàn 1"})
    assert response.status_code == 422
    assert fields_named(response) == {"name"}
    response = api.patch(f"/sites/{site.pk}/tables/{other.pk}", {"name": "Bàn 1"})
    assert response.status_code == 422
    assert fields_named(response) == {"name"}
    assert sorted(site.tables.values_list("name", flat=True)) == ["Bàn 1", "Bàn 2"]


def test_a_table_of_another_site_is_404(coordinator: Any, api_as: Any) -> None:
    site: Any = SiteFactory()
    elsewhere: Any = OperatingTableFactory()
    response = api_as(coordinator).patch(f"/sites/{site.pk}/tables/{elsewhere.pk}", {"name": "Bàn 9"})
    assert response.status_code == 404


def test_only_planners_change_sites(clinician: Any, registrar: Any, viewer: Any, api_as: Any) -> None:
    site: Any = SiteFactory(name="Bệnh viện Huế")
    for user in (clinician, registrar, viewer):
        api = api_as(user)
        assert api.post("/sites", {"name": "Bệnh viện Mới", "city": "Huế"}).status_code == 403
        assert api.patch(f"/sites/{site.pk}", {"city": "Vinh"}).status_code == 403
        assert api.post(f"/sites/{site.pk}/tables", {"name": "Bàn 1"}).status_code == 403
    site.refresh_from_db()
    assert site.city == "Hà Nội"
    assert not Site.objects.filter(name="Bệnh viện Mới").exists()
    assert not OperatingTable.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_list_costs_the_same_queries_for_many_sites(
    coordinator: Any, api_as: Any, django_assert_num_queries: Any
) -> None:
    for _ in range(20):
        OperatingTableFactory(site=SiteFactory())
    api = api_as(coordinator)
    # the token, the role, the page, its tables, the count
    with django_assert_num_queries(5):
        assert api.get("/sites").json()["count"] == 20
